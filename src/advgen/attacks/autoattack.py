"""AutoAttack: the parameter-free ensemble APGD-CE, APGD-T, FAB-T, Square.

Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
parameter-free attacks", ICML 2020 (https://arxiv.org/abs/2003.01690); the versions follow
the authors' reference code fra31/auto-attack:

* ``standard``: APGD-CE (100 iterations, 1 restart), APGD-T (9 targets), FAB-T (9 targets),
  Square (5,000 queries);
* ``plus``: APGD-CE and APGD-DLR with 5 restarts, FAB with 5 restarts, Square, APGD-T, FAB-T;
* ``rand`` (randomised defenses): APGD-CE and APGD-DLR with Expectation over
  Transformation over 20 draws per step.

Each attack runs only on the inputs every earlier attack left correctly classified, so the
result is the per-input worst case; :attr:`AutoAttackResult.per_attack` counts the inputs
each attack fooled first, and :meth:`AutoAttackResult.robust_after` is the breakdown
``run_standard_evaluation`` prints (robust accuracy after each attack). Each component's end
(on each chunk of ``batch_size`` inputs) is reported to :attr:`AutoAttack.progress` when set,
else a debug line of the ``advgen.attacks.autoattack`` logger (``advgen -v``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from advgen.attacks.apgd import APGD
from advgen.attacks.apgdt import APGDT
from advgen.attacks.base import Attack, AttackResult
from advgen.attacks.fab import FAB
from advgen.attacks.params import AutoAttackParams
from advgen.attacks.restarts import attack_robust
from advgen.attacks.square import Square

log = logging.getLogger(__name__)

#: every component of the versions, as the reference code names them (the "plus" version's
#: order), -> its name in tables and reports
LABELS = {
    "apgd-ce": "APGD-CE",
    "apgd-dlr": "APGD-DLR",
    "fab": "FAB",
    "square": "Square",
    "apgd-t": "APGD-T",
    "fab-t": "FAB-T",
}
#: each version's components in the order they run (fra31/auto-attack's ``set_version``)
ORDER = {
    "standard": ("apgd-ce", "apgd-t", "fab-t", "square"),
    "plus": ("apgd-ce", "apgd-dlr", "fab", "square", "apgd-t", "fab-t"),
    "rand": ("apgd-ce", "apgd-dlr"),
}


@dataclass
class AutoAttackResult(AttackResult):
    """An :class:`AttackResult` plus the inputs each component fooled first.

    Attributes:
        per_attack: component name ("apgd-ce", "apgd-t", ...) -> inputs it fooled that every
            earlier component left correct, in the order the components ran.
        seconds: component name -> wall-clock seconds it ran.
    """

    per_attack: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def robust_after(self) -> dict[str, float]:
        """Component -> robust accuracy once it and every earlier one ran, in the order they ran:
        the share of all inputs still classified correctly (inputs misclassified from the start
        count as not robust), as fra31/auto-attack's ``run_standard_evaluation`` reports
        "robust accuracy after APGD-CE", ... (Croce & Hein 2020). A component that found no input
        left to attack keeps the accuracy before it (the reference code stops and prints none)."""
        n = len(self.clean_correct)
        left = int(self.clean_correct.sum())
        out = {}
        for name, fooled in self.per_attack.items():
            left -= fooled
            out[name] = left / n if n else float("nan")
        return out


class AutoAttack(Attack):
    """The AutoAttack ensemble, per-input worst case (Croce & Hein 2020).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (the paper's MNIST setting: 0.3 Linf).
        params: a :class:`~advgen.attacks.params.AutoAttackParams`, or its fields as arguments
            (``norm``, ``version``, ``n_iter``, ``n_queries``, ``n_target_classes``, ``eot_iter``,
            ``batched_targets``; the papers' defaults, ranges and descriptions are there).
        seed: seed of every component (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AutoAttackResult.

    Example:
        >>> result = AutoAttack(model, eps=0.3, version="standard")(x, y)
        >>> result.per_attack
        {'apgd-ce': 310, 'apgd-t': 4, 'fab-t': 0, 'square': 0}
    """

    name = "AutoAttack"
    Params = AutoAttackParams
    finite_budget = True

    def __init__(self, model: nn.Module, eps: float | None = None, *args: Any, **kwargs: Any):
        super().__init__(model, eps, *args, **kwargs)
        self._counts: dict[str, int] = {}
        self._seconds: dict[str, float] = {}
        #: called at each component's end: (component, inputs it fooled, inputs it attacked, seconds)
        self.progress: Callable[[str, int, int, float], None] | None = None

    def components(self) -> list[tuple[str, Attack]]:
        """The version's attacks, in the order they run (fra31/auto-attack's lists, :data:`ORDER`)."""
        m, eps, norm, it, seed = self.model, self.eps, self.norm, self.n_iter, self.seed
        kt = dict(n_target_classes=self.n_target_classes, batched_targets=self.batched_targets)
        if self.version == "rand":
            return [
                ("apgd-ce", APGD(m, eps, norm, "ce", it, 1, eot_iter=self.eot_iter, seed=seed)),
                ("apgd-dlr", APGD(m, eps, norm, "dlr", it, 1, eot_iter=self.eot_iter, seed=seed)),
            ]
        square = ("square", Square(m, eps, norm, self.n_queries, 1, seed=seed))
        apgdt = ("apgd-t", APGDT(m, eps, norm, it, 1, **kt, seed=seed))
        fabt = ("fab-t", FAB(m, eps, norm, it, 1, targeted=True, **kt, seed=seed))
        if self.version == "standard":
            return [("apgd-ce", APGD(m, eps, norm, "ce", it, 1, seed=seed)), apgdt, fabt, square]
        return [
            ("apgd-ce", APGD(m, eps, norm, "ce", it, 5, seed=seed)),
            ("apgd-dlr", APGD(m, eps, norm, "dlr", it, 5, seed=seed)),
            ("fab", FAB(m, eps, norm, it, 5, seed=seed)),
            square,
            apgdt,
            fabt,
        ]

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = x.clone()
        robust = self.predict(x) == y
        for name, attack in self.components():
            self._counts.setdefault(name, 0)
            self._seconds.setdefault(name, 0.0)
            if self.eps == 0 or not bool(robust.any()):
                continue
            t0 = time.perf_counter()
            attack._generator = self._generator  # one seeded stream for the whole ensemble

            def run(todo: torch.Tensor, attack: Attack = attack) -> tuple[torch.Tensor, torch.Tensor]:
                adv = attack.perturb(x[todo], y[todo]).clamp(0.0, 1.0)
                return adv, self.predict(adv) != y[todo]

            todo = int(robust.sum())
            fooled = attack_robust(out, robust, run, fooled_only=True)  # the inputs it fooled first
            self._counts[name] += 0 if fooled is None else fooled.numel()
            seconds = time.perf_counter() - t0
            self._seconds[name] += seconds
            n_fooled = 0 if fooled is None else fooled.numel()
            if self.progress is not None:
                self.progress(name, n_fooled, todo, seconds)
            else:
                log.debug(
                    "AutoAttack %s at eps %g: %d of %d inputs fooled (%.1f s)",
                    name,
                    self.eps,
                    n_fooled,
                    todo,
                    seconds,
                )
        return out

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> AutoAttackResult:
        self._counts, self._seconds = {}, {}
        base = super().__call__(x, y)
        seconds = {k: round(v, 4) for k, v in self._seconds.items()}
        return AutoAttackResult(**vars(base), per_attack=dict(self._counts), seconds=seconds)

    def __repr__(self) -> str:
        return (
            f"AutoAttack(eps={self.eps}, norm={self.norm!r}, version={self.version!r}, n_iter={self.n_iter}, "
            f"n_queries={self.n_queries}, n_target_classes={self.n_target_classes}, seed={self.seed})"
        )
