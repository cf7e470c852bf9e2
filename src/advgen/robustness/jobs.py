"""The robustness stage's jobs (job kinds of :mod:`advgen.pipeline.jobkinds_robustness`):

- :func:`attack`: one attack on one classifier over its eps grid -> its curve rows and the
  per-example outcomes (``example`` indexes the prepared test split, so attacks with the same
  ``max_examples`` on one classifier evaluate the same ids, and a smaller subset is contained in
  a larger one: the subsets take each class's seeded order from its start);
- :func:`attack_table`: every (classifier, attack) curve concatenated, each classifier's rows,
  and the minimal-perturbation table (L-BFGS, DeepFool);
- :func:`transfer_source`: one source model's rows of a transfer matrix (Szegedy et al. 2014;
  Goodfellow et al. 2015): its adversarial examples on every target, with noise baselines;
- :func:`transfer_table`: the matrix from its sources' rows; one matrix per value of the spec's
  ``within`` (the capacity matrix: one per seed, Madry et al. 2018);
- :func:`sweep_point`: clean and robust accuracy of one point of a capacity (Madry et al. 2018)
  or data-size (Schmidt et al. 2018) sweep, the unit of recomputation;
- :func:`sweep`: the sweep's table from its points' rows;
- :func:`masking_table`: the gradient-masking checks' rows (Carlini et al. 2019) and their
  Markdown table.

Each takes its named inputs and outputs (:class:`advgen.jobfiles.Files`) and its typed spec; a
list of models arrives as one named list in the spec's name order. torch and pandas are imported
inside the functions: the job-kind table imports this module while the workflow is parsed.
"""

from __future__ import annotations

import logging
from typing import Any

from advgen.errors import AdvgenError
from advgen.jobfiles import Files
from advgen.robustness.spec import (
    AttackJobSpec,
    AttackTableSpec,
    SweepPointSpec,
    SweepSpec,
    TransferSourceSpec,
    TransferTableSpec,
)
from advgen.specs import NoSettings

log = logging.getLogger(__name__)


def attack(inputs: Files, outputs: Files, spec: AttackJobSpec) -> None:
    """Attack the classifier (input ``model``) on its test split (``test``); outputs ``curve``
    (one row per eps) and ``examples`` (per example and eps)."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.classifiers.subsets import eval_subset
    from advgen.data.prepared import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import attack_sweep

    test = load_prepared(inputs.one("test"))
    with start_job(spec, seed=False) as device:
        model = load_classifier(inputs.one("model"), device, data=[test])
        idx = eval_subset(test.labels, spec.eval.max_examples)
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        table, per_example = attack_sweep(
            model,
            x,
            y,
            spec.attack,
            classifier=spec.classifier,
            attack=spec.name,
            batch_size=spec.eval.batch_size,
            examples=idx,
        )
    for row in table.itertuples():
        log.info(
            "%s %s eps=%g: robust acc %.3f (clean %.3f)",
            spec.classifier,
            spec.name,
            row.eps,
            row.robust_acc,
            row.clean_acc,
        )
    write_parquet(table, outputs.one("curve"))
    write_parquet(per_example, outputs.one("examples"))


def by_classifier(tables: list[tuple[str, Any]], names: list[str]) -> dict[str, Any]:
    """Each classifier's rows of ``tables`` ((path, frame) pairs), concatenated in input order.

    A row whose classifier is not in ``names`` raises :class:`~advgen.errors.AdvgenError`
    naming its table.
    """
    import pandas as pd

    parts: dict[str, list[Any]] = {name: [] for name in names}
    for path, frame in tables:
        for name in pd.unique(frame["classifier"]):
            if name not in parts:
                raise AdvgenError(
                    f"{path}: classifier {name!r} has no classifiers output "
                    f"(given: {', '.join(names) or 'none'})"
                )
            parts[name].append(frame[frame["classifier"] == name])
    missing = [name for name, frames in parts.items() if not frames]
    if missing:
        raise AdvgenError(f"attack-table: no input rows for classifier(s) {', '.join(missing)}")
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def attack_table(inputs: Files, outputs: Files, spec: AttackTableSpec) -> None:
    """Concatenate the curves (inputs ``curves``): output ``curves`` sorted by classifier, attack
    and eps, ``minimal`` (the minimal-perturbation table), and each classifier's rows in input
    order (``classifiers``, one per name of ``spec.classifiers``). Every input is read and
    checked before any output is written."""
    import pandas as pd

    from advgen.io import read_table, write_parquet
    from advgen.robustness.tables import SORTED_CURVE_COLUMNS, minimal_table

    paths = inputs.all("curves")
    if not paths:
        raise AdvgenError("attack-table: no input tables given")
    outs = outputs.by_name("classifiers", spec.classifiers)
    tables = [(p, read_table(p, SORTED_CURVE_COLUMNS)) for p in paths]
    if outs:
        per_classifier = by_classifier(tables, sorted(outs))
        parts = list(per_classifier.values())
    else:
        per_classifier, parts = {}, [frame for _, frame in tables]
    curves = pd.concat(parts, ignore_index=True)
    curves = curves.sort_values(["classifier", "attack", "eps"]).reset_index(drop=True)
    minimal = minimal_table(curves)
    for name, frame in per_classifier.items():
        write_parquet(frame, outs[name])
    write_parquet(curves, outputs.one("curves"))
    write_parquet(minimal, outputs.one("minimal"))


def transfer_source(inputs: Files, outputs: Files, spec: TransferSourceSpec) -> None:
    """The rows of ``spec.source`` in the transfer matrix of the classifiers ``spec.targets``
    (input ``models``, in that name order, the source among them) on the test split (``test``);
    output ``table``."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.classifiers.subsets import eval_subset
    from advgen.data.prepared import load_prepared
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.transfer import source_rows

    paths = inputs.by_name("models", sorted(spec.targets))
    if spec.source not in paths:
        raise ConfigError(f"--spec: source: {spec.source!r} is not one of the targets ({', '.join(paths)})")
    test = load_prepared(inputs.one("test"))
    idx = eval_subset(test.labels, spec.eval.max_examples)
    with start_job(spec, seed=False) as device:
        models = {name: load_classifier(path, device, data=[test]) for name, path in paths.items()}
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        options = {"batch_size": spec.eval.batch_size, "noise_seed": spec.noise_seed}
        table = source_rows(models, spec.source, x, y, spec.attacks, spec.eps, **options)
    write_parquet(table, outputs.one("table"))
    log.info("transfer rows of %s: %d", spec.source, len(table))


def transfer_table(inputs: Files, outputs: Files, spec: TransferTableSpec) -> None:
    """The transfer matrix from its sources' rows (inputs ``tables``, one per name of
    ``spec.sources`` in name order, each written by :func:`transfer_source`): concatenated in
    name order, or one matrix per value of ``spec.within``
    (:func:`advgen.robustness.transfer_table.gather`); output ``table``. Every table is read and
    checked (its rows are its source's, its targets among the sources) before the output is
    written."""
    from advgen.columns import TRANSFER_COLUMNS
    from advgen.errors import ConfigError
    from advgen.io import read_table, write_parquet
    from advgen.robustness.transfer_table import gather

    paths = inputs.by_name("tables", sorted(spec.sources))
    within, meta = spec.within, spec.meta
    if meta is not None:
        unknown = sorted(set(meta) - set(paths))
        if unknown:
            raise ConfigError(f"--spec: meta: no model named {', '.join(unknown)}")
    if within:
        lacking = sorted(name for name in paths if within not in (meta or {}).get(name, {}))
        if lacking:
            raise ConfigError(f"--spec: meta: no {within!r} for model(s) {', '.join(lacking)} (within)")
    tables = {}
    for name, path in paths.items():
        table = read_table(path, TRANSFER_COLUMNS)[list(TRANSFER_COLUMNS)]
        sources = sorted(set(table["source"]))
        if sources != [name]:
            found = ", ".join(map(repr, sources)) or "no rows"
            raise AdvgenError(f"{path}: expected the rows of source {name!r}, found {found}")
        strangers = sorted(set(table["target"]) - set(paths))
        if strangers:
            raise AdvgenError(f"{path}: target(s) {', '.join(strangers)} are not sources of the matrix")
        tables[name] = table
    table = gather(tables, meta, within)
    write_parquet(table, outputs.one("table"))
    log.info("transfer matrix: %d rows from %d sources", len(table), len(tables))


def sweep_point(inputs: Files, outputs: Files, spec: SweepPointSpec) -> None:
    """Clean and robust accuracy (and, in a data-size sweep, training-set robust accuracy) of the
    sweep's point ``spec.point`` (input ``model``) on the splits ``train`` and ``test``; output
    ``table``: its row."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.classifiers.spec import ClassifierSpec
    from advgen.classifiers.subsets import eval_subset
    from advgen.data.prepared import load_prepared
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.plan import sweep_kind
    from advgen.robustness.sweeps import point_table, sweep_row
    from advgen.specs import typed_spec

    # the point is the classifier spec it was trained from, evaluated on this job's device
    point = typed_spec(
        ClassifierSpec, {**spec.classifier, "device": spec.device or "auto"}, "--spec.classifier"
    )
    try:
        sweep_kind(spec.sweep)
    except ValueError as exc:
        raise ConfigError(f"--spec: sweep: {exc}") from exc
    train, test = load_prepared(inputs.one("train")), load_prepared(inputs.one("test"))
    idx = eval_subset(test.labels, spec.eval.max_examples)
    with start_job(spec, seed=False) as device:
        model = load_classifier(inputs.one("model"), device, data=[train, test])
        row = sweep_row(
            spec.sweep,
            spec.point,
            point,
            model,
            (test.images[idx].to(device), test.labels[idx].to(device)),
            (train.images.to(device), train.labels.to(device)),
            spec.attack,
            spec.eps,
            max_examples=spec.eval.max_examples,
            batch_size=spec.eval.batch_size,
            train_max_examples=spec.train_max_examples,
        )
    log.info(
        "%s %s: clean %.3f robust %.3f (train robust %.3f)",
        spec.sweep,
        spec.point,
        row["clean_acc"],
        row["robust_acc"],
        row["train_robust_acc"],
    )
    write_parquet(point_table(row), outputs.one("table"))


def sweep(inputs: Files, outputs: Files, spec: SweepSpec) -> None:
    """The sweep's table from its points' rows (inputs ``tables``, one per name of
    ``spec.points`` in name order, each written by :func:`sweep_point`), sorted by mode, grid
    value and seed, with the robust generalisation gap; output ``table``. Every table is read
    and checked (one row, of its own point and sweep) before the output is written."""
    from advgen.columns import SWEEP_JOB_COLUMNS
    from advgen.io import read_table, write_parquet
    from advgen.robustness.sweeps import sweep_table

    rows = []
    for name, path in inputs.by_name("tables", sorted(spec.points)).items():
        table = read_table(path, SWEEP_JOB_COLUMNS)
        found = list(zip(table["sweep"], table["classifier"], strict=True))
        if found != [(spec.sweep, name)]:
            shown = ", ".join(f"{s}/{c}" for s, c in found) or "no rows"
            raise AdvgenError(f"{path}: expected the one row of point {spec.sweep}/{name}, found {shown}")
        rows.extend(table[list(SWEEP_JOB_COLUMNS)].to_dict("records"))
    write_parquet(sweep_table(rows), outputs.one("table"))
    log.info("%s: %d points", spec.sweep, len(rows))


def masking_table(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """Concatenate the masking checks' rows (inputs ``tables``: models in job order, each
    model's checks in order); outputs ``table`` and ``markdown`` (one line per check)."""
    from advgen.defense.tables import concat
    from advgen.io import write_parquet, write_text
    from advgen.robustness.tables import masking_markdown

    tables = inputs.all("tables")
    table = concat("masking", tables)
    log.info("masking: %d rows from %d jobs", len(table), len(tables))
    write_text(outputs.one("markdown"), masking_markdown(table))
    write_parquet(table, outputs.one("table"))
