"""A GAN run's limited-data training recipe (the ``recipe`` of a ``gans`` entry; docs/generators.md).

* ``diffaugment``: the same differentiable augmentation of real and generated images before
  D, in D's and G's updates (Zhao et al. 2020; :mod:`advgen.gan.augment`);
* ``spectral_norm``: spectral normalisation of D's layers (Miyato et al. 2018;
  :mod:`advgen.models.spectral`);
* ``r1_gamma``: the R1 penalty on real images (Mescheder et al. 2018;
  :mod:`advgen.gan.regularizers`).

Two learning rates (TTUR, Heusel et al. 2017) are the entry's ``lr_d`` / ``lr_g``, and the
generator average its ``g_ema`` (Yazici et al. 2019). An empty recipe changes nothing: the
report's runs (config/paper.yaml) train as before.
"""

from __future__ import annotations

import torch
from torch import nn

from advgen.gan.augment import diff_augment
from advgen.gan.regularizers import r1_penalty
from advgen.gan.spec import RecipeSpec
from advgen.models.spectral import spectral_normalised


class Recipe:
    """The recipe of one spec (its :class:`~advgen.gan.spec.RecipeSpec`): D's construction, D's
    inputs and D's real-image term."""

    def __init__(self, recipe: RecipeSpec, background: float = -1.0) -> None:
        self.options = recipe
        self.policy = tuple(recipe.diffaugment)
        #: DiffAugment's fill: the data's background (``background``, the low end of D's input
        #: range) or the reference code's 0
        self.fill = float(background) if recipe.fill == "background" else 0.0
        self.gamma = float(recipe.r1_gamma)
        self.spectral_norm = bool(recipe.spectral_norm)

    @property
    def active(self) -> bool:
        """Whether anything differs from plain training."""
        return self.options.active

    def discriminator(self, d: nn.Module) -> nn.Module:
        """``d``, spectrally normalised when the recipe asks for it."""
        return spectral_normalised(d) if self.spectral_norm else d

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` as D sees it (DiffAugment; ``x`` itself without a policy)."""
        if not self.policy:
            return x
        o = self.options
        return diff_augment(
            x,
            self.policy,
            translation_ratio=o.translation_ratio,
            cutout_ratio=o.cutout_ratio,
            fill=self.fill,
        )

    def real_logits(self, d: nn.Module, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """D's logits on the (augmented) real batch and the R1 penalty (``None`` when off)."""
        if self.gamma > 0:
            return r1_penalty(d, real, self.gamma, prepare=self.augment)
        return d(self.augment(real)), None
