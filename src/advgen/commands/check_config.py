"""``advgen check-config``: read and validate config files as the workflow would.

It runs :func:`advgen.pipeline.check.checked_pipeline`, the function the workflow runs at
parse time, so it rejects exactly what ``snakemake`` rejects (schema, cross-references,
masking classifiers and purifiers, the claims file once its stage checks it), and resolves the
config's relative file names against the workflow's folder as the workflow does, from any folder.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from advgen.commands._files import add_input

if TYPE_CHECKING:
    from advgen.pipeline.study import Study

HELP = "check config files (YAML syntax, duplicate keys, schema, cross references); one line, exit 2 on error"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(p, "files", nargs="+", metavar="FILE", help="config files, merged in order as by --configfile")
    add_input(
        p,
        "--workflow",
        metavar="DIR",
        help="the workflow's folder, against which the config's relative file names resolve (default: the "
        "nearest folder holding a Snakefile above the first FILE, else the working folder)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.pipeline.check import checked_pipeline

    plan = checked_pipeline(args.files, base=args.workflow)
    slow = emulated_bf16_entries(plan.study)
    if slow:
        print(
            f"{', '.join(args.files)}: warning: {', '.join(slow)} train under bfloat16 autocast "
            "(speed.autocast: bf16) on a CPU without bfloat16 instructions (no avx512_bf16 or amx_bf16): "
            "each step takes about 6x its float32 time here (benchmarks/RESULTS.md); the recipe runs "
            "as written at its stated speed on a GPU or a CPU that has them",
            file=sys.stderr,
        )
    print(f"{', '.join(args.files)}: ok")


def emulated_bf16_entries(study: Study) -> list[str]:
    """The ``gans``/``autoencoders`` entries (``section.entry``) whose runs ask for bfloat16
    autocast where the study's ``device`` resolves to a CPU without bfloat16 instructions
    (:func:`advgen.training.speed.bf16_emulated`)."""
    import torch

    from advgen.training.speed import bf16_emulated

    on_cpu = study.device == "cpu" or (study.device == "auto" and not torch.cuda.is_available())
    if not (on_cpu and bf16_emulated()):
        return []
    found: dict[str, None] = {}
    for section, runs in (("gans", study.gans), ("autoencoders", study.autoencoders)):
        for run, spec in runs.items():
            if spec.speed.autocast == "bf16":
                found[f"{section}.{study.replicate_of.get(run, run)}"] = None
    return list(found)
