"""Deciding a claim's verdict: the verdict and Holm's adjustment within each family
(:mod:`.verdict`), the words the page gives verdicts (:mod:`.verdict_words`) and the rule that
names fragile verdicts (:mod:`.fragility`)."""
