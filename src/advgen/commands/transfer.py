"""``advgen transfer``: the i x j transfer matrix of FGSM/PGD examples, with noise baselines."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output, add_spec

HELP = "transfer matrix: adversarial examples from model i evaluated on model j (results/robustness/transfer.parquet)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(
        p,
        "TransferSpec",
        required=True,
        help="JSON: {transfer: {eps, noise_seed, within (optional: a --meta key; one matrix per value)}, "
        "attacks, eval, device}",
    )
    add_input(
        p, "--models", named=True, nargs="+", required=True, help="inputs: NAME=checkpoint.pt per classifier"
    )
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--out", required=True, help="output: long-form matrix (.parquet)")
    p.add_argument(
        "--meta",
        default=None,
        help="JSON {name: {key: value}}: adds source_<key> / target_<key> columns (capacity matrix: width, mode; "
        "its transfer.within key, the seed, is one column instead)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import eval_subset, load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.robustness.spec import TransferSpec
    from advgen.robustness.transfer import annotate, transfer_matrix, transfer_within

    spec = load_spec(args.spec, spec_type=TransferSpec)
    pairs = [m.split("=", 1) for m in args.models]
    if any(len(p) != 2 for p in pairs):
        raise ConfigError("--models: expected NAME=PATH entries")
    settings = spec.transfer
    within = settings.within
    meta = parse_spec(args.meta, what="--meta") if args.meta else None
    if meta is not None:
        unknown = sorted(set(meta) - {name for name, _ in pairs})
        if unknown:
            raise ConfigError(f"--meta: no model named {', '.join(unknown)}")
    if within:
        lacking = sorted(name for name, _ in pairs if within not in (meta or {}).get(name, {}))
        if lacking:
            raise ConfigError(f"--meta: no {within!r} for model(s) {', '.join(lacking)} (transfer.within)")
    test = load_prepared(args.test)
    idx = eval_subset(test.labels, spec.eval.max_examples)
    with start_job(spec, seed=False) as device:
        models = {name: load_classifier(path, device, data=[test]) for name, path in pairs}
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        options = {"batch_size": spec.eval.batch_size, "noise_seed": settings.noise_seed}
        if within:
            assert meta is not None
            table = transfer_within(models, meta, within, x, y, spec.attacks, settings.eps, **options)
        else:
            table = transfer_matrix(models, x, y, spec.attacks, settings.eps, **options)
    if meta is not None and not within:
        table = annotate(table, meta)
    write_parquet(table, args.out)
    log.info("transfer matrix: %d rows", len(table))
