"""Transfer matrices: adversarial examples crafted on model i, evaluated on model j.

Szegedy et al. 2014 (cross-model and cross-training-set generalisation, their Table 3/4)
and Goodfellow et al. 2015. Rows of the long-form table::

    source, attack, kind, target, eps, n, error

``kind`` is ``adversarial`` (crafted on ``source`` by ``attack``), ``gaussian``: the
baseline row adds Gaussian noise with, per example, the same L2 norm as that adversarial
perturbation (clipped to [0, 1]), or ``other_image``: the adversarial perturbation crafted for
another test digit (of another class, a seeded draw), scaled to this digit's perturbation norm
(the control of a claim that the examples transfer because of their link to the image, not
their size or the map of where a perturbation puts its magnitude). ``error`` is the error
rate of ``target`` on those inputs, so the diagonal (source = target, adversarial) is each model's white-box error.

:func:`source_rows` makes one source's rows (a job of its own: the attacks draw only from
their own seeded generators and the noise from ``noise_seed``, so a source's rows do not depend
on which sources ran before it); :func:`transfer_matrix` is every source's rows in name order,
and :func:`advgen.robustness.transfer_table.gather` concatenates per-source tables into the
matrix, or into one matrix per group of models (the capacity sweep's runs of one seed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.registry import REGISTRY
from advgen.columns import TRANSFER_COLUMNS
from advgen.robustness.evaluate import make_attack
from advgen.robustness.spec import AttackSpec, attack_spec

COLUMNS = list(TRANSFER_COLUMNS)


@torch.no_grad()
def error_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Share of misclassified inputs (model in eval mode)."""
    wrong = 0
    for i in range(0, len(y), batch_size):
        wrong += int((model(x[i : i + batch_size]).argmax(1) != y[i : i + batch_size]).sum())
    return wrong / max(1, len(y))


def gaussian_like(x: torch.Tensor, adv: torch.Tensor, seed: int) -> torch.Tensor:
    """``x`` plus Gaussian noise scaled per example to the L2 norm of ``adv - x``, in [0, 1]."""
    gen = torch.Generator(device=x.device).manual_seed(int(seed))
    noise = torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
    target = (adv - x).flatten(1).norm(dim=1)
    noise = noise * (target / noise.flatten(1).norm(dim=1).clamp_min(1e-12)).view(-1, *([1] * (x.ndim - 1)))
    return (x + noise).clamp(0.0, 1.0)


def other_image_like(x: torch.Tensor, adv: torch.Tensor, y: torch.Tensor, seed: int) -> torch.Tensor:
    """``x`` plus the perturbation ``adv - x`` of another example, one of another class where
    there is one (a seeded draw per example), scaled to the L2 norm of this example's own, in
    [0, 1]: a perturbation of the same norm with an adversarial example's pixel-magnitude map whose
    link to this image is broken."""
    n = len(y)
    delta = adv - x
    if n < 2:
        return adv.clone()
    gen = torch.Generator().manual_seed(int(seed))
    labels = y.detach().cpu()
    other = torch.empty(n, dtype=torch.long)
    for i in range(n):
        pool = torch.nonzero(labels != labels[i]).flatten()
        if len(pool) == 0:
            pool = torch.tensor([j for j in range(n) if j != i])
        other[i] = pool[int(torch.randint(len(pool), (1,), generator=gen))]
    moved = delta[other.to(x.device)]
    norm = delta.flatten(1).norm(dim=1)
    scale = norm / moved.flatten(1).norm(dim=1).clamp_min(1e-12)
    return (x + moved * scale.view(-1, *([1] * (x.ndim - 1)))).clamp(0.0, 1.0)


def source_rows(
    models: Mapping[str, nn.Module],
    source: str,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Mapping[str, AttackSpec],
    eps: float,
    *,
    batch_size: int | None = None,
    noise_seed: int = 0,
) -> pd.DataFrame:
    """The rows of ``source`` (a name of ``models``): every (attack, kind, target), attacks and
    targets in name order (see module doc); ``attacks``: name -> :class:`AttackSpec` (or a
    ``robustness.attacks`` entry)."""
    rows = []
    for name in sorted(attacks):
        spec = attack_spec(attacks[name])
        atk = make_attack(spec, models[source], batch_size=batch_size)
        # a minimal attack (L-BFGS, Szegedy et al. 2014) transfers its minimal perturbations
        # (eps inf); the budgeted attacks craft at the Linf budget
        minimal = REGISTRY[spec.attack].minimal
        atk.eps = math.inf if minimal else float(eps)
        adv = atk.generate(x, y)
        kinds = (
            ("adversarial", adv),
            ("gaussian", gaussian_like(x, adv, noise_seed)),
            ("other_image", other_image_like(x, adv, y, noise_seed)),
        )
        for kind, inputs in kinds:
            for target in sorted(models):
                rows.append(
                    {
                        "source": source,
                        "attack": name,
                        "kind": kind,
                        "target": target,
                        "eps": math.inf if minimal else float(eps),
                        "n": len(y),
                        "error": error_rate(models[target], inputs, y),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def transfer_matrix(
    models: Mapping[str, nn.Module],
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Mapping[str, AttackSpec],
    eps: float,
    **options: Any,
) -> pd.DataFrame:
    """Long-form transfer table over every (source, attack, kind, target): each source's
    :func:`source_rows` (``options``: its ``batch_size`` and ``noise_seed``), sources in name order."""
    frames = [source_rows(models, source, x, y, attacks, eps, **options) for source in sorted(models)]
    return pd.concat(frames, ignore_index=True)
