"""The report's main numbers (its landing page), from the run's own tables: the ``findings`` job
(:func:`findings_job`; ``results/tables/findings.rst`` and ``findings.md``).

* **Robustness**, in the style of RobustBench (Croce et al., "RobustBench: a standardized
  adversarial robustness benchmark", NeurIPS 2021 Datasets and Benchmarks): per classifier
  entry (its runs, one per seed) the clean accuracy and the robust accuracy under AutoAttack
  (Croce & Hein 2020), or, where the run has no AutoAttack on every seed of that classifier,
  under the strongest L-infinity attack it has (the lowest mean robust accuracy), at one eps:
  the largest L-infinity eps at which every classifier was attacked. Each accuracy is the mean
  over seeds with its 95 % t-interval (Student 1908; cut at 0 and 100 %, which a t-interval over
  a few seeds near either end crosses; none from one seed) and the number of seeds.
* **Generators**: per GAN or autoencoder entry the mean over seeds of FID, classes covered
  (classes with at least 1/(2C) of the samples) and mean max-probability of the sample-quality
  classifier (each with its 95 % t-interval over seeds, Student 1908), with the real data's row
  as the reference, and the quality gate.
* **Claims**: the verdict counts of the claims table (source claims and implementation checks).

Torch-free; pandas is imported inside the functions.
"""

from __future__ import annotations

from advgen.findings.tables import (
    ATTACK_INPUT,
    CLAIMS_INPUT,
    QUALITY_INPUT,
    FindingsSpec,
    generators_table,
    robustness_table,
    verdict_counts,
)
from advgen.findings.text import Findings, markdown, rst
from advgen.jobfiles import Files

__all__ = ["findings_job"]


def findings_job(inputs: Files, outputs: Files, spec: FindingsSpec) -> None:
    """The ``findings`` job: optional inputs ``attacks`` (the attack table), ``quality`` (the
    sample-quality table) and ``claims`` (the verdict table); outputs ``rst`` and ``md``."""
    from advgen.io import read_table, write_text

    attacks, quality, claims = (inputs.optional(n) for n in ("attacks", "quality", "claims"))
    found = Findings(
        robustness_table(read_table(attacks, ATTACK_INPUT), spec.replicate_of) if attacks else None,
        generators_table(read_table(quality, QUALITY_INPUT), spec.replicate_of) if quality else None,
        verdict_counts(read_table(claims, CLAIMS_INPUT)) if claims else None,
    )
    texts = {outputs.one("rst"): rst(found), outputs.one("md"): markdown(found)}
    for path, text in texts.items():
        write_text(path, text)
