"""The restart loops the attacks share: attacks on the inputs still robust (Croce & Hein 2020).

:func:`attack_robust` runs one attack on the inputs not yet fooled, :func:`restart_loop` repeats it
(APGD's and Square's restarts), :func:`restart_smallest` keeps the smallest perturbation over
runs (FAB's restarts and its per-target loop). Re-exported by :mod:`advgen.attacks.base`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

Run = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def attack_robust(
    out: torch.Tensor, robust: torch.Tensor, run: Run, *, fooled_only: bool = False
) -> torch.Tensor | None:
    """One attack on the inputs still robust; None when no input is.

    ``run(todo)`` attacks the inputs at indices ``todo`` and returns their adversarial points
    and a fooled mask; ``out`` (the adversarial batch) takes the fooled points (and, unless
    ``fooled_only``, the others' points too) and ``robust`` (bool, N) loses the fooled inputs,
    in place. Returns the indices fooled.
    """
    todo = robust.nonzero().flatten()
    if todo.numel() == 0:
        return None
    adv, fooled = run(todo)
    if fooled_only:
        out[todo[fooled]] = adv[fooled]
    else:
        out[todo] = adv  # fooled points, else the run's best point
    robust[todo[fooled]] = False
    return todo[fooled]


def restart_loop(out: torch.Tensor, robust: torch.Tensor, n_restarts: int, run: Run) -> None:
    """Restarts on the inputs still robust (Croce & Hein 2020's APGD and Square).

    ``run(todo)`` attacks the inputs at indices ``todo`` and returns their adversarial points
    and a fooled mask; ``out`` (the adversarial batch) and ``robust`` (bool, N) are updated in
    place (:func:`attack_robust`), and the loop ends early once no input is robust.
    """
    for _ in range(n_restarts):
        if attack_robust(out, robust, run) is None:
            return


def restart_smallest(best: torch.Tensor, best_size: torch.Tensor, eps: float, runs: Iterable[Run]) -> None:
    """Runs in turn on the inputs not yet within ``eps`` (``best_size > eps``), keeping the
    smallest perturbation found (FAB's restarts and its per-target loop, Croce & Hein 2020).

    Each ``run(todo)`` attacks the inputs at indices ``todo`` and returns their points and
    perturbation sizes; ``best`` and ``best_size`` are updated in place where the size is
    smaller, and the loop ends early once every input is within ``eps``.
    """
    for run in runs:
        todo = (best_size > eps).nonzero().flatten()
        if todo.numel() == 0:
            return
        adv, size = run(todo)
        better = size < best_size[todo]
        best[todo[better]], best_size[todo[better]] = adv[better], size[better]
