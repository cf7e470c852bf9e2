"""GAN training: losses, unrolling, status detection, the training loop and its outputs."""

from advgen.gan.losses import LOSSES, discriminator_loss, discriminator_score, generator_loss
from advgen.gan.runner import GanOutputs, TrainingStopped, train_gan
from advgen.gan.spec import GanSpec, RecipeSpec
from advgen.gan.status import STATUSES, StatusTracker
from advgen.gan.train import COLUMNS, GanRun
from advgen.gan.unroll import grad_norm, restored, second_order_generator_loss

__all__ = [
    "COLUMNS",
    "LOSSES",
    "STATUSES",
    "GanOutputs",
    "GanRun",
    "GanSpec",
    "RecipeSpec",
    "StatusTracker",
    "TrainingStopped",
    "discriminator_loss",
    "discriminator_score",
    "generator_loss",
    "grad_norm",
    "restored",
    "second_order_generator_loss",
    "train_gan",
]
