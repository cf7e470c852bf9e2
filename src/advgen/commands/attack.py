"""``advgen attack``: one attack over its epsilon grid on one classifier -> Parquet rows."""

from __future__ import annotations

import argparse
import logging

HELP = "attack a classifier over an eps grid: results/robustness/attacks/<classifier>/<attack>.parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--classifier", required=True, help="classifier name")
    p.add_argument("--attack", required=True, help="attack name (key of robustness.attacks)")
    p.add_argument("--spec", required=True, help="JSON: {attack: <entry>, eval: {max_examples, batch_size}, device}")
    p.add_argument("--model", required=True, help="input: classifier checkpoint (.pt)")
    p.add_argument("--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument("--out", required=True, help="output: curve rows (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import attack_curve, eval_subset

    spec = parse_spec(args.spec)
    test = load_prepared(args.test)
    idx = eval_subset(test.labels, spec["eval"]["max_examples"])
    with start_job(spec, seed=False) as device:
        model = load_classifier(args.model, device)
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        table = attack_curve(
            model, x, y, spec["attack"], classifier=args.classifier, attack=args.attack,
            batch_size=spec["eval"]["batch_size"],
        )  # fmt: skip
    write_parquet(table, args.out)
    for row in table.itertuples():
        log.info(
            "%s %s eps=%g: robust acc %.3f (clean %.3f)",
            args.classifier,
            args.attack,
            row.eps,
            row.robust_acc,
            row.clean_acc,
        )
