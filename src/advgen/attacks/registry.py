"""The attacks advgen knows, with their metadata: one entry per attack (no torch import).

Everything that lists attacks is derived from :data:`REGISTRY`: ``advgen.attacks.ATTACKS``
(name -> class), :data:`MINIMAL_ATTACKS` (the minimal-perturbation attacks, whose unbounded
perturbations make the minimal-perturbation table), the smoke config's cost caps
(:mod:`advgen.smoke`), and the ``robustness.attacks.<name>.attack`` enum of
``schemas/robustness.schema.yaml``, which ``tests/unit/test_attack_registry.py`` keeps equal
to it (each attack with a ``params`` branch there). Adding an attack: its module under
``advgen/attacks/`` and its entry here (docs/contributing.md, "Adding an attack").

Importing this module imports neither torch nor an attack: the workflow's DAG reads it.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any

from advgen.smoke import STEPS as _STEPS  # attack steps of the smoke config

#: the kinds of attack: gradients of the model, or only its scores / predictions
KINDS = ("white-box", "black-box")


@dataclass(frozen=True)
class AttackInfo:
    """One attack's metadata.

    Attributes:
        name: the class name, and the ``attack`` of a ``robustness.attacks`` entry.
        module: the module of :mod:`advgen.attacks` defining the class.
        paper: the paper it follows (authors year).
        norms: the distance measures it takes, its default first (linf, l2, l0 pixels,
            spatial: share of the rotation/translation range).
        kind: "white-box" (input gradients) or "black-box" (scores or predictions only).
        minimal: a minimal-perturbation attack (searches without a budget,
            :class:`advgen.attacks.MinimalAttack`; ``eps`` inf is its minimal perturbation).
        eps: the class's default budget (inf: the minimal perturbation).
        smoke: caps on the parameters that bound its cost in the paper smoke config.
        transferable: crafts the examples of a transfer matrix (``robustness.transfer``;
            Szegedy et al. 2014, Goodfellow et al. 2015): a budgeted attack crafts at the
            matrix's eps, a minimal one transfers its minimal perturbations (eps inf).
        baseline: the gradient attack whose robust accuracy the reference evaluation checks
            (the PGD vs AutoAttack gap, :mod:`advgen.robustness.gap`; Croce & Hein 2020).
        reference: the reference evaluation (Croce & Hein 2020): its curves are drawn over the
            baseline's, the gap is measured against it, and the classifiers it runs on are
            the default ones of the gradient-masking checks.

    Code that depends on what an attack can do reads these flags, never the attack's name.
    """

    name: str
    module: str
    paper: str
    norms: tuple[str, ...]
    kind: str
    minimal: bool
    eps: float
    smoke: dict[str, Any] = field(default_factory=dict)
    transferable: bool = False
    baseline: bool = False
    reference: bool = False

    @property
    def norm(self) -> str:
        """The default distance measure."""
        return self.norms[0]


REGISTRY: dict[str, AttackInfo] = {
    info.name: info
    for info in (
        AttackInfo(
            "FGSM", "fgsm", "Goodfellow et al. 2015", ("linf",), "white-box", False, 0.3, transferable=True
        ),
        AttackInfo(
            "PGD",
            "pgd",
            "Madry et al. 2018",
            ("linf", "l2"),
            "white-box",
            False,
            0.3,
            {"steps": _STEPS, "restarts": 1},
            transferable=True,
            baseline=True,
        ),
        AttackInfo(
            "LBFGS",
            "lbfgs",
            "Szegedy et al. 2014",
            ("l2",),
            "white-box",
            True,
            math.inf,
            {"search_steps": 2, "steps": _STEPS},
            transferable=True,
        ),
        AttackInfo(
            "DeepFool",
            "deepfool",
            "Moosavi-Dezfooli et al. 2016",
            ("l2",),
            "white-box",
            True,
            math.inf,
            {"steps": _STEPS},
        ),
        AttackInfo(
            "OnePixel",
            "onepixel",
            "Su et al. 2019",
            ("l0",),
            "black-box",
            False,
            1.0,
            {"population": 20, "steps": 3},
        ),
        AttackInfo(
            "Spatial",
            "spatial",
            "Engstrom et al. 2019",
            ("spatial",),
            "black-box",
            False,
            1.0,
            {"rotations": 3, "translations": 3},
        ),
        AttackInfo(
            "APGD",
            "apgd",
            "Croce & Hein 2020",
            ("linf", "l2"),
            "white-box",
            False,
            0.3,
            {"n_iter": _STEPS, "n_restarts": 1},
        ),
        AttackInfo(
            "APGDT", "apgdt", "Croce & Hein 2020", ("linf", "l2"), "white-box", False, 0.3, {"n_iter": _STEPS}
        ),
        AttackInfo(
            "FAB", "fab", "Croce & Hein 2020", ("linf", "l2"), "white-box", False, 0.3, {"n_iter": _STEPS}
        ),
        AttackInfo(
            "Square",
            "square",
            "Andriushchenko et al. 2020",
            ("linf", "l2"),
            "black-box",
            False,
            0.3,
            {"n_queries": 20},
        ),
        AttackInfo(
            "AutoAttack",
            "autoattack",
            "Croce & Hein 2020",
            ("linf", "l2"),
            "white-box",
            False,
            0.3,
            {"n_iter": _STEPS, "n_queries": 20},
            reference=True,
        ),
    )
}

#: the minimal-perturbation attacks (their ``eps`` inf rows make the minimal-perturbation table)
MINIMAL_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.minimal)
#: the attacks that craft transfer matrices; :data:`BUDGET_TRANSFER_ATTACKS`: those of them that
#: craft at a budget (the capacity sweep's matrices compare models at one eps)
TRANSFER_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.transferable)
BUDGET_TRANSFER_ATTACKS = tuple(name for name in TRANSFER_ATTACKS if not REGISTRY[name].minimal)
#: the baseline attacks and the reference evaluation they are checked against
BASELINE_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.baseline)
REFERENCE_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.reference)


def listing(names: tuple[str, ...] | list[str]) -> str:
    """``"A, B or C"``: names in a message."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def attack_class(name: str) -> type:
    """The class of the attack ``name`` (imports its module, and torch)."""
    info = REGISTRY[name]
    return getattr(importlib.import_module(f"advgen.attacks.{info.module}"), info.name)
