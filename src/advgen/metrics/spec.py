"""The ``sample-quality`` job's spec: :class:`SampleQualitySpec` (the ``sample_quality``
section, seed filled).

The defaults are the schema's (``generative.schema.yaml#/$defs/sample_quality``, filled by the
workflow or :func:`advgen.gan.spec.complete_spec`): the dataclass states none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleQualitySpec:
    """Offline sample quality (:func:`advgen.metrics.sample_quality_row`): the classifier whose
    features score the samples (Fréchet distance; Inception Score, Salimans et al. 2016; precision
    and recall, Kynkäänniemi et al. 2019, with its k), the sample and batch sizes, the
    mode-collapse fraction and the quality gate's bars.

    A bar stays a mapping (metric -> bound, :mod:`advgen.metrics.gate`): it names only the
    metrics it bounds, so its JSON has no fixed set of keys.
    """

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
