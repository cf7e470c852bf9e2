"""The words of a claim's verdict on the page, beside :mod:`advgen.claims.statistics.stats`' ``holds``,
``does not hold`` and ``inconclusive``, in the order the page counts them (:data:`VERDICTS`)."""

from __future__ import annotations

from advgen.claims.statistics import stats

NOT_MEASURED = "not measured"
PAPER_ONLY = "paper scale only"
NOT_TESTABLE = "not testable at this scale"
NOT_VALID = "not valid"
#: a failed construction, precondition or quality gate of the model the claim is about: a result
NOT_REPRODUCED = "not reproduced"
AT_SCALE = "does not hold at this scale"
VERDICTS = (
    stats.HOLDS,
    stats.FAILS,
    AT_SCALE,
    NOT_REPRODUCED,
    stats.INCONCLUSIVE,
    NOT_VALID,
    NOT_MEASURED,
    PAPER_ONLY,
    NOT_TESTABLE,
)
#: the gate note where the sample-quality table has no gate columns
NOT_GATED = "quality not gated"

#: the verdicts whose would-be verdict is kept beside them (``would_be``)
WITHHELD = (NOT_REPRODUCED, NOT_VALID)

#: the control outcome's word where its test does not hold but its interval clears the no-effect value
SIGNIFICANT = "significant"
