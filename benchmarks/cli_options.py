"""Command-line options several benchmarks share: one flag, one default rule and one wording each.

Imported by the benchmark scripts from their own folder (``python benchmarks/NAME.py`` puts it on
``sys.path``); not a benchmark itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_device(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """``--device``: ``cpu`` or ``cuda``; ``default`` None: CUDA where this machine has it."""
    if default is None:
        import torch

        default = "cuda" if torch.cuda.is_available() else "cpu"
    parser.add_argument("--device", default=default, help="cpu or cuda (default: %(default)s)")


def add_threads(parser: argparse.ArgumentParser, default: int | None, per: str = "") -> None:
    """``--threads``: torch's CPU threads (``per`` a training, say); ``default`` None: torch's own."""
    shown = "torch's" if default is None else "%(default)s"
    parser.add_argument(
        "--threads", type=int, default=default, help=f"torch CPU threads{per} (default: {shown})"
    )


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    """``--json PATH``: also write ``what`` there (None: not)."""
    parser.add_argument("--json", type=Path, default=None, help=f"also write {what} to this JSON file")


def add_smoke(parser: argparse.ArgumentParser, sizes: str) -> None:
    """``--smoke``: the tiny ``sizes`` of CI's check."""
    parser.add_argument("--smoke", action="store_true", help=f"{sizes}: CI's check")
