"""The generative sweeps: one entry per sweep, with what the workflow needs to know of it.

A sweep is a block of the config's ``sweeps`` section (its keys are the schema's
``sweeps`` properties; ``tests/unit/test_registries.py`` keeps the two equal). Each runs one
job per (generator, grid point) (``rule``: also the ``advgen`` command), whose ``table`` the
sweep's aggregate ``results/sweeps/<sweep>.parquet`` concatenates; ``split`` is the prepared
split whose images it reads. Code that depends on what a sweep does reads its flags, never its
name (``tests/unit/test_registries.py`` scans for such comparisons). No torch here: the
Snakefile reaches it through the plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from advgen import paths
from advgen.named import by_name
from advgen.smoke_sizes import IMAGES, RESTARTS, SAMPLES, STEPS


@dataclass(frozen=True)
class Sweep:
    """One sweep.

    Attributes:
        name: its block in the config's ``sweeps`` section.
        rule: the rule (and advgen command) running one grid point of one generator.
        table: the per-point table its aggregate concatenates (advgen.paths).
        split: the prepared split whose images it reads.
        encoder_init: its ``init: encoder`` starts restart 0 at E(x): its points with it apply
            to generators with an encoder only (:attr:`advgen.generators.GeneratorKind.has_encoder`).
        sgd_lr: its ``sgd_lr`` is the ``lr`` of its points whose optimizer is SGD (the report's
            SGD beside Adam in one grid).
        masks: it hides pixels under masks (:data:`advgen.sweeps.grid.MASK_PARAMS`), drawn once
            per dataset and point (:meth:`advgen.sweeps.grid.GridPoint.mask_spec`).
        latent_path: its ``latent`` (auto, encoder, inversion) says how images reach the latent
            space, resolved per generator kind (auto: the encoder where there is one).
        smoke: caps on the parameters that bound its cost in the paper smoke config
            (:mod:`advgen.smoke`; a grid's values are capped each).
        smoke_grids: its grids that the smoke config shrinks to their two ends.
    """

    name: str
    rule: str
    table: str
    split: str
    encoder_init: bool = False
    sgd_lr: bool = False
    masks: bool = False
    latent_path: bool = False
    smoke: Mapping[str, int] = field(default_factory=dict)
    smoke_grids: tuple[str, ...] = ()


SWEEPS: dict[str, Sweep] = by_name(
    Sweep(
        "inversion",
        "invert",
        paths.INVERSION_FINAL,
        "test",
        encoder_init=True,
        sgd_lr=True,
        smoke={"steps": STEPS, "restarts": RESTARTS * 2, "num_images": IMAGES},
        smoke_grids=("restarts",),
    ),
    Sweep(
        "inpainting",
        "inpaint",
        paths.INPAINTING_TABLE,
        "test",
        encoder_init=True,
        masks=True,
        smoke={"steps": STEPS, "restarts": RESTARTS, "num_images": IMAGES},
    ),
    Sweep(
        "interpolation",
        "interpolate",
        paths.INTERPOLATION_PATHS,
        "test",
        latent_path=True,
        smoke={"steps": STEPS, "restarts": RESTARTS, "num_pairs": 4, "num_alphas": 5},
    ),
    # FID compares the samples to the training split, as sample_quality does
    Sweep(
        "truncation",
        "truncation",
        paths.TRUNCATION_TABLE,
        "train",
        smoke={"num_samples": SAMPLES},
        smoke_grids=("psi",),
    ),
)
