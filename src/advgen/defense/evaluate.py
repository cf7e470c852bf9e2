"""Evaluate one purifier at one (L, R) point: clean, grey-box and adaptive accuracy and cost.

Attacks (:data:`advgen.defense.attacks.DEFENSE_ATTACKS`):

* grey-box ``fgsm`` / ``pgd``: crafted against the bare classifier (the attacker ignores
  the purifier), then purified and classified -- the threat model under which Defense-GAN
  reported its gains (Samangouei et al. 2018);
* adaptive ``bpda``: PGD on ``classifier(bpda(x))``; ``eot``: the same with the gradient
  averaged over ``eot_samples`` purifications; ``exact``: PGD through ``D(E(x))``
  (Athalye et al. 2018, who broke Defense-GAN with BPDA); ``unroll_short`` / ``unroll``
  (through the projection's inner optimisation), ``latent`` (on-manifold) and ``eot_rand``
  (AutoAttack "rand"-style EOT): :mod:`advgen.defense.adaptive`, all sized by an
  :class:`~advgen.defense.adaptive.AdaptiveBudget` (without one, the spec's
  ``adaptive_steps`` / ``eot_samples`` and a single restart: the original purify budget).

Every adversarial input is purified afresh (new random starts) before it is classified.
One row per attack and eps, plus the clean row (attack ``none``, eps 0); columns
:data:`COLUMNS`:

* ``clean_acc``: accuracy of ``classifier(P(x))`` on the clean images (same in every row);
* ``robust_acc``: accuracy of ``classifier(P(x_adv))``;
* ``seconds_per_image``: wall-clock seconds to purify and classify one image (the
  defense's inference cost; the clean row's value is the trade-off figure's cost);
* ``attack_seconds_per_image``: seconds to craft one adversarial input;
* ``attack_steps``, ``attack_restarts``, ``attack_samples`` (EOT draws per gradient),
  ``unroll`` (inner steps backpropagated; -1 all of them, 0 none): the attack's size
  (:func:`advgen.defense.attacks.attack_size`; 0 in the clean row);
* ``best_attack``: the attack itself, except in the two summary rows per eps:

  - attack ``strongest_adaptive``, threat ``headline``: the defense's number, the lowest
    robust accuracy over the adaptive attacks at that eps (over every attack for the bare
    classifier, where all attacks are white-box), ``best_attack`` naming the attack;
  - attack ``strongest_greybox``, threat ``greybox``: the same over the grey-box attacks
    (the threat model under which Defense-GAN reported its gains), kept separate;

* ``worst_case_acc``: in the summary rows, the share of images that every attack of the
  pool leaves correctly classified (per-image worst case, as AutoAttack's ensemble counts;
  each attack's adversarial input is purified once, so for a randomised purifier this also
  gives the attacker one fresh draw per attack); NaN in the other rows.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.registry import attack_class
from advgen.defense import attacks
from advgen.defense.adaptive import AdaptiveBudget, run_attack
from advgen.defense.purify import IdentityPurifier, Purifier
from advgen.defense.spec import PurifySpec
from advgen.defense.tables import PURIFY_COLUMNS as COLUMNS

log = logging.getLogger(__name__)

HEADLINE, GREYBOX_HEADLINE = "strongest_adaptive", "strongest_greybox"


def purified_accuracy(
    classifier: nn.Module, purifier: Purifier, x: torch.Tensor, y: torch.Tensor
) -> tuple[float, float]:
    """Accuracy of ``classifier(P(x))`` and the seconds per image it took."""
    correct, seconds = purified_correct(classifier, purifier, x, y)
    return float(correct.float().mean()), seconds


@torch.no_grad()
def purified_correct(
    classifier: nn.Module, purifier: Purifier, x: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, float]:
    """Per image, whether ``classifier(P(x))`` is right, and the seconds per image it took."""
    start = time.perf_counter()
    correct = classifier(purifier.purify(x)).argmax(1) == y
    return correct, (time.perf_counter() - start) / max(1, len(y))


def craft(
    attack: str,
    eps: float,
    classifier: nn.Module,
    purifier: Purifier,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: PurifySpec,
    budget: AdaptiveBudget | None = None,
) -> torch.Tensor:
    """Adversarial inputs of ``attack`` at Linf budget ``eps`` (see the module docstring)."""
    seed = int(spec.seed)
    entry = attacks.DEFENSE_ATTACKS.get(attack)
    if entry is not None and entry.greybox is not None:
        name, kwargs = entry.greybox(spec)
        return attack_class(name)(classifier, eps, **kwargs).generate(x, y)
    return run_attack(attack, classifier, purifier, x, y, eps, budget or AdaptiveBudget.legacy(spec), seed)


def headline_rows(
    rows: list[dict[str, Any]], bare: bool, correct: dict[tuple[str, float], torch.Tensor] | None = None
) -> list[dict[str, Any]]:
    """Per eps, the strongest adaptive attack's row (the headline; every attack's for the bare
    classifier) and the strongest grey-box attack's row (see the module docstring).
    ``correct[(attack, eps)]``: per-image correctness, for ``worst_case_acc``."""
    out = []
    attacked = [r for r in rows if r["attack"] != "none"]
    for eps in sorted({r["eps"] for r in attacked}):
        at = [r for r in attacked if r["eps"] == eps]
        for label, threat, pool in (
            (HEADLINE, "headline", at if bare else [r for r in at if r["threat"] == "adaptive"]),
            (GREYBOX_HEADLINE, "greybox", [r for r in at if r["threat"] == "greybox"]),
        ):
            if pool:
                best = min(pool, key=lambda r: r["robust_acc"])
                worst = float("nan")
                if correct is not None:
                    worst = float(
                        torch.stack([correct[(r["attack"], eps)] for r in pool]).all(0).float().mean()
                    )
                out.append(
                    {
                        **best,
                        "attack": label,
                        "threat": threat,
                        "best_attack": best["attack"],
                        "worst_case_acc": worst,
                    }
                )
    return out


def evaluate_point(
    classifier: nn.Module,
    purifier: Purifier,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: PurifySpec,
    budget: AdaptiveBudget | None = None,
) -> pd.DataFrame:
    """All rows of one purify job (``spec``: a :func:`advgen.defense.plan.purify_points` spec).

    ``budget`` sizes the adaptive attacks (None: the spec's original budget); the two summary
    rows per eps come last.
    """
    budget = budget or AdaptiveBudget.legacy(spec)
    base = {
        "defense": spec.purifier,
        "method": spec.method,
        "generator": spec.generator or "",
        "classifier": spec.classifier,
        "point": spec.point,
        "operating": bool(spec.operating),
        "steps": int(spec.steps),
        "restarts": int(spec.restarts),
        "steps_x_restarts": int(spec.steps) * int(spec.restarts),
        "n": len(y),
    }
    clean_acc, seconds = purified_accuracy(classifier, purifier, x, y)
    log.info("%s/%s clean accuracy %.3f (%.4f s per image)", spec.purifier, spec.point, clean_acc, seconds)
    rows = [
        {
            **base,
            "attack": "none",
            "threat": "clean",
            "eps": 0.0,
            "clean_acc": clean_acc,
            "robust_acc": clean_acc,
            "seconds_per_image": seconds,
            "attack_seconds_per_image": 0.0,
            "attack_steps": 0,
            "attack_restarts": 0,
            "attack_samples": 0,
            "unroll": 0,
            "best_attack": "none",
            "worst_case_acc": float("nan"),
        }
    ]
    correct = {}
    for attack in spec.attacks:
        for eps in spec.eps:
            start = time.perf_counter()
            adv = craft(attack, float(eps), classifier, purifier, x, y, spec, budget)
            attack_seconds = (time.perf_counter() - start) / len(y)
            correct[(attack, float(eps))], seconds = purified_correct(classifier, purifier, adv, y)
            acc = float(correct[(attack, float(eps))].float().mean())
            log.info(
                "%s eps %.3g: robust accuracy %.3f (attack %.3f s per image)",
                attack,
                eps,
                acc,
                attack_seconds,
            )
            rows.append(
                {
                    **base,
                    "attack": attack,
                    "threat": attacks.threat(attack),
                    "eps": float(eps),
                    "clean_acc": clean_acc,
                    "robust_acc": acc,
                    "seconds_per_image": seconds,
                    "attack_seconds_per_image": attack_seconds,
                    **attacks.attack_size(attack, spec, budget),
                    "best_attack": attack,
                    "worst_case_acc": float("nan"),
                }
            )
    rows += headline_rows(rows, bare=isinstance(purifier, IdentityPurifier), correct=correct)
    return pd.DataFrame(rows, columns=COLUMNS)
