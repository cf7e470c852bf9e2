"""The words of a claim's verdict on the page, beside :mod:`advgen.claims.statistics.stats`' ``holds``,
``does not hold`` and ``inconclusive``, in the order the page counts them (:data:`VERDICTS`)."""

from __future__ import annotations

from advgen.claims.statistics import stats

NOT_MEASURED = "not measured"
PAPER_ONLY = "paper scale only"
NOT_TESTABLE = "not testable at this scale"
NOT_VALID = "not valid"
AT_SCALE = "does not hold at this scale"
VERDICTS = (
    stats.HOLDS,
    stats.FAILS,
    AT_SCALE,
    stats.INCONCLUSIVE,
    NOT_VALID,
    NOT_MEASURED,
    PAPER_ONLY,
    NOT_TESTABLE,
)
#: the gate note where the sample-quality table has no gate columns
NOT_GATED = "quality not gated"

#: the control outcome's word where its test does not hold but its interval clears the no-effect value
SIGNIFICANT = "significant"
