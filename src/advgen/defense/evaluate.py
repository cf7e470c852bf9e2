"""Evaluate one purifier at one (L, R) point: clean, grey-box and adaptive accuracy and cost.

Attacks (:data:`advgen.defense.plan.THREAT`):

* grey-box ``fgsm`` / ``pgd``: crafted against the bare classifier (the attacker ignores
  the purifier), then purified and classified -- the threat model under which Defense-GAN
  reported its gains (Samangouei et al. 2018);
* adaptive ``bpda``: PGD on ``classifier(bpda(x))``; ``eot``: the same with the gradient
  averaged over ``eot_samples`` purifications; ``exact``: PGD through ``D(E(x))``
  (Athalye et al. 2018, who broke Defense-GAN with BPDA).

Every adversarial input is purified afresh (new random starts) before it is classified.
One row per attack and eps, plus the clean row (attack ``none``, eps 0); columns
:data:`COLUMNS`:

* ``clean_acc``: accuracy of ``classifier(P(x))`` on the clean images (same in every row);
* ``robust_acc``: accuracy of ``classifier(P(x_adv))``;
* ``seconds_per_image``: wall-clock seconds to purify and classify one image (the
  defense's inference cost; the clean row's value is the trade-off figure's cost);
* ``attack_seconds_per_image``: seconds to craft one adversarial input.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks import FGSM, PGD
from advgen.defense.plan import THREAT
from advgen.defense.purify import EOTPGD, PurifiedClassifier, Purifier

log = logging.getLogger(__name__)

COLUMNS = [
    "defense", "method", "generator", "classifier", "point", "operating", "steps", "restarts", "steps_x_restarts",
    "attack", "threat", "eps", "n", "clean_acc", "robust_acc", "seconds_per_image", "attack_seconds_per_image",
]  # fmt: skip


@torch.no_grad()
def _accuracy(classifier: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((classifier(x).argmax(1) == y).float().mean())


def purified_accuracy(classifier: nn.Module, purifier: Purifier, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Accuracy of ``classifier(P(x))`` and the seconds per image it took."""
    start = time.perf_counter()
    acc = _accuracy(classifier, purifier.purify(x), y)
    return acc, (time.perf_counter() - start) / max(1, len(y))


def craft(attack: str, eps: float, classifier: nn.Module, purifier: Purifier, x: torch.Tensor, y: torch.Tensor,
          spec: dict[str, Any]) -> torch.Tensor:  # fmt: skip
    """Adversarial inputs of ``attack`` at Linf budget ``eps`` (see the module docstring)."""
    seed = int(spec["seed"])
    if attack == "fgsm":
        return FGSM(classifier, eps).generate(x, y)
    if attack == "pgd":
        return PGD(classifier, eps, steps=int(spec["pgd_steps"]), seed=seed).generate(x, y)
    steps = int(spec["adaptive_steps"])
    if attack == "bpda":
        return PGD(PurifiedClassifier(classifier, purifier, "bpda"), eps, steps=steps, seed=seed).generate(x, y)
    if attack == "eot":
        model = PurifiedClassifier(classifier, purifier, "bpda")
        return EOTPGD(model, eps, steps=steps, samples=int(spec["eot_samples"]), seed=seed).generate(x, y)
    if attack == "exact":
        return PGD(PurifiedClassifier(classifier, purifier, "exact"), eps, steps=steps, seed=seed).generate(x, y)
    raise ValueError(f"unknown attack {attack!r}")


def evaluate_point(classifier: nn.Module, purifier: Purifier, x: torch.Tensor, y: torch.Tensor,
                   spec: dict[str, Any]) -> pd.DataFrame:  # fmt: skip
    """All rows of one purify job (``spec``: a :func:`advgen.defense.plan.purify_points` spec)."""
    base = {
        "defense": spec["purifier"], "method": spec["method"], "generator": spec["generator"] or "",
        "classifier": spec["classifier"], "point": spec["point"], "operating": bool(spec["operating"]),
        "steps": int(spec["steps"]), "restarts": int(spec["restarts"]),
        "steps_x_restarts": int(spec["steps"]) * int(spec["restarts"]), "n": len(y),
    }  # fmt: skip
    clean_acc, seconds = purified_accuracy(classifier, purifier, x, y)
    log.info("%s/%s clean accuracy %.3f (%.4f s per image)", spec["purifier"], spec["point"], clean_acc, seconds)
    rows = [{**base, "attack": "none", "threat": "clean", "eps": 0.0, "clean_acc": clean_acc, "robust_acc": clean_acc,
             "seconds_per_image": seconds, "attack_seconds_per_image": 0.0}]  # fmt: skip
    for attack in spec["attacks"]:
        for eps in spec["eps"]:
            start = time.perf_counter()
            adv = craft(attack, float(eps), classifier, purifier, x, y, spec)
            attack_seconds = (time.perf_counter() - start) / len(y)
            acc, seconds = purified_accuracy(classifier, purifier, adv, y)
            log.info("%s eps %.3g: robust accuracy %.3f (attack %.3f s per image)", attack, eps, acc, attack_seconds)
            rows.append({**base, "attack": attack, "threat": THREAT[attack], "eps": float(eps), "clean_acc": clean_acc,
                         "robust_acc": acc, "seconds_per_image": seconds, "attack_seconds_per_image": attack_seconds})  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)
