"""The classifier zoo, its training modes and checkpoints.

* :data:`advgen.classifiers.zoo.CLASSIFIERS`: architecture name -> constructor
  ``(in_shape, num_classes, width)``.
* :func:`advgen.classifiers.training.train_classifier`: standard / FGSM-mix / PGD training on a
  prepared split.
* :func:`advgen.classifiers.checkpoint.load_classifier`: ``results/classifiers/<name>/model.pt``
  -> model in eval mode returning logits for [0, 1] NCHW inputs, with ``forward_features``
  (penultimate layer).
"""
