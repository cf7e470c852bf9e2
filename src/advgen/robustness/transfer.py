"""Transfer matrices: adversarial examples crafted on model i, evaluated on model j.

Szegedy et al. 2014 (cross-model and cross-training-set generalisation, their Table 3/4)
and Goodfellow et al. 2015. Rows of the long-form table::

    source, attack, kind, target, eps, n, error

``kind`` is ``adversarial`` (crafted on ``source`` by ``attack``), ``gaussian``: the
baseline row adds Gaussian noise with, per example, the same L2 norm as that adversarial
perturbation (clipped to [0, 1]), or ``random_sign``: the adversarial perturbation with a
random sign per pixel, its magnitudes kept and its direction lost (the control of a claim that
the examples transfer because of their direction, not their size). ``error`` is the error
rate of ``target`` on those inputs, so the diagonal (source = target, adversarial) is each model's white-box error.
:func:`transfer_within` makes one matrix per group of models (the capacity sweep's runs of
one seed) and names the group in a column.
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


def random_sign_like(x: torch.Tensor, adv: torch.Tensor, seed: int) -> torch.Tensor:
    """``x`` plus ``|adv - x|`` with a seeded random sign per pixel, in [0, 1]: every pixel
    moves as far as the adversarial example moved it, in a random direction."""
    gen = torch.Generator(device=x.device).manual_seed(int(seed))
    sign = 2.0 * (torch.rand(x.shape, generator=gen, device=x.device, dtype=x.dtype) < 0.5).to(x.dtype) - 1.0
    return (x + (adv - x).abs() * sign).clamp(0.0, 1.0)


def transfer_matrix(
    models: Mapping[str, nn.Module],
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Mapping[str, AttackSpec],
    eps: float,
    *,
    batch_size: int | None = None,
    noise_seed: int = 0,
) -> pd.DataFrame:
    """Long-form transfer table over every (source, attack, kind, target) (see module doc);
    ``attacks``: name -> :class:`AttackSpec` (or a ``robustness.attacks`` entry)."""
    rows = []
    for source in sorted(models):
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
                ("random_sign", random_sign_like(x, adv, noise_seed)),
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


def annotate(table: pd.DataFrame, meta: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Add ``source_<key>`` and ``target_<key>`` columns from per-model metadata.

    For the capacity transfer matrix (Madry et al. 2018: more capacity, less transfer):
    ``meta = {name: {"width": w, "mode": m}}`` gives ``source_width``, ``target_width``, ...
    A model missing from ``meta`` gets NaN / None.
    """
    out = table.copy()
    keys = sorted({k for m in meta.values() for k in m})
    for side in ("source", "target"):
        for key in keys:
            out[f"{side}_{key}"] = out[side].map(lambda name, key=key: (meta.get(name) or {}).get(key))
    return out


def transfer_within(
    models: Mapping[str, nn.Module],
    meta: Mapping[str, Mapping[str, Any]],
    key: str,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Mapping[str, AttackSpec],
    eps: float,
    *,
    batch_size: int | None = None,
    noise_seed: int = 0,
) -> pd.DataFrame:
    """One :func:`transfer_matrix` per value of ``meta[model][key]`` (sources and targets that
    share it, e.g. the runs of one seed), in sorted order, annotated with the other ``meta`` keys
    and that value in column ``key``: each group's rows are those of its own matrix."""
    groups: dict[Any, list[str]] = {}
    for name in sorted(models):
        groups.setdefault(meta[name][key], []).append(name)
    rest = {name: {k: v for k, v in m.items() if k != key} for name, m in meta.items()}
    frames = []
    for value in sorted(groups):
        names = groups[value]
        table = transfer_matrix(
            {n: models[n] for n in names},
            x,
            y,
            attacks,
            eps,
            batch_size=batch_size,
            noise_seed=noise_seed,
        )
        table = annotate(table, {n: rest[n] for n in names})
        table[key] = value
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
