"""Latent inversion of a generator by gradient descent from random restarts, batched.

Find ``z`` minimising ``MSE(G(z), x)`` from ``R`` random starts and keep, per image, the
start with the smallest final loss: the report's method ("Generative Adversarial Networks -
Q2": SGD on the MSE from 5 normal starts, pick the best), after Creswell & Bharath,
"Inverting the Generator of a Generative Adversarial Network" (IEEE TNNLS 2018). Optional
terms: a Gaussian prior ``prior_weight * mean(z**2)`` and clipping of ``z`` to
``[-clip, clip]`` after each step (Lipton & Tripathi, "Precise Recovery of Latent Vectors
from Generative Adversarial Networks", ICLR workshop 2017).

All ``N`` images x ``R`` restarts form one ``(N*R, z_dim)`` tensor optimised together; the
loss is the *sum* of per-row losses, so each row's gradient is that of its own problem and
the batched run equals ``N*R`` separate runs (:func:`invert_looped`, the report's loop).
The best restart is a ``gather``. A mask of known pixels turns this into inpainting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from advgen.errors import ConfigError
from advgen.sweeps.spec import InpaintingPoint, InterpolationPoint, InversionPoint

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class InversionSettings:
    """Optimisation settings: ``restarts=5`` as in the report. The report used SGD; its
    learning rate is not given, and on digits SGD needs ``lr`` ~30 to converge in 200 steps
    (the loss is a per-pixel mean), so the default is Adam at 0.1, which converges for both
    the GAN generator and the AE decoder."""

    steps: int = 200
    restarts: int = 5
    optimizer: str = "adam"
    lr: float = 0.1
    prior_weight: float = 0.0
    clip: float | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer: unknown {self.optimizer!r} (known: {', '.join(OPTIMIZERS)})")
        if self.steps < 0 or self.restarts < 1 or self.lr <= 0:
            raise ConfigError("steps must be >= 0, restarts >= 1 and lr > 0")

    @classmethod
    def from_spec(cls, spec: InversionPoint | InpaintingPoint | InterpolationPoint) -> InversionSettings:
        """The settings of a grid point's spec (its ``steps, restarts, optimizer, lr, prior_weight, clip``)."""
        return cls(
            steps=int(spec.steps),
            restarts=int(spec.restarts),
            optimizer=str(spec.optimizer),
            lr=float(spec.lr),
            prior_weight=float(spec.prior_weight),
            clip=None if spec.clip is None else float(spec.clip),
        )


@dataclass
class InversionResult:
    """What an inversion found; ``N`` images, ``R`` restarts, ``T`` steps."""

    z: torch.Tensor  # (N, z_dim) best restart per image
    images: torch.Tensor  # (N, C, H, W) G(z)
    best_restart: torch.Tensor  # (N,) int64
    losses: torch.Tensor  # (T + 1, N, R) data loss before each step and after the last
    z_all: torch.Tensor  # (N, R, z_dim) final z of every restart

    @property
    def final_loss(self) -> torch.Tensor:
        """(N, R) data loss of every restart after the last step."""
        return self.losses[-1]


def per_sample_mse(
    output: torch.Tensor, target: torch.Tensor, known: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean squared error per sample, over the ``known`` pixels only when a mask is given.

    ``known`` is bool or {0, 1}, broadcastable to ``output`` (e.g. ``(B, 1, H, W)``); hidden
    pixels contribute nothing to the value or to its gradient.
    """
    sq = (output - target).square()
    if known is None:
        return sq.flatten(1).mean(1)
    weight = known.to(sq.dtype).expand_as(sq)
    return (sq * weight).flatten(1).sum(1) / weight.flatten(1).sum(1).clamp_min(1.0)


def initial_latents(
    num: int, restarts: int, z_dim: int, *, seed: int, z_init: torch.Tensor | None = None
) -> torch.Tensor:
    """Starting points ``(N, R, z_dim)`` ~ N(0, I) from a seeded CPU generator.

    Restart ``r`` of image ``n`` starts at the same point whatever ``R`` is.

    With ``z_init`` (e.g. an encoder's ``E(x)``, shape ``(N, z_dim)``), restart 0 starts
    there and the others stay random.
    """
    rng = torch.Generator().manual_seed(seed)
    # one draw per restart: restart r of image n starts at the same point whatever R is,
    # so a 1-restart run is restart 0 of a 5-restart run
    z0 = torch.stack([torch.randn(num, z_dim, generator=rng) for _ in range(restarts)], dim=1)
    if z_init is not None:
        z0[:, 0] = z_init.detach().to("cpu", torch.float32)
    return z0


@contextlib.contextmanager
def frozen(module: nn.Module) -> Iterator[nn.Module]:
    """Eval mode and no parameter gradients inside the block; both restored afterwards."""
    training = module.training
    flags = [p.requires_grad for p in module.parameters()]
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p, flag in zip(module.parameters(), flags, strict=True):
            p.requires_grad_(flag)
        module.train(training)


def _optimizer(param: torch.Tensor, settings: InversionSettings) -> torch.optim.Optimizer:
    if settings.optimizer == "adam":
        return torch.optim.Adam([param], lr=settings.lr)
    return torch.optim.SGD([param], lr=settings.lr)


def _optimise(
    generator: nn.Module,
    z: torch.Tensor,
    target: torch.Tensor,
    known: torch.Tensor | None,
    settings: InversionSettings,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Optimise the rows of ``z`` in place; returns (final z, losses ``(T + 1, rows)``)."""
    z = z.clone().requires_grad_(True)
    opt = _optimizer(z, settings)
    history = []
    for _ in range(settings.steps):
        opt.zero_grad(set_to_none=True)
        data = per_sample_mse(generator(z), target, known)
        loss = data.sum()
        if settings.prior_weight:
            loss = loss + settings.prior_weight * z.square().mean(1).sum()
        loss.backward()
        history.append(data.detach())
        opt.step()
        if settings.clip is not None:
            with torch.no_grad():
                z.clamp_(-settings.clip, settings.clip)
    with torch.no_grad():
        history.append(per_sample_mse(generator(z), target, known))
    return z.detach(), torch.stack(history)


def _result(generator: nn.Module, z_all: torch.Tensor, losses: torch.Tensor) -> InversionResult:
    n, r, d = z_all.shape
    best = losses[-1].argmin(dim=1)
    z = z_all.gather(1, best.view(n, 1, 1).expand(n, 1, d)).squeeze(1)
    with torch.no_grad():
        images = generator(z)
    return InversionResult(z=z, images=images, best_restart=best, losses=losses, z_all=z_all)


def invert(
    generator: nn.Module,
    targets: torch.Tensor,
    settings: InversionSettings,
    *,
    seed: int = 0,
    known: torch.Tensor | None = None,
    z_init: torch.Tensor | None = None,
    z_dim: int | None = None,
) -> InversionResult:
    """Invert ``generator`` on ``targets`` ``(N, C, H, W)``: all images and restarts at once.

    Args:
        generator: maps ``(B, z_dim)`` to images like ``targets``; run in eval mode with
            frozen parameters (restored afterwards).
        targets: images to recover.
        settings: optimiser, steps, restarts, prior weight, clipping.
        seed: seed of the starting points (:func:`initial_latents`).
        known: optional mask of known pixels ``(N, 1|C, H, W)``; the loss ignores the rest.
        z_init: optional ``(N, z_dim)`` start for restart 0 (encoder initialisation).
        z_dim: latent size (default: ``z_init``'s, else ``generator.z_dim``).
    """
    z0 = _starts(generator, targets, settings, z_init=z_init, z_dim=z_dim, seed=seed)
    n, r, d = z0.shape
    target_rows = targets.repeat_interleave(r, dim=0)  # row n*R + r: image n, restart r
    known_rows = None if known is None else known.repeat_interleave(r, dim=0)
    with frozen(generator):
        z, losses = _optimise(generator, z0.view(n * r, d), target_rows, known_rows, settings)
        return _result(generator, z.view(n, r, d), losses.view(-1, n, r))


def invert_looped(
    generator: nn.Module,
    targets: torch.Tensor,
    settings: InversionSettings,
    *,
    known: torch.Tensor | None = None,
    **starts: Any,
) -> InversionResult:
    """The report's loop: one image and one restart at a time, from :func:`invert`'s starts
    (``starts``: its ``seed``, ``z_init`` and ``z_dim``).

    Kept as the reference :func:`invert` is tested and benchmarked against.
    """
    z0 = _starts(generator, targets, settings, **starts)
    n, r, _ = z0.shape
    z_all = torch.empty_like(z0)
    losses = torch.empty(settings.steps + 1, n, r, device=targets.device, dtype=targets.dtype)
    with frozen(generator):
        for i in range(n):
            mask = None if known is None else known[i : i + 1]
            for j in range(r):
                z, hist = _optimise(generator, z0[i, j : j + 1], targets[i : i + 1], mask, settings)
                z_all[i, j] = z[0]
                losses[:, i, j] = hist[:, 0]
        return _result(generator, z_all, losses)


def _starts(
    generator: nn.Module,
    targets: torch.Tensor,
    settings: InversionSettings,
    *,
    z_init: torch.Tensor | None = None,
    z_dim: int | None = None,
    seed: int = 0,
) -> torch.Tensor:
    """The ``(N, R, z_dim)`` starting points of an inversion of ``targets`` (:func:`initial_latents`,
    on their device and dtype)."""
    d = _z_dim(generator, z_init, z_dim)
    return initial_latents(targets.shape[0], settings.restarts, d, seed=seed, z_init=z_init).to(targets)


def _z_dim(generator: nn.Module, z_init: torch.Tensor | None, z_dim: int | None) -> int:
    if z_dim is not None:
        return int(z_dim)
    if z_init is not None:
        return int(z_init.shape[1])
    if hasattr(generator, "z_dim"):
        return int(generator.z_dim)
    raise ValueError("z_dim is unknown: pass z_dim= (the generator has no z_dim attribute)")
