"""The robustness stage: attack curves, minimal perturbations, transfer matrices, sweeps.

:mod:`advgen.robustness.plan` (no torch) turns the config into jobs; the other modules
do the work of the ``attack``, ``attack_table``, ``transfer`` and ``robustness_sweep`` rules;
:mod:`advgen.robustness.evaluate_model` evaluates a user's own model with the same parts
(``advgen.evaluate``, ``advgen evaluate``).
"""
