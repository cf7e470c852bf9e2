"""What every sweep job does first: load the generator, the classifier and the images, once
for its grid point (:class:`SweepJob`).

Models come from the generative stage (:func:`advgen.models.loading.load_generator`,
:func:`advgen.models.loading.load_autoencoder`) and the robustness stage
(:func:`advgen.classifiers.checkpoint.load_classifier`); all work on images in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from advgen.data.prepared import PreparedSplit, load_prepared
from advgen.generators import GENERATOR_KINDS
from advgen.sweeps.spec import PointSpec


@dataclass
class SweepModels:
    generator: nn.Module  # (N, z_dim) -> images in [0, 1], eval
    z_dim: int
    encoder: nn.Module | None  # autoencoders only
    classifier: nn.Module  # images in [0, 1] -> logits, eval


def load_models(
    spec: PointSpec,
    generator_path: str | Path,
    classifier_path: str | Path,
    device: str,
    data: Sequence[PreparedSplit] = (),
) -> SweepModels:
    """The job's generator (decoder for an autoencoder, with its encoder) and classifier;
    ``data``: the prepared splits they will see, checked to fit both (image shape, classes)."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.data.prepared import check_fits
    from advgen.models.loading import load_autoencoder, load_generator

    if GENERATOR_KINDS[spec.generator_kind].has_encoder:
        encoder, generator, z_dim = load_autoencoder(generator_path, device)
    else:
        generator, z_dim = load_generator(generator_path, device, kind=spec.generator_kind)
        encoder = None
    shape = getattr(generator, "image_shape", None)
    for split in data if shape is not None else ():
        check_fits(split, shape, None, generator_path, "generator")
    return SweepModels(generator, z_dim, encoder, load_classifier(classifier_path, device, data=data))


@dataclass
class SweepJob:
    """What a sweep job loads once and every one of its points reads."""

    models: SweepModels
    images: torch.Tensor  # the whole prepared split, CPU, in [0, 1]
    labels: torch.Tensor
    device: str

    def subset(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images and labels of ``indices``."""
        return self.images[indices], self.labels[indices]


def load_job(
    spec: PointSpec,
    generator_path: str | Path,
    classifier_path: str | Path,
    images_path: str | Path,
    device: str,
) -> SweepJob:
    """Models (``spec.generator_kind``) and the prepared split of a generator's job."""
    split = load_prepared(images_path)
    models = load_models(spec, generator_path, classifier_path, device, data=[split])
    return SweepJob(models, split.images, split.labels, device)


def load_images(path: str | Path, indices: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Images in [0, 1] and labels of a prepared split, optionally only ``indices``."""
    split = load_prepared(path)
    if indices is None:
        return split.images, split.labels
    return split.images[indices], split.labels[indices]


@torch.no_grad()
def predict(
    classifier: nn.Module, images: torch.Tensor, batch_size: int = 500
) -> tuple[torch.Tensor, torch.Tensor]:
    """Classifier probabilities ``(N, classes)`` and labels ``(N,)`` on CPU."""
    device = next(classifier.parameters()).device
    probs = torch.cat(
        [classifier(chunk.to(device)).softmax(dim=1).cpu() for chunk in images.split(batch_size)]
    )
    return probs, probs.argmax(dim=1)


@torch.no_grad()
def encode(encoder: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Latent codes ``E(x)`` of ``images`` (on ``images``' device)."""
    return torch.cat([encoder(chunk) for chunk in images.split(batch_size)])
