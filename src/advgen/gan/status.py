"""Training status of a GAN run: ``ok``, ``vanishing_gradients``, ``mode_collapse``, ``diverged``.

* ``diverged``: a loss became NaN/inf; training stops and the last good checkpoint
  (end of the previous epoch) is kept.
* ``vanishing_gradients``: G's gradient norm stayed below ``threshold`` for ``patience``
  consecutive iterations (the report's saturated minimax runs); training goes on, since
  gradients may come back.
* ``mode_collapse``: the fixed-noise samples of the last epoch are far less diverse than
  real data: mean pairwise L2 distance below ``collapse_diversity`` times that of real
  images (a classifier-free check; the sample-quality stage counts modes with a classifier).

Precedence when several hold: diverged > mode_collapse > vanishing_gradients > ok.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

STATUSES = ("ok", "vanishing_gradients", "mode_collapse", "diverged")


def diversity(samples: torch.Tensor, reference: torch.Tensor) -> float:
    """Mean pairwise L2 distance of ``samples`` divided by that of ``reference`` images."""

    def mean_pdist(x: torch.Tensor) -> torch.Tensor:
        return torch.pdist(x.flatten(1).double()).mean()

    ref = float(mean_pdist(reference))
    return float(mean_pdist(samples)) / ref if ref > 0 else math.nan


@dataclass
class StatusTracker:
    """Accumulates per-iteration signals; :attr:`status` gives the run's status."""

    threshold: float = 1e-3
    patience: int = 200
    collapse_diversity: float = 0.2
    low_run: int = 0
    vanishing_iterations: list[int] = field(
        default_factory=list
    )  # where a run of low norms reached `patience`
    diverged_iteration: int | None = None
    last_diversity: float | None = None

    def update(self, iteration: int, g_loss: float, d_loss: float, g_grad_norm: float) -> bool:
        """Record one iteration; returns ``False`` when training must stop (divergence)."""
        if not all(math.isfinite(v) for v in (g_loss, d_loss, g_grad_norm)):
            self.diverged_iteration = iteration
            return False
        self.low_run = self.low_run + 1 if g_grad_norm < self.threshold else 0
        if self.low_run == self.patience:
            self.vanishing_iterations.append(iteration)
        return True

    def epoch_end(self, samples_diversity: float) -> None:
        self.last_diversity = samples_diversity

    @property
    def flags(self) -> list[str]:
        """Every status that applies (without ``ok``)."""
        out = []
        if self.vanishing_iterations:
            out.append("vanishing_gradients")
        if self.last_diversity is not None and self.last_diversity < self.collapse_diversity:
            out.append("mode_collapse")
        if self.diverged_iteration is not None:
            out.append("diverged")
        return out

    @property
    def status(self) -> str:
        flags = self.flags
        for name in reversed(STATUSES[1:]):
            if name in flags:
                return name
        return "ok"

    def state_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StatusTracker:
        return cls(**state)
