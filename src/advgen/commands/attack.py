"""``advgen attack``: one attack on one classifier over its epsilon grid -> Parquet rows.

The workflow runs one job per (classifier, attack) (``results/robustness/attacks/<classifier>/<attack>.parquet``,
so editing one attack reruns only that attack's jobs), and ``--examples`` writes the same sweep's
per-example outcomes beside it (``<attack>.examples.parquet``: classifier, attack, eps, example,
clean_correct, adv_correct; ``example`` indexes the prepared test split, so attacks with the same
``max_examples`` on one classifier evaluate the same ids, and a smaller subset is contained in a
larger one: the subsets take each class's seeded order from its start).
"""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output, add_spec

HELP = (
    "attack a classifier with the attack of its spec over its eps grid: "
    "results/robustness/attacks/<classifier>/<attack>.parquet"
)

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--classifier", required=True, help="classifier name")
    add_spec(
        p,
        "AttackJobSpec",
        required=True,
        help="JSON: {name, attack: <robustness.attacks entry>, eval: {max_examples, batch_size}, device}",
    )
    add_input(p, "--model", required=True, help="input: classifier checkpoint (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: the attack's curve rows, one per eps (.parquet)")
    add_output(p, "--examples", help="output: the attack's per-example outcomes at every eps (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import eval_subset, load_classifier
    from advgen.data import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.robustness.evaluate import attack_sweep
    from advgen.robustness.spec import AttackJobSpec

    spec = load_spec(args.spec, spec_type=AttackJobSpec)
    test = load_prepared(args.test)
    with start_job(spec, seed=False) as device:
        model = load_classifier(args.model, device, data=[test])
        idx = eval_subset(test.labels, spec.eval.max_examples)
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        table, per_example = attack_sweep(
            model,
            x,
            y,
            spec.attack,
            classifier=args.classifier,
            attack=spec.name,
            batch_size=spec.eval.batch_size,
            examples=idx,
        )
    for row in table.itertuples():
        log.info(
            "%s %s eps=%g: robust acc %.3f (clean %.3f)",
            args.classifier,
            spec.name,
            row.eps,
            row.robust_acc,
            row.clean_acc,
        )
    write_parquet(table, args.out)
    if args.examples:
        write_parquet(per_example, args.examples)
