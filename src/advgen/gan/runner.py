"""Run a GAN experiment end to end: resume, train, write the declared outputs.

Outputs (``results/gans/<name>/``): ``checkpoint.pt``, ``losses.parquet`` (one row per
iteration), ``samples/epoch_NNN.png`` (fixed-noise grid per epoch) and ``status.json``.
While training, ``resume/last.pt`` and ``resume/samples/`` are written atomically at the
end of every epoch (:class:`advgen.training.resume.ResumeState`): a killed job keeps them and its
rerun continues from the last completed epoch when spec, training split and advgen version
are unchanged. They are deleted once the declared outputs are written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.checkpoints import save_torch
from advgen.gan.spec import GanSpec
from advgen.gan.train import GanRun
from advgen.io import publish_folder, write_json, write_parquet
from advgen.paths import RunLayout
from advgen.specs import spec_dict
from advgen.training.driver import train_then_write
from advgen.training.resume import ResumeState

log = logging.getLogger(__name__)

__all__ = ["GanOutputs", "train_gan"]


@dataclass(frozen=True)
class GanOutputs(RunLayout):
    stage = "GAN"  # the layout of advgen.paths.GAN, by :meth:`~advgen.paths.RunLayout.under`

    checkpoint: Path
    losses: Path
    samples: Path
    status: Path
    resume: Path  # folder holding last.pt and samples/ while training


def train_gan(
    spec: GanSpec,
    train_path: str | Path,
    outputs: GanOutputs,
    *,
    device: str = "cpu",
    stop_after_epochs: int | None = None,
) -> dict[str, Any]:
    """Train (or resume) the GAN described by ``spec``; returns the status dict written."""
    run = GanRun(spec, str(train_path), device, samples=outputs.resume / "samples")
    resume = ResumeState(
        outputs.resume / "last.pt", spec_dict(spec), {"train": train_path}, extra=(run.samples,)
    )
    return train_then_write(
        run, spec.epochs, resume, write_outputs, outputs, stop_after_epochs=stop_after_epochs
    )


def write_outputs(run: GanRun, last_good: dict[str, Any], outputs: GanOutputs) -> dict[str, Any]:
    """Write the declared outputs of a trained run (``last_good``: its last good checkpoint); the status."""
    spec = run.spec
    status = {
        "kind": "gan",
        "status": run.tracker.status,
        "flags": run.tracker.flags,
        "params": run.param_counts(),
        "generator": spec.generator,
        "discriminator": spec.discriminator,
        "loss": spec.loss,
        "unroll_k": spec.unroll_k,
        "epochs_completed": int(last_good["epoch"]),
        "iterations": run.iteration,
        "seconds": round(run.seconds, 3),
        "resumed_from_epochs": run.resumed_from,
        "diverged_iteration": run.tracker.diverged_iteration,
        "vanishing_iterations": run.tracker.vanishing_iterations,
        "epochs": run.epochs_info,
        "device": str(run.device),
        "speed": run.speed.describe(),
    }
    last_good["status"] = status["status"]
    save_torch(last_good, outputs.checkpoint)
    write_parquet(run.losses_frame(), outputs.losses)
    run.samples.mkdir(parents=True, exist_ok=True)
    publish_folder(run.samples, outputs.samples)
    write_json(outputs.status, status)
    log.info("status %s after %d epochs (%.1f s)", status["status"], status["epochs_completed"], run.seconds)
    return status
