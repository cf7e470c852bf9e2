"""Each attack's parameters as data: one frozen dataclass per attack (no torch import).

An attack's parameters are the keys a config's ``params`` may set. Each is a field of the
attack's dataclass, declared with :func:`~advgen.attacks.fields.param`: its default (the
paper's), its description, and its values or its range; each value is checked once, when the
dataclass is built (:mod:`advgen.attacks.fields`). The class states the attack's default budget
(:attr:`AttackParams.eps`) and its distance measures (:attr:`AttackParams.norms`, the default
first); its docstring is the schema's description of the attack's ``params``. The attack classes
take their dataclass, or its fields as arguments (:meth:`AttackParams.of`); the registry names
each attack's (:mod:`advgen.attacks.registry`), and :mod:`advgen.registries` writes the schema's
``params`` definition of each attack from it (:meth:`AttackParams.schema`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from advgen.attacks.fields import AttackParams, param

__all__ = [
    "APGDParams",
    "APGDTParams",
    "AutoAttackParams",
    "DeepFoolParams",
    "FABParams",
    "FGSMParams",
    "LBFGSParams",
    "OnePixelParams",
    "PGDParams",
    "RandomSignParams",
    "SpatialParams",
    "SquareParams",
]

#: the distance measures of the budget attacks with a norm ball (PGD, APGD, FAB, Square, AutoAttack)
NORMS = ("linf", "l2")
#: APGD's losses (Croce & Hein 2020: cross-entropy, the difference of logits ratio)
LOSSES = ("ce", "dlr")
#: AutoAttack's versions (fra31/auto-attack)
VERSIONS = ("standard", "plus", "rand")
#: L-BFGS's target classes
TARGETS = ("runner_up", "random")
#: L-BFGS's solvers (scipy's L-BFGS-B on the host; advgen.attacks.box_lbfgs on the model's device)
SOLVERS = ("scipy", "torch")


# --- the attacks' parameters, in the order their classes take them ------------------------------
_BIG = "[1, 1000000]"
_RHO = "step-halving threshold on the share of improving steps (paper: 0.75)"
_MOMENTUM = "weight alpha of the new step against the previous one (paper: 0.75)"
_EOT = 'gradients averaged per step (Expectation over Transformation; 20 in AutoAttack "rand", 1 otherwise)'


@dataclass(frozen=True)
class FGSMParams(AttackParams):
    """FGSM has no parameters besides eps (Goodfellow et al. 2015)."""


@dataclass(frozen=True)
class RandomSignParams(AttackParams):
    """RandomSign (Goodfellow et al. 2015) has no parameters besides eps."""


@dataclass(frozen=True)
class PGDParams(AttackParams):
    """PGD (Madry et al. 2018)."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    alpha: float | None = param(
        None,
        "step size; None = 2.5 * eps / steps (Madry et al.: 0.01 for eps 0.3, 40 steps)",
        bounds="(0, 1000000]",
    )
    steps: int = param(40, "iterations (Madry et al.: 40 on MNIST)", bounds=_BIG)
    norm: str = param("linf", '"linf" (signed steps) or "l2" (normalised steps)')
    random_start: bool = param(True, "start from a uniform point of the ball (clipped to [0, 1])")
    restarts: int = param(1, "independent runs; the per-example worst case is kept", bounds=_BIG)
    early_stop: bool = param(
        False,
        "evaluation only (Croce & Hein 2020's APGD does the same; Madry et al.: off): stop iterating"
        " on an example at its first misclassified iterate and keep it, so robust accuracy can only"
        " stay or go down and fooled examples cost no more steps (see the module docstring);"
        " honoured where robust accuracy is measured (attack curves, capacity / data-size sweeps,"
        " robust features), ignored where the adversarial examples themselves are used (transfer,"
        " example figures) and never used by adversarial training. A config entry without it runs"
        " with false (the schema gives it no default, so specs without it, and their results'"
        " params column, stay as they were)",
        schema_default=False,
    )


@dataclass(frozen=True)
class LBFGSParams(AttackParams):
    """box-constrained L-BFGS (Szegedy et al. 2014)."""

    eps: ClassVar[float] = math.inf
    norms: ClassVar[tuple[str, ...]] = ("l2",)

    c_init: float = param(1.0, "first penalty weight of `||r||^2`", bounds="(0, 1000000]")
    search_steps: int = param(8, "values of c tried per example (binary search)", bounds=_BIG)
    steps: int = param(50, "L-BFGS-B iterations per value of c", bounds=_BIG)
    target: str = param(
        "runner_up", '"runner_up" (the most likely wrong class) or "random" (seeded)', choices=TARGETS
    )
    solver: str = param(
        "scipy",
        '"scipy": one L-BFGS-B problem over the batch on the host (scipy, float64 iterates); "torch":'
        " one box-constrained L-BFGS problem per example on the model's device"
        " (advgen.attacks.box_lbfgs), without a copy to the host per evaluation. A config entry"
        " without it runs with scipy (the schema gives it no default, so specs without it, and their"
        " results' params column, stay as they were)",
        choices=SOLVERS,
        schema_default=False,
    )


@dataclass(frozen=True)
class DeepFoolParams(AttackParams):
    """DeepFool (Moosavi-Dezfooli et al. 2016)."""

    eps: ClassVar[float] = math.inf
    norms: ClassVar[tuple[str, ...]] = ("l2",)

    steps: int = param(50, "maximum iterations (paper: 50)", bounds=_BIG)
    overshoot: float = param(
        0.02, "the final perturbation is `(1 + overshoot) * r` (paper: 0.02)", bounds="[0, 1000000]"
    )
    num_candidates: int = param(
        10, "classes with the highest clean logits considered (paper: 10)", bounds="[2, 1000000]"
    )


@dataclass(frozen=True)
class OnePixelParams(AttackParams):
    """one-pixel differential evolution (Su et al. 2019)."""

    eps: ClassVar[float] = 1
    norms: ClassVar[tuple[str, ...]] = ("l0",)

    population: int = param(400, "candidates per image (paper: 400)", bounds="[4, 1000000]")
    steps: int = param(100, "DE generations (paper: 100)", bounds=_BIG)
    scale: float = param(0.5, "DE mutation factor F (paper: 0.5)", bounds="(0, 1000000]")
    eval_batch: int = param(4096, "images per forward pass when evaluating populations", bounds="[1, 65536]")


@dataclass(frozen=True)
class SpatialParams(AttackParams):
    """rotation + translation grid, or one random transform per image (Engstrom et al. 2019)."""

    eps: ClassVar[float] = 1.0
    norms: ClassVar[tuple[str, ...]] = ("spatial",)

    max_rotation: float = param(30.0, "degrees (paper, MNIST: 30)", bounds="[0, 360]")
    max_translation: float = param(3.0, "pixels (paper, MNIST: 3)", bounds="[0, 1000000]")
    rotations: int = param(31, "grid values of the angle (paper: 31)", bounds=_BIG)
    translations: int = param(5, "grid values per axis (paper: 5)", bounds=_BIG)
    eval_batch: int = param(4096, "transformed images per forward pass", bounds="[1, 65536]")
    random: bool = param(
        False,
        "one uniformly random rotation and translation per image (Engstrom et al.'s random"
        " adversary) instead of the grid's worst",
    )


@dataclass(frozen=True)
class APGDParams(AttackParams):
    """APGD (Croce & Hein 2020, ICML, Alg. 1): step-size-free PGD with momentum, the step halved at
    checkpoints, restarts on the inputs not yet fooled."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    norm: str = param("linf", '"linf" or "l2" budget')
    loss: str = param(
        "ce",
        '"ce" (cross-entropy) or "dlr" (the difference of logits ratio, the paper\'s Eq. 4)',
        choices=LOSSES,
    )
    n_iter: int = param(100, "iterations per restart (paper: 100)", bounds="[1, 100000]")
    n_restarts: int = param(
        1, 'random restarts, each on the examples not yet fooled (paper: 1, "plus": 5)', bounds="[1, 10000]"
    )
    rho: float = param(0.75, _RHO, bounds="(0, 1]")
    momentum: float = param(0.75, _MOMENTUM, bounds="[0, 1]")
    eot_iter: int = param(1, _EOT, bounds="[1, 10000]")


@dataclass(frozen=True)
class APGDTParams(AttackParams):
    """APGD-T (Croce & Hein 2020, ICML, Sec. 4) on the targeted DLR loss, top wrong classes as targets."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    norm: str = param("linf", '"linf" or "l2" budget')
    n_iter: int = param(100, "iterations per target and restart (paper: 100)", bounds="[1, 100000]")
    n_restarts: int = param(1, "restarts per target (AutoAttack: 1)", bounds="[1, 10000]")
    n_target_classes: int = param(
        9, "wrong classes attacked per input (paper: 9; capped at classes - 1)", bounds="[1, 1000]"
    )
    batched_targets: bool = param(True, "stack the targets into one batch (False: a loop over targets)")
    rho: float = param(0.75, _RHO, bounds="(0, 1]")
    momentum: float = param(0.75, _MOMENTUM, bounds="[0, 1]")
    eot_iter: int = param(1, _EOT, bounds="[1, 10000]")


@dataclass(frozen=True)
class FABParams(AttackParams):
    """FAB / FAB-T (Croce & Hein 2020, ICML), minimal perturbation kept when within eps."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    norm: str = param("linf", '"linf" or "l2" budget')
    n_iter: int = param(100, "iterations per restart (paper and AutoAttack: 100)", bounds="[1, 100000]")
    n_restarts: int = param(
        1,
        "restarts; the first from the input, the others from random points at half the best"
        ' distance found (or eps) (AutoAttack: 1, "plus": 5)',
        bounds="[1, 10000]",
    )
    alpha_max: float = param(
        0.1, "largest weight of the projection of the original input (paper: 0.1)", bounds="[0, 1]"
    )
    eta: float = param(
        1.05, "extrapolation factor of the projection step (paper: 1.05)", bounds="(0, 1000000]"
    )
    beta: float = param(
        0.9, "pull-back factor toward the input after a success (paper: 0.9)", bounds="(0, 1]"
    )
    targeted: bool = param(False, "FAB-T: attack the boundary to each of the top wrong classes in turn")
    n_target_classes: int = param(
        9, "targets per input for FAB-T (AutoAttack: 9; capped at classes - 1)", bounds="[1, 1000]"
    )
    batched_targets: bool = param(True, "FAB-T's targets as one stacked batch (False: a loop over targets)")


@dataclass(frozen=True)
class SquareParams(AttackParams):
    """Square Attack (Andriushchenko et al. 2020), score-based random search, no gradients."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    norm: str = param("linf", '"linf" or "l2" budget')
    n_queries: int = param(5000, "model queries per input (paper and AutoAttack: 5,000)", bounds=_BIG)
    n_restarts: int = param(1, "restarts on the inputs still not fooled (AutoAttack: 1)", bounds="[1, 10000]")
    p_init: float = param(0.8, "initial share of pixels per square (AutoAttack: 0.8)", bounds="(0, 1]")


@dataclass(frozen=True)
class AutoAttackParams(AttackParams):
    """AutoAttack (Croce & Hein 2020, ICML): APGD-CE -> APGD-T -> FAB-T -> Square, each on the inputs
    still classified correctly, per-input worst case; "plus" adds restarts and APGD-DLR / FAB, "rand"
    is EOT for randomised models."""

    norms: ClassVar[tuple[str, ...]] = NORMS

    norm: str = param("linf", '"linf" or "l2" budget')
    version: str = param("standard", '"standard", "plus" or "rand"', choices=VERSIONS)
    n_iter: int = param(100, "APGD and FAB iterations (paper: 100)", bounds="[1, 100000]")
    n_queries: int = param(5000, "Square queries (paper: 5,000)", bounds=_BIG)
    n_target_classes: int = param(
        9, "targets of APGD-T and FAB-T (paper: 9; capped at classes - 1)", bounds="[1, 1000]"
    )
    eot_iter: int = param(20, 'EOT draws per step in the "rand" version (paper: 20)', bounds="[1, 10000]")
    batched_targets: bool = param(
        True, "APGD-T and FAB-T run their targets as one batch (False: a loop)", schema_default=False
    )
