"""The typed spec of one classifier training job (``advgen train-classifier``).

:class:`ClassifierSpec` is the validated ``classifiers.<name>`` config entry (its defaults filled
in by ``robustness.schema.yaml#/$defs/classifier``) plus the job's ``seed`` and ``device``,
field for field; the modes and their papers are :mod:`advgen.classifiers.modes`. The pool
fields have no schema default (:data:`advgen.classifiers.pool.DEFAULTS` holds them): they are
``None`` when the entry leaves them out, and :func:`classifier_config` leaves them out again,
so a checkpoint's ``config`` is the JSON the workflow passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import job_schema, spec_dict


@dataclass(frozen=True)
class ClassifierSpec:
    """One zoo classifier and how it is trained: standard, FGSM-mix (Goodfellow et al. 2015),
    PGD (Madry et al. 2018) or the adversarial pool (Szegedy et al. 2014)."""

    #: its fields' config keys: <this>.<field name> (advgen.specs.job_schema)
    CONFIG_KEYS: ClassVar[str] = "robustness.classifier"

    dataset: str
    arch: str
    width: float
    mode: str
    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    momentum: float
    weight_decay: float
    eps: float
    fgsm_alpha: float
    pgd_steps: int
    pgd_step_factor: float
    eps_warmup_epochs: float
    train_subset: str
    train_fraction: float
    subset_seed: int
    seed: int = field(metadata=job_schema(ref="#/$defs/seed"))
    device: str = field(
        metadata=job_schema(ref="#/$defs/device", required=False)
    )  # a sweep point leaves it out
    pool_size: int | None = None
    pool_refresh: int | None = None
    pool_attack: str | None = None
    pool_mix: float | None = None


@dataclass(frozen=True)
class ClassifierJobSpec:
    """The ``train_classifier`` job's spec: the classifier's name (recorded in its checkpoint)
    and its :class:`ClassifierSpec`."""

    name: str = field(metadata=job_schema(ref="#/$defs/name"))
    classifier: ClassifierSpec


def classifier_config(spec: ClassifierSpec) -> dict[str, Any]:
    """``spec`` as the JSON object the workflow passes (a checkpoint's ``config``, a resume key's
    spec): keys sorted as :func:`advgen.config.spec_json` writes them, the pool fields left unset
    absent (:func:`advgen.specs.spec_dict`)."""
    return dict(sorted(spec_dict(spec).items()))
