"""The typed specs of the ``advgen robust-features`` jobs (Ilyas et al. 2019, "Adversarial Examples
Are Not Bugs, They Are Features", Sec. 3; the jobs are :mod:`advgen.robustness.robust_features_jobs`).

:class:`RobustFeaturesSpec` is what :func:`advgen.pipeline.jobkinds_features.features_spec`
passes: ``robustness.robust_features`` with its schema defaults filled in, the trained
classifier's full spec, the attack's entry and the seed pair's seed.
:class:`RobustFeaturesTableSpec` (no field) is the table job's. No torch here: the job-kind
table imports this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.classifiers.spec import ClassifierSpec
from advgen.config import spec_json
from advgen.robustness.spec import AttackSpec
from advgen.specs import ConfigEntry, job_schema, spec_dict


@dataclass(frozen=True)
class RobustParams:
    """D_R's normalised L2 gradient descent (Ilyas et al. Sec. 3.1: 1000 steps of 0.1)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("robustness.robust_features.robust", whole=True)

    steps: int
    step_size: float


@dataclass(frozen=True)
class NonRobustParams:
    """D_NR's construction: ``features`` (Sec. 3.1, ``steps`` of ``step_size``) or ``targeted``
    (Sec. 3.2: targeted L2 PGD at ``eps`` towards a ``random`` or ``next`` target)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("robustness.robust_features.non_robust", whole=True)

    method: str
    eps: float
    step_size: float
    steps: int
    target: str


@dataclass(frozen=True)
class DeterministicParams:
    """Sec. 3.2's D_det: targeted L2 PGD at ``eps`` (``steps`` of ``step_size``) towards y + 1 mod C."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("robustness.deterministic_params", whole=True)

    eps: float
    step_size: float
    steps: int


@dataclass(frozen=True)
class RobustFeaturesSpec:
    """One seed's Ilyas et al. 2019 run (config ``robustness.robust_features``): ``classifier``
    (trained in standard mode on each set), ``attack`` (a ``robustness.attacks`` entry: attack,
    params, seed) at ``eps``, D_R's and D_NR's settings, ``max_train`` training images (``None``:
    all), the evaluation's ``max_examples`` and ``batch_size``, the seed and device."""

    classifier: ClassifierSpec
    attack: AttackSpec
    eps: float = field(metadata=job_schema(config_key="robustness.robust_features.eps"))
    robust: RobustParams
    non_robust: NonRobustParams
    max_train: int | None = field(metadata=job_schema(config_key="robustness.robust_features.max_train"))
    max_examples: int | None = field(metadata=job_schema(config_key="robustness.robustness.max_examples"))
    batch_size: int = field(metadata=job_schema(config_key="robustness.robustness.batch_size"))
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    device: str = field(metadata=job_schema(ref="#/$defs/device"))
    #: Sec. 3.2's D_det and its relabelled-clean control (None: not built)
    deterministic: DeterministicParams | None = field(
        default=None,
        metadata=job_schema(schema={"oneOf": [{"type": "null"}, {"$ref": "#/$defs/DeterministicParams"}]}),
    )


@dataclass(frozen=True)
class RobustFeaturesTableSpec:
    """The per-seed tables' concatenation takes no settings: its rows are its inputs', in order."""


def features_config(spec: RobustFeaturesSpec) -> dict[str, Any]:
    """``spec`` as the JSON object the workflow passes (:func:`advgen.config.spec_json`, read
    back: keys sorted at every level, the classifier's unset pool fields absent)."""
    config: dict[str, Any] = json.loads(spec_json(spec_dict(spec)))
    return config
