"""The workflow's rule names: one per job kind (:data:`advgen.pipeline.jobkinds.JOB_KINDS`,
``workflow/rules/jobs.smk``), one per figure job (:data:`advgen.pipeline.figures.FIGURES`,
``workflow/rules/plots.smk``) and the literal rules (``Snakefile``, ``workflow/rules/cv.smk``).

A profile's ``set-resources`` and ``set-threads`` name rules (:func:`advgen.profiles.check_profile`):
a name not among these applies to nothing.
"""

from __future__ import annotations

#: the rules written out in the Snakefile and cv.smk
LITERAL_RULES = ("all", "cv", "cv_stats")


def rule_names() -> frozenset[str]:
    """Every rule the workflow can define (whatever the config)."""
    from advgen.pipeline.figures import FAMILY, FIGURE, FIGURES
    from advgen.pipeline.jobkinds import JOB_KINDS

    return frozenset(
        {kind.name for kind in JOB_KINDS}
        | {fig.rule for fig in FIGURES if fig.job in (FAMILY, FIGURE)}
        | set(LITERAL_RULES)
    )
