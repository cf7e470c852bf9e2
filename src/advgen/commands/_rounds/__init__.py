"""The analyses that read a confirmatory round's verdict tables to plan and check the next one
(``advgen claims fragility``, ``predictions`` and ``cost``; docs/claims.md, "Fragile verdicts"):

* :mod:`.plan_share`: the fragile share a power plan implies, before any run;
* :mod:`.yardstick`: how far a rerun on other arithmetic moves each row (perturbation scales),
  and each row's chance that a rerun changes its verdict;
* :mod:`.predictions`: the flip-prediction page a rerun on a second hardware kind is read against;
* :mod:`.study_sizes` and :mod:`.job_times`: a plan's sizes as the study runs them, and their
  cost from a measured run's job times (:mod:`.round_cost`).
"""
