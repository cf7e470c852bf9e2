"""``advgen interpolate``: one grid point of the interpolation sweep (latent paths between pairs)."""

from __future__ import annotations

import argparse
import logging

HELP = "interpolate between pairs of held-out images in latent space (one interpolation grid point)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the grid point's spec as JSON (see advgen.sweeps.grid)")
    p.add_argument("--generator", required=True, help="GAN or autoencoder checkpoint (.pt)")
    p.add_argument("--classifier", required=True, help="classifier model (.pt)")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument("--out", required=True, help="output: one row per pair (.parquet)")
    p.add_argument("--frames", required=True, help="output: label and probabilities per pair and alpha (.parquet)")
    p.add_argument("--figure", required=True, help="output: interpolation strips (.png)")


def main(args: argparse.Namespace) -> None:
    import pandas as pd
    import torch

    from advgen.config import parse_spec
    from advgen.device import lease_device
    from advgen.io import write_parquet
    from advgen.seeding import seed_everything
    from advgen.sweeps import figures, jobs
    from advgen.sweeps.interpolation import alphas, choose_pairs, decode_paths, latent_path, path_metrics
    from advgen.sweeps.inversion import InversionSettings, invert
    from advgen.sweeps.tables import point_frame

    spec = parse_spec(args.spec)
    seed_everything(spec["seed"])
    _, labels_all = jobs.load_images(args.images)
    pairs = choose_pairs(labels_all, spec["num_pairs"], seed=spec["seed"], distinct_labels=spec["distinct_labels"])
    p = len(pairs)
    images, labels = jobs.load_images(args.images, pairs.reshape(-1))
    weights = alphas(spec["num_alphas"])
    with lease_device(spec["device"]) as device:
        models = jobs.load_models(spec, args.generator, args.classifier, device)
        x = images.to(device)
        if spec["latent"] == "encoder":
            z = jobs.encode(models.encoder, x)
        else:
            settings = InversionSettings.from_spec(spec)
            z = invert(models.generator, x, settings, seed=spec["seed"], z_dim=models.z_dim).z
        z = z.view(p, 2, -1)
        frames = decode_paths(models.generator, latent_path(z[:, 0], z[:, 1], weights)).cpu()
        k = frames.shape[1]
        probs, preds = jobs.predict(models.classifier, frames.flatten(0, 1))
    probs, preds = probs.view(p, k, -1), preds.view(p, k)
    labels = labels.view(p, 2)
    metrics = path_metrics(frames, preds, labels)
    start, end = preds[:, 0], preds[:, -1]
    p_start = probs.gather(2, start.view(p, 1, 1).expand(p, k, 1)).squeeze(2)
    p_end = probs.gather(2, end.view(p, 1, 1).expand(p, k, 1)).squeeze(2)
    table = point_frame(
        spec,
        {
            "pair": range(p),
            "start_image": pairs[:, 0].numpy(),
            "end_image": pairs[:, 1].numpy(),
            "start_label": labels[:, 0].numpy(),
            "end_label": labels[:, 1].numpy(),
            "latent": spec["latent"],
            "pred_start": start.numpy(),
            "pred_end": end.numpy(),
            "labels_path": ["-".join(str(int(v)) for v in row) for row in preds],
            "mean_step_l2": metrics["mean_step_l2"].numpy(),
            "path_length_ratio": metrics["path_length_ratio"].numpy(),
            "max_step_ratio": metrics["max_step_ratio"].numpy(),
            "label_changes": metrics["label_changes"].numpy(),
            "third_class": metrics["third_class"].numpy(),
            "min_endpoint_prob": torch.maximum(p_start, p_end).min(1).values.numpy(),
        },
    )
    pair, step = torch.meshgrid(torch.arange(p), torch.arange(k), indexing="ij")
    per_alpha = pd.DataFrame(
        {
            "point": spec["point"],
            "generator": spec["generator"],
            "pair": pair.reshape(-1).numpy(),
            "alpha": weights[step.reshape(-1)].numpy(),
            "pred": preds.reshape(-1).numpy(),
            "prob": probs.max(2).values.reshape(-1).numpy(),
            "prob_start": p_start.reshape(-1).numpy(),
            "prob_end": p_end.reshape(-1).numpy(),
        }
    )
    log.info(
        "%d pairs: median path-length ratio %.3f, third class on %d",
        p,
        table["path_length_ratio"].median(),
        int(table["third_class"].sum()),
    )
    figures.interpolation_strips(frames, preds, weights.tolist(), args.figure)
    write_parquet(per_alpha, args.frames)
    write_parquet(table, args.out)
