"""The ``advgen masking-checks`` job (Carlini et al. 2019's gradient-masking checks): its typed
spec (:class:`~advgen.robustness.masking_spec.MaskingJobSpec`), the classifier or classifier +
purifier pipeline it builds, and the checks of :mod:`advgen.robustness.masking` on the job's
test images (all six, or the spec's one ``check``: the workflow runs one job per (model, check),
its spec carrying the config's values of only the settings
:data:`advgen.robustness.tables.MASKING_CHECK_SETTINGS` lists for that check).

:func:`masking_checks_job` is the job kind's library function (the ``masking_checks`` row of
:data:`advgen.pipeline.jobkinds.JOB_KINDS`): inputs ``model`` (classifier checkpoint), ``test``
(prepared test split) and, for a purifier pipeline, ``generator`` (its GAN or autoencoder
checkpoint); output ``table`` (one row per check). Torch is imported inside the functions: the
Snakefile imports this module through the job-kind table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.robustness.masking_spec import GRADIENTS, BlackBoxSpec, MaskingJobSpec

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

    from advgen.attacks.base import Attack

__all__ = ["blackbox_from", "masking_checks_job", "masking_job"]

log = logging.getLogger(__name__)


def blackbox_from(entry: BlackBoxSpec | None, seed: int) -> Callable[[nn.Module, float], Attack] | None:
    """The spec's ``blackbox`` as a factory ``(model, eps) -> Attack``; None without one."""
    from advgen.attacks import ATTACKS

    if entry is None or entry == BlackBoxSpec():
        return None
    name = entry.attack
    if name not in ATTACKS:
        raise ConfigError(
            f"--spec: blackbox.attack: unknown attack {name!r} (known: {', '.join(sorted(ATTACKS))})"
        )
    params = dict(entry.params or {})
    return lambda model, eps: ATTACKS[name](model, eps, **params, seed=seed)


def masking_job(spec: MaskingJobSpec, *, model: str, test: str, generator: str | None = None) -> pd.DataFrame:
    """The checks on a classifier, or on a classifier behind a purifier, from the job's spec:
    the spec's ``check`` (the workflow's jobs), else all six; ``spec.name`` in the ``model``
    column.

    Arguments:
        spec: the job's :class:`MaskingJobSpec`.
        model, test, generator: paths of the classifier checkpoint, the prepared test split and
            the purifier's generator checkpoint.
    """
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.classifiers.subsets import eval_subset
    from advgen.data.prepared import load_prepared
    from advgen.jobs import start_job
    from advgen.robustness.masking import check_names, masking_checks

    checks = check_names(None if spec.check is None else [spec.check], "--spec: check")
    if spec.gradient not in GRADIENTS:
        raise ConfigError(f"--spec: gradient: unknown {spec.gradient!r} (known: {', '.join(GRADIENTS)})")
    blackbox = blackbox_from(spec.blackbox, spec.seed)
    with start_job(spec) as device:
        test_split = load_prepared(test)
        idx = eval_subset(test_split.labels, spec.max_examples, spec.seed)
        classifier = load_classifier(model, device, data=[test_split])
        attacked, evaluator = classifier, None
        if spec.purifier:
            attacked, evaluator = _purified(classifier, spec, generator, device)
        x, y = test_split.images[idx].to(device), test_split.labels[idx].to(device)
        return masking_checks(
            attacked,
            x,
            y,
            name=spec.name,
            settings=spec.checks,
            blackbox=blackbox,
            seed=spec.seed,
            evaluator=evaluator,
            checks=checks,
        )


def _purified(
    classifier: nn.Module, spec: MaskingJobSpec, generator: str | None, device: str
) -> tuple[nn.Module, nn.Module]:
    """(what the attacks differentiate, what their inputs are scored on) for a purifier pipeline."""
    from advgen.defense.adaptive import UnrolledProjection
    from advgen.defense.loading import load_purifier
    from advgen.defense.purify import ProjectionPurifier, PurifiedClassifier
    from advgen.defense.spec import PurifierSpec
    from advgen.specs import typed_spec

    gradient = spec.gradient
    settings = typed_spec(
        PurifierSpec, {"seed": spec.seed, "purifier": spec.name, **(spec.purifier or {})}, "--spec: purifier"
    )
    purifier = load_purifier(settings, generator, device)
    if gradient == "exact" and not hasattr(purifier, "decoder"):
        raise ConfigError("--spec: gradient: exact needs a reconstruction purifier (method reconstruct)")
    if gradient == "unroll":
        if not isinstance(purifier, ProjectionPurifier):
            raise ConfigError("--spec: gradient: unroll needs a projection purifier (method project)")
        purifier = UnrolledProjection(purifier)
    evaluator = PurifiedClassifier(classifier, purifier, "bpda")
    return PurifiedClassifier(classifier, purifier, "bpda" if gradient == "bpda" else "exact"), evaluator


def masking_checks_job(inputs: Files, outputs: Files, spec: MaskingJobSpec) -> None:
    """The job kind ``masking_checks``: the spec's checks on the ``model`` input (behind the
    spec's purifier with the ``generator`` input) -> the ``table`` output, one row per check."""
    from advgen.io import write_parquet

    def one(name: str) -> str | None:
        files = inputs.get(name, [])
        if len(files) > 1:
            raise ConfigError(f"--input: expected one {name} file, got {len(files)}")
        return files[0] if files else None

    model, test = one("model"), one("test")
    if model is None or test is None:
        raise ConfigError("--input: expected model=PATH and test=PATH")
    table = masking_job(spec, model=model, test=test, generator=one("generator"))
    for row in table.itertuples():
        log.info("%s %s: %s (%s)", spec.name, row.check, "pass" if row.passed else "FLAG", row.detail)
    write_parquet(table, outputs.one("table"))
