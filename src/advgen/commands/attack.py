"""``advgen attack``: the attacks of a spec on one classifier, each over its epsilon grid -> Parquet rows.

The workflow runs one attack per job (``results/robustness/attacks/<classifier>/<attack>.parquet``,
so editing one attack reruns only that attack), and ``--examples`` writes the same sweep's
per-example outcomes beside it (``<attack>.examples.parquet``: classifier, attack, eps, example,
clean_correct, adv_correct; ``example`` indexes the prepared test split, so attacks with the same
``max_examples`` on one classifier evaluate the same ids, and a smaller subset is contained in a
larger one: the subsets take each class's seeded order from its start); a spec may list several, which then share one
load of the model and test split. Each attack keeps its own seed and evaluation subset, so its
rows equal those of a job that ran it alone.
"""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output

HELP = (
    "attack a classifier with every attack of its spec over their eps grids: "
    "results/robustness/attacks/<classifier>/<attack>.parquet"
)

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--classifier", required=True, help="classifier name")
    p.add_argument(
        "--spec",
        required=True,
        help=(
            "JSON: {attacks: [{name, attack: <robustness.attacks entry>, "
            "eval: {max_examples, batch_size}}, ...], device}"
        ),
    )
    add_input(p, "--model", required=True, help="input: classifier checkpoint (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: curve rows of every attack, in spec order (.parquet)")
    add_output(
        p,
        "--examples",
        help="output: per-example outcomes of every attack and eps, in spec order (.parquet)",
    )


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.classifiers import eval_subset, load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.errors import AdvgenError
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import attack_sweep

    spec = parse_spec(args.spec)
    if not spec.get("attacks"):
        raise AdvgenError("attack: --spec: 'attacks' lists no attack")
    test = load_prepared(args.test)
    tables, outcomes = [], []
    with start_job(spec, seed=False) as device:
        model = load_classifier(args.model, device)
        for job in spec["attacks"]:
            idx = eval_subset(test.labels, job["eval"]["max_examples"])
            x, y = test.images[idx].to(device), test.labels[idx].to(device)
            table, per_example = attack_sweep(
                model,
                x,
                y,
                job["attack"],
                classifier=args.classifier,
                attack=job["name"],
                batch_size=job["eval"]["batch_size"],
                examples=idx,
            )
            for row in table.itertuples():
                log.info(
                    "%s %s eps=%g: robust acc %.3f (clean %.3f)",
                    args.classifier,
                    job["name"],
                    row.eps,
                    row.robust_acc,
                    row.clean_acc,
                )
            tables.append(table)
            outcomes.append(per_example)
    write_parquet(pd.concat(tables, ignore_index=True), args.out)
    if args.examples:
        write_parquet(pd.concat(outcomes, ignore_index=True), args.examples)
