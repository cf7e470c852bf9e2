"""Every artifact path of the workflow, spelled once.

Templates use the rules' wildcard names (``{gan}``, ``{classifier}``, ...). Rules take their
``output:`` from here, plans fill them with :func:`fill`, and nothing else in the workflow or
the library writes a ``results/...`` path. A leaf module: it imports nothing of advgen, so
the library (plots, sweeps, training) and the pipeline layer both read it; no torch here
(the Snakefile imports it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from string import Formatter
from typing import Any, ClassVar, Self

# --- data stage
DOWNLOAD_RECEIPT = "resources/.downloads/{dataset}.json"
PREPARED = "results/data/{dataset}/{split}.pt"
MANIFEST = "results/data/{dataset}/manifest.parquet"

# --- generative stage
GAN = "results/gans/{gan}"
GAN_CHECKPOINT = GAN + "/checkpoint.pt"
GAN_LOSSES = GAN + "/losses.parquet"
GAN_SAMPLES = GAN + "/samples"
GAN_STATUS = GAN + "/status.json"
GAN_RESUME = GAN + "/resume"
AE = "results/autoencoders/{ae}"
AE_CHECKPOINT = AE + "/checkpoint.pt"
AE_LOSSES = AE + "/losses.parquet"
AE_LATENT_CDF = AE + "/latent_cdf.parquet"
AE_NOVEL = AE + "/novel.png"
AE_RECONSTRUCTIONS = AE + "/reconstructions.png"
AE_METRICS = AE + "/metrics.json"
AE_RESUME = AE + "/resume"
SAMPLE_QUALITY_SUMMARY = "results/sample_quality/summary.parquet"
SAMPLE_QUALITY_REAL_GRID = "results/sample_quality/real_{dataset}.png"  # 64 real test images, every class

# --- seeds stacked as one job (advgen.pipeline.stacking): an entry's bundle holds each run's
# outputs in a folder named after the run, laid out as the run's own folder; the resume state
# lies beside it (a failed job's declared outputs are deleted, its resume state is kept)
STACKED_GANS = "results/stacked/gans/{entry}"
STACKED_GANS_RESUME = STACKED_GANS + ".resume"
STACKED_AES = "results/stacked/autoencoders/{entry}"
STACKED_AES_RESUME = STACKED_AES + ".resume"
STACKED_CLASSIFIERS = "results/stacked/classifiers/{entry}"
STACKED_CLASSIFIERS_RESUME = STACKED_CLASSIFIERS + ".resume"

# --- robustness stage
CLASSIFIER_MODEL = "results/classifiers/{classifier}/model.pt"
CLASSIFIER_HISTORY = "results/classifiers/{classifier}/history.parquet"
CLASSIFIER_RESUME = "results/classifiers/{classifier}/resume/last.pt"
# one attack on one classifier (the `attack` job, the unit of recomputation); attack_table
# concatenates them into ATTACK (per classifier) and ATTACKS
ATTACK_CURVE = "results/robustness/attacks/{classifier}/{attack}.parquet"
# the same job's per-example outcomes (one row per eps and evaluated test example)
ATTACK_EXAMPLES = "results/robustness/attacks/{classifier}/{attack}.examples.parquet"
ATTACK = "results/robustness/attacks/{classifier}.parquet"  # every attack on one classifier
ATTACKS = "results/robustness/attacks.parquet"
MINIMAL_PERTURBATION = "results/robustness/minimal_perturbation.parquet"
# per (classifier, eps): robust under every attack of robustness.worst_case, per example
WORST_CASE = "results/robustness/worst_case.parquet"
# per (classifier, attack, eps, true class): attack success from the per-example tables
ATTACK_SUCCESS_BY_CLASS = "results/robustness/attack_success_by_class.parquet"
# one source model's rows of a transfer matrix (the `transfer_source` job, the unit of
# recomputation); the `transfer` job concatenates them into TRANSFER; the capacity matrix the same
TRANSFER_SOURCE = "results/robustness/transfer/{source}.parquet"
TRANSFER = "results/robustness/transfer.parquet"
# one point's row of a capacity or data-size sweep (the `robustness_sweep_point` job, the unit of
# recomputation); the `robustness_sweep` job gathers a sweep's into ROBUSTNESS_SWEEP
ROBUSTNESS_SWEEP_POINT = "results/robustness/sweep_points/{sweep}/{point}.parquet"
ROBUSTNESS_SWEEP = "results/robustness/sweeps/{sweep}.parquet"
TRANSFER_CAPACITY_SOURCE = "results/robustness/transfer_capacity/{source}.parquet"
TRANSFER_CAPACITY = "results/robustness/transfer_capacity.parquet"
# Ilyas et al.'s robust features: one job per seed of the pair of classifiers, then the table
ROBUST_FEATURES_RUN = "results/robustness/robust_features/seed{seed}.parquet"
ROBUST_FEATURES_DATASETS = "results/robustness/robust_features/seed{seed}_datasets.pt"
ROBUST_FEATURES = "results/robustness/robust_features.parquet"
ADVERSARIAL_EXAMPLES = "results/figures/robustness/adversarial_examples/{classifier}"

# --- sweeps stage: one job per (sweep, generator, grid point); {point} is the point's readable
# label, its values on the sweep's grid axes (advgen.sweeps.grid), also its tables' `point` column;
# a sweep's point job writes its files in the point's folder (its entry of advgen.sweeps.registry)
SWEEP_POINT = "results/sweeps/{sweep}/{generator}/{point}"
INVERSION = SWEEP_POINT.replace("{sweep}", "inversion")
INVERSION_FINAL = INVERSION + "/final.parquet"
INVERSION_STEPS = INVERSION + "/steps.parquet"
INVERSION_LATENTS = INVERSION + "/z.pt"
INVERSION_FIGURE = INVERSION + "/reconstructions.png"
INPAINTING = SWEEP_POINT.replace("{sweep}", "inpainting")
INPAINTING_TABLE = INPAINTING + "/table.parquet"
INPAINTING_FIGURE = INPAINTING + "/examples.png"
INTERPOLATION = SWEEP_POINT.replace("{sweep}", "interpolation")
INTERPOLATION_PATHS = INTERPOLATION + "/paths.parquet"
INTERPOLATION_FRAMES = INTERPOLATION + "/frames.parquet"
INTERPOLATION_FIGURE = INTERPOLATION + "/strips.png"
TRUNCATION = SWEEP_POINT.replace("{sweep}", "truncation")
TRUNCATION_TABLE = TRUNCATION + "/table.parquet"
TRUNCATION_SAMPLES = TRUNCATION + "/samples.npz"  # the point's row of the truncation image grid (uint8)
SWEEP_AGGREGATE = "results/sweeps/{sweep}.parquet"

# gradient-masking checks: one job per (family classifier | purifier, name, check); {check} is
# a name of advgen.robustness.tables.MASKING_CHECKS
MASKING_JOB = "results/robustness/masking/{family}/{name}/{check}.parquet"
MASKING = "results/robustness/masking.parquet"

# --- defense stage
PURIFY = "results/defense/purify/{purifier}/{point}.parquet"  # one point of one purifier
DEFENSE_TABLE = "results/defense/{table}.parquet"  # purify (the purifiers' tables), probe
FLIP_EXAMPLES = "results/defense/flip_examples.parquet"
FLIP_SUMMARY = "results/defense/flip.parquet"

# --- plots stage (a figure family's files are its row's, advgen.pipeline.figure_kinds, under FIGURES)
FIGURES = "results/figures"
TABLE_MD = "results/tables/{table}.md"
GENERATORS_RST = "results/tables/generators.rst"  # the landing page's pictures (the overview figure inline)
# the landing page's main numbers (advgen.findings): robustness, generators, verdict counts
FINDINGS_RST = "results/tables/findings.rst"
FINDINGS_MD = "results/tables/findings.md"

# --- claims stage (its own page, linked first from the report)
CLAIMS_HTML = "results/claims.html"
CLAIMS_MD = "results/tables/claims.md"
CLAIMS_PARQUET = "results/tables/claims.parquet"
CLAIMS_RST = "results/tables/claims.rst"
#: the GAN report's parameter counts and convolution-gradient identities, recomputed (advgen report-facts)
REPORT_FACTS = "results/claims/report_facts.parquet"

# --- provenance stage (which code built the outputs; a report entry and the landing page)
PROVENANCE_HTML = "results/provenance.html"
PROVENANCE_RST = "results/tables/provenance.rst"

# --- cv stage
CV = "results/cv/cv.{ext}"
CV_FORMATS = ("md", "html", "typ", "pdf")

# --- every rule
LOG = "logs/{rule}/{job}.log"
BENCHMARK = "results/benchmarks/{rule}/{job}.tsv"


def fill(template: str, **values: Any) -> str:
    """``template`` with the named wildcards filled in (the others left as ``{name}``)."""
    unknown = set(values) - {name for _, name, _, _ in Formatter().parse(template) if name}
    if unknown:
        raise KeyError(f"{template}: no wildcard {', '.join(sorted(unknown))}")
    return template.format_map(_Partial(values))


class _Partial(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class RunLayout:
    """A dataclass of one run's output paths, field ``f`` at this module's template
    ``<STAGE>_<F>`` (``stage``: the run folder's template, e.g. ``GAN``)."""

    stage: ClassVar[str]

    @classmethod
    def under(cls, folder: str | Path) -> Self:
        """The workflow's layout of the run's folder (the template ``stage``) below ``folder``."""
        root = Path(globals()[cls.stage])
        at = {
            f.name: Path(folder) / Path(globals()[f"{cls.stage}_{f.name.upper()}"]).relative_to(root)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        }
        return cls(**at)


def log(rule: str, job: str) -> str:
    """The log path of a rule's job (``job`` may hold wildcards)."""
    return LOG.format(rule=rule, job=job)


def benchmark(rule: str, job: str) -> str:
    return BENCHMARK.format(rule=rule, job=job)
