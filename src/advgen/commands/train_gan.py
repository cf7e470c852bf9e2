"""``advgen train-gan``: train (or resume) one GAN experiment."""

from __future__ import annotations

import argparse

HELP = "train a GAN (resuming from <resume-dir>/last.pt); writes checkpoint, losses, sample grids, status"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the experiment's config entry (gans.<name>) as JSON, seed included")
    p.add_argument("--train", required=True, help="input: prepared training split (results/data/<dataset>/train.pt)")
    p.add_argument("--checkpoint", required=True, help="output: checkpoint.pt (G, D, optimizers, epoch, RNG, config)")
    p.add_argument("--losses", required=True, help="output: per-iteration losses and gradient norms (.parquet)")
    p.add_argument("--samples", required=True, help="output: folder of fixed-noise grids, epoch_NNN.png")
    p.add_argument("--status", required=True, help="output: status and metadata (.json)")
    p.add_argument("--resume-dir", help="folder for resume/last.pt while training (default: <checkpoint folder>/resume)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device preference (default: auto)")
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def main(args: argparse.Namespace) -> None:
    from pathlib import Path

    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.gan import GanOutputs, train_gan
    from advgen.training import stop_after_epochs
    from advgen.gan.spec import complete_spec

    spec = complete_spec(parse_spec(args.spec), "gan")
    if "seed" not in spec:
        raise ConfigError("--spec: seed: missing required key 'seed'")
    with lease_device(args.device) as device:
        outputs = GanOutputs(
            Path(args.checkpoint),
            Path(args.losses),
            Path(args.samples),
            Path(args.status),
            Path(args.resume_dir) if args.resume_dir else Path(args.checkpoint).parent / "resume",
        )
        train_gan(spec, args.train, outputs, device=device, stop_after_epochs=stop_after_epochs(args.stop_after_epochs))
