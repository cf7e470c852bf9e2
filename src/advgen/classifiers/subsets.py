"""Training subsets: Szegedy et al.'s disjoint halves P1/P2 and Schmidt et al.'s data-size grid;
and the evaluated test examples of a job (:func:`eval_subset`).

Both draw from one seeded, class-stratified order of the training split, so

* ``half_a`` and ``half_b`` are disjoint and together cover the split, whatever the
  classifiers' own seeds are (the order uses ``subset_seed`` only);
* ``train_fraction`` keeps the first share of each class in that order, so a smaller
  fraction is a subset of a larger one (a nested data-size sweep).
"""

from __future__ import annotations

import torch

from advgen.errors import ConfigError

SUBSETS = ("all", "half_a", "half_b")


def _class_orders(labels: torch.Tensor, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(int(seed))
    orders = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        orders.append(idx[torch.randperm(len(idx), generator=gen)])
    return orders


def select_subset(
    labels: torch.Tensor, subset: str = "all", fraction: float = 1.0, seed: int = 0
) -> torch.Tensor:
    """Sorted indices of the training examples a classifier trains on.

    Args:
        labels: int64 labels of the whole training split.
        subset: ``all``, ``half_a`` (first half of each class) or ``half_b`` (the rest).
        fraction: share of the chosen subset kept, per class (at least one per class).
        seed: the order's seed (``subset_seed``).
    """
    if subset not in SUBSETS:
        raise ConfigError(f"train_subset: '{subset}' is not one of {', '.join(SUBSETS)}")
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"train_fraction: {fraction} is not in (0, 1]")
    chosen = []
    for order in _class_orders(labels, seed):
        half = (len(order) + 1) // 2
        part = {"all": order, "half_a": order[:half], "half_b": order[half:]}[subset]
        keep = max(1, int(round(fraction * len(part)))) if len(part) else 0
        chosen.append(part[:keep])
    return torch.sort(torch.cat(chosen)).values


def eval_subset(labels: torch.Tensor, max_examples: int | None, seed: int = 0) -> torch.Tensor:
    """Indices of the evaluated test examples: all, or a seeded class-stratified subset
    (:func:`select_subset` of the whole split)."""
    if max_examples is None or max_examples >= len(labels):
        return torch.arange(len(labels))
    return select_subset(labels, "all", max_examples / len(labels), seed)
