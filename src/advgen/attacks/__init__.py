"""Adversarial attacks: one class per attack, batched, in [0, 1] pixel space.

Every attack takes a model returning logits, puts it in eval mode and restores it,
clips to its budget and to [0, 1], is seeded, and returns an :class:`AttackResult`
(adversarial inputs, per-example success and norms). See :mod:`advgen.attacks.base`.
"""

from advgen.attacks.base import Attack, AttackResult
from advgen.attacks.fgsm import FGSM
from advgen.attacks.pgd import PGD

__all__ = ["FGSM", "PGD", "Attack", "AttackResult"]
