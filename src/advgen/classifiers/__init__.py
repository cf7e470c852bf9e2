"""The classifier zoo, its training modes and checkpoints.

* :data:`CLASSIFIERS`: architecture name -> constructor ``(in_shape, num_classes, width)``.
* :func:`train_classifier`: standard / FGSM-mix / PGD training on a prepared split.
* :func:`load_classifier`: ``results/classifiers/<name>/model.pt`` -> model in eval mode
  returning logits for [0, 1] NCHW inputs, with ``forward_features`` (penultimate layer).

Its names load on first use (:mod:`advgen.lazy_exports`): the torch-free :mod:`advgen.classifiers.spec`
imports no torch.
"""

from __future__ import annotations

from typing import Any

from advgen.lazy_exports import load_export

#: name -> the submodule that defines it
_WHERE = {
    "load_checkpoint": "checkpoint",
    "load_classifier": "checkpoint",
    "save_classifier": "checkpoint",
    "SUBSETS": "subsets",
    "eval_subset": "subsets",
    "select_subset": "subsets",
    "MODES": "training",
    "accuracy": "training",
    "train_classifier": "training",
    "CLASSIFIERS": "zoo",
    "build_classifier": "zoo",
    "count_parameters": "zoo",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _WHERE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
