"""Offline sample quality under a dataset's classifier: Fréchet distance, Inception
Score, mode coverage (modes, KL to uniform, mean max-probability), precision and recall; one row of the
sample-quality table (:func:`sample_quality_row`, what ``advgen sample-quality`` calls).

Its names load on first use (:mod:`advgen.lazy_exports`): the torch-free :mod:`advgen.metrics.spec`
imports no torch.
"""

from __future__ import annotations

from typing import Any

from advgen.lazy_exports import load_export

#: name -> the submodule that defines it
_WHERE = {
    "classifier_outputs": "evaluate",
    "combined_status": "evaluate",
    "generate": "evaluate",
    "quality_row": "evaluate",
    "sample_quality_row": "sample_quality",
    "frechet_distance": "scores",
    "inception_score": "scores",
    "mode_coverage": "scores",
    "precision_recall": "scores",
    "SampleQualitySpec": "spec",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    return load_export(__name__, _WHERE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
