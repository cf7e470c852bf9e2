"""``advgen purify``: one purifier at one (L, R) point under clean, grey-box and adaptive attacks."""

from __future__ import annotations

import argparse
import logging

HELP = "evaluate a Defense-GAN / autoencoder purifier (or none) under grey-box and adaptive attacks"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.purify_points)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument("--generator", default=None, help="GAN or autoencoder checkpoint (.pt); not for purifier none")
    p.add_argument("--out", required=True, help="output: one row per attack and eps (.parquet)")


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.evaluate import evaluate_point
    from advgen.defense.loading import load_purifier
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import eval_subset
    from advgen.seeding import seed_everything

    spec = parse_spec(args.spec)
    seed_everything(int(spec["seed"]))
    split = load_prepared(args.images)
    idx = eval_subset(split.labels, spec["num_images"], int(spec["seed"]))
    with start_job(spec, seed=False) as device:
        classifier = load_classifier(args.classifier, device)
        purifier = load_purifier(spec, args.generator, device)
        x, y = split.images[idx].to(device), split.labels[idx].to(device)
        table = evaluate_point(classifier, purifier, x, y, spec)
    best = table[table["attack"] != "none"].groupby("attack")["robust_acc"].min()
    log.info("clean accuracy %.3f; lowest robust accuracy per attack: %s", table["clean_acc"].iloc[0],
             ", ".join(f"{a} {v:.3f}" for a, v in best.items()))  # fmt: skip
    write_parquet(table, args.out)
