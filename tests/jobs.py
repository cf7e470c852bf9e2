"""Command lines of the job kinds' subcommands for the tests: ``advgen <command> --spec JSON
--input NAME=PATH ... --output NAME=PATH ...`` (:mod:`advgen.commands._jobkind`), and the
prepared splits of a dataset entry made the way the workflow makes them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen.specs import spec_dict


def job_argv(
    command: str,
    spec: Any,
    inputs: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
    outputs: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
) -> list[str]:
    """The argv of one job (``spec``: a typed spec, a dict or JSON text; a name of ``inputs`` /
    ``outputs`` maps to one path or a list)."""
    text = spec if isinstance(spec, str) else json.dumps(spec_dict(spec), sort_keys=True)

    def pairs(files: Mapping[str, Any]) -> list[str]:
        return [
            f"{name}={path}"
            for name, value in files.items()
            for path in ([value] if isinstance(value, str | Path) else value)
        ]

    argv = [command, "--spec", text]
    if inputs:
        argv += ["--input", *pairs(inputs)]
    return [*argv, "--output", *pairs(outputs or {})]


def split_spec(name: str, entry: Mapping[str, Any], split: str) -> str:
    """The ``prepare_data`` job's spec of one split of the dataset ``entry`` (defaults filled)."""
    from advgen.config import dataset_spec
    from advgen.data.spec import OTHER_CAP, PreparedSplitSpec

    dataset = dataclasses.replace(dataset_spec(entry), **{OTHER_CAP[split]: None})
    return json.dumps(spec_dict(PreparedSplitSpec(name, split, dataset)), sort_keys=True)


def prepare_argv(name: str, entry: Mapping[str, Any], split: str, path: str | Path) -> list[str]:
    """``advgen prepare-data`` writing one split of the dataset ``entry`` to ``path``."""
    return job_argv("prepare-data", split_spec(name, entry, split), outputs={"split": path})


def prepare_splits(name: str, entry: Mapping[str, Any], folder: Path) -> dict[str, Path]:
    """Both prepared splits of ``entry`` in ``folder`` (``train.pt``, ``test.pt``), as the workflow makes them."""
    from advgen.cli import main

    paths = {split: folder / f"{split}.pt" for split in ("train", "test")}
    for split, path in paths.items():
        assert main(prepare_argv(name, entry, split, path)) == 0
    return paths


def option_defaults() -> dict[str, Any]:
    """The schema defaults of the figure settings: the ``plots`` section's keys and the GAN keys the
    gradient-norm figure draws."""
    from advgen.config import load_yaml, schema_path

    def defaults(schema: str, definition: str) -> dict[str, Any]:
        props = load_yaml(schema_path(schema))["$defs"][definition]["properties"]
        return {k: v["default"] for k, v in props.items() if "default" in v}

    gan = defaults("generative.schema.yaml", "gan")
    return {
        **defaults("plots.schema.yaml", "plots"),
        **{k: v for k, v in gan.items() if k.startswith("vanishing")},
    }


def figure_spec(spec_type: type, options: Mapping[str, Any]) -> dict[str, Any]:
    """A figure family's complete spec of one figure: ``options`` (any field of the spec or of its
    one ``figures`` row), the other settings at their schema defaults, a title ``figure``."""
    import typing

    def filled(cls: type) -> dict[str, Any]:
        known = {"experiment": "figure", **option_defaults(), **options}
        return {f.name: known[f.name] for f in dataclasses.fields(cls) if f.name in known}

    spec = filled(spec_type)
    if "figures" in {f.name for f in dataclasses.fields(spec_type)}:
        row = typing.get_args(typing.get_type_hints(spec_type)["figures"])[0]
        spec["figures"] = [filled(row)]
    return spec


def plot_argv(
    family: str,
    inputs: Sequence[str | Path] | Mapping[str, str | Path | Sequence[str | Path]],
    outputs: Sequence[str | Path],
    options: Mapping[str, Any] | str,
) -> list[str]:
    """``advgen plot-<family>`` (a figure family's job kind) drawing one figure: its ``inputs``
    (a list: ``figure1`` of a family of several figures per job, else its one ``table``; or
    by name), its ``outputs`` (the figure, then vector copies of the same stem) and its spec:
    ``options`` filled (:func:`figure_spec`), or JSON text as it is."""
    from advgen.pipeline.jobkinds import BY_NAME

    kind = BY_NAME.get(f"plot_{family}") or BY_NAME[family]
    several = "figures" in kind.outputs
    spec = options if isinstance(options, str) else figure_spec(kind.spec_type, options)
    if not isinstance(inputs, Mapping):
        inputs = {"figure1" if several else "table": [str(p) for p in inputs]} if inputs else {}
    files = {"figures" if several else "figure": str(outputs[0]), "vectors": [str(p) for p in outputs[1:]]}
    return job_argv(kind.command, spec, inputs or None, {k: v for k, v in files.items() if v})
