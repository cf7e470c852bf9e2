"""The workflow's rule names: one per job kind (:data:`advgen.pipeline.jobkinds.JOB_KINDS`,
``workflow/rules/jobs.smk``, the figure families' included) and the literal rules
(``Snakefile``, ``workflow/rules/cv.smk``).

A profile's ``set-resources`` and ``set-threads`` name rules (:func:`advgen.profiles.check_profile`):
a name not among these applies to nothing.
"""

from __future__ import annotations

#: the rules written out in the Snakefile and cv.smk
LITERAL_RULES = ("all", "cv", "cv_stats")


def rule_names() -> frozenset[str]:
    """Every rule the workflow can define (whatever the config)."""
    from advgen.pipeline.jobkinds import JOB_KINDS

    return frozenset({kind.name for kind in JOB_KINDS} | set(LITERAL_RULES))
