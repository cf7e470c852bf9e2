"""One grid point of the inversion, interpolation and inpainting sweeps.

Each ``run_*`` function runs one point (its typed spec, :mod:`advgen.sweeps.spec`) on the
models and images its job loaded (:class:`~advgen.sweeps.jobs.SweepJob`): the experiment
(:mod:`~advgen.sweeps.inversion`, :mod:`~advgen.sweeps.interpolation`,
:mod:`~advgen.sweeps.inpainting`), returning its tables (one row per image or pair, ID
columns first: :func:`~advgen.sweeps.tables.point_frame`) with what its figure panel needs.
:mod:`advgen.sweeps.generator_job` seeds the point and shapes what its command writes. The
``*_tables`` functions turn tensors into the output tables; they are pure.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from advgen.specs import spec_dict
from advgen.sweeps import jobs
from advgen.sweeps.inpainting import InpaintingResult, hidden_mse, psnr
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
from advgen.sweeps.inversion import InversionResult, InversionSettings, invert, per_sample_mse
from advgen.sweeps.masked_inversion import METHODS
from advgen.sweeps.masks import apply_mask, mask_set, other_class, select_indices
from advgen.sweeps.spec import InpaintingPoint, InterpolationPoint, InversionPoint
from advgen.sweeps.tables import point_frame

log = logging.getLogger(__name__)


def _encoder_init(
    models: jobs.SweepModels, x: torch.Tensor, spec: InversionPoint | InpaintingPoint
) -> torch.Tensor | None:
    """``E(x)`` when the point starts from the encoder (``init: encoder``), else ``None``."""
    return jobs.encode(models.encoder, x) if spec.init == "encoder" else None


# --- inversion ---

#: seed offset of the independent single start recorded next to a best-of-R inversion
INDEPENDENT_SEED_OFFSET = 1_000_003
#: seed offset of the draws of another class's digit per target (the controls' "other digit")
OTHER_SEED_OFFSET = 2_000_003


@dataclass
class OtherDigits:
    """Per inverted target, two seeded draws of a test digit of another class
    (:func:`~advgen.sweeps.masks.other_class`): the first's index, classifier label and both
    digits' images (the controls of "the same digit" and "the size of the digit")."""

    index: torch.Tensor
    pred: torch.Tensor
    images: torch.Tensor
    images2: torch.Tensor


def other_digits(job: jobs.SweepJob, indices: torch.Tensor, seed: int) -> OtherDigits:
    """Two digits of another class per target, drawn from the job's test split (seeded)."""
    rng_seed = seed + OTHER_SEED_OFFSET
    first = other_class(job.labels, indices, rng_seed)
    second = other_class(job.labels, indices, rng_seed + 1)
    images, _ = job.subset(first)
    images2, _ = job.subset(second)
    _, pred = jobs.predict(job.models.classifier, images)
    return OtherDigits(first, pred, images, images2)


@dataclass
class InversionRun:
    final: pd.DataFrame  # one row per image
    steps: pd.DataFrame  # loss per step, image and restart
    latents: dict[str, Any]  # the ``inversion_latents`` checkpoint
    result: InversionResult
    images: torch.Tensor  # the targets (CPU)

    def panel(self) -> dict[str, torch.Tensor]:
        """The figure's rows: targets and their reconstructions G(z) (the loss curves are the
        plots stage's ``inversion_restarts`` figure)."""
        return {"target": self.images, "G(z)": self.result.images.cpu()}


def inversion_tables(
    spec: InversionPoint,
    indices: torch.Tensor,
    labels: torch.Tensor,
    result: InversionResult,
    pred_target: torch.Tensor,
    pred_recon: torch.Tensor,
    independent: torch.Tensor | None = None,
    targets: torch.Tensor | None = None,
    other: OtherDigits | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-image metrics (best restart gathered) and the long loss table ``(step, image, restart)``.

    ``independent``: the final MSE of one more random start per image, drawn from another seed
    than the restarts (a single start independent of the best of R; NaN when not run).
    ``targets``: the inverted images (CPU), for the digit's area of target and G(z)
    (``ink_*``; NaN without them). ``other``: two digits of another class per target, the
    controls' (their index, label and areas; -1 and NaN without them).
    """
    losses = result.losses.cpu()
    best_restart = result.best_restart.cpu()
    t, n, r = losses.shape
    final = losses[-1]
    mse = final.gather(1, best_restart.view(-1, 1)).squeeze(1)
    initial = losses[0].gather(1, best_restart.view(-1, 1)).squeeze(1)
    table = point_frame(
        spec,
        {
            "image": indices.numpy(),
            "label": labels.numpy(),
            "mse": mse.numpy(),
            "psnr": psnr(mse).numpy(),
            "best_restart": best_restart.numpy(),
            "first_restart_mse": final[:, 0].numpy(),
            "mean_restart_mse": final.mean(1).numpy(),
            "independent_start_mse": (
                independent.cpu().numpy()
                if independent is not None
                else torch.full((n,), float("nan")).numpy()
            ),
            "pred_target": pred_target.numpy(),
            "pred_recon": pred_recon.numpy(),
            "label_kept": (pred_target == pred_recon).numpy(),
            "other_image": (other.index if other is not None else torch.full((n,), -1)).numpy(),
            "pred_other": (other.pred if other is not None else torch.full((n,), -1)).numpy(),
            "initial_mse": initial.numpy(),
            **_inks(targets, result.images, other, n),
        },
    )
    step, image, restart = torch.meshgrid(torch.arange(t), indices, torch.arange(r), indexing="ij")
    best = (torch.arange(r).view(1, 1, r) == best_restart.view(1, n, 1)).expand(t, n, r)
    steps = pd.DataFrame(
        {
            "point": spec.point,
            "generator": spec.generator,
            "image": image.reshape(-1).numpy(),
            "restart": restart.reshape(-1).numpy(),
            "step": step.reshape(-1).numpy(),
            "loss": losses.reshape(-1).numpy(),
            "best": best.reshape(-1).numpy(),
        }
    )
    return table, steps


def _inks(
    targets: torch.Tensor | None, recon: torch.Tensor, other: OtherDigits | None, n: int
) -> dict[str, Any]:
    from advgen.sweeps.image_stats import ink

    nan = torch.full((n,), float("nan")).numpy()
    out = {"ink_target": nan, "ink_recon": nan, "ink_other": nan, "ink_other2": nan}
    if targets is not None:
        out["ink_target"] = ink(targets.cpu()).numpy()
        out["ink_recon"] = ink(recon.detach().cpu()).numpy()
    if other is not None:
        out["ink_other"] = ink(other.images.cpu()).numpy()
        out["ink_other2"] = ink(other.images2.cpu()).numpy()
    return out


def run_inversion(spec: InversionPoint, job: jobs.SweepJob) -> InversionRun:
    """Invert the generator on ``spec.num_images`` held-out images from batched restarts."""
    settings = InversionSettings.from_spec(spec)
    models = job.models
    indices = select_indices(len(job.labels), spec.num_images, spec.seed)
    images, labels = job.subset(indices)
    x = images.to(job.device)
    start = time.perf_counter()
    result = invert(
        models.generator,
        x,
        settings,
        seed=spec.seed,
        z_init=_encoder_init(models, x, spec),
        z_dim=models.z_dim,
    )
    seconds = time.perf_counter() - start
    _, pred_target = jobs.predict(models.classifier, images)
    _, pred_recon = jobs.predict(models.classifier, result.images)
    log.info(
        "%d images x %d restarts x %d steps in %.1f s",
        len(indices),
        settings.restarts,
        settings.steps,
        seconds,
    )
    independent = None
    if settings.restarts > 1 and spec.init == "random":
        # one more start from another seed: the independent single start the best of R is compared with
        single = invert(
            models.generator,
            x,
            dataclasses.replace(settings, restarts=1),
            seed=spec.seed + INDEPENDENT_SEED_OFFSET,
            z_dim=models.z_dim,
        )
        independent = single.losses[-1][:, 0]
    final, steps = inversion_tables(
        spec,
        indices,
        labels,
        result,
        pred_target,
        pred_recon,
        independent,
        images,
        other_digits(job, indices, spec.seed),
    )
    log.info(
        "median final MSE %.5f (restart 0 alone: %.5f)",
        final["mse"].median(),
        final["first_restart_mse"].median(),
    )
    latents = {
        "kind": "inversion_latents",
        "z": result.z.cpu(),
        "z_all": result.z_all.cpu(),
        "best_restart": result.best_restart.cpu(),
        "indices": indices,
        "config": spec_dict(spec),
    }
    return InversionRun(final, steps, latents, result, images)


# --- interpolation ---


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


# --- inpainting ---


@dataclass
class InpaintingRun:
    table: pd.DataFrame  # one row per image
    images: torch.Tensor  # originals, masked, completed (CPU)
    masked: torch.Tensor
    completed: torch.Tensor

    def panel(self) -> dict[str, torch.Tensor]:
        """The figure's rows: original, masked and restored examples."""
        return {"original": self.images, "masked": self.masked, "restored": self.completed}


def inpainting_table(
    spec: InpaintingPoint,
    indices: torch.Tensor,
    labels: torch.Tensor,
    hidden: torch.Tensor,
    images: torch.Tensor,
    result: InpaintingResult,
    pred_completed: torch.Tensor,
    pred_masked: torch.Tensor,
) -> pd.DataFrame:
    """Per-image error on the hidden and on the known pixels, and the classifier's labels."""
    from advgen.sweeps.image_stats import hidden_ink, mask_centre

    completed = result.completed.cpu()
    mse = hidden_mse(images, completed, hidden)
    row, col = mask_centre(hidden)
    return point_frame(
        spec,
        {
            "image": indices.numpy(),
            "label": labels.numpy(),
            "mask": spec.mask,
            "hidden_fraction": hidden.flatten(1).float().mean(1).numpy(),
            "hidden_ink": hidden_ink(images, hidden).numpy(),
            "mask_row": row.numpy(),
            "mask_col": col.numpy(),
            "mse_hidden": mse.numpy(),
            "psnr_hidden": psnr(mse).numpy(),
            "mse_known": per_sample_mse(result.inversion.images.cpu(), images, ~hidden).numpy(),
            "best_restart": result.inversion.best_restart.cpu().numpy(),
            "pred_completed": pred_completed.numpy(),
            "pred_masked": pred_masked.numpy(),
            "correct_completed": (pred_completed == labels).numpy(),
            "correct_masked": (pred_masked == labels).numpy(),
        },
    )


def run_inpainting(spec: InpaintingPoint, job: jobs.SweepJob) -> InpaintingRun:
    """Restore the hidden pixels of the point's masks (:func:`~advgen.sweeps.masks.mask_set`,
    the same for every generator): inversion on the known pixels (``known_pixels``) or of
    the whole masked image (``masked_inversion``, the GAN report's), ``spec.method``."""
    settings = InversionSettings.from_spec(spec)
    _, height, width = job.images.shape[1:]
    indices, hidden = mask_set(spec.masks, len(job.labels), height, width)
    images, labels = job.subset(indices)
    models = job.models
    x, h = images.to(job.device), hidden.to(job.device)
    masked = apply_mask(x, h)
    method = METHODS[spec.method]
    result = method(
        models.generator,
        x,
        h,
        settings,
        seed=spec.seed,
        z_init=_encoder_init(models, masked, spec),
        z_dim=models.z_dim,
    )
    _, pred_completed = jobs.predict(models.classifier, result.completed.cpu())
    _, pred_masked = jobs.predict(models.classifier, masked)
    table = inpainting_table(spec, indices, labels, hidden, images, result, pred_completed, pred_masked)
    log.info(
        "%s: median hidden MSE %.5f, accuracy completed %.3f vs masked %.3f",
        spec.mask,
        table["mse_hidden"].median(),
        table["correct_completed"].mean(),
        table["correct_masked"].mean(),
    )
    return InpaintingRun(table, images, masked.cpu(), result.completed.cpu())
