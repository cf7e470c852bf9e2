"""``advgen train-gan``: train (or resume) one GAN experiment."""

from __future__ import annotations

import argparse
import os

HELP = "train a GAN (resumes from <out>/resume/last.pt); writes checkpoint, losses, samples, status"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the experiment's config entry (gans.<name>) as JSON, seed included")
    p.add_argument("--train", required=True, help="input: prepared training split (results/data/<dataset>/train.pt)")
    p.add_argument("--out", required=True, help="output folder (results/gans/<name>): checkpoint.pt, losses.parquet, samples/, status.json")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device preference (default: auto)")
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        default=int(os.environ["ADVGEN_STOP_AFTER_EPOCHS"]) if os.environ.get("ADVGEN_STOP_AFTER_EPOCHS") else None,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.gan import GanOutputs, train_gan
    from advgen.gan.spec import complete_spec

    spec = complete_spec(parse_spec(args.spec), "gan")
    if "seed" not in spec:
        raise ConfigError("--spec: seed: missing required key 'seed'")
    with lease_device(args.device) as device:
        train_gan(spec, args.train, GanOutputs.under(args.out), device=device, stop_after_epochs=args.stop_after_epochs)
