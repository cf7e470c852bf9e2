"""``advgen train-ae``: train (or resume) one autoencoder experiment."""

from __future__ import annotations

import argparse
import os

HELP = "train an autoencoder (resumes from <out>/resume/last.pt); writes checkpoint, losses, latent CDFs, grids, metrics"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the experiment's config entry (autoencoders.<name>) as JSON, seed included")
    p.add_argument("--train", required=True, help="input: prepared training split (.pt)")
    p.add_argument("--test", required=True, help="input: prepared held-out split (.pt): test MSE and latent CDFs")
    p.add_argument("--out", required=True, help="output folder (results/autoencoders/<name>)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device preference (default: auto)")
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        default=int(os.environ["ADVGEN_STOP_AFTER_EPOCHS"]) if os.environ.get("ADVGEN_STOP_AFTER_EPOCHS") else None,
        help="exit with an error after this many epochs of this invocation, leaving the resume checkpoint "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.ae import AeOutputs, train_autoencoder
    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.gan.spec import complete_spec

    spec = complete_spec(parse_spec(args.spec), "autoencoder")
    if "seed" not in spec:
        raise ConfigError("--spec: seed: missing required key 'seed'")
    with lease_device(args.device) as device:
        train_autoencoder(spec, args.train, args.test, AeOutputs.under(args.out), device=device, stop_after_epochs=args.stop_after_epochs)
