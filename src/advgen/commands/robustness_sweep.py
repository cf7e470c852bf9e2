"""``advgen robustness-sweep``: clean/robust accuracy per capacity or data-size sweep point."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output, add_spec

HELP = "capacity / data-size sweep table: results/robustness/sweeps/<sweep>.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sweep",
        required=True,
        help="which sweep: capacity, data_size or data_size_<name> (robustness.data_size_sweeps)",
    )
    add_spec(
        p,
        "SweepSpec",
        required=True,
        help="JSON: {points: {name: classifier spec}, attack, eps, eval, device, train_max_examples (optional)}",
    )
    add_input(
        p, "--models", named=True, nargs="+", required=True, help="inputs: NAME=checkpoint.pt per sweep point"
    )
    add_input(p, "--train", required=True, help="input: prepared train split (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: sweep table (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import eval_subset, load_classifier
    from advgen.classifiers.spec import ClassifierSpec
    from advgen.data import load_prepared
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.robustness.plan import sweep_kind
    from advgen.robustness.spec import SweepSpec
    from advgen.robustness.sweeps import sweep_row, sweep_table
    from advgen.specs import typed_spec

    spec = load_spec(args.spec, spec_type=SweepSpec)
    # each point is the classifier spec it was trained from, evaluated on this job's device
    points = {
        name: typed_spec(ClassifierSpec, {**point, "device": spec.device or "auto"}, f"--spec.points.{name}")
        for name, point in spec.points.items()
    }
    try:
        sweep_kind(args.sweep)
    except ValueError as exc:
        raise ConfigError(f"--sweep: {exc}") from exc
    paths = dict(m.split("=", 1) for m in args.models)
    missing = sorted(set(points) - set(paths))
    if missing:
        raise ConfigError(f"--models: no checkpoint given for sweep point(s) {', '.join(missing)}")
    train, test = load_prepared(args.train), load_prepared(args.test)
    idx = eval_subset(test.labels, spec.eval.max_examples)
    rows = []
    with start_job(spec, seed=False) as device:
        test_xy = (test.images[idx].to(device), test.labels[idx].to(device))
        train_xy = (train.images.to(device), train.labels.to(device))
        for name in sorted(points):
            model = load_classifier(paths[name], device, data=[train, test])
            row = sweep_row(
                args.sweep,
                name,
                points[name],
                model,
                test_xy,
                train_xy,
                spec.attack,
                spec.eps,
                max_examples=spec.eval.max_examples,
                batch_size=spec.eval.batch_size,
                train_max_examples=spec.train_max_examples,
            )
            log.info(
                "%s %s: clean %.3f robust %.3f (train robust %.3f)",
                args.sweep,
                name,
                row["clean_acc"],
                row["robust_acc"],
                row["train_robust_acc"],
            )
            rows.append(row)
    write_parquet(sweep_table(rows), args.out)
