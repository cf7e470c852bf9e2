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
from torch import nn

from advgen.attacks.apgd import APGD
from advgen.attacks.base import check_budget, copies, pick_copy, restart_loop, stack_targets, top_classes


class APGDT(APGD):
    """Targeted APGD over the top-k wrong classes, targets batched (Croce & Hein 2020).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (AutoAttack's MNIST setting: 0.3 Linf).
        norm: "linf" or "l2" budget.
        n_iter: iterations per target and restart (paper: 100).
        n_restarts: restarts per target (AutoAttack: 1).
        n_target_classes: wrong classes attacked per input (paper: 9; capped at classes - 1).
        batched_targets: stack the targets into one batch (False: a loop over targets).
        rho: step-halving threshold on the share of improving steps (paper: 0.75).
        momentum: weight alpha of the new step against the previous one (paper: 0.75).
        eot_iter: gradients averaged per step (Expectation over Transformation; 20 in
            AutoAttack "rand", 1 otherwise).
        seed: seed of the random starts (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = APGDT(model, eps=0.3, n_target_classes=9)(x, y)
    """

    name = "APGDT"
    #: ranges of the numeric arguments (schema bounds, written by advgen.registries)
    bounds = {
        "n_iter": "[1, 100000]",
        "n_restarts": "[1, 10000]",
        "n_target_classes": "[1, 1000]",
        "rho": "(0, 1]",
        "momentum": "[0, 1]",
        "eot_iter": "[1, 10000]",
    }

    def __init__(
        self,
        model: nn.Module,
        eps: float = 0.3,
        norm: str = "linf",
        n_iter: int = 100,
        n_restarts: int = 1,
        n_target_classes: int = 9,
        batched_targets: bool = True,
        rho: float = 0.75,
        momentum: float = 0.75,
        eot_iter: int = 1,
        *,
        seed: int | None = 0,
        batch_size: int | None = None,
    ):
        super().__init__(
            model,
            eps,
            norm,
            "dlr",
            n_iter,
            n_restarts,
            rho,
            momentum,
            eot_iter,
            seed=seed,
            batch_size=batch_size,
        )
        check_budget(self.name, self.eps, n_target_classes=n_target_classes)
        self.n_target_classes = int(n_target_classes)
        self.batched_targets = bool(batched_targets)

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
