"""Offline sample quality under a dataset's classifier: Fréchet distance, Inception
Score, mode coverage (modes, KL to uniform, mean max-probability), precision and recall; one row of the
sample-quality table (:func:`sample_quality_row`, what ``advgen sample-quality`` calls).
"""

from __future__ import annotations

from advgen.lazy_exports import lazy_exports

#: submodule -> the names it defines, loaded on first use (:mod:`advgen.lazy_exports`: the
#: torch-free :mod:`advgen.metrics.spec` imports no torch)
_NAMES = {
    "evaluate": ("classifier_outputs", "combined_status", "generate", "quality_row"),
    "sample_quality": ("sample_quality_row",),
    "scores": ("frechet_distance", "inception_score", "mode_coverage", "precision_recall"),
    "spec": ("SampleQualitySpec",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
