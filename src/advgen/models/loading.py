"""Load trained models from checkpoints, with every public interface on images in [0, 1].

GAN generators output tanh images in [-1, 1] and their discriminators were trained on
that range; the wrappers below map to and from [0, 1] so that later stages (inversion,
sample quality, robustness probes) see one convention.

Checkpoint layouts (plain dicts, :func:`advgen.checkpoints.load_torch`):

* ``kind="gan"``: ``generator`` / ``discriminator`` = ``{"arch", "kwargs", "z_dim",
  "image_shape"}``, state dicts ``G`` and ``D``, optimizers ``opt_g`` / ``opt_d``,
  ``epoch``, ``rng``, ``config``; ``discriminator["spectral_norm"]`` is true when D was
  trained spectrally normalised (:mod:`advgen.models.spectral`); ``G_ema`` (or ``None``) is the generator's weight
  average when the run kept one (``g_ema`` > 0), and is what :func:`load_generator` returns.
* ``kind="autoencoder"``: ``model`` = ``{"arch", "kwargs", "z_dim", "image_shape"}``,
  state dict ``state``, ``optimizer``, ``epoch``, ``rng``, ``config``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from advgen.checkpoints import load_torch
from advgen.errors import CheckpointError
from advgen.generators import GENERATOR_KINDS
from advgen.models.registry import build_autoencoder, build_discriminator, build_generator
from advgen.models.spectral import spectral_normalised


class UnitRangeGenerator(nn.Module):
    """A generator whose output is rescaled from ``output_range`` to [0, 1]."""

    def __init__(self, generator: nn.Module) -> None:
        super().__init__()
        self.generator = generator
        self.z_dim = int(generator.z_dim)
        self.image_shape = tuple(generator.image_shape)
        self.low, self.high = getattr(generator, "output_range", (0.0, 1.0))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return ((self.generator(z) - self.low) / (self.high - self.low)).clamp(0.0, 1.0)


class UnitRangeDiscriminator(nn.Module):
    """A discriminator that takes images in [0, 1] (rescaled to its ``input_range``)."""

    def __init__(self, discriminator: nn.Module) -> None:
        super().__init__()
        self.discriminator = discriminator
        self.image_shape = tuple(discriminator.image_shape)
        self.low, self.high = getattr(discriminator, "input_range", (0.0, 1.0))

    def _scale(self, x: torch.Tensor) -> torch.Tensor:
        return self.low + (self.high - self.low) * x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N,)`` (positive = "real")."""
        return self.discriminator(self._scale(x))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features ``(N, F)``."""
        return self.discriminator.forward_features(self._scale(x))


def _arch(ckpt: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    arch = ckpt.get(key)
    if not isinstance(arch, dict) or "arch" not in arch or "image_shape" not in arch:
        raise CheckpointError(f"{path}: '{key}' must describe the architecture (arch, kwargs, image_shape)")
    return arch


def _load_state(module: nn.Module, state: Any, path: Path, key: str) -> None:
    try:
        module.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as exc:
        why = " ".join(str(exc).split())  # torch's size-mismatch message spans lines
        raise CheckpointError(f"{path}: '{key}' does not fit the architecture ({why})") from exc


def gan_generator(ckpt: dict[str, Any], path: Path, *, average: bool = True) -> nn.Module:
    """The raw generator of a GAN checkpoint dict (output in its ``output_range``).

    With ``average`` (default) the weight average ``G_ema`` is used when the run kept one.
    """
    a = _arch(ckpt, "generator", path)
    g = build_generator(a["arch"], a["z_dim"], a["image_shape"], a.get("kwargs"))
    key = "G_ema" if average and ckpt.get("G_ema") is not None else "G"
    if key not in ckpt:
        raise CheckpointError(f"{path}: checkpoint lacks key G")
    _load_state(g, ckpt[key], path, key)
    return g


def gan_discriminator(ckpt: dict[str, Any], path: Path) -> nn.Module:
    """The raw discriminator of a GAN checkpoint dict (input in its ``input_range``)."""
    a = _arch(ckpt, "discriminator", path)
    d = build_discriminator(a["arch"], a["image_shape"], a.get("kwargs"))
    if a.get("spectral_norm"):  # trained with a recipe's spectral normalisation
        d = spectral_normalised(d)
    _load_state(d, ckpt["D"], path, "D")
    return d


def autoencoder_model(ckpt: dict[str, Any], path: Path) -> nn.Module:
    """The autoencoder of an autoencoder checkpoint dict."""
    a = _arch(ckpt, "model", path)
    ae = build_autoencoder(a["arch"], a["image_shape"], a["z_dim"], a.get("kwargs"))
    _load_state(ae, ckpt["state"], path, "state")
    return ae


def load_generator(
    path: str | Path, device: str | torch.device = "cpu", *, kind: str | None = None
) -> tuple[nn.Module, int]:
    """``(G, z_dim)`` from a GAN or an autoencoder checkpoint (then G is the decoder).

    ``G`` maps ``(N, z_dim)`` floats to images in [0, 1] (NCHW) and is in eval mode. With
    ``kind`` (``"gan"``), a checkpoint of another kind is a :class:`CheckpointError`.
    """
    path = Path(path)
    ckpt = load_torch(path, kind=kind)
    found = ckpt.get("kind")
    generator_kind = GENERATOR_KINDS.get(found) if isinstance(found, str) else None
    if generator_kind is None:
        expected = " or ".join(f"'{k}'" for k in GENERATOR_KINDS)
        raise CheckpointError(f"{path}: expected a {expected} checkpoint, found kind={found!r}")
    if generator_kind.has_encoder:  # an autoencoder: its decoder generates
        g: nn.Module = autoencoder_model(ckpt, path).decoder
    else:
        g = UnitRangeGenerator(gan_generator(ckpt, path))
    return g.to(device).eval(), int(g.z_dim)


def load_autoencoder(
    path: str | Path, device: str | torch.device = "cpu"
) -> tuple[nn.Module, nn.Module, int]:
    """``(encoder, decoder, z_dim)`` from an autoencoder checkpoint, both in eval mode.

    The encoder maps images in [0, 1] to ``(N, z_dim)``; the decoder maps back.
    """
    path = Path(path)
    ckpt = load_torch(path, kind="autoencoder", required=("model", "state"))
    ae = autoencoder_model(ckpt, path).to(device).eval()
    return ae.encoder, ae.decoder, int(ae.z_dim)


def load_discriminator(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """The discriminator of a GAN checkpoint, on images in [0, 1], in eval mode.

    Returns logits ``(N,)``; ``forward_features(x)`` gives the penultimate features.
    """
    path = Path(path)
    ckpt = load_torch(path, kind="gan", required=("discriminator", "D"))
    return UnitRangeDiscriminator(gan_discriminator(ckpt, path)).to(device).eval()
