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
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.func import vmap

from advgen.ae.losses import moment_mse, moments
from advgen.ae.train import AeOutputs, AeRun, train_autoencoder, write_outputs
from advgen.seeding import rng_state
from advgen.training import ResumeState
from advgen.training.driver import train_epochs
from advgen.training.stacked import StackedModule, replicate_mode, replicate_optimizer_state

log = logging.getLogger(__name__)


class StackedAeRun:
    """S seeds of one autoencoder spec trained as one stacked model (a :class:`advgen.training.driver.Trainer`)."""

    def __init__(
        self, spec: dict[str, Any], seeds: Sequence[int], train_path: str, test_path: str, device: str = "cpu"
    ) -> None:
        self.spec, self.seeds = spec, [int(s) for s in seeds]
        self.runs: list[AeRun] = []
        self.rngs: list[dict[str, Any]] = []  # each seed's global RNG state (no step draws from it)
        for seed in self.seeds:
            run = AeRun({**spec, "seed": seed}, train_path, test_path, device)
            self.rngs.append(rng_state())
            if self.runs:  # one copy of the data on the device
                run.train_images, run.test_images = self.runs[0].train_images, self.runs[0].test_images
            self.runs.append(run)
        self.net = StackedModule([r.model for r in self.runs], "arch")
        self.opt = torch.optim.Adam(self.net.parameters(), lr=spec["lr"])
        self.alive = [True] * len(self.seeds)
        self.last: list[dict[str, Any] | None] = [None] * len(self.seeds)
        self.epoch, self.seconds = 0, 0.0
        self.resumed_from: list[int] = []
        self._factor = 0.0

    def _losses(self, recon: torch.Tensor, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return F.mse_loss(recon, x), moment_mse(z, self.spec["moments_over"]), moments(z.detach(), "all")

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------------------
    def batches(self) -> Iterator[torch.Tensor]:
        """Start the next epoch of every seed: batches of shape (S, B, ...), each seed's own shuffle."""
        starts = [iter(run.batches()) for run in self.runs]
        self.epoch += 1
        self._factor = self.runs[0]._factor
        self.net.train()
        return (torch.stack(batch) for batch in zip(*starts))

    def step(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        recon, z = self.net(x)
        image, m_mse, mom = vmap(self._losses)(recon, z, x)
        loss = image + self._factor * m_mse
        self.opt.zero_grad(set_to_none=True)
        loss.sum().backward()
        self.opt.step()
        for run, alive in zip(self.runs, self.alive):
            run.iteration += alive
        return (
            *image.detach().unbind(),
            *m_mse.detach().unbind(),
            *loss.detach().unbind(),
            *mom.flatten().unbind(),
        )

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        s = len(self.seeds)
        for i, run in enumerate(self.runs):
            if not self.alive[i]:
                continue
            mine = [(r[i], r[s + i], r[2 * s + i], *r[3 * s + 3 * i : 3 * s + 3 * i + 3]) for r in rows]
            self.alive[i] = run.log_steps(mine)
            if not self.alive[i]:
                log.warning(
                    "seed %d: epoch %d iteration %d: loss is not finite, stopping",
                    self.seeds[i],
                    self.epoch,
                    run.iteration,
                )
        return any(self.alive)

    def _sync(self, i: int) -> None:
        """Copy seed ``i``'s weights and Adam state from the stacked model into its run."""
        run = self.runs[i]
        run.model.load_state_dict(self.net.replicate_state(i))
        run.opt.load_state_dict(replicate_optimizer_state(self.opt.state_dict(), self.net, i))

    def end_epoch(self) -> str:
        lines = []
        for i, run in enumerate(self.runs):
            if self.alive[i]:
                self._sync(i)
                lines.append(f"seed {self.seeds[i]}: {run.end_epoch()}")
        return "; ".join(lines)

    def _run_state(self, i: int, *, with_log: bool) -> dict[str, Any]:
        state = self.runs[i].state_dict(with_log=with_log)
        state["rng"] = self.rngs[i]
        return state

    def checkpoint(self) -> list[dict[str, Any]]:
        """Each seed's output checkpoint; a stopped seed keeps its last good one."""
        for i in range(len(self.seeds)):
            if self.alive[i] or self.last[i] is None:
                self._sync(i)
                self.last[i] = copy.deepcopy(self._run_state(i, with_log=False))
        return list(self.last)

    def state_dict(self) -> dict[str, Any]:
        for i in range(len(self.seeds)):
            if self.alive[i]:
                self._sync(i)
        return {
            "net": self.net.state_dict(),
            "optimizer": self.opt.state_dict(),
            "runs": [self._run_state(i, with_log=True) for i in range(len(self.seeds))],
            "diverged": [r.diverged_iteration for r in self.runs],
            "alive": list(self.alive),
            "last": list(self.last),
            "epoch": self.epoch,
            "seconds": self.seconds,
            "resumed_from": self.resumed_from,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"])
        self.opt.load_state_dict(state["optimizer"])
        for run, st, div in zip(self.runs, state["runs"], state["diverged"]):
            run.load_state_dict(st)
            run.diverged_iteration = div
        self.alive, self.last = list(state["alive"]), list(state["last"])
        self.epoch, self.seconds = int(state["epoch"]), float(state["seconds"])
        self.resumed_from = list(state["resumed_from"])


def train_autoencoder_replicates(
    spec: dict[str, Any],
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
    log.info("%d replicates of autoencoder %s, %s on %s", len(seeds), spec["arch"], chosen, device)
    if chosen == "sequential":
        return [
            train_autoencoder(
                {**spec, "seed": int(seed)},
                train_path,
                test_path,
                out,
                device=device,
                stop_after_epochs=stop_after_epochs,
            )
            for seed, out in zip(seeds, outputs, strict=True)
        ]
    run = StackedAeRun(spec, seeds, str(train_path), str(test_path), device)
    key = {**spec, "seeds": [int(s) for s in seeds], "replicates": "stacked"}
    state = ResumeState(resume, key, {"train": train_path, "test": test_path}) if resume is not None else None
    finals = train_epochs(run, spec["epochs"], state, stop_after_epochs=stop_after_epochs)
    for r in run.runs:  # the stacked run's wall time and resumes are each seed's
        r.seconds, r.resumed_from = run.seconds, list(run.resumed_from)
    metrics = [write_outputs(r, final, out) for r, final, out in zip(run.runs, finals, outputs, strict=True)]
    if state is not None:
        state.finish()
    return metrics
