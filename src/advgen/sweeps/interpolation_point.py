"""One point of the interpolation sweep: latent paths between pairs of digits, decoded
(:mod:`advgen.sweeps.interpolation`), and the tables of it (pure: :func:`interpolation_tables`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from advgen.sweeps import jobs
from advgen.sweeps.interpolation import (
    alphas,
    approach,
    blend_frames,
    choose_pairs,
    decode_paths,
    endpoint_mse,
    latent_path,
    path_metrics,
    similar_pairs,
)
from advgen.sweeps.inversion import InversionSettings, invert
from advgen.sweeps.spec import InterpolationPoint
from advgen.sweeps.tables import point_frame

log = logging.getLogger(__name__)


@dataclass
class InterpolationRun:
    paths: pd.DataFrame  # one row per pair
    frames: pd.DataFrame  # one row per pair and alpha
    images: torch.Tensor  # decoded frames (P, K, C, H, W), CPU
    preds: torch.Tensor  # (P, K) labels
    alphas: list[float]
    ends: torch.Tensor | None = None  # the real start and end images (P, 2, C, H, W), CPU
    end_labels: torch.Tensor | None = None  # their true labels (P, 2)

    def panel(self, title: str) -> dict[str, Any]:
        """The point's strips (:func:`advgen.sweeps.figures.interpolation_strips`): the real
        start image, the decoded frames labelled with the classifier's prediction, the real end image."""
        return {
            "title": title,
            "frames": self.images,
            "labels": self.preds,
            "weights": self.alphas,
            "ends": self.ends,
            "end_labels": self.end_labels,
        }


def interpolation_tables(
    spec: InterpolationPoint,
    pairs: torch.Tensor,
    labels: torch.Tensor,
    frames: torch.Tensor,
    probs: torch.Tensor,
    preds: torch.Tensor,
    weights: torch.Tensor,
    blend_preds: torch.Tensor | None = None,
    ends: torch.Tensor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-pair path metrics and the per-alpha labels/probabilities (``probs`` is ``(P, K, classes)``);
    ``blend_preds`` ``(P, K)``: the labels of the end frames' pixel cross-fades, ``ends`` the real
    start and end images ``(P, 2, C, H, W)`` (:mod:`advgen.sweeps.interpolation`)."""
    p, k = preds.shape
    labels = labels.view(p, 2)
    metrics = path_metrics(frames, preds, labels)
    nan = torch.full((p,), float("nan"))
    blend_third = (
        path_metrics(frames, blend_preds, labels)["third_class"] if blend_preds is not None else None
    )
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
            "latent": spec.latent,
            "pred_start": start.numpy(),
            "pred_end": end.numpy(),
            "labels_path": ["-".join(str(int(v)) for v in row) for row in preds],
            "mean_step_l2": metrics["mean_step_l2"].numpy(),
            "path_length_ratio": metrics["path_length_ratio"].numpy(),
            "max_step_ratio": metrics["max_step_ratio"].numpy(),
            "label_changes": metrics["label_changes"].numpy(),
            "third_class": metrics["third_class"].numpy(),
            "min_endpoint_prob": torch.maximum(p_start, p_end).min(1).values.numpy(),
            "third_class_blend": (
                blend_third if blend_third is not None else torch.zeros(p, dtype=torch.bool)
            ).numpy(),
            "endpoint_mse": (endpoint_mse(frames, ends) if ends is not None else nan).numpy(),
            "endpoint_mse_other": (
                endpoint_mse(frames, ends.roll(1, 0)) if ends is not None else nan
            ).numpy(),
            "end_approach": approach(frames, frames[:, -1]).numpy(),
            "end_approach_other": approach(frames, frames[:, -1].roll(1, 0)).numpy(),
            "pair_l2": (
                (ends[:, 0] - ends[:, 1]).flatten(1).norm(dim=1) if ends is not None else nan
            ).numpy(),
            "similar_pair": similar_pairs(labels).numpy(),
        },
    )
    pair, step = torch.meshgrid(torch.arange(p), torch.arange(k), indexing="ij")
    per_alpha = pd.DataFrame(
        {
            "point": spec.point,
            "generator": spec.generator,
            "pair": pair.reshape(-1).numpy(),
            "alpha": weights[step.reshape(-1)].numpy(),
            "pred": preds.reshape(-1).numpy(),
            "prob": probs.max(2).values.reshape(-1).numpy(),
            "prob_start": p_start.reshape(-1).numpy(),
            "prob_end": p_end.reshape(-1).numpy(),
        }
    )
    return table, per_alpha


def run_interpolation(spec: InterpolationPoint, job: jobs.SweepJob) -> InterpolationRun:
    """Decode straight latent paths between ``spec.num_pairs`` pairs of held-out images."""
    pairs = choose_pairs(job.labels, spec.num_pairs, seed=spec.seed, distinct_labels=spec.distinct_labels)
    p = len(pairs)
    images, labels = job.subset(pairs.reshape(-1))
    weights = alphas(spec.num_alphas)
    models = job.models
    x = images.to(job.device)
    if spec.latent == "encoder":
        assert models.encoder is not None, "latent: encoder on a generator without an encoder"
        z = jobs.encode(models.encoder, x)
    else:
        settings = InversionSettings.from_spec(spec)
        z = invert(models.generator, x, settings, seed=spec.seed, z_dim=models.z_dim).z
    z = z.view(p, 2, -1)
    frames = decode_paths(models.generator, latent_path(z[:, 0], z[:, 1], weights)).cpu()
    k = frames.shape[1]
    probs, preds = jobs.predict(models.classifier, frames.flatten(0, 1))
    probs, preds = probs.view(p, k, -1), preds.view(p, k)
    _, blend_preds = jobs.predict(models.classifier, blend_frames(frames, weights).flatten(0, 1))
    ends = images.view(p, 2, *images.shape[1:]).cpu()
    table, per_alpha = interpolation_tables(
        spec, pairs, labels, frames, probs, preds, weights, blend_preds.view(p, k), ends
    )
    log.info(
        "%d pairs: median path-length ratio %.3f, third class on %d",
        p,
        table["path_length_ratio"].median(),
        int(table["third_class"].sum()),
    )
    return InterpolationRun(table, per_alpha, frames, preds, weights.tolist(), ends, labels.view(p, 2).cpu())
