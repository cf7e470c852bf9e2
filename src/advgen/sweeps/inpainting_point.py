"""One point of the inpainting sweep: masked digits completed by a masked inversion
(:mod:`advgen.sweeps.inpainting`), and the table of it (pure: :func:`inpainting_table`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import torch

from advgen.sweeps import jobs
from advgen.sweeps.inpainting import InpaintingResult, hidden_mse, psnr
from advgen.sweeps.inversion import InversionSettings, per_sample_mse
from advgen.sweeps.inversion_point import start_options
from advgen.sweeps.masked_inversion import METHODS
from advgen.sweeps.masks import apply_mask, mask_set
from advgen.sweeps.spec import InpaintingPoint
from advgen.sweeps.tables import point_frame

log = logging.getLogger(__name__)


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
    result = method(models.generator, x, h, settings, **start_options(models, masked, spec))
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
