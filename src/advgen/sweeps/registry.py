"""The generative sweeps: one entry per sweep, with what the workflow needs to know of it.

A sweep is a block of the config's ``sweeps`` section (its keys are the schema's
``sweeps`` properties; ``tests/unit/test_registries.py`` keeps the two equal). Each runs one
job per (generator, grid point) (``rule``: also the ``advgen`` command), whose ``table`` the
sweep's aggregate ``results/sweeps/<sweep>.parquet`` concatenates; ``split`` is the prepared
split whose images it reads. No torch here: the Snakefile reaches it through the plans.
"""

from __future__ import annotations

from dataclasses import dataclass

from advgen import paths


@dataclass(frozen=True)
class Sweep:
    name: str
    rule: str  # the rule (and advgen command) running one grid point of one generator
    table: str  # the per-point table its aggregate concatenates (advgen.paths)
    split: str  # the prepared split whose images it reads


SWEEPS: dict[str, Sweep] = {
    s.name: s
    for s in (
        Sweep("inversion", "invert", paths.INVERSION_FINAL, "test"),
        Sweep("inpainting", "inpaint", paths.INPAINTING_TABLE, "test"),
        Sweep("interpolation", "interpolate", paths.INTERPOLATION_PATHS, "test"),
        # FID compares the samples to the training split, as sample_quality does
        Sweep("truncation", "truncation", paths.TRUNCATION_TABLE, "train"),
    )
}
