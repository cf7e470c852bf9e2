"""The typed spec of one classifier training job (``advgen train-classifier``).

:class:`ClassifierSpec` is the validated ``classifiers.<name>`` config entry (its defaults filled
in by ``robustness.schema.yaml#/$defs/classifier``) plus the job's ``seed`` and ``device``,
field for field; the modes and their papers are :mod:`advgen.classifiers.modes`. The pool
fields have no schema default (:data:`advgen.classifiers.pool.DEFAULTS` holds them): they are
``None`` when the entry leaves them out, and :func:`classifier_config` leaves them out again,
so a checkpoint's ``config`` is the JSON the workflow passed.

:func:`classifier_specs` types the ``classifiers`` section once (:func:`classifier_spec` per run:
the entry with the config's seed and device filled in); the plans carry these values, and a
sweep point is its base's spec with fields replaced (:func:`dataclasses.replace`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.replicates import run_entry
from advgen.specs import STACKED_SEEDS, job_schema, spec_dict, typed_spec


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


@dataclass(frozen=True)
class ClassifierSeedsJobSpec:
    """The ``train_classifier_seeds`` job's spec (:mod:`advgen.pipeline.stacking`): the entry's
    first run (``classifier``), and the seeds and names of all its runs in order."""

    classifier: ClassifierSpec
    seeds: tuple[int, ...] = field(metadata=job_schema(schema=STACKED_SEEDS))
    names: tuple[str, ...] = field(metadata=job_schema(ref="#/$defs/names"))


def classifier_config(spec: ClassifierSpec) -> dict[str, Any]:
    """``spec`` as the JSON object the workflow passes (a checkpoint's ``config``, a resume key's
    spec): keys sorted as :func:`advgen.config.spec_json` writes them, the pool fields left unset
    absent (:func:`advgen.specs.spec_dict`)."""
    return dict(sorted(spec_dict(spec).items()))


def classifier_spec(entry: Mapping[str, Any], seed: int, device: str, where: str) -> ClassifierSpec:
    """A validated ``classifiers`` entry's ``train_classifier`` spec: the config's ``seed`` filled
    in where the entry has none (:func:`advgen.replicates.run_entry`, which leaves
    ``replicate_of`` out) and the config's ``device``; ``where`` names the entry in errors."""
    spec: ClassifierSpec = typed_spec(ClassifierSpec, {**run_entry(entry, seed), "device": device}, where)
    return spec


def classifier_specs(
    entries: Mapping[str, Mapping[str, Any]], seed: int, device: str, source: str
) -> dict[str, ClassifierSpec]:
    """Every run of the validated ``classifiers`` section (``entries``) typed by
    :func:`classifier_spec`, in config order; ``source`` names the config in errors."""
    return {
        name: classifier_spec(entry, seed, device, f"{source}: classifiers.{name}")
        for name, entry in entries.items()
    }
