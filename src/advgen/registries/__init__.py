"""The registries' lists in the config schema and the docs, written from the registries.

Each vocabulary has one registry, the one place its names (and, for attacks, parameters) are
stated: the attacks (:data:`advgen.attacks.registry.REGISTRY`, their parameters in their
dataclasses, :mod:`advgen.attacks.params`), the defense attacks
(:data:`advgen.defense.attacks.DEFENSE_ATTACKS`), the data sources
(:data:`advgen.data.sources.DATA_SOURCES`), the training modes
(:data:`advgen.classifiers.modes.TRAINING_MODES`) and the gradient-masking checks
(:data:`advgen.robustness.tables.MASKING_CHECK_REGISTRY`). This package writes their copies:

* the schema's enums of those names (``src/advgen/schemas/*.yaml``), the attack entry's
  ``params`` branch per attack, and each attack's ``params`` definition (``<module>_params``),
  written whole from its dataclass (:meth:`advgen.attacks.fields.AttackParams.schema`: every
  parameter's description, type, values, range and default; :func:`attack_problems` names what
  a dataclass leaves unstated);
* the defaults of the settings objects whose dataclass states them
  (:data:`advgen.registries.schema_copies.SETTINGS`: the
  gradient-masking checks' sizes, :class:`advgen.robustness.masking_spec.MaskingSettings`; the
  adaptive attacks' budget, :class:`advgen.defense.adaptive.AdaptiveBudget`);
* the job specs' definitions in ``jobs.schema.yaml``, written from the spec dataclasses
  (:mod:`advgen.pipeline.spec_schema`: each field's annotation and ``job_schema`` metadata);
* the lists in ``README.md`` and ``config/README.md`` (and the table of attacks in the
  docstring of :mod:`advgen.attacks`) between ``<!-- registry:<list> -->`` and
  ``<!-- /registry:<list> -->``.

The copies are written by :mod:`advgen.registries.schema_copies` (the enums and settings
defaults), :mod:`advgen.registries.attack_copies` (the attacks'), :mod:`advgen.pipeline.spec_schema`
(the job specs') and :mod:`advgen.registries.docs_lists` (the docs'), in the YAML text of
:mod:`advgen.registries.yaml_text`.

``python -m advgen.registries`` checks every copy (exit 1, one line per stale copy);
``--write`` rewrites the stale ones in place. ``tests/unit/test_registries_written.py`` runs the
check, so a registry edit without ``--write`` fails the tests.

Why written copies and a check rather than enums filled in when :mod:`advgen.config` loads the
schema: the schema files stay complete JSON Schema that a reader, an editor's YAML plugin or any
validator can use on their own, and :mod:`advgen.config`, which sits below the stages in the
layers, imports none of the stages' registries. The registry is still the one source: the
copies are generated from it, never edited by hand, and the check fails on any drift.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from advgen.pipeline.spec_schema import jobs_schema_problems, write_jobs_schema
from advgen.registries.attack_copies import attack_problems
from advgen.registries.docs_lists import docs_problems, write_docs
from advgen.registries.schema_copies import schema_problems, write_schema

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advgen.registries", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale copies in place")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_schema() + write_jobs_schema() + write_docs():
            print(f"wrote {path}")
    stale = schema_problems() + jobs_schema_problems() + docs_problems()
    problems = attack_problems() + stale
    for line in problems:
        print(line)
    unstated = len(problems) - len(stale)
    if unstated:
        print(
            f"{unstated} statements missing from attack dataclasses: see docs/contributing.md",
            file=sys.stderr,
        )
    if len(problems) > unstated:
        print(
            f"{len(problems) - unstated} stale copies: python -m advgen.registries --write", file=sys.stderr
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
