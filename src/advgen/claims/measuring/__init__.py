"""Measuring a claim on a run: the run's tables read by model role (:mod:`.measure`), the effect
and p-value of a test (:mod:`.effects`), a term's effect (:mod:`.term_effect`), the control's
outcome (:mod:`.controls`) and the sample-quality gate (:mod:`.quality_gate`)."""
