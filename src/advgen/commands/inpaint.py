"""``advgen inpaint``: one grid point of the inpainting sweep (inversion on the known pixels)."""

from __future__ import annotations

import argparse
import logging

HELP = "inpaint masked held-out images with a generator (one inpainting grid point)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the grid point's spec as JSON (see advgen.sweeps.grid)")
    p.add_argument("--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument("--masks", required=True, help="mask set written by `advgen sweep-masks` (.pt)")
    p.add_argument("--out", required=True, help="output: one row per image (.parquet)")
    p.add_argument("--figure", required=True, help="output: original / masked / restored examples (.png)")


def main(args: argparse.Namespace) -> None:
    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.errors import CheckpointError
    from advgen.io import load_torch, write_parquet
    from advgen.seeding import seed_everything
    from advgen.sweeps import figures, jobs
    from advgen.sweeps.inpainting import hidden_mse, inpaint, psnr
    from advgen.sweeps.inversion import InversionSettings, per_sample_mse
    from advgen.sweeps.masks import apply_mask
    from advgen.sweeps.tables import point_frame

    spec = parse_spec(args.spec)
    seed_everything(spec["seed"])
    settings = InversionSettings.from_spec(spec)
    masks = load_torch(args.masks, kind="inpainting_masks", required=("hidden", "indices", "config"))
    if masks["config"]["mask"] != spec["mask"]:
        raise CheckpointError(f"{args.masks}: holds '{masks['config']['mask']}' masks, the spec asks for '{spec['mask']}'")
    indices, hidden = masks["indices"], masks["hidden"]
    images, labels = jobs.load_images(args.images, indices)
    if hidden.shape[0] != len(images) or tuple(hidden.shape[2:]) != tuple(images.shape[2:]):
        raise CheckpointError(f"{args.masks}: masks of shape {tuple(hidden.shape)} do not fit images {tuple(images.shape)}")
    with lease_device(spec["device"]) as device:
        models = jobs.load_models(spec, args.generator, args.classifier, device)
        x, h = images.to(device), hidden.to(device)
        masked = apply_mask(x, h)
        z_init = jobs.encode(models.encoder, masked) if spec["init"] == "encoder" else None
        result = inpaint(models.generator, x, h, settings, seed=spec["seed"], z_init=z_init, z_dim=models.z_dim)
        completed = result.completed.cpu()
        _, pred_completed = jobs.predict(models.classifier, completed)
        _, pred_masked = jobs.predict(models.classifier, masked)
        generated = result.inversion.images.cpu()
    mse = hidden_mse(images, completed, hidden)
    table = point_frame(
        spec,
        {
            "image": indices.numpy(),
            "label": labels.numpy(),
            "mask": spec["mask"],
            "hidden_fraction": hidden.flatten(1).float().mean(1).numpy(),
            "mse_hidden": mse.numpy(),
            "psnr_hidden": psnr(mse).numpy(),
            "mse_known": per_sample_mse(generated, images, ~hidden).numpy(),
            "best_restart": result.inversion.best_restart.cpu().numpy(),
            "pred_completed": pred_completed.numpy(),
            "pred_masked": pred_masked.numpy(),
            "correct_completed": (pred_completed == labels).numpy(),
            "correct_masked": (pred_masked == labels).numpy(),
        },
    )
    log.info(
        "%s: median hidden MSE %.5f, accuracy completed %.3f vs masked %.3f",
        spec["mask"],
        table["mse_hidden"].median(),
        table["correct_completed"].mean(),
        table["correct_masked"].mean(),
    )
    figures.inpainting_examples(images, masked.cpu(), completed, args.figure)
    write_parquet(table, args.out)
