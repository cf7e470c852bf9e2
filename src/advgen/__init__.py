"""advgen: generative models and adversarial robustness, orchestrated by Snakemake.

Every Snakemake rule calls the library through the ``advgen`` command line
(:mod:`advgen.cli`); every module here is importable and testable without Snakemake.

``advgen.evaluate`` (robust accuracy of your own model: AutoAttack, Croce & Hein 2020, and the
gradient-masking checks) is :func:`advgen.robustness.evaluate_model.evaluate` and
``advgen.Evaluation`` its result, loaded on first use (:mod:`advgen.lazy_exports`), so that
``import advgen`` stays free of torch.
"""

from advgen.lazy_exports import lazy_exports

__version__ = "0.1.0"

#: submodule -> the names it defines, loaded on first use
_NAMES = {"robustness.evaluate_model": ("evaluate", "Evaluation")}

__all__, __getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
