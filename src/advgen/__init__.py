"""advgen: generative models and adversarial robustness, orchestrated by Snakemake.

Every Snakemake rule calls the library through the ``advgen`` command line
(:mod:`advgen.cli`); every module here is importable and testable without Snakemake.
"""

__version__ = "0.1.0"
