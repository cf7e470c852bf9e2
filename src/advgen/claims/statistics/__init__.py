"""The statistics the claims are tested with: the confidence levels (:mod:`.levels`), intervals
of proportions (:mod:`.proportions`), the intervals and tests (:mod:`.stats`), Holm's adjustment
(:mod:`.multiple_testing`) and the power plan (:mod:`.power`). Pure functions."""
