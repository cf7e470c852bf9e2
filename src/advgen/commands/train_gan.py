"""``advgen train-gan``: train (or resume) one GAN experiment."""

from __future__ import annotations

import argparse

from advgen.commands._args import add_input, add_output, add_spec, add_training_arguments, resume_dir

HELP = "train a GAN (resuming from <resume-dir>/last.pt); writes checkpoint, losses, sample grids, status"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(
        p,
        "gan",
        schema="generative.schema.yaml",
        required=True,
        help="the experiment's config entry (gans.<name>) as JSON, seed included",
    )
    add_input(
        p, "--train", required=True, help="input: prepared training split (results/data/<dataset>/train.pt)"
    )
    add_output(
        p, "--checkpoint", required=True, help="output: checkpoint.pt (G, D, optimizers, epoch, RNG, config)"
    )
    add_output(
        p, "--losses", required=True, help="output: per-iteration losses and gradient norms (.parquet)"
    )
    add_output(p, "--samples", required=True, help="output: folder of fixed-noise grids, epoch_NNN.png")
    add_output(p, "--status", required=True, help="output: status and metadata (.json)")
    add_training_arguments(p)


def main(args: argparse.Namespace) -> None:
    from pathlib import Path

    from advgen.gan import GanOutputs, train_gan
    from advgen.gan.spec import GanSpec
    from advgen.jobs import load_spec, start_job
    from advgen.training import stop_after_epochs

    spec = load_spec(args.spec, definition="gan", require_seed=True, spec_type=GanSpec)
    with start_job(spec, device=args.device, seed=False) as device:
        outputs = GanOutputs(
            Path(args.checkpoint),
            Path(args.losses),
            Path(args.samples),
            Path(args.status),
            resume_dir(args),
        )
        train_gan(
            spec,
            args.train,
            outputs,
            device=device,
            stop_after_epochs=stop_after_epochs(args.stop_after_epochs),
        )
