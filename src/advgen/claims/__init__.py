"""Claims of the source documents (GAN report 001, robustness review 003) tested on a run.

``config/claims.yaml`` lists each claim with its test, its control and its family. The package
follows the claims through their stages, one subpackage each:

- :mod:`advgen.claims.reading`: the claims file, read against ``schemas/claims.schema.yaml``
  (:mod:`~advgen.claims.reading.claims_file`), its claims built (:mod:`~advgen.claims.reading.spec`)
  and their quotes checked against ``docs/sources/`` (:mod:`~advgen.claims.reading.sources`);
- :mod:`advgen.claims.statistics`: the intervals (t at the seed level, Welch, the log scale for
  ratios, exact binomial and score intervals, TOST), Holm's adjustment and the power plan;
- :mod:`advgen.claims.measuring`: the run's Parquet tables read by model role, the effects and
  p-values, the controls and the sample-quality gate;
- :mod:`advgen.claims.deciding`: the verdicts (Holm within each family) and the fragility rule;
- :mod:`advgen.claims.freeze`: the freeze record and the study's phase it sets;
- :mod:`advgen.claims.page`: the verdict table and its views (the page, Markdown, the README's
  summary).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advgen.claims.deciding.verdict import ControlHolds, Verdict, adjust, evaluate
from advgen.claims.measuring.measure import Context
from advgen.claims.page.page_spec import ClaimsPageSpec, RunBudget
from advgen.claims.reading.model import Claim
from advgen.data.sources import DATA_SOURCES

#: how the page names a data source (the config's `datasets.<name>.source`): its one label
DATA_LABELS = {name: source.label for name, source in DATA_SOURCES.items()}


def evaluate_all(claims: list[Claim], ctx: Context, path: str = "claims file") -> list[Verdict]:
    """Every claim's verdict on one run, Holm-adjusted within each family (a broken table raises
    AdvgenError; a claim whose test holds on a margin check a ConfigError naming ``path`` and
    the claim)."""
    from advgen.errors import ConfigError

    out = []
    for c in claims:
        try:
            out.append(evaluate(c, ctx))
        except ControlHolds as exc:
            where = f"{path}:{c.line}" if c.line else path
            raise ConfigError(f"{where}: claims[{c.id}].checks: {exc}") from None
    adjust(out)
    return out


def data_header(spec: ClaimsPageSpec, results: str | Path) -> dict[str, Any]:
    """The page's header: each dataset's source, resolution and split sizes (from its manifest,
    when the run has one), and the seeds of each role's runs."""
    from advgen.io import read_parquet

    datasets = []
    sizes: dict[str, int | None] = {}
    for name, d in spec.datasets.items():
        train = test = None
        manifest = Path(results) / "data" / name / "manifest.parquet"
        if manifest.is_file():
            split = read_parquet(manifest)["split"].value_counts()
            train, test = int(split.get("train", 0)), int(split.get("test", 0))
        size = d.image_size
        datasets.append(
            {
                "name": name,
                "label": DATA_LABELS.get(d.source, d.source),
                "resolution": f"{size}×{size} px" if size else "",
                "train": train,
                "test": test,
            }
        )
        sizes[name] = train
    budgets = {
        name: {"what": b.what, "source": b.source, "ours": budget_text(b.runs, sizes)}
        for name, b in sorted(spec.budgets.items())
    }
    return {
        "datasets": datasets,
        "budgets": list(budgets.values()),
        "budget_by_name": budgets,
        "seeds": {role: dict(runs) for role, runs in spec.seeds.items()},
        "config": spec.config,
        "toy_scale": spec.toy_scale,
        "results": str(results),
    }


def budget_text(runs: Mapping[str, RunBudget], train_sizes: Mapping[str, int | None]) -> str:
    """This study's training of a budget's runs, in the source's terms, per config entry:
    ``mnist_ns: 25 epochs x 62 full batches of 64 (about 1,550 iterations) on 4,000 training images``."""
    parts: dict[str, list[str]] = {}
    for run, budget in runs.items():
        epochs, batch = budget.epochs, budget.batch_size
        if not epochs:
            continue
        text = f"{epochs} epochs"
        size = train_sizes.get(budget.dataset) if budget.dataset else None
        if size:
            fraction = float(budget.train_fraction or 1.0)
            if str(budget.train_subset or "all").startswith("half"):
                fraction /= 2
            size = int(round(size * fraction))
            if batch:
                per = size // batch
                text += f" × {per} full batches of {batch} (about {epochs * per:,} iterations)"
            text += f" on {size:,} training images"
        elif batch:
            text += f" at batch {batch}"
        entry = budget.replicate_of or run
        parts.setdefault(text, [])
        if entry not in parts[text]:
            parts[text].append(entry)
    return (
        "; ".join(f"{', '.join(entries)}: {text}" for text, entries in parts.items()) or "not in this config"
    )


__all__ = ["DATA_LABELS", "budget_text", "data_header", "evaluate_all"]
