"""Build the purifier of a purify job from the generative stage's checkpoints."""

from __future__ import annotations

from pathlib import Path

from advgen.defense.purify import IdentityPurifier, ProjectionPurifier, Purifier, ReconstructionPurifier
from advgen.defense.spec import PurifierSpec, PurifySpec
from advgen.errors import ConfigError
from advgen.generators import GENERATOR_KINDS
from advgen.sweeps.inversion import InversionSettings


def load_purifier(
    spec: PurifySpec | PurifierSpec, generator_path: str | Path | None, device: str
) -> Purifier:
    """The purifier a purify job's spec (:func:`advgen.defense.plan.purify_points`), or a
    purifier's alone, describes.

    ``project`` inverts a GAN generator or an autoencoder's decoder
    (:func:`advgen.models.loading.load_generator` / :func:`~advgen.models.loading.load_autoencoder`), from
    ``restarts`` random starts for ``steps`` steps; ``reconstruct`` is ``D(E(x))``; ``none``
    is the identity.
    """
    from advgen.models.loading import load_autoencoder, load_generator

    method = spec.method
    if method == "none":
        return IdentityPurifier()
    if generator_path is None:
        raise ValueError(f"purifier '{spec.purifier}' needs a generator checkpoint")
    if method == "reconstruct":
        encoder, decoder, _ = load_autoencoder(generator_path, device)
        return ReconstructionPurifier(encoder, decoder).eval()
    missing = [k for k in ("steps", "restarts", "optimizer", "lr") if getattr(spec, k) is None]
    if missing:
        raise ConfigError(f"--spec: purifier '{spec.purifier}' (method project) needs '{missing[0]}'")
    if spec.generator_kind is not None and GENERATOR_KINDS[spec.generator_kind].has_encoder:
        _, generator, z_dim = load_autoencoder(generator_path, device)
    else:
        generator, z_dim = load_generator(generator_path, device, kind=spec.generator_kind)
    settings = InversionSettings(
        steps=int(spec.steps),
        restarts=int(spec.restarts),
        optimizer=spec.optimizer,
        lr=float(spec.lr),
    )
    return ProjectionPurifier(generator, z_dim, settings, seed=int(spec.seed)).eval()
