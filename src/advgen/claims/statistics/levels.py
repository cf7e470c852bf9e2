"""The claims page's confidence levels: the interval a one-sided claim reads (95 %), an
equivalence test's (90 %: two one-sided tests at 5 % each, Schuirmann 1987), and the test
levels they mean."""

from __future__ import annotations

CONFIDENCE = 0.95
#: an equivalence test's interval: two one-sided tests at 5 % each (Schuirmann 1987)
TOST_CONFIDENCE = 0.90
#: the level of a one-sided test (read on the 95 % interval) and of each side of a TOST (90 %)
ALPHA_ONE_SIDED = (1 - CONFIDENCE) / 2
ALPHA_TOST = (1 - TOST_CONFIDENCE) / 2
