"""One row of the sample-quality table: a generator's samples (or real held-out images)
scored under a classifier against the real training images (:func:`quality_row`)."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from advgen.metrics.evaluate import combined_status, generate, quality_row
from advgen.metrics.gate import gate
from advgen.metrics.spec import SampleQualitySpec

log = logging.getLogger(__name__)


def read_info(path: str | Path) -> dict[str, Any]:
    """A run's status.json / metrics.json: a JSON object; missing, unreadable or another shape is a
    one-line :class:`~advgen.errors.CheckpointError` naming the file."""
    from advgen import strict_json
    from advgen.errors import CheckpointError, ConfigError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckpointError(f"{path}: file not found (the run's status.json / metrics.json)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        details = strict_json.loads(text, str(path))
    except ConfigError as exc:
        raise CheckpointError(str(exc)) from None
    if not isinstance(details, dict):
        raise CheckpointError(f"{path}: expected a JSON object (the run's status and metadata)")
    return details


def sample_quality_row(
    spec: SampleQualitySpec,
    *,
    name: str,
    dataset: str,
    classifier: str | Path,
    reference: str | Path,
    device: str,
    model: str | Path | None = None,
    real: str | Path | None = None,
    info: str | Path | None = None,
    classifier_name: str = "",
    bars: dict[str, dict[str, Any]] | None = None,
    grid: str | Path | None = None,
) -> dict[str, Any]:
    """Score ``model`` (``spec.n_samples`` samples from z ~ N(0, I)) or the images of ``real``.

    Args:
        spec: the ``sample_quality`` section (``generative.schema.yaml``), seed included.
        name, dataset, classifier_name: recorded in the row.
        classifier: classifier model.pt, the feature extractor.
        reference: prepared training split, the real distribution.
        info: the run's status.json / metrics.json (training status, autoencoder test MSE).
        bars: the quality bars of the run's roles (role -> bar; :mod:`advgen.metrics.gate`).
        grid: where to write a PNG of 64 of the scored images (real images: a class-stratified
            choice, since a split may be ordered by class).

    Returns:
        The row: ``model``, ``family``, ``dataset``, ``classifier``, the scores of
        :func:`quality_row`, ``train_status``, ``status``, ``test_mse``, ``roles`` (the roles
        with bars, comma-separated), ``gate`` and ``gate_failures``.
    """
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.data.prepared import load_prepared

    if (model is None) == (real is None):
        raise ValueError("give exactly one of model and real")
    details = read_info(info) if info else {}
    ref = load_prepared(reference)
    net = load_classifier(classifier, device, data=[ref])
    family, images, labels = _scored_images(spec, device, model, real)
    if grid is not None:
        from advgen.gan.grid import save_grid

        shown = images[:64] if labels is None else images[stratified(labels, 64)]
        save_grid(shown, grid, nrow=8)
    scores = quality_row(
        net,
        images,
        ref.images,
        features=spec.features,
        is_splits=spec.is_splits,
        num_classes=ref.num_classes,
        pr_k=spec.pr_k,
        **_batches(spec, device),
    )
    train_status = details.get("status", "ok")
    row = {
        "model": name,
        "family": family,
        "dataset": dataset,
        "classifier": classifier_name,
        **scores,
        "train_status": train_status,
        "status": combined_status(
            train_status, scores["modes"], scores["num_classes"], spec.collapse_fraction
        ),
        "test_mse": float(details.get("test_mse", math.nan)),
        "roles": ", ".join(sorted(bars or {})),
    }
    row.update(gate(row, bars))
    _log_row(row)
    return row


def _batches(spec: SampleQualitySpec, device: str) -> dict[str, Any]:
    """The keywords that drawing the samples (:func:`generate`) and scoring them
    (:func:`quality_row`) share: the spec's batch size and seed, and the device."""
    return {"batch_size": spec.batch_size, "seed": spec.seed, "device": device}


def _scored_images(
    spec: SampleQualitySpec, device: str, model: str | Path | None, real: str | Path | None
) -> tuple[str, Any, Any]:
    """(family, images, labels) of what is scored: ``spec.n_samples`` samples of ``model`` (no
    labels), or the images of the prepared split ``real``."""
    from advgen.checkpoints import load_torch
    from advgen.data.prepared import load_prepared
    from advgen.models.loading import load_generator

    if model is not None:
        family = load_torch(model).get("kind", "")
        generator, z_dim = load_generator(model, device)
        images = generate(generator, z_dim, spec.n_samples, **_batches(spec, device))
        return family, images, None
    assert real is not None, "a row scores a model or a real split"
    split = load_prepared(real)
    return "real", split.images, split.labels


def _log_row(row: dict[str, Any]) -> None:
    log.info(
        "%s (%s): FID %.3f IS %.3f modes %d/%d KL %.3f mean max-prob %.3f precision %.3f recall %.3f "
        "status %s gate %s %s",
        row["model"],
        row["family"],
        row["fid"],
        row["is_mean"],
        row["modes"],
        row["num_classes"],
        row["kl_uniform"],
        row["mean_max_prob"],
        row["precision"],
        row["recall"],
        row["status"],
        row["gate"] or "-",
        row["gate_failures"],
    )


def stratified(labels: Any, n: int) -> Any:
    """Indices of ``n`` examples taken round-robin over the classes (first examples of each class
    first), so that a split ordered by class shows every class."""
    import torch

    classes = [(labels == c).nonzero().flatten().tolist() for c in labels.unique().tolist()]
    order = [idx[i] for i in range(max(map(len, classes), default=0)) for idx in classes if i < len(idx)]
    return torch.tensor(order[:n], dtype=torch.long)
