"""GAN training: losses, unrolling, status detection, the training loop and its outputs."""

from __future__ import annotations

from advgen.lazy_exports import lazy_exports

#: submodule -> the names it defines, loaded on first use (:mod:`advgen.lazy_exports`: the
#: torch-free :mod:`advgen.gan.spec` imports no torch)
_NAMES = {
    "losses": ("LOSSES", "discriminator_loss", "discriminator_score", "generator_loss"),
    "runner": ("GanOutputs", "TrainingStopped", "train_gan"),
    "spec": ("GanSpec", "RecipeSpec"),
    "status": ("STATUSES", "StatusTracker"),
    "train": ("COLUMNS", "GanRun"),
    "unroll": ("grad_norm", "restored", "second_order_generator_loss"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
