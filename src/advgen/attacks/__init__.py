"""Adversarial attacks: one class per attack, batched, in [0, 1] pixel space.

Every attack takes a model returning logits, puts it in eval mode and restores it,
clips to its budget and to [0, 1], is seeded, and returns an :class:`AttackResult`
(adversarial inputs, per-example success and norms). See :mod:`advgen.attacks.base`.

========  =============================  ========  ====================================
class     paper                          measure   eps
========  =============================  ========  ====================================
FGSM      Goodfellow et al. 2015         linf      budget
PGD       Madry et al. 2018              linf, l2  budget
LBFGS     Szegedy et al. 2014            l2        inf = minimal perturbation
DeepFool  Moosavi-Dezfooli et al. 2016   l2        inf = minimal perturbation
OnePixel  Su et al. 2019                 l0        number of pixels
Spatial   Engstrom et al. 2019           spatial   share of the rotation/translation range
========  =============================  ========  ====================================
"""

from advgen.attacks.base import Attack, AttackResult, MinimalAttack
from advgen.attacks.deepfool import DeepFool
from advgen.attacks.fgsm import FGSM
from advgen.attacks.lbfgs import LBFGS
from advgen.attacks.onepixel import OnePixel
from advgen.attacks.pgd import PGD
from advgen.attacks.spatial import Spatial

ATTACKS = {cls.name: cls for cls in (FGSM, PGD, LBFGS, DeepFool, OnePixel, Spatial)}

__all__ = [
    "ATTACKS",
    "FGSM",
    "LBFGS",
    "PGD",
    "Attack",
    "AttackResult",
    "DeepFool",
    "MinimalAttack",
    "OnePixel",
    "Spatial",
]
