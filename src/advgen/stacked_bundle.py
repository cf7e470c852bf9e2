"""A stacked job's bundle: each run's outputs in ``<bundle>/<run>/``, laid out as the run's folder.

A job that trains an entry's seeds stacked (:mod:`advgen.pipeline.stacking`) writes run ``r``'s
outputs below ``<bundle>/r/`` at the paths they have below the run's own folder
(``results/gans/r/checkpoint.pt`` -> ``<bundle>/r/checkpoint.pt``). The ``collect_*_seed`` job
of run ``r`` copies them to the run's folder (:func:`collect_seed_job`), so what the per-seed
job would have written lies where it would have written it. Torch-free.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from advgen.errors import CheckpointError
from advgen.jobfiles import Files
from advgen.paths import RunLayout
from advgen.specs import NAME, job_schema

L = TypeVar("L", bound=RunLayout)


@dataclass(frozen=True)
class CollectSeedSpec:
    """A ``collect_*_seed`` job's spec: the run whose outputs it copies out of its entry's bundle."""

    run: str = field(metadata=job_schema(ref=NAME))


def bundle_layouts(layout: type[L], outputs: Files, runs: Sequence[str]) -> tuple[list[L], Path]:
    """A stacked job's run layouts (``layout``: the run folder's, e.g. ``GanOutputs``): run ``r``'s
    outputs below ``<bundle>/r/`` (output ``bundle``), its resume folder ``<resume>/r`` (state output
    ``resume``, beside the bundle: a failed job's declared outputs are deleted); and ``<resume>``."""
    bundle, resume = Path(outputs.one("bundle")), Path(outputs.one("resume"))
    # a RunLayout is a dataclass (its subclasses are declared with @dataclass), which the type of
    # ``layout`` does not say
    layouts: list[L] = [
        dataclasses.replace(cast(Any, layout.under(bundle / run)), resume=resume / run) for run in runs
    ]
    return layouts, resume


def in_bundle(bundle: str | Path, run: str, path: str | Path) -> Path:
    """Where ``path`` (an output of run ``run``: below a folder named ``run``) lies in ``bundle``."""
    parts = Path(path).parts
    if run not in parts:
        raise ValueError(f"{path}: no folder named after the run {run!r}")
    at = len(parts) - 1 - parts[::-1].index(run)
    return Path(bundle, run, *parts[at + 1 :])


def run_relative(template: str, wildcard: str) -> Path:
    """The path of a run's output template below the run's folder (``results/classifiers/{classifier}/model.pt``
    and ``classifier`` -> ``model.pt``)."""
    marker = "{" + wildcard + "}"
    if marker not in template:
        raise ValueError(f"{template}: no {marker}")
    return Path(template.split(marker, 1)[1].lstrip("/"))


def remove_empty(folder: Path) -> None:
    """Remove ``folder`` and the empty folders below it (a stacked job's resume folder, once its
    outputs are written); a folder that still holds a file stays."""
    if not folder.is_dir():
        return
    for below in sorted(
        (p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        with contextlib.suppress(OSError):
            below.rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _copy(src: Path, dst: Path) -> None:
    """Copy file or folder ``src`` to ``dst`` through a temporary sibling (never half a copy at ``dst``)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.collect.tmp")
    if tmp.is_dir():
        shutil.rmtree(tmp)
    if src.is_dir():
        shutil.copytree(src, tmp, copy_function=shutil.copyfile)
    else:
        shutil.copyfile(src, tmp)
    if dst.is_dir():
        shutil.rmtree(dst)
    os.replace(tmp, dst)


def collect_seed_job(inputs: Files, outputs: Files, spec: CollectSeedSpec) -> None:
    """Copy run ``spec.run``'s outputs out of input ``bundle`` to the paths ``outputs`` name (each
    output found at its place in the bundle: :func:`in_bundle`); every one is checked first."""
    bundle = inputs.one("bundle")
    pairs = [(in_bundle(bundle, spec.run, dst), Path(dst)) for name in outputs for dst in outputs[name]]
    missing = [str(src) for src, _ in pairs if not src.exists()]
    if missing:
        raise CheckpointError(
            f"{bundle}: the stacked job wrote no {', '.join(missing)} (rerun its train_*_seeds job)"
        )
    for src, dst in pairs:
        _copy(src, dst)
