"""``advgen probe-discriminator``: linear probe on frozen features, clean and PGD accuracy."""

from __future__ import annotations

import argparse
import logging

HELP = "fit a linear digit probe on frozen D / classifier features and attack probe(features(x)) with PGD"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.probe_spec)")
    p.add_argument("--model", required=True, help="GAN checkpoint (families gan, control) or classifier model (.pt)")
    p.add_argument("--train", required=True, help="prepared training split: the probe's fit (.pt)")
    p.add_argument("--test", required=True, help="prepared test split: the evaluation (.pt)")
    p.add_argument("--out", required=True, help="output: one row per eps (.parquet)")


def main(args: argparse.Namespace) -> None:
    import time

    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.probe.features import extract, load_features
    from advgen.probe.linear import ProbedModel, fit_linear_probe, probe_accuracy
    from advgen.probe.robust import probe_rows
    from advgen.robustness.evaluate import eval_subset
    from advgen.seeding import seed_everything

    spec = parse_spec(args.spec)
    seed = int(spec["seed"])
    train, test = load_prepared(args.train), load_prepared(args.test)
    fit_idx = eval_subset(train.labels, spec["train_images"], seed)
    idx = eval_subset(test.labels, spec["num_images"], seed)
    with start_job(spec, seed=False) as device:
        extractor = load_features(spec["family"], args.model, device)
        seed_everything(seed)  # after the control's rebuild, which reseeds
        start = time.perf_counter()
        feats = extract(extractor, train.images[fit_idx]).to(device)
        probe = fit_linear_probe(feats, train.labels[fit_idx].to(device), train.num_classes,
                                 weight_decay=float(spec["weight_decay"]), max_iter=int(spec["max_iter"]))  # fmt: skip
        fit_seconds = time.perf_counter() - start
        train_acc = probe_accuracy(probe, feats, train.labels[fit_idx].to(device))
        model = ProbedModel(extractor, probe).eval()
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        source = {
            "source": spec["source"], "family": spec["family"], "dataset": spec["dataset"],
            "loss": spec.get("loss"), "unroll_k": spec.get("unroll_k"), "mode": spec.get("mode"),
            "feature_dim": int(feats.shape[1]), "train_acc": train_acc, "fit_seconds": fit_seconds,
        }  # fmt: skip
        table = probe_rows(model, x, y, spec, source)
    log.info("%s (%s): %d features, probe train accuracy %.3f, test clean %.3f, robust %s", spec["source"],
             spec["family"], source["feature_dim"], train_acc, table["clean_acc"].iloc[0],
             ", ".join(f"eps {e:g}: {a:.3f}" for e, a in zip(table["eps"], table["robust_acc"])))  # fmt: skip
    write_parquet(table, args.out)
