"""Generative sweeps: latent inversion with restarts, inpainting, interpolation, truncation.

Reproduces the GAN exercise report ("Generative Adversarial Networks - Q2/Q3",
"Non-Adversarial Networks - Q1") and BigGAN's truncation trick (Brock et al., 2019) as
config grids. Modules:

* :mod:`~advgen.sweeps.registry`: one entry per sweep, which declares everything of it (its
  point spec, job, outputs, summary and figure); the workflow makes its jobs from it.
* :mod:`~advgen.sweeps.grid`: expand a ``sweeps:`` config block into grid points (no torch;
  the Snakefile imports it).
* :mod:`~advgen.sweeps.inversion`: batched (N*R, z) latent optimisation, best-restart gather.
* :mod:`~advgen.sweeps.masks`, :mod:`~advgen.sweeps.inpainting`,
  :mod:`~advgen.sweeps.interpolation`, :mod:`~advgen.sweeps.truncation`: the four experiments.
* :mod:`~advgen.sweeps.tables`: per-point table columns and the aggregate;
  :mod:`~advgen.sweeps.summary`: the ``aggregate_sweep`` job and its summary.
* :mod:`~advgen.sweeps.spec`: a sweep job's spec, one grid point, typed (no torch).
* :mod:`~advgen.sweeps.points`: one grid point on its job's loaded models and images,
  returning its tables and figure data.
* :mod:`~advgen.sweeps.generator_job`: a sweep job, one grid point of one generator, seeded
  and shaped as its command writes it (what ``advgen invert | inpaint | interpolate |
  truncation`` call).

This package imports no torch at import time.
"""
