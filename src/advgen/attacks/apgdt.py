"""APGD-T: targeted Auto-PGD on the targeted DLR loss (Croce & Hein 2020, Sec. 4).

Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
parameter-free attacks", ICML 2020 (https://arxiv.org/abs/2003.01690).

For each input the targets are the ``n_target_classes`` highest-scoring wrong classes on
the clean input (paper: 9 for 10 classes), each attacked with APGD on the targeted DLR
loss ``-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)``. fra31/auto-attack loops over the
targets, each run on the inputs still robust; here all (input, target) pairs run as one
batch of stacked copies (``batched_targets=True``), and an input's copies all leave the
batch as soon as one of them is fooled. ``batched_targets=False`` is the per-target loop.
"""

from __future__ import annotations

import torch

from advgen.attacks.apgd import APGD
from advgen.attacks.base import copies, pick_copy, stack_targets, top_classes
from advgen.attacks.params import APGDTParams
from advgen.attacks.restarts import restart_loop


class APGDT(APGD):
    """Targeted APGD over the top-k wrong classes, targets batched (Croce & Hein 2020).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (AutoAttack's MNIST setting: 0.3 Linf).
        params: a :class:`~advgen.attacks.params.APGDTParams`, or its fields as arguments (``norm``,
            ``n_iter``, ``n_restarts``, ``n_target_classes``, ``batched_targets``, ``rho``,
            ``momentum``, ``eot_iter``; the papers' defaults, ranges and descriptions are there).
        seed: seed of the random starts (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = APGDT(model, eps=0.3, n_target_classes=9)(x, y)
    """

    name = "APGDT"
    Params = APGDTParams
    loss = "dlr"  # the targeted DLR loss (APGD's loss argument, fixed)

    def targets(self, x: torch.Tensor) -> torch.Tensor:
        """(N, k): the k highest-scoring classes after the top one, on the clean inputs."""
        return top_classes(self.model, x, self.n_target_classes)

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.eps == 0:
            return x.clone()
        out = x.clone()
        robust = self.predict(x) == y
        targets = self.targets(x)
        k = targets.shape[1]
        if self.batched_targets:

            def stacked(todo: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
                ts, group = stack_targets(targets[todo])  # target-major: row j*m + i
                adv, fooled = self.run(copies(x[todo], k), copies(y[todo], k), ts, group)
                fooled = fooled.view(k, todo.numel())
                first = fooled.float().argmax(0)  # the first target that fooled it (0 if none did)
                return pick_copy(adv, first), fooled.any(0)

            restart_loop(out, robust, self.n_restarts, stacked)
            return out
        for j in range(k):  # fra31/auto-attack's order: one target at a time
            restart_loop(
                out, robust, self.n_restarts, lambda todo, j=j: self.run(x[todo], y[todo], targets[todo, j])
            )
        return out

    def __repr__(self) -> str:
        return (
            f"APGDT(eps={self.eps}, norm={self.norm!r}, n_iter={self.n_iter}, n_restarts={self.n_restarts}, "
            f"n_target_classes={self.n_target_classes}, batched_targets={self.batched_targets}, seed={self.seed})"
        )
