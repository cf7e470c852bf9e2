"""Arguments several commands share (one definition each, the same help everywhere)."""

from __future__ import annotations

import argparse
from pathlib import Path

from advgen.device import DEVICES


def add_device_argument(p: argparse.ArgumentParser) -> None:
    """``--device``: the commands whose spec has no ``device`` key (see :mod:`advgen.jobs`)."""
    p.add_argument(
        "--device", default="auto", choices=list(DEVICES), help="device preference (default: auto)"
    )


def add_training_arguments(p: argparse.ArgumentParser) -> None:
    """``--resume-dir``, ``--device`` and ``--stop-after-epochs`` of the resumable trainers."""
    p.add_argument(
        "--resume-dir", help="folder for resume/last.pt while training (default: <checkpoint folder>/resume)"
    )
    add_device_argument(p)
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def resume_dir(args: argparse.Namespace) -> Path:
    """``--resume-dir``, or the ``resume`` folder beside ``--checkpoint`` when it is not given."""
    return Path(args.resume_dir) if args.resume_dir else Path(args.checkpoint).parent / "resume"


def add_sweep_job_arguments(p: argparse.ArgumentParser, images: str = "prepared test split (.pt)") -> None:
    """The inputs of a sweep job: its spec (grid points of one generator; the workflow passes
    one), generator, classifier and images."""
    p.add_argument(
        "--spec", required=True, help="grid points of the generator as JSON (see advgen.sweeps.generator_job)"
    )
    p.add_argument("--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help=images)


def named_paths(values: list[str] | None, option: str) -> dict[str, str]:
    """``NAME=PATH`` arguments as {name: path}; anything else is a :class:`ConfigError` naming ``option``."""
    from advgen.errors import ConfigError

    pairs = [v.split("=", 1) for v in values or []]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        raise ConfigError(f"{option}: expected NAME=PATH entries")
    return dict(pairs)
