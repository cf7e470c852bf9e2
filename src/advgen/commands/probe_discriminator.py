"""``advgen probe-discriminator``: linear probes on frozen features, clean and PGD accuracy.

The feature sources run one after the other in one process (the job's spec: the keys they
share and ``sources``, :func:`advgen.defense.plan.probe_job`), each seeded as if it were a job
of its own; the table holds their rows in that order.
"""

from __future__ import annotations

import argparse
import logging

HELP = "fit linear digit probes on frozen D / classifier features and attack probe(features(x)) with PGD"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.probe_job)")
    p.add_argument(
        "--gans", nargs="+", default=[], help="inputs: NAME=checkpoint.pt per GAN (families gan, control)"
    )
    p.add_argument(
        "--classifiers",
        nargs="+",
        default=[],
        help="inputs: NAME=model.pt per classifier (family classifier)",
    )
    p.add_argument("--train", required=True, help="prepared training split: the probes' fit (.pt)")
    p.add_argument("--test", required=True, help="prepared test split: the evaluation (.pt)")
    p.add_argument("--out", required=True, help="output: one row per source and eps (.parquet)")


def probe_source(spec: dict, path: str, train, test, device: str):
    """The rows of one feature source (``spec``: a :func:`advgen.defense.plan.probe_spec` spec)."""
    import time

    from advgen.probe.features import extract, load_features
    from advgen.probe.linear import ProbedModel, fit_linear_probe, probe_accuracy
    from advgen.probe.robust import probe_rows
    from advgen.robustness.evaluate import eval_subset
    from advgen.seeding import seed_everything

    seed = int(spec["seed"])
    fit_idx = eval_subset(train.labels, spec["train_images"], seed)
    idx = eval_subset(test.labels, spec["num_images"], seed)
    extractor = load_features(spec["family"], path, device)
    seed_everything(seed)  # after the control's rebuild, which reseeds
    start = time.perf_counter()
    feats = extract(extractor, train.images[fit_idx]).to(device)
    probe = fit_linear_probe(
        feats,
        train.labels[fit_idx].to(device),
        train.num_classes,
        weight_decay=float(spec["weight_decay"]),
        max_iter=int(spec["max_iter"]),
    )
    fit_seconds = time.perf_counter() - start
    train_acc = probe_accuracy(probe, feats, train.labels[fit_idx].to(device))
    model = ProbedModel(extractor, probe).eval()
    x, y = test.images[idx].to(device), test.labels[idx].to(device)
    source = {
        "source": spec["source"],
        "family": spec["family"],
        "dataset": spec["dataset"],
        "loss": spec.get("loss"),
        "unroll_k": spec.get("unroll_k"),
        "mode": spec.get("mode"),
        "feature_dim": int(feats.shape[1]),
        "train_acc": train_acc,
        "fit_seconds": fit_seconds,
    }
    table = probe_rows(model, x, y, spec, source)
    log.info(
        "%s (%s): %d features, probe train accuracy %.3f, test clean %.3f, robust %s",
        spec["source"],
        spec["family"],
        source["feature_dim"],
        train_acc,
        table["clean_acc"].iloc[0],
        ", ".join(f"eps {e:g}: {a:.3f}" for e, a in zip(table["eps"], table["robust_acc"])),
    )
    return table


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.commands._args import named_paths
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.plan import job_entries
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import start_job

    job = parse_spec(args.spec)
    models = {
        "gan": named_paths(args.gans, "--gans"),
        "classifier": named_paths(args.classifiers, "--classifiers"),
    }
    models["control"] = models["gan"]
    specs = job_entries(job, "sources")
    for spec in specs:
        if spec["source"] not in models.get(spec["family"], {}):
            option = "--classifiers" if spec["family"] == "classifier" else "--gans"
            raise ConfigError(
                f"{option}: no checkpoint for {spec['family']} source '{spec['source']}' (NAME=PATH)"
            )
    train, test = load_prepared(args.train), load_prepared(args.test)
    with start_job(job, seed=False) as device:
        tables = [
            probe_source(spec, models[spec["family"]][spec["source"]], train, test, device) for spec in specs
        ]
    write_parquet(pd.concat(tables, ignore_index=True), args.out)
