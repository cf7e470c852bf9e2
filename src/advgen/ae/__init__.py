"""Autoencoders: the report's conv AE and its latent moment forcing, with resume."""

from advgen.ae.losses import moment_factor, moment_mse, moments
from advgen.ae.spec import AeSpec
from advgen.ae.train import AeOutputs, AeRun, train_autoencoder

__all__ = ["AeOutputs", "AeRun", "AeSpec", "moment_factor", "moment_mse", "moments", "train_autoencoder"]
