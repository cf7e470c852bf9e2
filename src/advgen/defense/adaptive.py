"""Adaptive attacks on purifiers, sized by one budget knob (Athalye, Carlini and Wagner,
"Obfuscated Gradients Give a False Sense of Security", ICML 2018; Carlini et al. 2019, "On
Evaluating Adversarial Robustness"; Croce and Hein 2020, "Reliable evaluation of adversarial
robustness with an ensemble of diverse parameter-free attacks", ICML).

Attacks (the ``attack`` column of the purify table; all ``threat = adaptive``):

* ``bpda``: PGD on ``classifier(bpda(x))`` (straight-through), ``steps`` x ``restarts``;
* ``eot``: the same with the gradient averaged over ``eot_samples`` purifications;
* ``exact``: PGD through a differentiable purifier (``D(E(x))``), ``steps`` x ``restarts``;
* ``unroll_short`` / ``unroll``: PGD through the projection's inner optimisation, unrolled
  (:func:`unrolled_projection`: Adam's or SGD's L steps written as differentiable tensor
  operations, ``create_graph=True`` on each inner gradient); ``unroll_short`` backpropagates
  through the last ``short_unroll`` inner steps only (truncated backpropagation, the earlier
  steps are constants), ``unroll`` through all L;
* ``latent``: an on-manifold attack: from the projection ``z*`` of ``x`` search ``z`` near it
  whose ``G(z)`` the classifier puts in another class, keeping ``G(z)`` close to the
  eps-ball of ``x``, then step from ``x`` toward ``G(z)`` as far as the ball allows
  (:func:`latent_attack`); ``latent_weights`` are the distance penalties tried per image;
* ``eot_rand``: AutoAttack's "rand" version for randomised defenses (EOT over
  ``rand_samples`` = 20 draws, cross-entropy and DLR losses, the worse case per image kept),
  with PGD in place of APGD. The projection's random restarts are the randomness;
* ``autoattack_rand`` (run only when listed): ``AutoAttack(model, eps, version="rand")`` of
  :mod:`advgen.attacks` on ``PurifiedClassifier(classifier, purifier, "bpda")``.

Which attack applies to which purifier, its threat model and its size in a table row are
its entry in :data:`advgen.defense.attacks.DEFENSE_ATTACKS`; :data:`ADAPTIVE_ATTACK_FUNCTIONS` holds
their code (name -> the function crafting the adversarial inputs).

:class:`AdaptiveBudget` holds the sizes; its defaults are the papers' (>= 100 steps, >= 5
restarts, AutoAttack's 20 EOT draws); tests pass smaller ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks import PGD
from advgen.attacks.base import batch_view, copies, margin, pick_copy
from advgen.defense.attacks import automatic
from advgen.defense.purify import (
    EOTPGD,
    IdentityPurifier,
    ProjectionPurifier,
    PurifiedClassifier,
    Purifier,
    ReconstructionPurifier,
)
from advgen.defense.spec import PurifySpec
from advgen.errors import ConfigError
from advgen.settings import settings_from_mapping
from advgen.sweeps.inversion import InversionSettings, frozen, initial_latents, invert, per_sample_mse


@dataclass(frozen=True)
class AdaptiveBudget:
    """Sizes of the adaptive attacks (papers' values as defaults).

    Attributes:
        steps: PGD steps per restart (Carlini et al. 2019: >= 100; AutoAttack's APGD: 100).
        restarts: PGD restarts, per-example worst case kept (>= 5).
        eot_samples: purifications averaged per EOT gradient (``eot``).
        rand_samples: EOT draws of ``eot_rand`` (AutoAttack "rand": 20).
        short_unroll: inner steps backpropagated by ``unroll_short``.
        unroll_restarts: restarts of the (memory-hungry) unrolled attacks.
        latent_steps: Adam steps of the latent search.
        latent_lr: its learning rate.
        latent_weights: distance penalties tried per image (one batch).
    """

    steps: int = 100
    restarts: int = 5
    eot_samples: int = 10
    rand_samples: int = 20
    short_unroll: int = 10
    unroll_restarts: int = 5
    latent_steps: int = 200
    latent_lr: float = 0.05
    latent_weights: tuple[float, ...] = (1.0, 10.0, 100.0)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            values = value if isinstance(value, tuple) else (value,)
            if not values or any(not isinstance(v, int | float) or v < 0 or math.isnan(v) for v in values):
                raise ConfigError(f"budget.{f.name}: must be non-negative, got {value!r}")
        for name in ("steps", "restarts", "eot_samples", "rand_samples", "short_unroll", "unroll_restarts"):
            if getattr(self, name) < 1:
                raise ConfigError(f"budget.{name}: must be >= 1, got {getattr(self, name)!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, source: str = "budget") -> AdaptiveBudget:
        """Defaults overridden by ``values``; an unknown key raises :class:`ConfigError`."""
        return settings_from_mapping(cls, values, source)

    @classmethod
    def legacy(cls, spec: PurifySpec) -> AdaptiveBudget:
        """The old purify budget: ``adaptive_steps`` steps, one restart, ``eot_samples`` draws."""
        steps, samples = int(spec.adaptive_steps), int(spec.eot_samples)
        return cls(
            steps=steps,
            restarts=1,
            eot_samples=samples,
            rand_samples=samples,
            short_unroll=min(10, steps),
            unroll_restarts=1,
            latent_steps=steps,
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


# -- differentiable projection -------------------------------------------------------------


def unrolled_projection(
    generator: nn.Module,
    x: torch.Tensor,
    settings: InversionSettings,
    *,
    seed: int,
    z_dim: int,
    unroll: int | None = None,
) -> torch.Tensor:
    """Defense-GAN's projection ``G(z_L)`` as a differentiable function of ``x``.

    The same computation as :func:`advgen.sweeps.inversion.invert` (same starts, Adam or SGD
    with the same hyper-parameters, best restart by final loss) written with tensor
    operations, so the result carries the graph of the inner optimisation: every inner
    gradient is taken with ``create_graph=True``. ``unroll = k`` keeps the graph of the last
    ``k`` inner steps only (earlier iterates are constants: truncated backpropagation);
    ``None`` keeps all ``L``.
    """
    n, r, steps = x.shape[0], settings.restarts, settings.steps
    keep = steps if unroll is None else min(int(unroll), steps)
    if keep < 1 and steps > 0:
        raise ValueError("unroll must be >= 1 (with 0 the projection has no gradient)")
    z = initial_latents(n, r, z_dim, seed=seed).to(x).view(n * r, z_dim)
    target = x.repeat_interleave(r, dim=0)
    m = torch.zeros_like(z)
    v = torch.zeros_like(z)
    b1, b2, eps = 0.9, 0.999, 1e-8  # torch.optim.Adam's defaults, as invert() uses them
    with frozen(generator), torch.enable_grad():
        for t in range(1, steps + 1):
            graph = t > steps - keep
            if not graph or not z.requires_grad:
                z, m, v = z.detach().requires_grad_(True), m.detach(), v.detach()
            data = per_sample_mse(generator(z), target if graph else target.detach())
            loss = data.sum()
            if settings.prior_weight:
                loss = loss + settings.prior_weight * z.square().mean(1).sum()
            (g,) = torch.autograd.grad(loss, z, create_graph=graph)
            if settings.optimizer == "adam":
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                denom = v.clamp_min(1e-30).sqrt() / math.sqrt(1 - b2**t) + eps
                z = z - (settings.lr / (1 - b1**t)) * m / denom
            else:
                z = z - settings.lr * g
            if settings.clip is not None:
                z = z.clamp(-settings.clip, settings.clip)
        final = per_sample_mse(generator(z), target).detach().view(n, r)
        best = final.argmin(dim=1)
        rows = torch.arange(n, device=x.device) * r + best
        return generator(z[rows])


class UnrolledProjection(Purifier):
    """A :class:`ProjectionPurifier` whose :meth:`differentiable` is the unrolled projection.

    ``purify`` is the wrapped purifier's; both draw their random starts from its call counter,
    so each attack step sees fresh restarts (the defense's randomness).
    """

    stochastic = True

    def __init__(self, purifier: ProjectionPurifier, unroll: int | None = None) -> None:
        super().__init__()
        self.inner = purifier
        self.method = purifier.method
        self.unroll = unroll

    def purify(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner.purify(x)

    def differentiable(self, x: torch.Tensor) -> torch.Tensor:
        p = self.inner
        seed = p.seed + p.calls
        p.calls += 1
        return unrolled_projection(p.generator, x, p.settings, seed=seed, z_dim=p.z_dim, unroll=self.unroll)


# -- latent-space (on-manifold) attack ----------------------------------------------------------


def latent_attack(
    classifier: nn.Module,
    purifier: Purifier,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    *,
    steps: int = 200,
    lr: float = 0.05,
    weights: tuple[float, ...] = (1.0, 10.0, 100.0),
    seed: int = 0,
) -> torch.Tensor:
    """On-manifold attack on a projection or reconstruction purifier (see the module docstring).

    ``z*`` is the projection's latent (``E(x)`` for a reconstruction purifier). For every
    penalty ``w`` (all in one batch) Adam minimises ``max(margin(C(G(z)), y), -1) + w *
    sum(relu(|G(z) - x| - eps)^2)`` from ``z*``: ``G(z)`` leaves class ``y`` while staying
    near the ball. The candidate is ``x + clip(G(z) - x, -eps, eps)``; per image the
    candidate whose purification the classifier gets most wrong (one purification each) is
    returned.
    """
    generator, z_star = _latent_start(purifier, x, seed)
    if generator is None:
        return x.detach().clone()
    n, k = x.shape[0], len(weights)
    w = torch.tensor(weights, device=x.device, dtype=x.dtype).repeat_interleave(n)
    xs, ys = copies(x, k), copies(y, k)
    z = copies(z_star, k).detach().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    with frozen(generator), frozen(classifier), torch.enable_grad():
        for _ in range(int(steps)):
            opt.zero_grad(set_to_none=True)
            img = generator(z)
            excess = F.relu((img - xs).abs() - eps).square().flatten(1).sum(1)
            loss = (margin(classifier(img), ys).clamp_min(-1.0) + w * excess).sum()
            loss.backward()
            opt.step()
    with torch.no_grad():
        img = generator(z.detach())
        cand = (xs + (img - xs).clamp(-eps, eps)).clamp(0.0, 1.0)
        # the candidate whose purification is classified most wrong
        return pick_copy(cand, margin(classifier(purifier.purify(cand)), ys).view(k, n).argmin(0))


def _latent_start(purifier: Purifier, x: torch.Tensor, seed: int) -> tuple[nn.Module | None, torch.Tensor]:
    base = purifier.inner if isinstance(purifier, UnrolledProjection) else purifier
    if isinstance(base, ProjectionPurifier):
        z = invert(base.generator, x.detach(), base.settings, seed=seed, z_dim=base.z_dim).z
        return base.generator, z.detach()
    if isinstance(base, ReconstructionPurifier):
        with torch.no_grad():
            return base.decoder, base.encoder(x.detach()).detach()
    return None, x


# -- the attack registry -------------------------------------------------------------------------

AttackFn = Callable[
    [nn.Module, Purifier, torch.Tensor, torch.Tensor, float, AdaptiveBudget, int], torch.Tensor
]


def _bpda(c, p, x, y, eps, b, seed):
    model = PurifiedClassifier(c, p, "bpda")
    return PGD(model, eps, steps=b.steps, restarts=b.restarts, seed=seed).generate(x, y)


def _eot(c, p, x, y, eps, b, seed):
    model = PurifiedClassifier(c, p, "bpda")
    return EOTPGD(model, eps, steps=b.steps, restarts=b.restarts, samples=b.eot_samples, seed=seed).generate(
        x, y
    )


def _exact(c, p, x, y, eps, b, seed):
    model = PurifiedClassifier(c, p, "exact")
    return PGD(model, eps, steps=b.steps, restarts=b.restarts, seed=seed).generate(x, y)


def _unrolled(short: bool) -> AttackFn:
    def attack(c, p, x, y, eps, b, seed):
        if not isinstance(p, ProjectionPurifier):
            raise TypeError(f"{type(p).__name__} has no inner optimisation to unroll")
        model = PurifiedClassifier(c, UnrolledProjection(p, b.short_unroll if short else None), "exact")
        return PGD(model, eps, steps=b.steps, restarts=b.unroll_restarts, seed=seed).generate(x, y)

    return attack


def _latent(c, p, x, y, eps, b, seed):
    return latent_attack(
        c, p, x, y, eps, steps=b.latent_steps, lr=b.latent_lr, weights=b.latent_weights, seed=seed
    )


def _eot_rand(c, p, x, y, eps, b, seed):
    model = PurifiedClassifier(c, p, "bpda")
    advs = [
        EOTPGD(model, eps, steps=b.steps, samples=b.rand_samples, loss=loss, seed=seed).generate(x, y)
        for loss in ("ce", "dlr")
    ]
    with torch.no_grad():
        fooled = c(p.purify(advs[0])).argmax(1) != y
    return torch.where(batch_view(fooled, x.ndim), advs[0], advs[1])


def _autoattack_rand(c, p, x, y, eps, b, seed):
    """AutoAttack "rand" (Croce & Hein 2020: APGD-CE and APGD-DLR with EOT) on the BPDA pipeline;
    the projection's random restarts are the randomness. ``steps`` iterations, ``rand_samples`` draws."""
    from advgen.attacks import AutoAttack

    model = PurifiedClassifier(c, p, "bpda")
    return AutoAttack(
        model, eps, version="rand", n_iter=b.steps, eot_iter=b.rand_samples, seed=seed
    ).generate(x, y)


#: each adaptive attack's code: name -> the function that crafts its adversarial inputs
ADAPTIVE_ATTACK_FUNCTIONS: dict[str, AttackFn] = {
    "bpda": _bpda,
    "eot": _eot,
    "exact": _exact,
    "unroll_short": _unrolled(True),
    "unroll": _unrolled(False),
    "latent": _latent,
    "eot_rand": _eot_rand,
    "autoattack_rand": _autoattack_rand,  # opt-in: run only when listed in defense.purify.attacks
}


def applicable(purifier: Purifier) -> tuple[str, ...]:
    """The adaptive attacks that apply to ``purifier`` (unrolling needs an inner optimisation,
    ``exact`` a closed form, EOT randomness; nothing is adaptive against no purifier)."""
    if isinstance(purifier, IdentityPurifier):
        return ()
    if isinstance(purifier, ReconstructionPurifier | ProjectionPurifier):
        return automatic(purifier.method)
    return ("bpda", "eot") if purifier.stochastic else ("bpda",)


def run_attack(
    name: str,
    classifier: nn.Module,
    purifier: Purifier,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    budget: AdaptiveBudget,
    seed: int = 0,
) -> torch.Tensor:
    """Adversarial inputs of the adaptive attack ``name`` at Linf budget ``eps``."""
    if name not in ADAPTIVE_ATTACK_FUNCTIONS:
        known = ", ".join(sorted(ADAPTIVE_ATTACK_FUNCTIONS))
        raise ValueError(f"unknown adaptive attack {name!r} (known: {known})")
    adv = ADAPTIVE_ATTACK_FUNCTIONS[name](classifier, purifier, x, y, float(eps), budget, int(seed))
    return adv.detach().clamp(0.0, 1.0)
