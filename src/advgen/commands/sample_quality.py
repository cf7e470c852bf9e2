"""``advgen sample-quality``: score one generator (GAN or autoencoder decoder) or the real
held-out images under a classifier; writes a one-row Parquet table."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

HELP = "Fréchet classifier distance, classifier Inception Score and mode coverage of one model (one Parquet row)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the sample_quality config section as JSON, seed included")
    p.add_argument("--name", required=True, help="row name (experiment or dataset name)")
    p.add_argument("--dataset", required=True, help="dataset name (recorded in the row)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="input: GAN or autoencoder checkpoint.pt (samples from z ~ N(0, I))")
    src.add_argument("--real", help="input: prepared split whose images are scored (the real reference row)")
    p.add_argument("--info", help="input: the run's status.json / metrics.json (training status, AE test MSE)")
    p.add_argument("--classifier", required=True, help="input: classifier model.pt (advgen.classifiers.load_classifier)")
    p.add_argument("--classifier-name", default="", help="classifier name (recorded in the row)")
    p.add_argument("--reference", required=True, help="input: prepared training split, the real distribution")
    p.add_argument("--out", required=True, help="output: one-row Parquet table")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device preference (default: auto)")


def main(args: argparse.Namespace) -> None:
    import math

    import pandas as pd

    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.gan.spec import complete_spec
    from advgen.io import load_torch, write_parquet
    from advgen.metrics import combined_status, generate, quality_row
    from advgen.models import load_generator

    spec = complete_spec(parse_spec(args.spec), "sample_quality")
    if "seed" not in spec:
        raise ConfigError("--spec: seed: missing required key 'seed'")
    info = json.loads(Path(args.info).read_text(encoding="utf-8")) if args.info else {}
    reference = load_prepared(args.reference)
    with lease_device(args.device) as device:
        classifier = load_classifier(args.classifier, device)
        if args.model:
            family = load_torch(args.model).get("kind", "")
            generator, z_dim = load_generator(args.model, device)
            images = generate(generator, z_dim, spec["n_samples"], batch_size=spec["batch_size"], seed=spec["seed"], device=device)
        else:
            family, images = "real", load_prepared(args.real).images
        row = quality_row(
            classifier,
            images,
            reference.images,
            features=spec["features"],
            is_splits=spec["is_splits"],
            seed=spec["seed"],
            batch_size=spec["batch_size"],
            device=device,
            num_classes=reference.num_classes,
        )
    train_status = info.get("status", "ok")
    row = {
        "model": args.name,
        "family": family,
        "dataset": args.dataset,
        "classifier": args.classifier_name,
        **row,
        "train_status": train_status,
        "status": combined_status(train_status, row["modes"], row["num_classes"], spec["collapse_fraction"]),
        "test_mse": float(info.get("test_mse", math.nan)),
    }
    log.info(
        "%s (%s): FID %.3f IS %.3f modes %d/%d KL %.3f mean max-prob %.3f status %s",
        args.name, family, row["fid"], row["is_mean"], row["modes"], row["num_classes"], row["kl_uniform"], row["mean_max_prob"], row["status"],
    )
    write_parquet(pd.DataFrame([row]), args.out)
