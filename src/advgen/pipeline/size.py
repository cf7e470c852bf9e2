"""How many jobs a config makes, counted on the plans before Snakemake builds its DAG.

Every list of the config has its own bound (the schema's ``maxItems``, a grid's
:data:`advgen.config_checks.MAX_GRID_JOBS`), but lists multiply: a thousand replicates of one
classifier make a thousand trainings, each attacked by every attack and drawn in figures, and
Snakemake then spends minutes planning before it says a word. :func:`check_job_count` counts the
jobs of every entry and grid point (what grows with the config) and refuses more than the
config's ``max_jobs`` (default 5,000; the default study makes about 360, the paper config
about 300) with one line naming the count, the limit and the largest groups (the jobs of one
job kind, e.g. ``1,000 train_classifier jobs``). The CV's two jobs are not counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advgen.errors import ConfigError

if TYPE_CHECKING:
    from advgen.pipeline.plan import Plan

#: the default of the config's ``max_jobs`` (config.schema.yaml states it too; a test checks both)
MAX_JOBS = 5000


def job_counts(pipe: Plan) -> dict[str, int]:
    """The jobs of each job kind, the figure families' included (group -> count, zero groups
    left out)."""
    counts = {f"{kind.name} jobs": len(pipe.jobs.each(kind)) for kind in pipe.jobs.kinds}
    return {group: n for group, n in counts.items() if n}


def check_job_count(pipe: Plan, source: str) -> None:
    """One line when the config makes more jobs than its ``max_jobs``."""
    limit = pipe.study.max_jobs
    counts = job_counts(pipe)
    total = sum(counts.values())
    if total > limit:
        largest = sorted(counts.items(), key=lambda item: -item[1])[:3]
        parts = ", ".join(f"{n:,} {group}" for group, n in largest)
        raise ConfigError(
            f"{source}: max_jobs: the config makes {total:,} jobs ({parts}, ...), more than the limit of "
            f"{limit:,}; fewer replicates or grid values, or a higher max_jobs if you mean it"
        )
