"""S seeds of one autoencoder spec: stacked in one model (:mod:`advgen.training.stacked`) or one after another.

:func:`train_autoencoder_replicates` writes, per seed, the outputs :func:`train_autoencoder`
writes for the spec with that seed. Stacked, each seed keeps its own :class:`AeRun` (built
exactly as the sequential run builds it: initialisation after ``seed_everything(seed)``, its
shuffling generator, its novel-sample noise); the training steps of all seeds run as one
stacked model (batch norm's running statistics kept per seed), and at the end of every
epoch each seed's weights and Adam state are copied back into its run, which evaluates
itself and writes its outputs with the sequential code. A seed whose loss becomes NaN/inf
stops as its sequential run would (its table ends there, its last good checkpoint is kept)
while the other seeds go on.

The speed levers stack: fused Adam is an elementwise update; under bfloat16 autocast the
stacked forward pass runs under autocast's casts made explicit
(:mod:`advgen.training.explicit_autocast`: ``torch.autocast`` does not apply under vmap), checked
against autocast on the device first (the seeds train one after another where they differ);
channels_last is a layout of the per-seed models, and the stacked tensors keep theirs.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.func import vmap

from advgen.ae.losses import moment_mse, moments
from advgen.ae.spec import AeSpec
from advgen.ae.train import AeOutputs, AeRun, train_autoencoder, write_outputs
from advgen.errors import NotStackableHere
from advgen.specs import spec_dict
from advgen.training.driver import train_epochs
from advgen.training.resume import ResumeState
from advgen.training.speed import Speed
from advgen.training.stacked import (
    StackedModule,
    replicate_mode,
    replicate_optimizer_state,
    require_stacked_pass,
    sequential_replicates,
)
from advgen.training.stacked_runs import StackedRuns, stacked_resume_key

log = logging.getLogger(__name__)


class StackedAeRun(StackedRuns[AeRun]):
    """S seeds of one autoencoder spec trained as one stacked model (a :class:`advgen.training.driver.Trainer`)."""

    stop_reason = "loss is not finite"

    def __init__(
        self, spec: AeSpec, seeds: Sequence[int], train_path: str, test_path: str, device: str = "cpu"
    ) -> None:
        super().__init__(seeds)
        self.speed = Speed(spec.speed, device)
        self.spec = spec
        for seed in self.seeds:
            run = self._add_run(AeRun(replace(spec, seed=seed), train_path, test_path, device))
            # one copy of the data on the device
            run.train_images, run.test_images = self.runs[0].train_images, self.runs[0].test_images
        self.speed.require_stackable_casts(self._first_forward, f"autoencoder {spec.arch}")
        self.net = StackedModule([r.model for r in self.runs], "arch")
        require_stacked_pass(self._stacked_forward, device, f"autoencoder {spec.arch}")
        self.opt = self.speed.adam(self.net.parameters(), lr=spec.lr)
        self._factor = 0.0

    def _first_forward(self) -> None:
        """The first seed's forward pass, on a copy of its model (the cast check)."""
        run = self.runs[0]
        copy.deepcopy(run.model)(run.train_images[: min(self.spec.batch_size, 8)])

    def _stacked_forward(self) -> torch.Tensor:
        """Every seed's reconstructions and codes of a few images, on a copy of the stacked model
        (:func:`advgen.training.stacked.require_stacked_pass`)."""
        with self.speed.explicit_autocast():
            recon, z = copy.deepcopy(self.net)(
                self.runs[0].train_images[: min(self.spec.batch_size, 8)], shared=True
            )
        return torch.cat([recon.flatten().float(), z.flatten().float()])

    def _losses(self, recon: torch.Tensor, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return (
            F.mse_loss(recon, x),
            moment_mse(z, self.spec.moments_over, self.spec.covariance),
            moments(z.detach(), "all"),
        )

    # -- the driver's step and the hooks of advgen.training.stacked_runs.StackedRuns ------------------
    def _start_epoch(self) -> None:
        self._factor = self.runs[0]._factor
        self.net.train()

    def step(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One Adam step of every seed: (S image MSEs, S moment MSEs, S losses, 3 x S code moments)."""
        with self.speed.precision():
            with self.speed.explicit_autocast():
                recon, z = self.net(x)
            recon, z = recon.float(), z.float()  # the losses in float32
            image, m_mse, mom = vmap(self._losses)(recon, z, x)
            loss = image + self._factor * m_mse
            self.opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            self.opt.step()
            self._count_iteration()
            return (
                *image.detach().unbind(),
                *m_mse.detach().unbind(),
                *loss.detach().unbind(),
                *mom.flatten().unbind(),
            )

    def _seed_rows(self, rows: list[tuple[float, ...]], i: int) -> list[tuple[float, ...]]:
        s = len(self.seeds)
        return [(r[i], r[s + i], r[2 * s + i], *r[3 * s + 3 * i : 3 * s + 3 * i + 3]) for r in rows]

    def _sync(self, i: int) -> None:
        """Copy seed ``i``'s weights and Adam state from the stacked model into its run."""
        run = self.runs[i]
        run.model.load_state_dict(self.net.replicate_state(i))
        run.opt.load_state_dict(replicate_optimizer_state(self.opt.state_dict(), self.net, i))

    def _stacked_state(self) -> dict[str, Any]:
        return {
            "net": self.net.state_dict(),
            "optimizer": self.opt.state_dict(),
            "diverged": [r.diverged_iteration for r in self.runs],
        }

    def _load_stacked_state(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"])
        self.opt.load_state_dict(state["optimizer"])
        for run, div in zip(self.runs, state["diverged"]):
            run.diverged_iteration = div


def train_autoencoder_replicates(
    spec: AeSpec,
    seeds: Sequence[int],
    train_path: str | Path,
    test_path: str | Path,
    outputs: Sequence[AeOutputs],
    *,
    device: str = "cpu",
    mode: str = "auto",
    resume: str | Path | None = None,
    stop_after_epochs: int | None = None,
) -> list[dict[str, Any]]:
    """Train ``spec`` once per seed, writing ``outputs[i]`` for ``seeds[i]``; the metrics of each.

    ``mode``: ``stacked``, ``sequential`` or ``auto`` (stacked on CUDA only). Sequential runs
    resume from each output's own resume folder; a stacked run from the file ``resume``
    (keyed by the spec, the seeds and both splits; deleted once the outputs are written).
    """
    chosen = replicate_mode(device, mode)
    log.info("%d replicates of autoencoder %s, %s on %s", len(seeds), spec.arch, chosen, device)
    if chosen == "sequential":
        return sequential_replicates(
            train_autoencoder,
            spec,
            seeds,
            (train_path, test_path),
            outputs,
            device=device,
            stop_after_epochs=stop_after_epochs,
        )
    try:
        run = StackedAeRun(spec, seeds, str(train_path), str(test_path), device)
    except NotStackableHere as err:  # the seeds train as their own jobs would
        log.warning("%s", err)
        return train_autoencoder_replicates(
            spec,
            seeds,
            train_path,
            test_path,
            outputs,
            device=device,
            mode="sequential",
            stop_after_epochs=stop_after_epochs,
        )
    key = stacked_resume_key(spec_dict(spec), seeds)
    state = ResumeState(resume, key, {"train": train_path, "test": test_path}) if resume is not None else None
    finals = train_epochs(run, spec.epochs, state, stop_after_epochs=stop_after_epochs)
    run.share_time()
    metrics = [write_outputs(r, final, out) for r, final, out in zip(run.runs, finals, outputs, strict=True)]
    if state is not None:
        state.finish()
    return metrics
