"""Gradient-masking checks: Carlini et al. 2019's checklist, computed, not asserted.

Carlini, Athalye, Papernot, Brendel, Rauber, Tsipras, Goodfellow, Madry and Kurakin, "On
Evaluating Adversarial Robustness" (arXiv:1902.06705, 2019), section 5 ("Basic sanity
tests"); AutoAttack's ``checks.py`` (Croce and Hein 2020) flags the same signs. For a model
(a classifier, or ``classifier(P(x))`` with the gradient an attacker uses) on a batch of
test images, :func:`masking_checks` returns one row per check, columns :data:`COLUMNS`:

* ``model``: the name given; ``check``: one of :data:`CHECKS`; ``passed``: bool (False
  flags gradient masking or a weak attack); ``value``: the measured number; ``reference``:
  what it is compared with; ``tolerance``: the slack allowed; ``eps``: the budget (NaN for
  checks over a grid); ``n``: images; ``detail``: one readable line with the numbers.

Checks (robust accuracy under Linf PGD, Madry et al.'s step rule, seeded):

* ``zero_gradients``: share of images whose input gradient of the cross-entropy is all
  zero or has a non-finite entry (value), passed when <= ``tolerance`` (reference 0);
* ``monotone_in_eps``: largest rise of robust accuracy from one eps of the grid to the next
  (value), passed when <= tolerance (reference 0);
* ``unbounded_eps``: robust accuracy at eps = 1 (the whole [0, 1] box; value), passed
  when <= tolerance (reference 0);
* ``iterative_vs_single_step``: PGD's robust accuracy (value) vs FGSM's (reference),
  passed when value <= reference + tolerance;
* ``whitebox_vs_blackbox``: PGD's (value) vs a black-box attack's (reference; default the
  registry's ``masking_blackbox`` attack, :data:`advgen.attacks.registry.MASKING_BLACKBOX`:
  Square, Andriushchenko et al. 2020, with ``n_queries`` queries), passed when
  value <= reference + tolerance;
* ``more_steps_restarts``: relative change ``(acc_40 - acc_long) / acc_40`` from PGD-40
  to PGD-200 x 5 restarts (value; reference: ``acc_long``), passed when the absolute drop
  ``acc_40 - acc_long`` <= tolerance.

The default tolerances are 0.02 (2 points, the PGD-vs-AutoAttack gap :mod:`advgen.robustness.gap` flags) except
``zero_gradients`` (0.01). :func:`advgen.robustness.tables.masking_markdown` renders the rows for the report.

The checks' sizes are :class:`MaskingSettings` (:mod:`advgen.robustness.masking_spec`, with the
job's spec :class:`MaskingJobSpec`); :mod:`advgen.robustness.masking_job` is the ``advgen
masking-checks`` job (the workflow runs one job per (model, check)). Each check starts a stochastic
purifier's random draws over and computes every attack it compares (PGD at one size once per
call where no module draws at random), so its row does not depend on which other checks run in
the same process.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks import FGSM, PGD
from advgen.attacks.base import Attack, eval_mode
from advgen.attacks.registry import MASKING_BLACKBOX, attack_class
from advgen.columns import MASKING_COLUMNS as COLUMNS
from advgen.errors import ConfigError
from advgen.robustness.masking_spec import MaskingSettings
from advgen.robustness.tables import MASKING_CHECKS as CHECKS

__all__ = ["CHECK_FUNCTIONS", "masking_checks", "masking_rows"]
BlackBox = Callable[[nn.Module, float], Attack]


def robust_accuracy(model: nn.Module, attack: Attack, x: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy of ``model`` on ``attack``'s adversarial inputs."""
    return _accuracy(model, attack.generate(x, y), y)


def gradient_health(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(share of images with an all-zero input gradient, share with a non-finite entry)."""
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = F.cross_entropy(model(x), y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, x, allow_unused=True)
    if grad is None:
        return 1.0, 0.0
    flat = grad.flatten(1)
    finite = torch.isfinite(flat).all(1)
    zero = (flat == 0).all(1)
    return float(zero.float().mean()), float((~finite).float().mean())


def masking_checks(model: nn.Module, x: torch.Tensor, y: torch.Tensor, **options: Any) -> pd.DataFrame:
    """Run the checks of :data:`CHECKS` (see the module docstring) -> one row per check: the rows
    of :func:`masking_rows`, whose keyword ``options`` it takes, as a table (columns :data:`COLUMNS`).

    Each check's row is the same whether it runs alone or with the others (the workflow runs
    one job per check): a check starts a stochastic purifier's random draws over
    (:meth:`advgen.defense.purify.Purifier.rewind`) and computes every attack it compares, except
    that where no module of ``model`` or ``evaluator`` draws at random (none has ``rewind``), PGD
    at one (eps, steps, restarts) is computed once and read by every check that compares it:
    seeded, it is the number each check would compute again.

    Arguments:
        model: [0, 1] images -> logits; attacks take its gradient (for a purifier pipeline,
            e.g. ``PurifiedClassifier(classifier, purifier, "bpda")``).
        blackbox: ``(model, eps) -> Attack`` (default the registry's ``masking_blackbox``
            attack, Square, with ``settings.n_queries`` queries).
        evaluator: what adversarial inputs are scored on (default ``model``).
        checks: names in :data:`CHECKS` (default all); the rows follow :data:`CHECKS`' order.
    """
    return pd.DataFrame(list(masking_rows(model, x, y, **options)), columns=COLUMNS)


def masking_rows(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    name: str = "model",
    settings: MaskingSettings | None = None,
    blackbox: BlackBox | None = None,
    seed: int = 0,
    evaluator: nn.Module | None = None,
    checks: Sequence[str] | None = None,
) -> Iterator[dict]:
    """:func:`masking_checks` one row at a time: each ``next`` runs the next check (so a caller
    can time and report each one)."""
    wanted = check_names(checks)
    run = _Checks(model, evaluator or model, x, y, name, settings or MaskingSettings(), blackbox, seed)
    run.memo = None if run.stochastic() else {}
    with eval_mode(model):
        for check in wanted:
            run.rewind()
            yield CHECK_FUNCTIONS[check](run)


def check_names(checks: Sequence[str] | None, source: str = "checks") -> list[str]:
    """``checks`` (default all) in :data:`CHECKS`' order; an unknown name is a ConfigError."""
    if checks is None:
        return list(CHECKS)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ConfigError(f"{source}: unknown check(s) {', '.join(unknown)} (known: {', '.join(CHECKS)})")
    return [c for c in CHECKS if c in checks]


@dataclass
class _Checks:
    """The checks as methods (one row each) on one model and batch."""

    model: nn.Module
    ev: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    name: str
    s: MaskingSettings
    blackbox: BlackBox | None
    seed: int
    #: PGD's robust accuracy by (eps, steps, restarts), read again by later checks (None: not kept)
    memo: dict[tuple[float, int, int], float] | None = None

    def stochastic(self) -> bool:
        """Whether a module draws at random (a purifier with ``rewind``): PGD is then not kept."""
        return any(callable(getattr(m, "rewind", None)) for m in (*self.model.modules(), *self.ev.modules()))

    def rewind(self) -> None:
        """Start the stochastic purifiers' random draws over, as a freshly loaded model has them."""
        for module in (*self.model.modules(), *self.ev.modules()):
            rewind = getattr(module, "rewind", None)
            if callable(rewind):
                rewind()

    def row(
        self,
        check: str,
        passed: bool,
        value: float,
        reference: float,
        tolerance: float,
        eps: float,
        detail: str,
    ) -> dict:
        """One row of the table (:data:`COLUMNS`) on this model and batch."""
        return {
            "model": self.name,
            "check": check,
            "passed": bool(passed),
            "value": float(value),
            "reference": float(reference),
            "tolerance": float(tolerance),
            "eps": float(eps),
            "n": int(len(self.y)),
            "detail": detail,
        }

    def pgd(self, e: float, steps: int, restarts: int = 1) -> float:
        key = (float(e), int(steps), int(restarts))
        if self.memo is not None and key in self.memo:
            return self.memo[key]
        attack = PGD(
            self.model, e, steps=steps, restarts=restarts, early_stop=self.s.early_stop, seed=self.seed
        )
        acc = robust_accuracy(self.ev, attack, self.x, self.y)
        if self.memo is not None:
            self.memo[key] = acc
        return acc

    def zero_gradients(self) -> dict:
        zero, nonfinite = gradient_health(self.model, self.x, self.y)
        bad, tol = zero + nonfinite, self.s.zero_tolerance
        detail = f"{zero:.1%} all-zero, {nonfinite:.1%} non-finite input gradients"
        return self.row("zero_gradients", bad <= tol, bad, 0.0, tol, math.nan, detail)

    def monotone_in_eps(self) -> dict:
        s, tol = self.s, float(self.s.tolerance)
        grid = sorted(float(e) for e in s.eps_grid)
        accs = [self.pgd(e, s.pgd_steps) if e > 0 else _accuracy(self.ev, self.x, self.y) for e in grid]
        rise = max((b - a for a, b in zip(accs, accs[1:], strict=False)), default=0.0)
        listing = ", ".join(f"{e:g}: {a:.3f}" for e, a in zip(grid, accs, strict=True))
        detail = f"PGD-{s.pgd_steps} robust accuracy by eps {listing}"
        return self.row("monotone_in_eps", rise <= tol, max(rise, 0.0), 0.0, tol, math.nan, detail)

    def unbounded_eps(self) -> dict:
        s, tol = self.s, float(self.s.tolerance)
        acc = self.pgd(1.0, s.unbounded_steps)
        detail = f"PGD-{s.unbounded_steps} at eps 1 leaves {acc:.3f} accuracy (expected ~0)"
        return self.row("unbounded_eps", acc <= tol, acc, 0.0, tol, 1.0, detail)

    def iterative_vs_single_step(self) -> dict:
        s, eps, tol = self.s, float(self.s.eps), float(self.s.tolerance)
        acc_pgd = self.pgd(eps, s.pgd_steps)
        acc_fgsm = robust_accuracy(self.ev, FGSM(self.model, eps), self.x, self.y)
        detail = f"PGD-{s.pgd_steps} {acc_pgd:.3f} vs FGSM {acc_fgsm:.3f}"
        return self.row(
            "iterative_vs_single_step", acc_pgd <= acc_fgsm + tol, acc_pgd, acc_fgsm, tol, eps, detail
        )

    def whitebox_vs_blackbox(self) -> dict:
        s, eps, tol = self.s, float(self.s.eps), float(self.s.tolerance)
        acc_pgd = self.pgd(eps, s.pgd_steps)
        bb = (
            self.blackbox(self.model, eps)
            if self.blackbox
            else attack_class(MASKING_BLACKBOX)(self.model, eps, n_queries=s.n_queries, seed=self.seed)
        )
        acc_bb = robust_accuracy(self.ev, bb, self.x, self.y)
        detail = f"PGD-{s.pgd_steps} {acc_pgd:.3f} vs black-box {type(bb).__name__} {acc_bb:.3f}"
        return self.row("whitebox_vs_blackbox", acc_pgd <= acc_bb + tol, acc_pgd, acc_bb, tol, eps, detail)

    def more_steps_restarts(self) -> dict:
        s, eps, tol = self.s, float(self.s.eps), float(self.s.tolerance)
        acc_pgd = self.pgd(eps, s.pgd_steps)
        acc_long = self.pgd(eps, s.long_steps, s.long_restarts)
        rel = (acc_pgd - acc_long) / acc_pgd if acc_pgd > 0 else 0.0
        detail = (
            f"PGD-{s.pgd_steps} {acc_pgd:.3f} vs PGD-{s.long_steps} x {s.long_restarts} restarts "
            f"{acc_long:.3f} ({rel:+.1%} relative drop)"
        )
        return self.row("more_steps_restarts", acc_pgd - acc_long <= tol, rel, acc_long, tol, eps, detail)


#: each check's code (:data:`CHECKS`, advgen.robustness.tables.MASKING_CHECK_REGISTRY): name ->
#: the method computing its row
CHECK_FUNCTIONS: dict[str, Callable[[_Checks], dict]] = {
    "zero_gradients": _Checks.zero_gradients,
    "monotone_in_eps": _Checks.monotone_in_eps,
    "unbounded_eps": _Checks.unbounded_eps,
    "iterative_vs_single_step": _Checks.iterative_vs_single_step,
    "whitebox_vs_blackbox": _Checks.whitebox_vs_blackbox,
    "more_steps_restarts": _Checks.more_steps_restarts,
}


@torch.no_grad()
def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((model(x).argmax(1) == y).float().mean())
