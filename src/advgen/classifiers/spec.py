"""The typed spec of one classifier training job (``advgen train-classifier``).

:class:`ClassifierSpec` is the validated ``classifiers.<name>`` config entry (its defaults filled
in by ``robustness.schema.yaml#/$defs/classifier``) plus the job's ``seed`` and ``device``,
field for field; the modes and their papers are :mod:`advgen.classifiers.modes`. The pool
fields have no schema default (:data:`advgen.classifiers.pool.DEFAULTS` holds them): they are
``None`` when the entry leaves them out, and :func:`classifier_config` leaves them out again,
so a checkpoint's ``config`` is the JSON the workflow passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advgen.specs import spec_dict, spec_field


@dataclass(frozen=True)
class ClassifierSpec:
    """One zoo classifier and how it is trained: standard, FGSM-mix (Goodfellow et al. 2015),
    PGD (Madry et al. 2018) or the adversarial pool (Szegedy et al. 2014)."""

    dataset: str = spec_field(config_key="robustness.classifier.dataset")
    arch: str = spec_field(config_key="robustness.classifier.arch")
    width: float = spec_field(config_key="robustness.classifier.width")
    mode: str = spec_field(config_key="robustness.classifier.mode")
    epochs: int = spec_field(config_key="robustness.classifier.epochs")
    batch_size: int = spec_field(config_key="robustness.classifier.batch_size")
    optimizer: str = spec_field(config_key="robustness.classifier.optimizer")
    lr: float = spec_field(config_key="robustness.classifier.lr")
    momentum: float = spec_field(config_key="robustness.classifier.momentum")
    weight_decay: float = spec_field(config_key="robustness.classifier.weight_decay")
    eps: float = spec_field(config_key="robustness.classifier.eps")
    fgsm_alpha: float = spec_field(config_key="robustness.classifier.fgsm_alpha")
    pgd_steps: int = spec_field(config_key="robustness.classifier.pgd_steps")
    pgd_step_factor: float = spec_field(config_key="robustness.classifier.pgd_step_factor")
    eps_warmup_epochs: float = spec_field(config_key="robustness.classifier.eps_warmup_epochs")
    train_subset: str = spec_field(config_key="robustness.classifier.train_subset")
    train_fraction: float = spec_field(config_key="robustness.classifier.train_fraction")
    subset_seed: int = spec_field(config_key="robustness.classifier.subset_seed")
    seed: int = spec_field(ref="#/$defs/seed")
    device: str = spec_field(ref="#/$defs/device", required=False)  # a sweep point leaves it out
    pool_size: int | None = spec_field(config_key="robustness.classifier.pool_size", default=None)
    pool_refresh: int | None = spec_field(config_key="robustness.classifier.pool_refresh", default=None)
    pool_attack: str | None = spec_field(config_key="robustness.classifier.pool_attack", default=None)
    pool_mix: float | None = spec_field(config_key="robustness.classifier.pool_mix", default=None)


@dataclass(frozen=True)
class ClassifierJobSpec:
    """The ``train_classifier`` job's spec: the classifier's name (recorded in its checkpoint)
    and its :class:`ClassifierSpec`."""

    name: str = spec_field(ref="#/$defs/name")
    classifier: ClassifierSpec


def classifier_config(spec: ClassifierSpec) -> dict[str, Any]:
    """``spec`` as the JSON object the workflow passes (a checkpoint's ``config``, a resume key's
    spec): keys sorted as :func:`advgen.config.spec_json` writes them, the pool fields left unset
    absent (:func:`advgen.specs.spec_dict`)."""
    return dict(sorted(spec_dict(spec).items()))
