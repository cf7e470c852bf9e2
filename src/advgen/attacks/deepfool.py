"""DeepFool: the minimal L2 perturbation by iterated linearisation of the classifier.

Moosavi-Dezfooli, Fawzi and Frossard, "DeepFool: a simple and accurate method to fool
deep neural networks", CVPR 2016 (https://arxiv.org/abs/1511.04599).

Distance measure: L2. At each iteration the classifier is linearised around the current
point; the step goes to the nearest linearised decision boundary among the candidate
classes, ``r = (|f_l| + 1e-4) / ||w_l||^2 * w_l``. The accumulated perturbation is scaled by
``1 + overshoot`` and clipped to [0, 1]. Batched: every example still on its original
label is updated together, and each one stops as soon as its label flips.
"""

from __future__ import annotations

import torch

from advgen.attacks.base import MinimalAttack, batch_view, class_gradients, other_classes
from advgen.attacks.params import DeepFoolParams


class DeepFool(MinimalAttack):
    """Multi-class DeepFool (Moosavi-Dezfooli et al. 2016), batched with per-example stopping.

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: L2 budget; inf (default) returns the minimal perturbation DeepFool finds.
        params: a :class:`~advgen.attacks.params.DeepFoolParams`, or its fields as arguments
            (``steps``, ``overshoot``, ``num_candidates``; the papers' defaults, ranges and
            descriptions are there).
        seed: unused (deterministic); kept for the common interface.

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> rho = (result.l2 / x.flatten(1).norm(dim=1))[result.success].mean()
    """

    name = "DeepFool"
    Params = DeepFoolParams

    def minimal(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            clean_logits = self.model(x)
        k = min(self.num_candidates, clean_logits.shape[1])
        # candidates: the true class first, then the other top classes by clean logit
        others = other_classes(clean_logits, y).topk(k - 1, dim=1).indices
        classes = torch.cat([y[:, None], others], dim=1)
        r_total = torch.zeros_like(x)
        adv = x.clone()
        active = clean_logits.argmax(1) == y
        for _ in range(self.steps):
            idx = torch.nonzero(active).flatten()
            if idx.numel() == 0:
                break
            logits, jac = class_gradients(self.model, adv[idx], classes[idx])
            f = logits[:, 1:] - logits[:, :1]  # (n, k-1), negative while the label holds
            w = jac[:, 1:] - jac[:, :1]  # (n, k-1, ...)
            w_norm = w.flatten(2).norm(dim=2) + 1e-8
            best = (f.abs() / w_norm).argmin(dim=1)
            pick = torch.arange(len(idx), device=x.device)
            f_l, w_l, n_l = f[pick, best], w[pick, best], w_norm[pick, best]
            r = batch_view((f_l.abs() + 1e-4) / n_l.pow(2), x.ndim) * w_l
            r_total[idx] += r
            adv[idx] = (x[idx] + (1.0 + self.overshoot) * r_total[idx]).clamp(0.0, 1.0)
            with torch.no_grad():
                still = self.model(adv[idx]).argmax(1) == y[idx]
            active[idx] = still
        return adv

    def __repr__(self) -> str:
        return (
            f"DeepFool(eps={self.eps}, steps={self.steps}, overshoot={self.overshoot}, "
            f"num_candidates={self.num_candidates})"
        )
