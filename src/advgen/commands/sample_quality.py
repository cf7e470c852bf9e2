"""``advgen sample-quality``: score one generator (GAN or autoencoder decoder) or the real
held-out images under a classifier; writes a one-row Parquet table."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_device_argument

HELP = "Fréchet classifier distance, classifier Inception Score and mode coverage of one model (one Parquet row)"


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
    add_device_argument(p)


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.metrics import sample_quality_row

    spec = load_spec(args.spec, definition="sample_quality", require_seed=True)
    with start_job(spec, device=args.device, seed=False) as device:
        row = sample_quality_row(
            spec,
            name=args.name,
            dataset=args.dataset,
            classifier=args.classifier,
            classifier_name=args.classifier_name,
            reference=args.reference,
            model=args.model,
            real=args.real,
            info=args.info,
            device=device,
        )
    write_parquet(pd.DataFrame([row]), args.out)
