"""Adversarial attacks: one class per attack, batched, in [0, 1] pixel space.

Every attack takes a model returning logits, puts it in eval mode and restores it,
clips to its budget and to [0, 1], is seeded, and returns an :class:`AttackResult`
(adversarial inputs, per-example success and norms). See :mod:`advgen.attacks.base`.

==========  =============================  ========  ====================================
class       paper                          measure   eps
==========  =============================  ========  ====================================
FGSM        Goodfellow et al. 2015         linf      budget
PGD         Madry et al. 2018              linf, l2  budget
LBFGS       Szegedy et al. 2014            l2        inf = minimal perturbation
DeepFool    Moosavi-Dezfooli et al. 2016   l2        inf = minimal perturbation
OnePixel    Su et al. 2019                 l0        number of pixels
Spatial     Engstrom et al. 2019           spatial   share of the rotation/translation range
APGD        Croce & Hein 2020 (ICML)       linf, l2  budget
APGDT       Croce & Hein 2020 (ICML)       linf, l2  budget
FAB         Croce & Hein 2020 (ICML)       linf, l2  budget (minimal perturbation kept if within)
Square      Andriushchenko et al. 2020     linf, l2  budget (score-based, no gradients)
AutoAttack  Croce & Hein 2020 (ICML)       linf, l2  budget (APGD-CE, APGD-T, FAB-T, Square)
==========  =============================  ========  ====================================
"""

from advgen.attacks.apgd import APGD
from advgen.attacks.apgdt import APGDT
from advgen.attacks.autoattack import AutoAttack, AutoAttackResult
from advgen.attacks.base import Attack, AttackResult, MinimalAttack
from advgen.attacks.deepfool import DeepFool
from advgen.attacks.fab import FAB
from advgen.attacks.fgsm import FGSM
from advgen.attacks.lbfgs import LBFGS
from advgen.attacks.onepixel import OnePixel
from advgen.attacks.pgd import PGD
from advgen.attacks.spatial import Spatial
from advgen.attacks.square import Square

ATTACKS = {
    cls.name: cls
    for cls in (FGSM, PGD, LBFGS, DeepFool, OnePixel, Spatial, APGD, APGDT, FAB, Square, AutoAttack)
}

__all__ = [
    "APGD",
    "APGDT",
    "ATTACKS",
    "FAB",
    "AutoAttack",
    "AutoAttackResult",
    "Square",
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
