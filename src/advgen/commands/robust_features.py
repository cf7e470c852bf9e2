"""``advgen robust-features``: Ilyas et al. 2019's D_R / D_NR from digits, a standard CNN on each
(:func:`advgen.robustness.robust_features.robust_features_job`)."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output

HELP = (
    "build D_R (robust-model feature matching) and D_NR (relabelled targeted adversarial examples), "
    "train and attack a CNN on each"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--spec",
        required=True,
        help="JSON: {classifier: <full classifier spec>, attack: <robustness.attacks entry>, eps, robust: {steps, "
        "step_size}, non_robust: {eps, step_size, steps, target}, max_train, max_examples, batch_size, seed, device}",
    )
    add_input(
        p,
        "--robust-model",
        required=True,
        help="input: the PGD-trained classifier (.pt) whose features D_R matches",
    )
    add_input(p, "--standard-model", required=True, help="input: the standard classifier (.pt) D_NR attacks")
    add_input(p, "--train", required=True, help="input: prepared train split (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: table (.parquet), one row per training set")
    add_output(p, "--datasets", default=None, help="output: the two built datasets (.pt, for figures)")


def main(args: argparse.Namespace) -> None:
    from advgen.io import save_torch, write_parquet
    from advgen.jobs import load_spec
    from advgen.robustness.robust_features import robust_features_job
    from advgen.robustness.robust_features_spec import RobustFeaturesSpec

    table, datasets = robust_features_job(
        load_spec(args.spec, spec_type=RobustFeaturesSpec),
        robust_model=args.robust_model,
        standard_model=args.standard_model,
        train=args.train,
        test=args.test,
    )
    if args.datasets:
        save_torch(datasets, args.datasets)
    write_parquet(table, args.out)
