"""Whether a discriminator memorises its training images.

DiffAugment (Zhao et al. 2020) and ADA (Karras et al. 2020, "Training Generative Adversarial
Networks with Limited Data", Sec. 2-3) are remedies for one failure: with little data D learns the
training images themselves, its outputs on them drift away from its outputs on held-out images of
the same distribution, and G's gradients stop carrying information. Karras et al. watch it with
``r_t = E[sign(D(x_train))]`` beside D's outputs on a validation set. :func:`memorisation`
measures the drift directly: the probability that D scores a random training image above a
random held-out one (the Mann-Whitney AUC of its logits; 0.5 when D cannot tell them apart, 1
when it has memorised every training image), with ``r_t`` on both sets.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import mannwhitneyu
from torch import nn


@torch.no_grad()
def logits(d: nn.Module, images: torch.Tensor, batch_size: int = 500) -> np.ndarray:
    """D's logits on ``images`` (as ``d`` takes them), in eval mode, as a float64 vector."""
    was_training = d.training
    d.eval()
    try:
        out = [
            d(images[i : i + batch_size]).reshape(-1).double().cpu()
            for i in range(0, len(images), batch_size)
        ]
    finally:
        d.train(was_training)
    return torch.cat(out).numpy()


def memorisation(
    d: nn.Module, train: torch.Tensor, held_out: torch.Tensor, batch_size: int = 500
) -> dict[str, float]:
    """How far D's logits on its training images ``train`` stand above those on ``held_out``
    images of the same distribution: ``auc`` = P(D(x_train) > D(x_held_out)) (ties count half),
    ``rt_train`` / ``rt_held_out`` = mean sign of the logits (Karras et al. 2020's ``r_t``),
    ``mean_logit_gap`` = mean train logit - mean held-out logit."""
    a, b = logits(d, train, batch_size), logits(d, held_out, batch_size)
    u = mannwhitneyu(a, b, alternative="two-sided").statistic
    return {
        "auc": float(u / (len(a) * len(b))),
        "rt_train": float(np.sign(a).mean()),
        "rt_held_out": float(np.sign(b).mean()),
        "mean_logit_gap": float(a.mean() - b.mean()),
    }
