"""Purify job specs for the defense stage's unit tests (no torch)."""

from __future__ import annotations

from typing import Any

from advgen.defense.spec import PurifySpec
from advgen.specs import typed_spec

#: the bare classifier's purify job (purifier ``none``), the JSON the workflow would pass
BARE: dict[str, Any] = {
    "purifier": "none",
    "method": "none",
    "generator": None,
    "generator_kind": None,
    "classifier": "c",
    "dataset": "blobs",
    "num_images": None,
    "point": "bare",
    "operating": True,
    "steps": 0,
    "restarts": 0,
    "attacks": ["pgd"],
    "eps": [0.1],
    "pgd_steps": 5,
    "adaptive_steps": 5,
    "eot_samples": 2,
    "seed": 0,
}


def purify_spec(**fields: Any) -> PurifySpec:
    """The typed spec of :data:`BARE` with ``fields`` changed (JSON values: lists, not tuples)."""
    return typed_spec(PurifySpec, {**BARE, **fields})
