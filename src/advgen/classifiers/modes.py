"""The classifier training modes by name, with what each can do (no torch).

One entry per ``classifiers.<name>.mode``; the schema's enums of it (the classifier's ``mode``,
the capacity and data-size sweeps' ``modes``) and ``config/README.md``'s list are written from
here by :mod:`advgen.registries` and checked equal to it. The training code is
:mod:`advgen.classifiers.training` (one loop, the mode's loss); the stacked replicates'
:mod:`advgen.classifiers.replicates`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingMode:
    """One training mode.

    Attributes:
        name: the config's ``mode``.
        about: what it trains on, with the paper it follows.
        adversarial: each step crafts adversarial examples of the minibatch at ``eps`` (the
            history's robust accuracy is measured on them).
        stackable: the replicates of a spec train as one stacked model
            (:mod:`advgen.classifiers.replicates`).
        swept: a capacity or data-size sweep's ``modes`` may list it.
    """

    name: str
    about: str
    adversarial: bool = False
    stackable: bool = True
    swept: bool = True


TRAINING_MODES: dict[str, TrainingMode] = {
    m.name: m
    for m in (
        TrainingMode("standard", "cross-entropy on clean inputs"),
        TrainingMode(
            "fgsm_mix", "clean and FGSM losses mixed by fgsm_alpha (Goodfellow et al. 2015)", adversarial=True
        ),
        TrainingMode("pgd", "the PGD saddle-point objective (Madry et al. 2018)", adversarial=True),
        TrainingMode(
            "pool",
            "a refreshed pool of adversarial examples mixed into each minibatch (Szegedy et al. 2014)",
            stackable=False,
            swept=False,
        ),
    )
}

#: the modes whose replicates train stacked, and those a sweep compares
STACKED_MODES = tuple(name for name, m in TRAINING_MODES.items() if m.stackable)
SWEPT_MODES = tuple(name for name, m in TRAINING_MODES.items() if m.swept)
