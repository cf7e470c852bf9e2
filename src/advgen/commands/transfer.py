"""``advgen transfer``: the i x j transfer matrix of FGSM/PGD examples, with noise baselines."""

from __future__ import annotations

import argparse
import logging

HELP = "transfer matrix: adversarial examples from model i evaluated on model j (results/robustness/transfer.parquet)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="JSON: {transfer, attacks, eval, device}")
    p.add_argument("--models", nargs="+", required=True, help="inputs: NAME=checkpoint.pt per classifier")
    p.add_argument("--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument("--out", required=True, help="output: long-form matrix (.parquet)")
    p.add_argument(
        "--meta",
        default=None,
        help="JSON {name: {key: value}}: adds source_<key> / target_<key> columns (capacity matrix: width, mode)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.robustness.evaluate import eval_subset
    from advgen.robustness.transfer import annotate, transfer_matrix

    spec = parse_spec(args.spec)
    pairs = [m.split("=", 1) for m in args.models]
    if any(len(p) != 2 for p in pairs):
        raise ConfigError("--models: expected NAME=PATH entries")
    test = load_prepared(args.test)
    idx = eval_subset(test.labels, spec["eval"]["max_examples"])
    with start_job(spec, seed=False) as device:
        models = {name: load_classifier(path, device) for name, path in pairs}
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        table = transfer_matrix(
            models,
            x,
            y,
            spec["attacks"],
            spec["transfer"]["eps"],
            batch_size=spec["eval"]["batch_size"],
            noise_seed=spec["transfer"]["noise_seed"],
        )
    if args.meta:
        meta = parse_spec(args.meta, what="--meta")
        unknown = sorted(set(meta) - {name for name, _ in pairs})
        if unknown:
            raise ConfigError(f"--meta: no model named {', '.join(unknown)}")
        table = annotate(table, meta)
    write_parquet(table, args.out)
    log.info("transfer matrix: %d rows", len(table))
