"""One point of the inversion sweep: its generator inverted on the point's digits
(:mod:`advgen.sweeps.inversion`), with the controls' other-class digits and independent start,
and the tables of it (pure: :func:`inversion_tables`)."""

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
from advgen.sweeps.inpainting import psnr
from advgen.sweeps.inversion import InversionResult, InversionSettings, invert
from advgen.sweeps.masks import other_class, select_indices
from advgen.sweeps.spec import InpaintingPoint, InversionPoint
from advgen.sweeps.tables import point_frame

log = logging.getLogger(__name__)


def start_options(
    models: jobs.SweepModels, x: torch.Tensor, spec: InversionPoint | InpaintingPoint
) -> dict[str, Any]:
    """Where a point's inversion of ``x`` starts: its ``seed``, ``z_init`` ``E(x)`` when the point
    starts from the encoder (``init: encoder``, else ``None``) and the generator's ``z_dim``."""
    z_init = None
    if spec.init == "encoder":
        assert models.encoder is not None, "init: encoder on a generator without an encoder"
        z_init = jobs.encode(models.encoder, x)
    return {"seed": spec.seed, "z_init": z_init, "z_dim": models.z_dim}


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
    result = invert(models.generator, x, settings, **start_options(models, x, spec))
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
