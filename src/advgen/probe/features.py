"""Frozen feature extractors: images in [0, 1] -> penultimate activations ``(N, F)``.

Three families (the probe jobs' ``{family}`` wildcard):

* ``gan``: a trained GAN's discriminator (:func:`advgen.models.loading.load_discriminator`);
* ``control``: the same GAN's discriminator *at initialisation* -- rebuilt with the run's
  seed and the generator-then-discriminator construction order of the training loop, so it
  is exactly the untrained D that training started from;
* ``classifier``: a classifier of the robustness stage (standard or PGD-trained,
  :func:`advgen.classifiers.checkpoint.load_classifier`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from advgen.checkpoints import load_torch
from advgen.errors import CheckpointError


class FeatureExtractor(nn.Module):
    """``model.forward_features`` as ``forward``, in eval mode with frozen parameters."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model.eval().requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.forward_features(x)


def initial_discriminator(path: str | Path) -> nn.Module:
    """The discriminator a GAN run started from (on images in [0, 1], eval mode).

    Replays the training loop's construction (:class:`advgen.gan.train.GanRun`):
    ``seed_everything(seed)``, build G, build D, from the checkpoint's ``config``.
    """
    from advgen.models.loading import UnitRangeDiscriminator
    from advgen.models.registry import build_discriminator, build_generator
    from advgen.seeding import seed_everything

    path = Path(path)
    ckpt = load_torch(path, kind="gan", required=("generator", "discriminator", "config"))
    config, g, d = ckpt["config"], ckpt["generator"], ckpt["discriminator"]  # a checkpoint: plain dicts
    try:
        seed_everything(int(config["seed"]))
        build_generator(g["arch"], g["z_dim"], g["image_shape"], g.get("kwargs"))
        disc = build_discriminator(d["arch"], d["image_shape"], d.get("kwargs"))
    except (KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: cannot rebuild the initial discriminator ({exc})") from exc
    return UnitRangeDiscriminator(disc).eval()


def _trained_discriminator(path: str | Path, device: str | torch.device) -> nn.Module:
    from advgen.models.loading import load_discriminator

    return load_discriminator(path, device)


def _initial_discriminator(path: str | Path, device: str | torch.device) -> nn.Module:
    return initial_discriminator(path).to(device)


def _classifier(path: str | Path, device: str | torch.device) -> nn.Module:
    from advgen.classifiers.checkpoint import load_classifier

    return load_classifier(path, device)


#: the families (see the module docstring) and the model each loads from its checkpoint
LOADERS: dict[str, Callable[[str | Path, str | torch.device], nn.Module]] = {
    "gan": _trained_discriminator,
    "control": _initial_discriminator,
    "classifier": _classifier,
}
FAMILIES = tuple(LOADERS)


def load_features(family: str, path: str | Path, device: str | torch.device = "cpu") -> FeatureExtractor:
    """The frozen feature extractor of a probe source (see the module docstring)."""
    if family not in LOADERS:
        raise ValueError(f"unknown feature family {family!r} (known: {', '.join(FAMILIES)})")
    return FeatureExtractor(LOADERS[family](path, device))


@torch.no_grad()
def extract(extractor: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Features of ``images`` (moved to the extractor's device in chunks), on the CPU."""
    device = next(extractor.parameters()).device
    return torch.cat([extractor(chunk.to(device)).cpu() for chunk in images.split(batch_size)])
