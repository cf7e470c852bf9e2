"""Offline sample quality under a dataset's classifier: Fréchet distance, Inception
Score, mode coverage (modes, KL to uniform, mean max-probability), precision and recall; one row of the
sample-quality table (:func:`sample_quality_row`, what ``advgen sample-quality`` calls)."""

from advgen.metrics.evaluate import classifier_outputs, combined_status, generate, quality_row
from advgen.metrics.sample_quality import sample_quality_row
from advgen.metrics.scores import frechet_distance, inception_score, mode_coverage, precision_recall
from advgen.metrics.spec import SampleQualitySpec

__all__ = [
    "SampleQualitySpec",
    "classifier_outputs",
    "combined_status",
    "frechet_distance",
    "generate",
    "inception_score",
    "mode_coverage",
    "precision_recall",
    "quality_row",
    "sample_quality_row",
]
