"""``advgen train-ae``: train (or resume) one autoencoder experiment."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output, add_spec, add_training_arguments, resume_dir

HELP = (
    "train an autoencoder (resuming from <resume-dir>/last.pt); "
    "writes checkpoint, losses, latent CDFs, grids, metrics"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(
        p,
        "autoencoder",
        schema="generative.schema.yaml",
        required=True,
        help="the experiment's config entry (autoencoders.<name>) as JSON, seed included",
    )
    add_input(p, "--train", required=True, help="input: prepared training split (.pt)")
    add_input(
        p, "--test", required=True, help="input: prepared held-out split (.pt): test MSE and latent CDFs"
    )
    add_output(
        p, "--checkpoint", required=True, help="output: checkpoint.pt (model, optimizer, epoch, RNG, config)"
    )
    add_output(p, "--losses", required=True, help="output: per-iteration image/moment losses (.parquet)")
    add_output(
        p, "--latent-cdf", required=True, help="output: latent quantiles vs N(0, 1) per epoch (.parquet)"
    )
    add_output(p, "--novel", required=True, help="output: grid of decoded z ~ N(0, I) (.png)")
    add_output(
        p, "--reconstructions", required=True, help="output: test images over their reconstructions (.png)"
    )
    add_output(p, "--metrics", required=True, help="output: test MSE, status and metadata (.json)")
    add_training_arguments(p)


def main(args: argparse.Namespace) -> None:
    from pathlib import Path

    from advgen.ae import AeOutputs, train_autoencoder
    from advgen.ae.spec import AeSpec
    from advgen.jobs import load_spec, start_job
    from advgen.training import stop_after_epochs

    spec = load_spec(args.spec, definition="autoencoder", require_seed=True, spec_type=AeSpec)
    with start_job(spec, device=args.device, seed=False) as device:
        outputs = AeOutputs(
            Path(args.checkpoint),
            Path(args.losses),
            Path(args.latent_cdf),
            Path(args.novel),
            Path(args.reconstructions),
            Path(args.metrics),
            resume_dir(args),
        )
        train_autoencoder(
            spec,
            args.train,
            args.test,
            outputs,
            device=device,
            stop_after_epochs=stop_after_epochs(args.stop_after_epochs),
        )
