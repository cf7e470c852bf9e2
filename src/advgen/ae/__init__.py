"""Autoencoders: the report's conv AE and its latent moment forcing, with resume."""

from __future__ import annotations

from advgen.lazy_exports import lazy_exports

#: submodule -> the names it defines, loaded on first use (:mod:`advgen.lazy_exports`: the
#: torch-free :mod:`advgen.ae.spec` imports no torch)
_NAMES = {
    "losses": ("moment_factor", "moment_mse", "moments"),
    "spec": ("AeSpec",),
    "train": ("AeOutputs", "AeRun", "train_autoencoder"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
