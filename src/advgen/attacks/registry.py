"""The attacks advgen knows, with their metadata: one entry per attack (no torch import).

Everything that lists attacks is derived from :data:`REGISTRY`: ``advgen.attacks.ATTACKS``
(name -> class), :data:`MINIMAL_ATTACKS` (the minimal-perturbation attacks, whose unbounded
perturbations make the minimal-perturbation table), the capability lists (:data:`TRANSFER_ATTACKS`,
:data:`BASELINE_ATTACKS`, :data:`REFERENCE_ATTACKS`, :data:`MASKING_BLACKBOX`: code asks what an
attack can do, never its name), the smoke config's cost caps (:mod:`advgen.smoke`), and, written by
:mod:`advgen.registries` and checked equal by its test, the schema's ``attack`` enum, its
``params`` definition per attack and the lists of ``README.md`` and ``config/README.md``.

Each entry names the frozen dataclass of the attack's parameters (:mod:`advgen.attacks.params`):
their defaults (the papers'), descriptions, values and ranges, the attack's default budget and its
distance measures are stated there once, as data; the class takes it (or its fields as
arguments) and the schema's ``<module>_params`` definition is written from it. Adding an attack:
its dataclass, its class file under ``advgen/attacks/`` and its entry here, then ``python -m
advgen.registries --write`` writes the copies (docs/contributing.md, "Adding an attack"); the
attack contract tests (``tests/unit/test_attacks.py``) run every entry.

Importing this module imports neither torch nor an attack: the workflow's DAG reads it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.attacks.fields import AttackParams
from advgen.attacks.params import (
    APGDParams,
    APGDTParams,
    AutoAttackParams,
    DeepFoolParams,
    FABParams,
    FGSMParams,
    LBFGSParams,
    OnePixelParams,
    PGDParams,
    RandomSignParams,
    SpatialParams,
    SquareParams,
)
from advgen.smoke_sizes import STEPS as _STEPS  # attack steps of the smoke config

#: the kinds of attack: gradients of the model, or only its scores / predictions
KINDS = ("white-box", "black-box")


@dataclass(frozen=True)
class AttackInfo:
    """One attack's metadata.

    Attributes:
        name: the class name, and the ``attack`` of a ``robustness.attacks`` entry.
        module: the module of :mod:`advgen.attacks` defining the class.
        paper: the paper it follows (authors year).
        kind: "white-box" (input gradients) or "black-box" (scores or predictions only).
        params: the dataclass of its parameters (:mod:`advgen.attacks.params`): their defaults,
            descriptions, values and ranges, its default budget and its distance measures.
        smoke: caps on the parameters that bound its cost in the paper smoke config.
        minimal: a minimal-perturbation attack (its class derives from
            :class:`advgen.attacks.base.MinimalAttack`: it searches without a budget, and ``eps`` inf
            is its minimal perturbation).
        transferable: crafts the examples of a transfer matrix (``robustness.transfer``;
            Szegedy et al. 2014, Goodfellow et al. 2015): a budgeted attack crafts at the
            matrix's eps, a minimal one transfers its minimal perturbations (eps inf).
        baseline: the gradient attack whose robust accuracy the reference evaluation checks
            (the PGD vs AutoAttack gap, :mod:`advgen.robustness.gap`; Croce & Hein 2020).
        reference: the reference evaluation (Croce & Hein 2020): its curves are drawn over the
            baseline's, the gap is measured against it, and the classifiers it runs on are
            the default ones of the gradient-masking checks.
        masking_blackbox: the black-box attack the gradient-masking checks compare PGD with
            (Carlini et al. 2019, Sec. 5: a gradient-free attack must not beat the gradient
            one); its constructor takes the checks' ``n_queries``.

    Code that depends on what an attack can do reads these flags, never the attack's name.
    """

    name: str
    module: str
    paper: str
    kind: str
    params: type[AttackParams]
    smoke: dict[str, Any] = field(default_factory=dict)
    minimal: bool = False
    transferable: bool = False
    baseline: bool = False
    reference: bool = False
    masking_blackbox: bool = False

    @property
    def norms(self) -> tuple[str, ...]:
        """The distance measures it takes, its default first (linf, l2, l0 pixels, spatial:
        share of the rotation/translation range)."""
        return self.params.norms

    @property
    def norm(self) -> str:
        """The default distance measure."""
        return self.norms[0]

    @property
    def eps(self) -> float:
        """The default budget (inf: the minimal perturbation)."""
        return self.params.eps

    @property
    def defaults(self) -> dict[str, Any]:
        """The parameters a config's ``params`` may set, with their defaults (the papers')."""
        return self.params.defaults()

    def checked(self, params: Mapping[str, Any]) -> AttackParams:
        """A config's ``params`` for this attack, each value checked (one-line ConfigError)."""
        return self.params.of(**params)


REGISTRY: dict[str, AttackInfo] = {
    info.name: info
    for info in (
        AttackInfo("FGSM", "fgsm", "Goodfellow et al. 2015", "white-box", FGSMParams, transferable=True),
        AttackInfo(
            "PGD",
            "pgd",
            "Madry et al. 2018",
            "white-box",
            PGDParams,
            {"steps": _STEPS, "restarts": 1},
            transferable=True,
            baseline=True,
        ),
        AttackInfo(
            "LBFGS",
            "lbfgs",
            "Szegedy et al. 2014",
            "white-box",
            LBFGSParams,
            {"search_steps": 2, "steps": _STEPS},
            minimal=True,
            transferable=True,
        ),
        AttackInfo(
            "DeepFool",
            "deepfool",
            "Moosavi-Dezfooli et al. 2016",
            "white-box",
            DeepFoolParams,
            {"steps": _STEPS},
            minimal=True,
        ),
        AttackInfo(
            "OnePixel",
            "onepixel",
            "Su et al. 2019",
            "black-box",
            OnePixelParams,
            {"population": 20, "steps": 3},
        ),
        AttackInfo(
            "Spatial",
            "spatial",
            "Engstrom et al. 2019",
            "black-box",
            SpatialParams,
            {"rotations": 3, "translations": 3},
        ),
        AttackInfo(
            "APGD", "apgd", "Croce & Hein 2020", "white-box", APGDParams, {"n_iter": _STEPS, "n_restarts": 1}
        ),
        AttackInfo("APGDT", "apgdt", "Croce & Hein 2020", "white-box", APGDTParams, {"n_iter": _STEPS}),
        AttackInfo("FAB", "fab", "Croce & Hein 2020", "white-box", FABParams, {"n_iter": _STEPS}),
        AttackInfo(
            "Square",
            "square",
            "Andriushchenko et al. 2020",
            "black-box",
            SquareParams,
            {"n_queries": 20},
            masking_blackbox=True,
        ),
        AttackInfo(
            "AutoAttack",
            "autoattack",
            "Croce & Hein 2020",
            "white-box",
            AutoAttackParams,
            {"n_iter": _STEPS, "n_queries": 20},
            reference=True,
        ),
        AttackInfo("RandomSign", "random_sign", "Goodfellow et al. 2015", "black-box", RandomSignParams),
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
#: the black-box attack of the gradient-masking checks (one entry has the flag)
(MASKING_BLACKBOX,) = (name for name, info in REGISTRY.items() if info.masking_blackbox)


def listing(names: tuple[str, ...] | list[str]) -> str:
    """``"A, B or C"``: names in a message."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def attack_class(name: str) -> type:
    """The class of the attack ``name`` (imports its module, and torch)."""
    info = REGISTRY[name]
    return getattr(importlib.import_module(f"advgen.attacks.{info.module}"), info.name)
