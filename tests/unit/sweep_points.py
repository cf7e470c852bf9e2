"""Spec JSON of tiny sweep points (advgen.sweeps.spec), as a grid point's job gets it."""

from __future__ import annotations

from typing import Any


def inversion_point(**changes: Any) -> dict[str, Any]:
    """An inversion point's spec (:meth:`advgen.sweeps.grid.GridPoint.spec`): two images, one
    restart of one Adam step from a random latent; ``changes`` replace or add fields."""
    return {
        "sweep": "inversion",
        "point": "p",
        "generator": "g",
        "generator_kind": "gan",
        "dataset": "d",
        "classifier": "c",
        "seed": 0,
        "device": "cpu",
        "num_images": 2,
        "steps": 1,
        "optimizer": "adam",
        "lr": 0.1,
        "restarts": 1,
        "prior_weight": 0.0,
        "clip": None,
        "init": "random",
        **changes,
    }
