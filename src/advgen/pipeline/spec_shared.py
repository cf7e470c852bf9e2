"""The job schema's shared definitions: what only the job specs carry (a grid point's label, a
resolved seed, the device, a page's text), referred to by the spec dataclasses' fields
(:func:`advgen.specs.job_schema` ``ref="#/$defs/<name>"``). :mod:`advgen.pipeline.spec_schema`
writes them into ``jobs.schema.yaml`` above the spec dataclasses' definitions; the enums are
their registries' names (:data:`advgen.generators.GENERATOR_KINDS`, the purify methods of
:mod:`advgen.defense.attacks`, the sweeps of :data:`advgen.sweeps.registry.SWEEPS`)."""

from __future__ import annotations

from typing import Any

from advgen.specs import NAME, ref_array, ref_map


def nullable(ref: str) -> dict[str, Any]:
    """``null``, or a value of the definition ``ref``."""
    return {"anyOf": [{"type": "null"}, {"$ref": ref}]}


def shared_definitions() -> dict[str, dict[str, Any]]:
    """The shared ``$defs``, by name, in the file's order."""
    from advgen.defense.attacks import NONE, PROJECT, RECONSTRUCT
    from advgen.generators import GENERATOR_KINDS
    from advgen.sweeps.registry import SWEEPS

    return {
        "name": {"$ref": "data.schema.yaml#/$defs/name"},
        "names": {"type": "array", "uniqueItems": True, "items": {"$ref": NAME}},
        "nullable_name": nullable(NAME),
        "seed": {
            "description": "a resolved seed (the entry's, else the top-level one)",
            "$ref": "config.schema.yaml#/properties/seed",
        },
        "device": {"$ref": "config.schema.yaml#/properties/device"},
        "nullable_device": nullable("#/$defs/device"),
        "label": {
            "description": "a grid point's label (advgen.sweeps.grid.point_label, advgen.defense.plan.point_id)",
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9_.+-]*$",
            "maxLength": 200,
        },
        "sweep": {"description": "a generative sweep (advgen.sweeps.registry.SWEEPS)", "enum": list(SWEEPS)},
        "generator_kind": {
            "description": "the section a generator is defined in (advgen.generators.GENERATOR_KINDS)",
            "enum": [kind.name for kind in GENERATOR_KINDS.values()],
        },
        "text": {
            "description": "free text shown on a page (a title, a source's wording)",
            "type": "string",
            "maxLength": 2000,
        },
        "path": {
            "description": "a file named relative to the results folder",
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
        },
        "purify_method": {
            "description": "project (Defense-GAN), reconstruct (an autoencoder's D(E(x)))"
            " or none (the bare classifier)",
            "enum": [PROJECT, RECONSTRUCT, NONE],
        },
        "purify_steps": {
            "description": "L or R of a purify point (0 where the method inverts nothing)",
            "type": "integer",
            "minimum": 0,
            "maximum": 1000000,
        },
        "recipes": {
            "description": "entry -> its spec without its seed, and the seeds of its runs",
            **ref_map(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["spec", "seeds"],
                    "properties": {
                        "spec": {"type": "object"},
                        "seeds": {
                            "description": "the seeds of the entry's runs, one per replicate",
                            **ref_array("#/$defs/seed"),
                        },
                    },
                }
            ),
        },
    }
