"""The columns of the pipeline's tables: their value types, and the column lists of the tables
the claims read.

:func:`advgen.io.read_parquet` checks each table it reads against the type sets, so a table
whose ``eps`` holds strings (edited by hand, written by other code) is one error naming the
file and the column instead of being tabled and plotted as categories. Columns not listed
(free text, per-table mixtures such as ``steps``) are not checked.

The column lists are stated here once: the writers (:mod:`advgen.gan.train`,
:mod:`advgen.ae.train`, :mod:`advgen.robustness.sweeps`, :mod:`advgen.robustness.transfer`,
:mod:`advgen.robustness.robust_features`) write them in this order, and the claims plan
(:mod:`advgen.pipeline.claims`) checks the columns a claim names against them when the config
is checked. No torch here.
"""

from __future__ import annotations

from typing import Any

#: measurements, counts, indices and settings: numbers (int or float; NaN/None allowed)
NUMBER_COLUMNS = frozenset(
    """
    alpha attack_restarts attack_samples attack_seconds_per_image attack_steps best_restart clean_acc d_fake
    d_grad_norm d_loss d_real difference end_image end_label epoch eps error example factor feature_dim fid
    first_restart_mse fit_seconds g_grad_norm g_loss gap hidden_fraction image image_mse inception_score
    inception_score_std index is_mean is_std iteration kl_uniform label label_changes latent_quantile level
    max_step_ratio mean_adv_confidence mean_l2 mean_linf mean_max_prob mean_norm mean_restart_mse mean_step_l2
    median_l2 median_linf min_class_fraction min_endpoint_prob modes moment_mse mse mse_hidden mse_known n
    n_samples n_train normal_quantile num_alphas num_classes num_images num_pairs num_samples pair parameters
    path_length_ratio pepper_fraction pred pred_completed pred_end pred_masked pred_recon pred_start pred_target
    prob prob_end prob_start psi psi_value psnr psnr_hidden replicates restart rho_adv robust_acc robust_gap
    scaled_moment seconds seconds_per_image seed source_index spread standard_acc standard_n standard_worst_acc
    start_image start_label step steps_x_restarts success_rate test_clean_acc test_mse train_acc train_clean_acc
    train_fraction train_robust_acc unroll unroll_k width worst_case_acc z_kurtosis z_mean z_var
    endpoint_mse endpoint_mse_other end_approach end_approach_other sharpness speckle real_sharpness real_speckle
    ink_target ink_recon ink_other ink_other2 other_image label_hit measured pred_other initial_mse hidden_ink mask_row
    mask_col pair_l2 precision recall
    """.split()
)
#: flags
BOOL_COLUMNS = frozenset(
    "adv_correct best clean_correct correct_completed correct_masked distinct_labels label_kept operating "
    "third_class third_class_blend similar_pair".split()
)
#: names of experiments, models and methods: strings
NAME_COLUMNS = frozenset(
    "attack attacks classifier dataset defense fact family generator generator_kind kind method mode model point split "
    "standard_attack sweep threat".split()
)


def _bad_value(values: Any, ok: tuple[type, ...], reject: tuple[type, ...] = ()) -> Any:
    import pandas as pd

    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        if not isinstance(v, ok) or isinstance(v, reject):
            return v
    return None


def column_problem(name: str, column: Any) -> str | None:
    """What is wrong with ``column`` (a pandas Series named ``name``), or ``None``."""
    import numpy as np

    kind = column.dtype.kind
    if name in NUMBER_COLUMNS:
        if kind in "iuf":
            return None
        if kind == "O":
            bad = _bad_value(column, (int, float, np.integer, np.floating), (bool, np.bool_))
            if bad is None:
                return None
            return f"holds {type(bad).__name__} values ({bad!r}), expected numbers"
        return f"holds {column.dtype} values, expected numbers"
    if name in BOOL_COLUMNS:
        if kind == "b":
            return None
        if kind == "O" and _bad_value(column, (bool, np.bool_)) is None:
            return None
        return f"holds {column.dtype} values, expected true/false"
    if name in NAME_COLUMNS and kind in "biufc" and column.notna().any():
        return f"holds {column.dtype} values, expected names (strings)"
    return None


#: per-iteration GAN training log (``results/gans/<gan>/losses.parquet``)
GAN_LOSS_COLUMNS = (
    "iteration",
    "epoch",
    "g_loss",
    "d_loss",
    "d_real",
    "d_fake",
    "g_grad_norm",
    "d_grad_norm",
    "unroll_k",
)
#: per-iteration autoencoder training log (``results/autoencoders/<ae>/losses.parquet``)
AE_LOSS_COLUMNS = (
    "iteration",
    "epoch",
    "image_mse",
    "moment_mse",
    "factor",
    "scaled_moment",
    "loss",
    "z_mean",
    "z_var",
    "z_kurtosis",
    "test_mse",  # the test split's reconstruction MSE at the end of the row's epoch (the learning curve)
)
#: ``results/sample_quality/summary.parquet``: one row per generator run and per real split
SAMPLE_QUALITY_COLUMNS = (
    "model",
    "family",
    "dataset",
    "classifier",
    "n_samples",
    "fid",
    "is_mean",
    "is_std",
    "precision",  # Kynkäänniemi et al. 2019 (advgen.metrics.scores.precision_recall)
    "recall",
    "modes",
    "kl_uniform",
    "mean_max_prob",
    "min_class_fraction",
    "class_fractions",
    "num_classes",
    "train_status",
    "status",
    "test_mse",
    "roles",  # the quality gate (advgen.metrics.gate): the run's roles with bars,
    "gate",  # "pass", "fail" or "" (no bar for its roles),
    "gate_failures",  # the bars missed, "fid 75.1 > 40; classes 8 < 9"
)
#: ``results/claims/report_facts.parquet`` (:mod:`advgen.report_facts`)
REPORT_FACTS_COLUMNS = ("fact", "measured", "reference")
#: transfer matrices (``results/robustness/transfer.parquet`` and the capacity one)
TRANSFER_COLUMNS = ("source", "attack", "kind", "target", "eps", "n", "error")
#: rows of one classifier sweep as :mod:`advgen.robustness.sweeps` writes them (the aggregate
#: table adds ``robust_gap``)
SWEEP_JOB_COLUMNS = (
    "sweep",
    "classifier",
    "seed",
    "mode",
    "width",
    "train_fraction",
    "n_train",
    "parameters",
    "eps",
    "n_test",
    "clean_acc",
    "robust_acc",
    "train_clean_acc",
    "train_robust_acc",
)
#: the robust-features table; ``seed``: the job's seed, that of its pair of classifiers
#: (:func:`advgen.robustness.plan.robust_features_pairs`)
ROBUST_FEATURES_COLUMNS = (
    "dataset",
    "model",
    "n_train",
    "build_metric",
    "label_hit",
    "clean_acc",
    "robust_acc",
    "attack",
    "eps",
    "seed",
)
#: the gradient-masking checks' rows (:mod:`advgen.robustness.masking`, one per model and check)
MASKING_COLUMNS = ["model", "check", "passed", "value", "reference", "tolerance", "eps", "n", "detail"]
#: one attack job's per-example outcomes (``paths.ATTACK_EXAMPLES``): one row per eps and
#: evaluated test example; ``example`` indexes the prepared test split, so two attacks that
#: evaluate the same subset of a classifier's test split share their ids
ATTACK_EXAMPLE_COLUMNS = ("classifier", "attack", "eps", "example", "clean_correct", "adv_correct")
#: ``results/robustness/worst_case.parquet`` (:mod:`advgen.robustness.worst_case`): one row per
#: (classifier, eps) that every attack of ``robustness.worst_case.attacks`` ran; then one
#: ``robust_acc_<attack>`` column per attack (its own robust accuracy on the same examples,
#: :func:`worst_case_columns`). ``standard_*`` and ``gap`` compare the worst case with
#: ``robustness.worst_case.standard`` (AutoAttack's standard budget) on the examples both
#: evaluated; NaN where that attack did not run
WORST_CASE_COLUMNS = (
    "classifier",
    "eps",
    "attacks",
    "n",
    "clean_acc",
    "robust_acc",
    "standard_attack",
    "standard_n",
    "standard_worst_acc",
    "standard_acc",
    "gap",
)


def worst_case_columns(attacks: Any) -> tuple[str, ...]:
    """The worst-case table's columns for the attack set ``attacks`` (config order)."""
    return (*WORST_CASE_COLUMNS, *(f"robust_acc_{a}" for a in attacks))
