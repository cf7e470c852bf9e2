"""S seeds of one GAN spec: stacked in one model (:mod:`advgen.training.stacked`) or one after another.

:func:`train_gan_replicates` writes, per seed, the outputs :func:`advgen.gan.runner.train_gan` writes
for the spec with that seed. Stacked, each seed keeps its own :class:`GanRun` (built exactly as
the sequential run builds it: initialisation after ``seed_everything(seed)``, its shuffling
generator, fixed noise and status tracker); the D and G updates of all seeds run as one
stacked G and one stacked D, each seed drawing its noise from a generator that continues its
seed's global stream (on CUDA a CUDA generator seeded with the seed), in the order the
sequential run draws it. First-order unrolling (Metz et al. 2016, arXiv:1611.02163: D trained
``unroll_k`` further steps, then restored) and the generator average (``g_ema``, Yazici et al.
2019) stack, and so do fused Adam (the ``fused_adam`` lever: an elementwise update) and the
recipe's spectral norm (:class:`advgen.models.spectral.SpectralNorm`, whose power iteration vmap
batches: each seed's D updates its own vectors). Under bfloat16 autocast the stacked forward
passes run under autocast's casts made explicit (:mod:`advgen.training.explicit_autocast`:
``torch.autocast`` does not apply under vmap), checked against autocast on the device first (the
seeds train one after another where they differ); channels_last is a layout of the per-seed
models, and the stacked tensors keep theirs (the same values up to rounding). Second-order
unrolling, DiffAugment and R1 do not stack. At the end of every epoch each seed's weights and
Adam states are copied back into its run, which draws its sample grid, checks its status and
writes its outputs with the sequential code. A seed whose losses become NaN/inf stops as its
sequential run would while the other seeds go on.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from torch.func import vmap

from advgen.errors import NotStackableError, NotStackableHere
from advgen.gan.ema import AveragedGenerator, Tensors
from advgen.gan.losses import discriminator_loss, generator_loss, mean_score
from advgen.gan.runner import GanOutputs, train_gan, write_outputs
from advgen.gan.spec import GanSpec
from advgen.gan.train import GanRun, load_networks
from advgen.gan.unroll import restored_tensors
from advgen.specs import spec_dict
from advgen.training.cuda_graphs import StaticStep
from advgen.training.driver import train_epochs
from advgen.training.resume import ResumeState
from advgen.training.speed import Speed
from advgen.training.stacked import (
    StackedModule,
    not_stackable,
    replicate_mode,
    replicate_optimizer_state,
    require_stacked_pass,
    sequential_replicates,
)
from advgen.training.stacked_runs import (
    StackedRuns,
    seed_generators,
    stacked_resume_key,
    with_generator_states,
)

log = logging.getLogger(__name__)

#: values logged per iteration and replicate (the order of GanRun.train_iteration's result)
VALUES = 6


def _grad_norms(params: Sequence[torch.Tensor]) -> torch.Tensor:
    """Each replicate's L2 norm of all gradients of the stacked ``params``: (S,)."""
    per_param = [p.grad.detach().flatten(1).norm(dim=1) for p in params if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(per_param, dim=1), dim=1)


class StackedGanRun(StackedRuns[GanRun], AveragedGenerator):
    """S seeds of one GAN spec trained as one stacked G and D (a :class:`advgen.training.driver.Trainer`)."""

    def __init__(
        self,
        spec: GanSpec,
        seeds: Sequence[int],
        train_path: str,
        device: str = "cpu",
        *,
        samples: Sequence[Path],
    ) -> None:
        if spec.unroll_k > 0 and spec.unroll_order != "first":
            raise NotStackableError(
                f"unroll_order: '{spec.unroll_order}' unrolling cannot be trained with seeds stacked "
                "(stackable: first); train the replicates sequentially"
            )
        if not spec.recipe.stacks:
            raise not_stackable("recipe: a GAN trained with DiffAugment or R1 (spectral norm stacks)")
        speed = self.speed = Speed(spec.speed, device)  # fused Adam stacks: an elementwise update
        super().__init__(seeds)
        self.spec = spec
        self.device = torch.device(device)
        self.gen_cpu: list[torch.Generator] = []
        self.gen_dev: list[torch.Generator] = []
        for seed, folder in zip(self.seeds, samples, strict=True):
            run = self._add_run(GanRun(replace(spec, seed=seed), train_path, device, samples=folder))
            run.images = self.runs[0].images  # one copy of the data on the device
            cpu, dev = seed_generators(seed, self.device)
            self.gen_cpu.append(cpu)
            self.gen_dev.append(dev)
        speed.require_stackable_casts(self._first_forward, f"GAN {spec.generator}/{spec.discriminator}")
        self.G = StackedModule([r.G for r in self.runs], "generator")
        self.D = StackedModule([r.D for r in self.runs], "discriminator")
        self.G_ema = StackedModule([r.G_ema for r in self.runs], "generator") if spec.g_ema > 0 else None
        with speed.precision():
            require_stacked_pass(self._stacked_forward, device, f"GAN {spec.generator}/{spec.discriminator}")
        adam = {"betas": tuple(spec.betas), "capturable": self.runs[0].graphs}
        self.opt_g = speed.adam(self.G.parameters(), lr=spec.lr_g, **adam)
        self.opt_d = speed.adam(self.D.parameters(), lr=spec.lr_d, **adam)
        # on CUDA one graph per batch shape replays the iteration, each seed's generator registered
        self.iterate = (
            StaticStep(self._iteration, capture=True, generators=self.gen_dev, name="stacked GAN iteration")
            if self.runs[0].graphs
            else self._iteration
        )

    def _first_forward(self) -> None:
        """The first seed's forward passes of an iteration, on copies of its G and D (the cast check)."""
        run = self.runs[0]
        G, D = copy.deepcopy(run.G), copy.deepcopy(run.D)
        n = min(self.spec.batch_size, 8)
        D(G(torch.randn(n, self.spec.z_dim, device=self.device)))
        D(run.images[:n])

    def _stacked_forward(self) -> torch.Tensor:
        """Every seed's D on its G's samples and on real images, on copies of the stacked models
        (:func:`advgen.training.stacked.require_stacked_pass`)."""
        G, D = copy.deepcopy(self.G), copy.deepcopy(self.D)
        n = min(self.spec.batch_size, 8)
        z = torch.randn(len(self.runs), n, self.spec.z_dim, device=self.device)
        with self.speed.explicit_autocast():
            return torch.cat([D(G(z)).flatten(), D(self.runs[0].images[:n], shared=True).flatten()])

    # -- the steps (GanRun's, every seed at once) ---------------------------------------------------
    def _noise(self) -> torch.Tensor:
        b, z = self.spec.batch_size, self.spec.z_dim
        return torch.stack([torch.randn(b, z, device=self.device, generator=g) for g in self.gen_dev])

    def d_step(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One D update of every seed: (loss, d_real, d_fake, grad norm), each (S,)."""
        kind, label = self.spec.loss, self.spec.real_label
        with torch.no_grad(), self.speed.explicit_autocast():
            fake = self.G(self._noise())
        self.opt_d.zero_grad(set_to_none=True)
        with self.speed.explicit_autocast():
            real_logits, fake_logits = self.D(real), self.D(fake)
        real_logits, fake_logits = real_logits.float(), fake_logits.float()  # the loss in float32
        loss = vmap(lambda r, f: discriminator_loss(kind, r, f, label))(real_logits, fake_logits)
        loss.sum().backward()
        norm = _grad_norms(self.D.parameters())
        self.opt_d.step()
        score = vmap(lambda logits: mean_score(kind, logits))
        return loss.detach(), score(real_logits), score(fake_logits), norm

    def _d_restored(self) -> contextlib.AbstractContextManager[None]:
        """:func:`advgen.gan.unroll.restored` for the stacked D and its optimizer (in place)."""
        return restored_tensors([*self.D.parameters(), *self.D.buffers.values()], self.opt_d)

    def g_step(self, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One G update of every seed (against D unrolled ``unroll_k`` first-order steps when set)."""
        if self.spec.unroll_k > 0:
            with self._d_restored():
                for _ in range(self.spec.unroll_k):
                    self.d_step(real)
                return self._plain_g_step()
        return self._plain_g_step()

    def _plain_g_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        kind = self.spec.loss
        self.opt_g.zero_grad(set_to_none=True)
        for p in self.D.parameters():
            p.requires_grad_(False)
        try:
            with self.speed.explicit_autocast():
                logits = self.D(self.G(self._noise()))
            loss = vmap(lambda out: generator_loss(kind, out))(logits.float())
            loss.sum().backward()
        finally:
            for p in self.D.parameters():
                p.requires_grad_(True)
        norm = _grad_norms(self.G.parameters())
        self._step_g()
        return loss.detach(), norm

    def _ema_tensors(self) -> tuple[Tensors, Tensors]:
        """Per seed, as GanRun: the stacked ``G_ema``'s tensors in the order of ``G``'s names."""
        assert self.G_ema is not None
        average = (
            [self.G_ema.params[k] for k in self.G.params],
            [self.G_ema.buffers[k] for k in self.G.buffers],
        )
        return average, (self.G.params.values(), self.G.buffers.values())

    # -- the driver's step and the hooks of advgen.training.stacked_runs.StackedRuns ------------------
    def _start_epoch(self) -> None:
        self.G.train()
        self.D.train()

    def _iteration(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``d_steps`` D updates and ``g_steps`` G updates of every seed: six (S,) tensors."""
        for _ in range(self.spec.d_steps):
            d_loss, d_real, d_fake, d_norm = self.d_step(real)
        for _ in range(self.spec.g_steps):
            g_loss, g_norm = self.g_step(real)
        return g_loss, d_loss, d_real, d_fake, g_norm, d_norm

    def step(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One iteration of every seed (:meth:`_iteration`, replayed as a CUDA graph on CUDA); 6 x S values."""
        with self.speed.precision():
            values = self.iterate(real)
        self._count_iteration()
        return tuple(v for value in values for v in value.unbind())

    def _seed_rows(self, rows: list[tuple[float, ...]], i: int) -> list[tuple[float, ...]]:
        s = len(self.seeds)
        return [tuple(r[j * s + i] for j in range(VALUES)) for r in rows]

    def _sync(self, i: int) -> None:
        """Copy seed ``i``'s models and Adam states from the stacked ones into its run."""
        run = self.runs[i]
        run.G.load_state_dict(self.G.replicate_state(i))
        run.D.load_state_dict(self.D.replicate_state(i))
        if self.G_ema is not None:
            run.G_ema.load_state_dict(self.G_ema.replicate_state(i))
        run.opt_g.load_state_dict(replicate_optimizer_state(self.opt_g.state_dict(), self.G, i))
        run.opt_d.load_state_dict(replicate_optimizer_state(self.opt_d.state_dict(), self.D, i))

    def _rng(self, i: int) -> dict[str, Any]:
        """Seed ``i``'s RNG states as :func:`advgen.seeding.rng_state` gives them in its sequential run."""
        return with_generator_states(self.rngs[i], self.gen_cpu[i], self.gen_dev[i], self.device)

    def _stacked_state(self) -> dict[str, Any]:
        return {
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.G_ema.state_dict() if self.G_ema is not None else None,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "gen_dev": [g.get_state() for g in self.gen_dev],
        }

    def _load_stacked_state(self, state: dict[str, Any]) -> None:
        load_networks(state, self.G, self.D, self.G_ema, self.opt_g, self.opt_d, self.runs[0].graphs)
        for cpu, st in zip(self.gen_cpu, state["runs"]):
            cpu.set_state(st["rng"]["torch"])
        # on the CPU gen_dev holds the same generators as gen_cpu: setting them twice is harmless
        for g, st in zip(self.gen_dev, state["gen_dev"]):
            g.set_state(st)


def train_gan_replicates(
    spec: GanSpec,
    seeds: Sequence[int],
    train_path: str | Path,
    outputs: Sequence[GanOutputs],
    *,
    device: str = "cpu",
    mode: str = "auto",
    stop_after_epochs: int | None = None,
) -> list[dict[str, Any]]:
    """Train ``spec`` once per seed, writing ``outputs[i]`` for ``seeds[i]``; the status dict of each.

    ``mode``: ``stacked``, ``sequential`` or ``auto`` (stacked on CUDA only; sequential where
    autocast's casts cannot be made explicit on the device, :class:`StackedGanRun`). Sequential runs
    resume from each output's own resume folder; a stacked run from ``stacked.pt`` in the first
    output's resume folder (keyed by the spec, the seeds and the training split), the per-epoch
    grids of seed ``i`` in ``outputs[i].resume / "samples"``; all deleted once the outputs are written.
    """
    chosen = replicate_mode(device, mode)
    log.info("%d replicates of GAN %s, %s on %s", len(seeds), spec.generator, chosen, device)
    samples = [out.resume / "samples" for out in outputs]
    if chosen == "stacked":
        try:
            run = StackedGanRun(spec, seeds, str(train_path), device, samples=samples)
        except NotStackableHere as err:  # the seeds train as their own jobs would
            log.warning("%s", err)
            chosen = "sequential"
    if chosen == "sequential":
        return sequential_replicates(
            train_gan, spec, seeds, (train_path,), outputs, device=device, stop_after_epochs=stop_after_epochs
        )
    key = stacked_resume_key(spec_dict(spec), seeds)
    state = ResumeState(outputs[0].resume / "stacked.pt", key, {"train": train_path}, extra=tuple(samples))
    finals = train_epochs(run, spec.epochs, state, stop_after_epochs=stop_after_epochs)
    run.share_time()
    statuses = [write_outputs(r, final, out) for r, final, out in zip(run.runs, finals, outputs, strict=True)]
    state.finish()
    for out in outputs[1:]:
        with contextlib.suppress(OSError):
            out.resume.rmdir()
    return statuses
