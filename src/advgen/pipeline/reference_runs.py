"""Reference runs for the first estimates of a run's time left: the mean wall seconds of one job of
each rule in a measured demo and a measured default study.

Before a rule has a job done in this run, or a benchmark file from an earlier run, the progress
line (:mod:`advgen.pipeline.progress`) prices its jobs by these, scaled to this run's pace (its
finished jobs' seconds over their reference seconds): a first job that took 36 s where its
reference took 11 s says this host runs about 3x slower, not that every job takes 36 s. The jobs
that start before any job finished wait for the run's start-up (the warm server's imports,
:mod:`advgen.warm`) besides their own work: their reference is :data:`STARTUP` more. The run's
reference is the one whose number of jobs is nearest (on a log scale): a demo-sized run is
priced like the demo, a study-sized one like the study.

* ``demo``: ``make demo`` (``config/demo.yaml``, 51 jobs) on a 2-core AMD EPYC host at c573b58,
  its ``demo/results/benchmarks/`` read by :func:`advgen.pipeline.progress.earlier_benchmarks`.
  Its two first jobs (the CV, the report's facts) took 11.6 s and 10.5 s waiting for the
  start-up; their own time is from a run at f49cfd9 on a host 4.5x slower by the median of
  every other rule (4.11 s and 1.19 s there), and the rest of theirs is :data:`STARTUP`;
* ``study``: round 2's ``make run`` (687 jobs) at eaab0c6 on a 2-core Intel Xeon host,
  ``docs/rounds/round2/job_times.tsv``. Rules it did not have (the classifier sweeps' points, the
  mode-coverage figure) are priced at the median rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import median

#: the seconds the reference demo's first jobs waited for the run's start-up (11.55 - 0.92 and
#: 10.50 - 0.27, their mean)
STARTUP = 10.4
#: name -> (its number of jobs, rule -> mean seconds of one job)
REFERENCES: dict[str, tuple[int, dict[str, float]]] = {
    "demo": (
        51,
        {
            "aggregate_sweep": 0.33,
            "attack": 0.48,
            "attack_success_by_class": 0.37,
            "attack_table": 0.32,
            "claims": 2.16,
            "cv": 0.92,
            "data_manifest": 0.28,
            "findings": 0.32,
            "inpaint": 0.61,
            "interpolate": 0.78,
            "invert": 0.73,
            "plot_ae_latent_cdf": 1.17,
            "plot_ae_losses": 1.05,
            "plot_ae_reconstructions": 0.34,
            "plot_ae_samples": 0.42,
            "plot_gan_grad_norms": 1.11,
            "plot_gan_loss_comparison": 1.22,
            "plot_gan_losses": 0.99,
            "plot_gan_mode_coverage": 1.07,
            "plot_gan_samples": 0.39,
            "plot_generators_landing": 0.3,
            "plot_generators_overview": 0.34,
            "plot_inpainting": 0.77,
            "plot_interpolation_labels": 0.74,
            "plot_inversion_restarts": 1.57,
            "plot_inversion_summary": 0.84,
            "plot_robustness_curves": 1.11,
            "plot_truncation": 0.7,
            "plot_truncation_grid": 0.62,
            "prepare_data": 0.6,
            "provenance": 0.33,
            "report_facts": 0.27,
            "sample_quality": 0.95,
            "table_robustness": 0.37,
            "table_sample_quality": 0.28,
            "train_ae": 1.83,
            "train_classifier": 2.1,
            "train_gan": 1.92,
            "truncation": 0.58,
        },
    ),
    "study": (
        687,
        {
            "adversarial_examples": 1.3,
            "aggregate_sweep": 0.5,
            "attack": 5.2,
            "attack_success_by_class": 0.8,
            "attack_table": 2.5,
            "claims": 6.2,
            "cv": 0.9,
            "data_manifest": 0.3,
            "findings": 0.2,
            "flip_discriminator": 12.7,
            "inpaint": 8.8,
            "interpolate": 7.7,
            "invert": 5.7,
            "masking_checks": 8.0,
            "masking_table": 0.3,
            "plot_ae_latent_cdf": 14.7,
            "plot_ae_losses": 10.0,
            "plot_ae_reconstructions": 1.2,
            "plot_ae_samples": 1.8,
            "plot_defense_flip": 0.9,
            "plot_defense_probe": 0.8,
            "plot_defense_purify_cost": 1.3,
            "plot_defense_purify_eps": 1.4,
            "plot_gan_grad_norms": 36.4,
            "plot_gan_loss_comparison": 4.0,
            "plot_gan_losses": 41.6,
            "plot_gan_mode_coverage": 1.2,
            "plot_gan_samples": 22.6,
            "plot_generators_landing": 0.2,
            "plot_generators_overview": 0.7,
            "plot_inpainting": 1.0,
            "plot_interpolation_labels": 9.6,
            "plot_inversion_restarts": 26.0,
            "plot_inversion_summary": 1.6,
            "plot_minimal_perturbation": 0.7,
            "plot_robustness_curves": 2.8,
            "plot_robustness_sweep": 1.2,
            "plot_transfer": 13.5,
            "plot_truncation": 0.7,
            "plot_truncation_grid": 17.3,
            "prepare_data": 2.7,
            "probe_discriminator": 51.0,
            "provenance": 0.9,
            "purify": 9.5,
            "purify_table": 0.3,
            "report_facts": 6.1,
            "robust_features": 61.8,
            "robust_features_table": 0.1,
            "robustness_sweep": 137.2,
            "sample_quality": 46.7,
            "table_robustness": 0.5,
            "table_sample_quality": 0.1,
            "train_ae": 63.6,
            "train_classifier": 7.9,
            "train_gan": 196.4,
            "transfer": 0.2,
            "transfer_capacity": 0.4,
            "transfer_capacity_source": 3.1,
            "transfer_source": 14.8,
            "truncation": 2.0,
            "worst_case": 1.2,
        },
    ),
}


def nearest(jobs: int) -> dict[str, float]:
    """The reference whose number of jobs is nearest ``jobs`` on a log scale (rule -> seconds)."""
    _, seconds = min(REFERENCES.values(), key=lambda ref: abs(math.log(max(jobs, 1) / ref[0])))
    return seconds


def reference_seconds(reference: Mapping[str, float], rule: str) -> float:
    """One job of ``rule`` in ``reference``; a rule it lacks: its median rule's."""
    return reference[rule] if rule in reference else median(reference.values())
