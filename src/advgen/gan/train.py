"""GAN training loop: d_steps / g_steps per batch, optional unrolling, per-iteration log,
fixed-noise grids per epoch, status detection and resume from ``resume/last.pt``.

A run is fully described by its spec (:class:`~advgen.gan.spec.GanSpec`: one ``gans.<name>``
entry, defaults filled). With the same spec, seed and thread count on CPU, a run resumed after
a kill writes the same losses table as an uninterrupted one: the resume checkpoint holds the
models, optimizers, every RNG state (global and the shuffling generator) and the rows logged
so far.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import torch

from advgen.columns import GAN_LOSS_COLUMNS
from advgen.data.prepared import load_prepared
from advgen.errors import ConfigError
from advgen.gan.ema import AveragedGenerator, Tensors
from advgen.gan.grid import save_grid
from advgen.gan.losses import discriminator_loss, generator_loss, mean_score
from advgen.gan.recipe import Recipe
from advgen.gan.spec import GanSpec
from advgen.gan.status import StatusTracker, diversity
from advgen.gan.unroll import grad_norm_tensor, restored, second_order_generator_loss
from advgen.models.base import count_parameters
from advgen.models.registry import build_discriminator, build_generator
from advgen.seeding import rng_state, seed_everything, set_rng_state
from advgen.specs import spec_dict
from advgen.training.cuda_graphs import StaticStep, graphs_enabled, match_capturable
from advgen.training.speed import Speed

log = logging.getLogger(__name__)

COLUMNS = GAN_LOSS_COLUMNS


class GanRun(AveragedGenerator):
    """The state of one GAN run (models, optimizers, RNGs, log) and its epoch step."""

    def __init__(
        self, spec: GanSpec, train_path: str, device: str = "cpu", *, samples: Path | None = None
    ) -> None:
        self.spec, self.device = spec, torch.device(device)
        self.samples = samples  # folder of the per-epoch fixed-noise grids (None: not drawn)
        data = load_prepared(train_path)
        seed_everything(int(spec.seed))
        self.image_shape = list(data.image_shape)
        self.G = build_generator(spec.generator, spec.z_dim, self.image_shape, spec.generator_kwargs).to(
            self.device
        )
        self.speed = Speed(spec.speed, self.device)  # speed levers (advgen.training.speed)
        self.D = build_discriminator(spec.discriminator, self.image_shape, spec.discriminator_kwargs)
        low, high = self.D.input_range
        self.recipe = Recipe(spec.recipe, background=low)  # limited-data recipe (advgen.gan.recipe)
        second_order = spec.unroll_k > 0 and spec.unroll_order == "second"
        if self.recipe.active and second_order:
            raise ConfigError("recipe: second-order unrolling takes no recipe (unroll_order: first)")
        if self.speed.active and second_order:
            raise ConfigError("speed: second-order unrolling takes no speed levers (unroll_order: first)")
        self.D = self.recipe.discriminator(self.D).to(self.device)
        self.speed.layout(self.G, self.D)
        self.images = (low + (high - low) * data.images).to(self.device)
        if len(self.images) < spec.batch_size:
            raise ConfigError(
                f"batch_size: {spec.batch_size} exceeds the {len(self.images)} training images of {train_path}"
            )
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False) if spec.g_ema > 0 else None
        betas = tuple(spec.betas)
        # On CUDA one graph per batch shape replays train_iteration (advgen.training.cuda_graphs);
        # second-order unrolling stays eager.
        first_order = spec.unroll_k == 0 or spec.unroll_order == "first"
        self.graphs = graphs_enabled(self.device) and first_order
        adam = {"betas": betas, "capturable": self.graphs}
        self.opt_g = self.speed.adam(self.G.parameters(), lr=spec.lr_g, **adam)
        self.opt_d = self.speed.adam(self.D.parameters(), lr=spec.lr_d, **adam)
        self.iterate = (
            StaticStep(self.train_iteration, capture=True, name="GAN iteration")
            if self.graphs
            else self.train_iteration
        )
        seed = int(spec.seed)
        self.data_rng = torch.Generator().manual_seed(seed)
        self.fixed_noise = torch.randn(
            spec.grid_size, spec.z_dim, generator=torch.Generator().manual_seed(seed + 1)
        )
        idx = torch.randperm(len(self.images), generator=torch.Generator().manual_seed(seed + 2))[
            : spec.grid_size
        ]
        self.reference = self.images[idx].cpu()
        self.tracker = StatusTracker(
            spec.vanishing_threshold, spec.vanishing_patience, spec.collapse_diversity
        )
        self.rows: list[tuple] = []
        self.epoch = 0
        self.iteration = 0
        self.seconds = 0.0
        self.epochs_info: list[dict[str, Any]] = []
        self.resumed_from: list[int] = []

    # -- steps -------------------------------------------------------------------------
    def _noise(self) -> torch.Tensor:
        return torch.randn(self.spec.batch_size, self.spec.z_dim, device=self.device)

    def d_step(self, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """One D update on ``real`` and a fresh generated batch: (loss, d_real, d_fake, grad norm),
        0-dim tensors left on the device."""
        with torch.no_grad(), self.speed.autocast():
            fake = self.G(self._noise())
        self.opt_d.zero_grad(set_to_none=True)
        with self.speed.autocast():
            real_logits, penalty = self.recipe.real_logits(self.D, real)
            fake_logits = self.D(self.recipe.augment(fake))
        real_logits, fake_logits = real_logits.float(), fake_logits.float()  # the loss in float32
        loss = discriminator_loss(self.spec.loss, real_logits, fake_logits, self.spec.real_label)
        (loss if penalty is None else loss + penalty).backward()
        norm = grad_norm_tensor(self.D)
        self.opt_d.step()
        kind = self.spec.loss
        return loss.detach(), mean_score(kind, real_logits), mean_score(kind, fake_logits), norm

    def g_step(self, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One G update (against D unrolled ``unroll_k`` steps when set): (loss, grad norm)."""
        k, order = self.spec.unroll_k, self.spec.unroll_order
        if k > 0:
            with restored(self.D, self.opt_d):
                if order == "first":
                    for _ in range(k):
                        self.d_step(real)
                    return self._plain_g_step(None)
                return self._plain_g_step(real)
        return self._plain_g_step(None)

    def _plain_g_step(self, second_order_real: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        self.opt_g.zero_grad(set_to_none=True)
        self.D.requires_grad_(False)
        try:
            if second_order_real is None:
                with self.speed.autocast():
                    logits = self.D(self.recipe.augment(self.G(self._noise())))
                loss = generator_loss(self.spec.loss, logits.float())
            else:
                loss = second_order_generator_loss(
                    self.G,
                    self.D,
                    self.opt_d,
                    second_order_real,
                    self._noise,
                    loss=self.spec.loss,
                    k=self.spec.unroll_k,
                    real_label=self.spec.real_label,
                )
            loss.backward()
        finally:
            self.D.requires_grad_(True)
        norm = grad_norm_tensor(self.G)
        self._step_g()
        return loss.detach(), norm

    def _ema_tensors(self) -> tuple[Tensors, Tensors]:
        assert self.G_ema is not None
        return (self.G_ema.parameters(), self.G_ema.buffers()), (self.G.parameters(), self.G.buffers())

    @property
    def sampler(self) -> torch.nn.Module:
        """The generator that samples are drawn from: the average when ``g_ema`` > 0."""
        return self.G_ema if self.G_ema is not None else self.G

    def train_iteration(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One training iteration on the batch ``real``: ``d_steps`` D updates, then ``g_steps`` G updates.

        Returns the last updates' (g_loss, d_loss, d_real, d_fake, g_grad_norm, d_grad_norm), on the device.
        On CUDA :meth:`step` replays it as a CUDA graph (:mod:`advgen.training.cuda_graphs`): it must
        draw its randomness with torch on the device and read no Python number that changes between
        iterations (the graph would replay the value it saw at capture).
        """
        for _ in range(self.spec.d_steps):
            d_loss, d_real, d_fake, d_norm = self.d_step(real)
        for _ in range(self.spec.g_steps):
            g_loss, g_norm = self.g_step(real)
        return g_loss, d_loss, d_real, d_fake, g_norm, d_norm

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------
    def batches(self) -> Iterator[torch.Tensor]:
        """Start the next epoch: the shuffled full batches of real images (the last partial one dropped)."""
        self.G.train()
        self.D.train()
        bs = self.spec.batch_size
        perm = torch.randperm(len(self.images), generator=self.data_rng).to(self.device)
        self.epoch += 1
        return (self.images[perm[start : start + bs]] for start in range(0, len(perm) - bs + 1, bs))

    def step(self, real: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One iteration (:meth:`train_iteration`), counted."""
        self.iteration += 1
        with self.speed.precision():
            return self.iterate(real)

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        """Add the epoch's rows to the losses table and the status tracker; ``False`` at a NaN/inf
        (the table then ends at that iteration)."""
        first = self.iteration - len(rows) + 1
        for i, (g_loss, d_loss, d_real, d_fake, g_norm, d_norm) in enumerate(rows):
            it = first + i
            self.rows.append(
                (it, self.epoch, g_loss, d_loss, d_real, d_fake, g_norm, d_norm, self.spec.unroll_k)
            )
            if not self.tracker.update(it, g_loss, d_loss, g_norm):
                self.iteration = it
                return False
        return True

    @torch.no_grad()
    def fixed_samples(self) -> torch.Tensor:
        """The fixed-noise samples in [0, 1] (eval mode; no RNG drawn)."""
        g = self.sampler
        g.eval()
        out = g(self.fixed_noise.to(self.device)).cpu()
        g.train()
        low, high = self.G.output_range
        return ((out - low) / (high - low)).clamp(0, 1)

    def sample_diversity(self, samples01: torch.Tensor) -> float:
        low, high = self.D.input_range
        return diversity(samples01, (self.reference - low) / (high - low))

    def end_epoch(self) -> str:
        """Fixed-noise grid and its diversity (the collapse check); the epoch's log line."""
        samples = self.fixed_samples()
        div = self.sample_diversity(samples)
        self.tracker.epoch_end(div)
        self.epochs_info.append({"epoch": self.epoch, "diversity": div, "iterations": self.iteration})
        if self.samples is not None:
            save_grid(samples, self.samples / f"epoch_{self.epoch:03d}.png")
        last = self.rows[-1]
        return f"g_loss {last[2]:.4f} d_loss {last[3]:.4f} diversity {div:.3f}"

    # -- checkpoints -------------------------------------------------------------------
    def param_counts(self) -> dict[str, int]:
        return {"generator": count_parameters(self.G), "discriminator": count_parameters(self.D)}

    def state_dict(self, *, with_log: bool = True) -> dict[str, Any]:
        """A plain-dict checkpoint (``kind="gan"``); ``with_log`` adds what resuming needs."""
        spec = self.spec
        ckpt: dict[str, Any] = {
            "kind": "gan",
            "generator": {
                "arch": spec.generator,
                "kwargs": spec.generator_kwargs,
                "z_dim": spec.z_dim,
                "image_shape": self.image_shape,
            },
            "discriminator": {
                "arch": spec.discriminator,
                "kwargs": spec.discriminator_kwargs,
                "image_shape": self.image_shape,
                "spectral_norm": self.recipe.spectral_norm,
            },
            "G": _cpu(self.G.state_dict()),
            "D": _cpu(self.D.state_dict()),
            "G_ema": _cpu(self.G_ema.state_dict()) if self.G_ema is not None else None,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "epoch": self.epoch,
            "iteration": self.iteration,
            "rng": rng_state(),
            "data_rng": self.data_rng.get_state(),
            "fixed_noise": self.fixed_noise,
            "params": self.param_counts(),
            "config": spec_dict(spec),
        }
        if with_log:
            ckpt.update(
                rows=list(self.rows),
                tracker=self.tracker.state_dict(),
                seconds=self.seconds,
                epochs_info=list(self.epochs_info),
                resumed_from=list(self.resumed_from),
            )
        return ckpt

    def checkpoint(self) -> dict[str, Any]:
        """The output checkpoint: :meth:`state_dict` without the log."""
        return self.state_dict(with_log=False)

    def load_state_dict(self, ckpt: dict[str, Any]) -> None:
        load_networks(ckpt, self.G, self.D, self.G_ema, self.opt_g, self.opt_d, self.graphs)
        self.epoch, self.iteration = int(ckpt["epoch"]), int(ckpt["iteration"])
        set_rng_state(ckpt["rng"])
        self.data_rng.set_state(ckpt["data_rng"])
        self.rows = list(ckpt["rows"])
        self.tracker = StatusTracker.from_state(ckpt["tracker"])
        self.seconds = float(ckpt["seconds"])
        self.epochs_info = list(ckpt["epochs_info"])
        self.resumed_from = list(ckpt["resumed_from"])

    def losses_frame(self) -> Any:
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=list(COLUMNS))
        for c in ("iteration", "epoch", "unroll_k"):
            df[c] = df[c].astype("int64")
        return df


class Loadable(Protocol):
    """A network whose state loads from a state dict (an ``nn.Module`` or a stacked module)."""

    def load_state_dict(self, state: dict[str, Any], /) -> Any: ...


def load_networks(
    state: dict[str, Any],
    G: Loadable,
    D: Loadable,
    G_ema: Loadable | None,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    graphs: bool,
) -> None:
    """Load a checkpoint's (or a stacked resume state's) networks and optimisers; the optimisers'
    ``capturable`` follows ``graphs``, whether the state was saved with CUDA graphs on or off."""
    G.load_state_dict(state["G"])
    D.load_state_dict(state["D"])
    if G_ema is not None:
        G_ema.load_state_dict(state["G_ema"])
    opt_g.load_state_dict(state["opt_g"])
    opt_d.load_state_dict(state["opt_d"])
    for opt in (opt_g, opt_d):
        match_capturable(opt, graphs)


def _cpu(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in state.items()}
