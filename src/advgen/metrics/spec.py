"""The ``sample-quality`` job's spec: :class:`SampleQualitySpec` (the ``sample_quality``
section, seed filled).

The defaults are the schema's (``generative.schema.yaml#/$defs/sample_quality``, filled by the
workflow or :func:`advgen.gan.spec.complete_spec`): the dataclass states none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from advgen.specs import ROLE, ConfigEntry, job_schema, ref_map


@dataclass(frozen=True)
class SampleQualitySpec:
    """Offline sample quality (:func:`advgen.metrics.sample_quality.sample_quality_row`): the classifier whose
    features score the samples (Fréchet distance; Inception Score, Salimans et al. 2016; precision
    and recall, Kynkäänniemi et al. 2019, with its k), the sample and batch sizes, the
    mode-collapse fraction and the quality gate's bars.

    A bar stays a mapping (metric -> bound, :mod:`advgen.metrics.gate`): it names only the
    metrics it bounds, so its JSON has no fixed set of keys.
    """

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry(
        "generative.sample_quality", description="the sample_quality section, seed filled"
    )

    classifier: str
    classifier_by_dataset: dict[str, str]
    n_samples: int
    batch_size: int
    features: str
    is_splits: int
    pr_k: int
    collapse_fraction: float
    include_real: bool
    bars: dict[str, dict[str, float | bool]]
    seed: int


@dataclass(frozen=True)
class QualityRow:
    """One row of the sample-quality summary: a generator run (``real`` false: its checkpoint and
    run info are the job's ``models`` and ``infos`` inputs, in row order) or a dataset's real test
    images (``real``: its ``reals`` input, and a grid of them the ``grids`` output), scored by
    the classifier ``classifier_name`` of ``dataset``; ``bars``: the quality bars of the run's
    roles (role -> bar)."""

    name: str = field(metadata=job_schema(ref="#/$defs/name"))
    dataset: str = field(metadata=job_schema(ref="#/$defs/name"))
    classifier_name: str = field(metadata=job_schema(ref="#/$defs/name"))
    real: bool = field(
        metadata=job_schema(description="the dataset's real test images (else a generator run)")
    )
    bars: dict[str, dict[str, float | bool]] | None = field(
        default=None,
        metadata=job_schema(
            schema=ref_map("generative.schema.yaml#/$defs/bar", keys=ROLE),
            description="the quality bars of the run's roles (role -> bar)",
        ),
    )


@dataclass(frozen=True)
class SampleQualityJobSpec:
    """The ``sample_quality`` job's spec: the section's settings (seed filled), every row it
    scores (each seeded alone, so sharing a job changes no number) and the device."""

    settings: SampleQualitySpec
    rows: tuple[QualityRow, ...] = field(
        metadata=job_schema(
            schema={
                "type": "array",
                "minItems": 1,
                "maxItems": 100000,
                "uniqueItems": True,
                "items": {"$ref": "#/$defs/QualityRow"},
            }
        )
    )
    device: str = field(metadata=job_schema(ref="#/$defs/device"))
