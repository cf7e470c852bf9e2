"""How many jobs a config makes, counted on the plans before Snakemake builds its DAG.

Every list of the config has its own bound (the schema's ``maxItems``, a grid's
:data:`advgen.config.MAX_GRID_JOBS`), but lists multiply: a thousand replicates of one
classifier make a thousand trainings, each attacked by every attack and drawn in figures, and
Snakemake then spends minutes planning before it says a word. :func:`check_job_count` counts the
jobs of every entry and grid point (what grows with the config) and refuses more than the
config's ``max_jobs`` (default 5,000; the default study makes about 360, the paper config
about 300) with one line naming the count, the limit and the largest groups. The few
one-per-run jobs (the claims page, the CV, the provenance page, one table per stage) are not
counted.
"""

from __future__ import annotations

from typing import Any

from advgen.errors import ConfigError
from advgen.pipeline.figures import FIGURE, FIGURES, STAGE

#: the default of the config's ``max_jobs`` (config.schema.yaml states it too; a test checks both)
MAX_JOBS = 5000


def job_counts(pipe: Any) -> dict[str, int]:
    """The jobs of each group that grows with the config (group -> count, zero groups left out)."""
    config = pipe.data.config
    figures = pipe.figures
    counts = {
        "prepared splits": 2 * len(config.get("datasets") or {}),
        "GAN trainings": len(config.get("gans") or {}),
        "autoencoder trainings": len(config.get("autoencoders") or {}),
        "classifier trainings": len(pipe.robustness.classifiers),
        "attacks": len(pipe.robustness.attack_jobs),
        "sweep points": sum(len(pipe.sweeps.points(s)) for s in pipe.sweeps.sweeps()),
        "purify points": sum(len(points) for points in pipe.defense.purify.values()),
        "declared job kinds": sum(len(kind.each(pipe.jobs)) for kind in pipe.jobs.kinds()),
        "figures": sum(
            len(figures.each(f)) if f.job == FIGURE else int(bool(figures.each(f)))
            for f in FIGURES
            if f.job != STAGE
        ),
    }
    return {group: n for group, n in counts.items() if n}


def check_job_count(pipe: Any, source: str) -> None:
    """One line when the config makes more jobs than its ``max_jobs``."""
    limit = int(pipe.data.config.get("max_jobs", MAX_JOBS))
    counts = job_counts(pipe)
    total = sum(counts.values())
    if total > limit:
        largest = sorted(counts.items(), key=lambda item: -item[1])[:3]
        parts = ", ".join(f"{n:,} {group}" for group, n in largest)
        raise ConfigError(
            f"{source}: max_jobs: the config makes {total:,} jobs ({parts}, ...), more than the limit of "
            f"{limit:,}; fewer replicates or grid values, or a higher max_jobs if you mean it"
        )
