"""Offline sample quality under a dataset's classifier: Fréchet distance, Inception
Score, mode coverage (modes, KL to uniform, mean max-probability)."""

from advgen.metrics.evaluate import classifier_outputs, combined_status, generate, quality_row
from advgen.metrics.scores import frechet_distance, inception_score, mode_coverage

__all__ = [
    "classifier_outputs",
    "combined_status",
    "frechet_distance",
    "generate",
    "inception_score",
    "mode_coverage",
    "quality_row",
]
