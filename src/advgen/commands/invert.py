"""``advgen invert``: one grid point of the inversion sweep (batched restarts, best-restart gather)."""

from __future__ import annotations

import argparse
import logging

HELP = "invert a generator on held-out images from random restarts (one inversion grid point)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the grid point's spec as JSON (see advgen.sweeps.grid)")
    p.add_argument("--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument("--final", required=True, help="output: per-image metrics (.parquet)")
    p.add_argument("--steps", required=True, help="output: loss per step, image and restart (.parquet)")
    p.add_argument("--latents", required=True, help="output: recovered z (.pt)")
    p.add_argument("--figure", required=True, help="output: loss per restart for a few images (.png)")


def main(args: argparse.Namespace) -> None:
    import time

    import pandas as pd
    import torch

    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.io import save_torch, write_parquet
    from advgen.seeding import seed_everything
    from advgen.sweeps import figures, jobs
    from advgen.sweeps.inpainting import psnr
    from advgen.sweeps.inversion import InversionSettings, invert
    from advgen.sweeps.masks import select_indices
    from advgen.sweeps.tables import point_frame

    spec = parse_spec(args.spec)
    seed_everything(spec["seed"])
    settings = InversionSettings.from_spec(spec)
    with lease_device(spec["device"]) as device:
        models = jobs.load_models(spec, args.generator, args.classifier, device)
        _, labels_all = jobs.load_images(args.images)
        indices = select_indices(len(labels_all), spec["num_images"], spec["seed"])
        images, labels = jobs.load_images(args.images, indices)
        x = images.to(device)
        z_init = None
        if spec["init"] == "encoder":
            z_init = jobs.encode(models.encoder, x)
        start = time.perf_counter()
        result = invert(models.generator, x, settings, seed=spec["seed"], z_init=z_init, z_dim=models.z_dim)
        seconds = time.perf_counter() - start
        _, pred_target = jobs.predict(models.classifier, images)
        _, pred_recon = jobs.predict(models.classifier, result.images)
    n, r = len(indices), settings.restarts
    log.info("%d images x %d restarts x %d steps in %.1f s", n, r, settings.steps, seconds)
    losses = result.losses.cpu()
    final = losses[-1]
    mse = final.gather(1, result.best_restart.cpu().view(-1, 1)).squeeze(1)
    table = point_frame(
        spec,
        {
            "image": indices.numpy(),
            "label": labels.numpy(),
            "mse": mse.numpy(),
            "psnr": psnr(mse).numpy(),
            "best_restart": result.best_restart.cpu().numpy(),
            "first_restart_mse": final[:, 0].numpy(),
            "mean_restart_mse": final.mean(1).numpy(),
            "pred_target": pred_target.numpy(),
            "pred_recon": pred_recon.numpy(),
            "label_kept": (pred_target == pred_recon).numpy(),
        },
    )
    t = losses.shape[0]
    step, image, restart = torch.meshgrid(torch.arange(t), indices, torch.arange(r), indexing="ij")
    best = (torch.arange(r).view(1, 1, r) == result.best_restart.cpu().view(1, n, 1)).expand(t, n, r)
    steps = pd.DataFrame(
        {
            "point": spec["point"],
            "generator": spec["generator"],
            "image": image.reshape(-1).numpy(),
            "restart": restart.reshape(-1).numpy(),
            "step": step.reshape(-1).numpy(),
            "loss": losses.reshape(-1).numpy(),
            "best": best.reshape(-1).numpy(),
        }
    )
    log.info("median final MSE %.5f (restart 0 alone: %.5f)", table["mse"].median(), table["first_restart_mse"].median())
    figures.inversion_losses(losses, result.best_restart, images, result.images, args.figure)
    save_torch(
        {
            "kind": "inversion_latents",
            "z": result.z.cpu(),
            "z_all": result.z_all.cpu(),
            "best_restart": result.best_restart.cpu(),
            "indices": indices,
            "config": spec,
        },
        args.latents,
    )
    write_parquet(steps, args.steps)
    write_parquet(table, args.final)
