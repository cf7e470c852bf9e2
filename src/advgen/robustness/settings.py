"""The ``robustness`` config section, typed: built once from the validated config (its schema,
``robustness.schema.yaml#/$defs/robustness``, has filled every default), read by the stage's plan
(:mod:`advgen.robustness.plan`, :mod:`advgen.pipeline.robustness`) through attributes.

Field for field the schema's keys; a block the config leaves out is ``None``. The transfer
matrix's block is :class:`advgen.robustness.spec.TransferSettings`. No torch here: the
Snakefile builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advgen.config import typed_section
from advgen.robustness.spec import AttacksAtOneBudget, TransferSettings


@dataclass(frozen=True)
class AttackEntry:
    """A ``robustness.attacks`` entry: the attack class (:mod:`advgen.attacks.registry`), its
    eps grid, the classifiers it runs on, its seed, evaluation subset and constructor arguments."""

    attack: str
    eps: tuple[float, ...]
    classifiers: tuple[str, ...]
    seed: int
    max_examples: int | None
    params: dict[str, Any]


@dataclass(frozen=True)
class CapacityTransfer:
    """``robustness.capacity.transfer``: a transfer matrix across the capacity sweep's models
    (Madry et al. 2018: capacity reduces transferability); ``eps`` None: the sweep's."""

    attacks: tuple[str, ...]
    eps: float | None = None


@dataclass(frozen=True)
class ClassifierSweep:
    """A capacity sweep (Madry et al. 2018: ``widths``) or a data-size sweep (Schmidt et al.
    2018: ``fractions``, ``train_max_examples``) of a base classifier, each point trained in
    every one of ``modes`` and attacked by ``attack`` at ``eps``."""

    classifier: str
    attack: str
    eps: float
    modes: tuple[str, ...]
    widths: tuple[float, ...] = ()
    fractions: tuple[float, ...] = ()
    train_max_examples: int | None = None
    transfer: CapacityTransfer | None = None

    def grid(self, key: str) -> tuple[float, ...]:
        """The values of the grid ``key`` (``widths`` or ``fractions``)."""
        return self.widths if key == "widths" else self.fractions


@dataclass(frozen=True)
class RobustFeaturesSettings:
    """``robustness.robust_features`` (Ilyas et al. 2019): the robust and standard classifiers
    whose features build D_R and D_NR, the classifier trained on each, the attack and budget,
    D_R's and D_NR's settings and the cap on training images."""

    robust_classifier: str
    standard_classifier: str
    classifier: str
    attack: str
    eps: float
    max_train: int | None
    robust: dict[str, Any]
    non_robust: dict[str, Any]
    #: Sec. 3.2's D_det (eps, step_size, steps) and its relabelled control; None: not built
    deterministic: dict[str, Any] | None = None


@dataclass(frozen=True)
class MaskingChecks:
    """The sizes of Carlini et al. 2019's gradient-masking checks (``masking.checks`` and
    ``masking.purifier_checks``); ``n_queries`` is the black-box attack's, ``max_examples`` the
    images checked."""

    eps: float
    eps_grid: tuple[float, ...]
    pgd_steps: int
    long_steps: int
    long_restarts: int
    unbounded_steps: int
    n_queries: int
    tolerance: float
    max_examples: int | None
    early_stop: bool

    def sizes(self) -> dict[str, Any]:
        """The checks' sizes (``n_queries`` and ``max_examples`` left out), JSON-shaped."""
        return {
            "eps": self.eps,
            "eps_grid": list(self.eps_grid),
            "pgd_steps": self.pgd_steps,
            "long_steps": self.long_steps,
            "long_restarts": self.long_restarts,
            "unbounded_steps": self.unbounded_steps,
            "tolerance": self.tolerance,
            "early_stop": self.early_stop,
        }


@dataclass(frozen=True)
class MaskingEntry:
    """``robustness.masking``: the classifiers and purifiers checked (None: the defaults) and the
    checks' sizes for each."""

    classifiers: tuple[str, ...] | None
    purifiers: tuple[str, ...] | None
    checks: MaskingChecks
    purifier_checks: MaskingChecks


@dataclass(frozen=True)
class ExamplesEntry(AttacksAtOneBudget):
    """``robustness.examples``: the adversarial-examples figures: classifiers, attacks, their
    one budget and the images shown."""

    num_images: int


@dataclass(frozen=True)
class WorstCaseEntry:
    """``robustness.worst_case``: the attack set, and AutoAttack at its standard budget."""

    attacks: tuple[str, ...]
    standard: str | None


@dataclass(frozen=True)
class RobustnessSettings:
    """The ``robustness`` section (see the module docstring)."""

    max_examples: int | None
    batch_size: int
    attacks: dict[str, AttackEntry]
    transfer: TransferSettings | None = None
    capacity: ClassifierSweep | None = None
    data_size: ClassifierSweep | None = None
    data_size_sweeps: dict[str, ClassifierSweep] | None = None
    robust_features: RobustFeaturesSettings | None = None
    masking: MaskingEntry | None = None
    examples: ExamplesEntry | None = None
    worst_case: WorstCaseEntry | None = None

    @classmethod
    def of(cls, section: Mapping[str, Any] | None, source: str = "config") -> RobustnessSettings:
        """The validated ``robustness`` section typed (absent: the schema's defaults)."""
        return typed_section(cls, "robustness", section, source)
