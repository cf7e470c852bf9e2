"""S seeds of one GAN spec: stacked in one model (:mod:`advgen.training.stacked`) or one after another.

:func:`train_gan_replicates` writes, per seed, the outputs :func:`advgen.gan.train_gan` writes
for the spec with that seed. Stacked, each seed keeps its own :class:`GanRun` (built exactly as
the sequential run builds it: initialisation after ``seed_everything(seed)``, its shuffling
generator, fixed noise and status tracker); the D and G updates of all seeds run as one
stacked G and one stacked D, each seed drawing its noise from a generator that continues its
seed's global stream (on CUDA a CUDA generator seeded with the seed), in the order the
sequential run draws it. First-order unrolling (Metz et al. 2016, arXiv:1611.02163: D trained
``unroll_k`` further steps, then restored) and the generator average (``g_ema``, Yazici et al.
2019) stack; second-order unrolling does not. At the end of every epoch each seed's weights and
Adam states are copied back into its run, which draws its sample grid, checks its status and
writes its outputs with the sequential code. A seed whose losses become NaN/inf stops as its
sequential run would while the other seeds go on.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch.func import vmap

from advgen.errors import AdvgenError
from advgen.gan.losses import discriminator_loss, generator_loss, mean_score
from advgen.gan.runner import GanOutputs, train_gan, write_outputs
from advgen.gan.train import GanRun
from advgen.seeding import rng_state
from advgen.training import ResumeState
from advgen.training.driver import train_epochs
from advgen.training.stacked import StackedModule, replicate_mode, replicate_optimizer_state

log = logging.getLogger(__name__)

#: values logged per iteration and replicate (the order of GanRun.train_iteration's result)
VALUES = 6


def _grad_norms(params: Sequence[torch.Tensor]) -> torch.Tensor:
    """Each replicate's L2 norm of all gradients of the stacked ``params``: (S,)."""
    per_param = [p.grad.detach().flatten(1).norm(dim=1) for p in params if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(per_param, dim=1), dim=1)


class StackedGanRun:
    """S seeds of one GAN spec trained as one stacked G and D (a :class:`advgen.training.driver.Trainer`)."""

    def __init__(
        self,
        spec: dict[str, Any],
        seeds: Sequence[int],
        train_path: str,
        device: str = "cpu",
        *,
        samples: Sequence[Path],
    ) -> None:
        if spec["unroll_k"] > 0 and spec["unroll_order"] != "first":
            raise AdvgenError(
                f"unroll_order: '{spec['unroll_order']}' unrolling cannot be trained with seeds stacked "
                "(stackable: first); train the replicates sequentially"
            )
        self.spec, self.seeds = spec, [int(s) for s in seeds]
        self.device = torch.device(device)
        self.runs: list[GanRun] = []
        self.rngs: list[dict[str, Any]] = []  # each seed's global RNG state after its initialisation
        self.gen_cpu: list[torch.Generator] = []
        self.gen_dev: list[torch.Generator] = []
        for seed, folder in zip(self.seeds, samples, strict=True):
            run = GanRun({**spec, "seed": seed}, train_path, device, samples=folder)
            self.rngs.append(rng_state())
            cpu = torch.Generator()
            cpu.set_state(torch.get_rng_state())  # continues the seed's global CPU stream
            self.gen_cpu.append(cpu)
            self.gen_dev.append(
                cpu if self.device.type == "cpu" else torch.Generator(self.device).manual_seed(seed)
            )
            if self.runs:  # one copy of the data on the device
                run.images = self.runs[0].images
            self.runs.append(run)
        self.G = StackedModule([r.G for r in self.runs], "generator")
        self.D = StackedModule([r.D for r in self.runs], "discriminator")
        self.G_ema = StackedModule([r.G_ema for r in self.runs], "generator") if spec["g_ema"] > 0 else None
        betas = tuple(spec["betas"])
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=spec["lr_g"], betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=spec["lr_d"], betas=betas)
        self.alive = [True] * len(self.seeds)
        self.last: list[dict[str, Any] | None] = [None] * len(self.seeds)
        self.epoch, self.seconds = 0, 0.0
        self.resumed_from: list[int] = []

    # -- the steps (GanRun's, every seed at once) ---------------------------------------------------
    def _noise(self) -> torch.Tensor:
        b, z = self.spec["batch_size"], self.spec["z_dim"]
        return torch.stack([torch.randn(b, z, device=self.device, generator=g) for g in self.gen_dev])

    def d_step(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One D update of every seed: (loss, d_real, d_fake, grad norm), each (S,)."""
        kind, label = self.spec["loss"], self.spec["real_label"]
        with torch.no_grad():
            fake = self.G(self._noise())
        self.opt_d.zero_grad(set_to_none=True)
        real_logits, fake_logits = self.D(real), self.D(fake)
        loss = vmap(lambda r, f: discriminator_loss(kind, r, f, label))(real_logits, fake_logits)
        loss.sum().backward()
        norm = _grad_norms(self.D.parameters())
        self.opt_d.step()
        score = vmap(lambda logits: mean_score(kind, logits))
        return loss.detach(), score(real_logits), score(fake_logits), norm

    @contextlib.contextmanager
    def _d_restored(self) -> Iterator[None]:
        """:func:`advgen.gan.unroll.restored` for the stacked D and its optimizer."""
        d_state, opt_state = self.D.state_dict(), copy.deepcopy(self.opt_d.state_dict())
        try:
            yield
        finally:
            self.D.load_state_dict(d_state)
            self.opt_d.load_state_dict(opt_state)
            self.opt_d.zero_grad(set_to_none=True)

    def g_step(self, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One G update of every seed (against D unrolled ``unroll_k`` first-order steps when set)."""
        if self.spec["unroll_k"] > 0:
            with self._d_restored():
                for _ in range(self.spec["unroll_k"]):
                    self.d_step(real)
                return self._plain_g_step()
        return self._plain_g_step()

    def _plain_g_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        kind = self.spec["loss"]
        self.opt_g.zero_grad(set_to_none=True)
        for p in self.D.parameters():
            p.requires_grad_(False)
        try:
            logits = self.D(self.G(self._noise()))
            loss = vmap(lambda out: generator_loss(kind, out))(logits)
            loss.sum().backward()
        finally:
            for p in self.D.parameters():
                p.requires_grad_(True)
        norm = _grad_norms(self.G.parameters())
        self.opt_g.step()
        if self.G_ema is not None:
            self._update_ema()
        return loss.detach(), norm

    @torch.no_grad()
    def _update_ema(self) -> None:
        """G_ema <- decay * G_ema + (1 - decay) * G, per seed; buffers copied (as GanRun)."""
        decay = self.spec["g_ema"]
        for k, p in self.G.params.items():
            self.G_ema.params[k].lerp_(p, 1.0 - decay)
        for k, b in self.G.buffers.items():
            self.G_ema.buffers[k].copy_(b)

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------------------
    def batches(self) -> Iterator[torch.Tensor]:
        """Start the next epoch of every seed: batches (S, B, ...), each seed's own shuffle."""
        starts = [iter(run.batches()) for run in self.runs]
        self.epoch += 1
        self.G.train()
        self.D.train()
        return (torch.stack(batch) for batch in zip(*starts))

    def step(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One iteration of every seed (``d_steps`` D updates, ``g_steps`` G updates); 6 x S values."""
        for _ in range(self.spec["d_steps"]):
            d_loss, d_real, d_fake, d_norm = self.d_step(real)
        for _ in range(self.spec["g_steps"]):
            g_loss, g_norm = self.g_step(real)
        for run, alive in zip(self.runs, self.alive):
            run.iteration += alive
        values = (g_loss, d_loss, d_real, d_fake, g_norm, d_norm)
        return tuple(v for value in values for v in value.unbind())

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        s = len(self.seeds)
        for i, run in enumerate(self.runs):
            if not self.alive[i]:
                continue
            self.alive[i] = run.log_steps([tuple(r[j * s + i] for j in range(VALUES)) for r in rows])
            if not self.alive[i]:
                log.warning(
                    "seed %d: epoch %d iteration %d: a logged value is not finite, stopping",
                    self.seeds[i],
                    self.epoch,
                    run.iteration,
                )
        return any(self.alive)

    def _sync(self, i: int) -> None:
        """Copy seed ``i``'s models and Adam states from the stacked ones into its run."""
        run = self.runs[i]
        run.G.load_state_dict(self.G.replicate_state(i))
        run.D.load_state_dict(self.D.replicate_state(i))
        if self.G_ema is not None:
            run.G_ema.load_state_dict(self.G_ema.replicate_state(i))
        run.opt_g.load_state_dict(replicate_optimizer_state(self.opt_g.state_dict(), self.G, i))
        run.opt_d.load_state_dict(replicate_optimizer_state(self.opt_d.state_dict(), self.D, i))

    def end_epoch(self) -> str:
        lines = []
        for i, run in enumerate(self.runs):
            if self.alive[i]:
                self._sync(i)
                lines.append(f"seed {self.seeds[i]}: {run.end_epoch()}")
        return "; ".join(lines)

    def _rng(self, i: int) -> dict[str, Any]:
        """Seed ``i``'s RNG states as :func:`advgen.seeding.rng_state` gives them in its sequential run."""
        state = {**self.rngs[i], "torch": self.gen_cpu[i].get_state()}
        if self.device.type == "cuda":
            state["cuda"] = [self.gen_dev[i].get_state()]
        return state

    def _run_state(self, i: int, *, with_log: bool) -> dict[str, Any]:
        state = self.runs[i].state_dict(with_log=with_log)
        state["rng"] = self._rng(i)
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
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.G_ema.state_dict() if self.G_ema is not None else None,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "runs": [self._run_state(i, with_log=True) for i in range(len(self.seeds))],
            "gen_dev": [g.get_state() for g in self.gen_dev],
            "alive": list(self.alive),
            "last": list(self.last),
            "epoch": self.epoch,
            "seconds": self.seconds,
            "resumed_from": self.resumed_from,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        if self.G_ema is not None:
            self.G_ema.load_state_dict(state["G_ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        for run, st, cpu in zip(self.runs, state["runs"], self.gen_cpu):
            run.load_state_dict(st)
            cpu.set_state(st["rng"]["torch"])
        # on the CPU gen_dev holds the same generators as gen_cpu: setting them twice is harmless
        for g, st in zip(self.gen_dev, state["gen_dev"]):
            g.set_state(st)
        self.alive, self.last = list(state["alive"]), list(state["last"])
        self.epoch, self.seconds = int(state["epoch"]), float(state["seconds"])
        self.resumed_from = list(state["resumed_from"])


def train_gan_replicates(
    spec: dict[str, Any],
    seeds: Sequence[int],
    train_path: str | Path,
    outputs: Sequence[GanOutputs],
    *,
    device: str = "cpu",
    mode: str = "auto",
    stop_after_epochs: int | None = None,
) -> list[dict[str, Any]]:
    """Train ``spec`` once per seed, writing ``outputs[i]`` for ``seeds[i]``; the status dict of each.

    ``mode``: ``stacked``, ``sequential`` or ``auto`` (stacked on CUDA only). Sequential runs
    resume from each output's own resume folder; a stacked run from ``stacked.pt`` in the first
    output's resume folder (keyed by the spec, the seeds and the training split), the per-epoch
    grids of seed ``i`` in ``outputs[i].resume / "samples"``; all deleted once the outputs are written.
    """
    chosen = replicate_mode(device, mode)
    log.info("%d replicates of GAN %s, %s on %s", len(seeds), spec["generator"], chosen, device)
    if chosen == "sequential":
        return [
            train_gan(
                {**spec, "seed": int(seed)},
                train_path,
                out,
                device=device,
                stop_after_epochs=stop_after_epochs,
            )
            for seed, out in zip(seeds, outputs, strict=True)
        ]
    samples = [out.resume / "samples" for out in outputs]
    run = StackedGanRun(spec, seeds, str(train_path), device, samples=samples)
    key = {**spec, "seeds": [int(s) for s in seeds], "replicates": "stacked"}
    state = ResumeState(outputs[0].resume / "stacked.pt", key, {"train": train_path}, extra=tuple(samples))
    finals = train_epochs(run, spec["epochs"], state, stop_after_epochs=stop_after_epochs)
    statuses = []
    for r, final, out in zip(run.runs, finals, outputs, strict=True):
        r.seconds, r.resumed_from = run.seconds, list(run.resumed_from)  # the stacked run's are each seed's
        statuses.append(write_outputs(r, final, out))
    state.finish()
    for out in outputs[1:]:
        with contextlib.suppress(OSError):
            out.resume.rmdir()
    return statuses
