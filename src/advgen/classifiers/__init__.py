"""The classifier zoo, its training modes and checkpoints.

* :data:`CLASSIFIERS`: architecture name -> constructor ``(in_shape, num_classes, width)``.
* :func:`train_classifier`: standard / FGSM-mix / PGD training on a prepared split.
* :func:`load_classifier`: ``results/classifiers/<name>/model.pt`` -> model in eval mode
  returning logits for [0, 1] NCHW inputs, with ``forward_features`` (penultimate layer).
"""

from __future__ import annotations

from advgen.lazy_exports import lazy_exports

#: submodule -> the names it defines, loaded on first use (:mod:`advgen.lazy_exports`: the
#: torch-free :mod:`advgen.classifiers.spec` imports no torch)
_NAMES = {
    "checkpoint": ("load_checkpoint", "load_classifier", "save_classifier"),
    "subsets": ("SUBSETS", "eval_subset", "select_subset"),
    "training": ("MODES", "accuracy", "train_classifier"),
    "zoo": ("CLASSIFIERS", "build_classifier", "count_parameters"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
