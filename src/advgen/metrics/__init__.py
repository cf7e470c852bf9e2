"""Offline sample quality under a dataset's classifier: Fréchet distance, Inception
Score, mode coverage (modes, KL to uniform, mean max-probability), precision and recall
(:mod:`~advgen.metrics.scores`); one row of the sample-quality table
(:func:`advgen.metrics.sample_quality.sample_quality_row`, what ``advgen sample-quality`` calls).
"""
