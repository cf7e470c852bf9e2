"""The classifier zoo, its training modes and checkpoints.

* :data:`CLASSIFIERS`: architecture name -> constructor ``(in_shape, num_classes, width)``.
* :func:`train_classifier`: standard / FGSM-mix / PGD training on a prepared split.
* :func:`load_classifier`: ``results/classifiers/<name>/model.pt`` -> model in eval mode
  returning logits for [0, 1] NCHW inputs, with ``forward_features`` (penultimate layer).
"""

from advgen.classifiers.checkpoint import load_checkpoint, load_classifier, save_classifier
from advgen.classifiers.subsets import SUBSETS, eval_subset, select_subset
from advgen.classifiers.training import MODES, accuracy, train_classifier
from advgen.classifiers.zoo import CLASSIFIERS, build_classifier, count_parameters

__all__ = [
    "CLASSIFIERS",
    "MODES",
    "SUBSETS",
    "accuracy",
    "build_classifier",
    "count_parameters",
    "eval_subset",
    "load_checkpoint",
    "load_classifier",
    "save_classifier",
    "select_subset",
    "train_classifier",
]
