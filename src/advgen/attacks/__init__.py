"""Adversarial attacks: one class per attack, batched, in [0, 1] pixel space.

Every attack takes a model returning logits, puts it in eval mode and restores it,
clips to its budget and to [0, 1], is seeded, and returns an :class:`AttackResult`
(adversarial inputs, per-example success and norms). See :mod:`advgen.attacks.base`.

<!-- registry:attack_table -->

==========  ============================  ========  =========  =======================================
class       paper                         measure   kind       eps
==========  ============================  ========  =========  =======================================
FGSM        Goodfellow et al. 2015        linf      white-box  budget
PGD         Madry et al. 2018             linf, l2  white-box  budget
LBFGS       Szegedy et al. 2014           l2        white-box  inf = minimal perturbation
DeepFool    Moosavi-Dezfooli et al. 2016  l2        white-box  inf = minimal perturbation
OnePixel    Su et al. 2019                l0        black-box  number of pixels
Spatial     Engstrom et al. 2019          spatial   black-box  share of the rotation/translation range
APGD        Croce & Hein 2020             linf, l2  white-box  budget
APGDT       Croce & Hein 2020             linf, l2  white-box  budget
FAB         Croce & Hein 2020             linf, l2  white-box  budget
Square      Andriushchenko et al. 2020    linf, l2  black-box  budget
AutoAttack  Croce & Hein 2020             linf, l2  white-box  budget
RandomSign  Goodfellow et al. 2015        linf      black-box  budget
==========  ============================  ========  =========  =======================================

<!-- /registry:attack_table -->

:data:`~advgen.attacks.registry.REGISTRY` holds each attack's metadata; ``ATTACKS`` (name ->
class), :data:`~advgen.attacks.registry.MINIMAL_ATTACKS` and the table above (``python -m
advgen.registries --write``) derive from it. This package's names are the attacks' classes by
their names (``from advgen.attacks import PGD``, as torchattacks names them) and ``ATTACKS``: its
public face; everything else is imported from the module that defines it
(:class:`~advgen.attacks.base.Attack`, :class:`~advgen.attacks.base.AttackResult`, ...).
"""

from __future__ import annotations

from typing import Any

from advgen.attacks.registry import REGISTRY, attack_class


def __getattr__(name: str) -> Any:
    """An attack's class by its name (``advgen.attacks.PGD``) or all of them (``ATTACKS``), imported
    on first use (torch with them): ``advgen.attacks.registry`` and the DAG that reads it stay
    torch-free."""
    if name == "ATTACKS":  # name -> class, in the registry's order
        value: Any = {attack: attack_class(attack) for attack in REGISTRY}
    elif name in REGISTRY:
        value = attack_class(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = ["ATTACKS", *REGISTRY]
