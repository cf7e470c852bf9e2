"""advgen: generative models and adversarial robustness, orchestrated by Snakemake.

Every Snakemake rule calls the library through the ``advgen`` command line
(:mod:`advgen.cli`); every module here is importable and testable without Snakemake.
"""

from typing import Any

__version__ = "0.1.0"


def evaluate(model: Any, x: Any, y: Any, **options: Any) -> Any:
    """Robust accuracy of your own model: :func:`advgen.robustness.evaluate_model.evaluate`
    (imported on first call, so that ``import advgen`` stays free of torch)."""
    from advgen.robustness.evaluate_model import evaluate as run

    return run(model, x, y, **options)
