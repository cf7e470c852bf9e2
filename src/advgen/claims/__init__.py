"""Claims of the source documents (GAN report 001, robustness review 003) tested on a run.

``config/claims.yaml`` lists each claim and the measurement testing it
(:mod:`advgen.claims.spec`); :mod:`advgen.claims.measure` reads the run's Parquet tables,
:mod:`advgen.claims.verdict` applies the generic comparison and
:mod:`advgen.claims.report` writes the claims page.
"""

from advgen.claims.measure import Measurement, Tables, measure
from advgen.claims.report import frame, markdown, rst
from advgen.claims.spec import KINDS, Claim, Term, load_claims
from advgen.claims.verdict import VERDICTS, Verdict, evaluate


def tables_read(claims: list[Claim]) -> list[str]:
    """Every table (relative to the results folder) some claim reads, sorted.

    The claims rule takes as inputs those of them the run's DAG produces (the rest are
    "not measured" on the page, never a missing-input error).
    """
    return sorted({t.table for c in claims for t in c.terms})


def evaluate_all(claims: list[Claim], results: str) -> list[Verdict]:
    """Every claim's verdict on the Parquet tables under ``results``."""
    tables = Tables(results)
    return [evaluate(c, tables) for c in claims]


__all__ = [
    "KINDS",
    "VERDICTS",
    "Claim",
    "Measurement",
    "Tables",
    "Term",
    "Verdict",
    "evaluate",
    "evaluate_all",
    "frame",
    "load_claims",
    "markdown",
    "measure",
    "rst",
    "tables_read",
]
