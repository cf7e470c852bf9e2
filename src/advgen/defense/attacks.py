"""The defense stage's attacks: one entry per attack on a purified classifier, with its metadata.

Each :class:`DefenseAttack` says its threat model (grey-box: crafted against the bare
classifier, ignoring the purifier; adaptive: through the purifier, Athalye et al. 2018), the
purification methods it applies to (``project`` a GAN's inversion, Samangouei et al. 2018;
``reconstruct`` an autoencoder's D(E(x)); ``none`` the bare classifier), whether ``advgen purify
--adaptive all`` adds it at the operating point where it applies, its size in a table row
(steps, restarts, samples, unroll), how a grey-box one is crafted, and its legend style. Code
that depends on what a defense attack does reads these fields, never its name
(``tests/unit/test_registries.py`` scans for such comparisons). The schema's enum of
``defense.purify.attacks`` is written from :data:`DEFENSE_ATTACKS` (:mod:`advgen.registries`);
the adaptive attacks' code is :data:`advgen.defense.adaptive.ADAPTIVE_ATTACK_FUNCTIONS`. No
torch here: the plan (and so the Snakefile) reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advgen.defense.spec import PurifySpec
from advgen.named import by_name

GREYBOX, ADAPTIVE = "greybox", "adaptive"
PROJECT, RECONSTRUCT, NONE = "project", "reconstruct", "none"

#: a row's size: ``attack_steps, attack_restarts, attack_samples, unroll`` (0: not applicable)
Size = Callable[[PurifySpec, Any], dict[str, int]]
#: a grey-box attack's crafting: (the attack of :data:`advgen.attacks.registry.REGISTRY`, its
#: arguments besides the classifier and eps), from the point's spec
Greybox = Callable[[PurifySpec], tuple[str, dict[str, Any]]]


def _size(steps: int, restarts: int, samples: int = 1, unroll: int = 0) -> dict[str, int]:
    return {"attack_steps": steps, "attack_restarts": restarts, "attack_samples": samples, "unroll": unroll}


def _pgd_budget(spec: PurifySpec, budget: Any) -> dict[str, int]:
    return _size(budget.steps, budget.restarts)


@dataclass(frozen=True)
class DefenseAttack:
    name: str
    threat: str  # GREYBOX or ADAPTIVE
    purifiers: tuple[str, ...]  # the purification methods it applies to
    size: Size  # (the point's spec, its AdaptiveBudget) -> the row's size columns
    #: added by ``advgen purify --adaptive all`` at the operating point where it applies
    automatic: bool = False
    #: (label, linestyle, marker) in the purification figures; None: not drawn
    style: tuple[str, str, str] | None = None
    #: a grey-box attack: how it is crafted on the bare classifier (None: an adaptive attack,
    #: :data:`advgen.defense.adaptive.ADAPTIVE_ATTACK_FUNCTIONS`)
    greybox: Greybox | None = None


def _adaptive(name: str, purifiers: tuple[str, ...], size: Size, label: str, marker: str) -> DefenseAttack:
    """An adaptive attack that ``--adaptive all`` adds, drawn dashed with ``label`` and ``marker``."""
    return DefenseAttack(name, ADAPTIVE, purifiers, size, automatic=True, style=(label, "--", marker))


DEFENSE_ATTACKS: dict[str, DefenseAttack] = by_name(
    DefenseAttack(
        "fgsm",
        GREYBOX,
        (PROJECT, RECONSTRUCT, NONE),
        lambda spec, b: _size(1, 1),
        style=("grey-box FGSM", "-", "o"),
        greybox=lambda spec: ("FGSM", {}),
    ),
    DefenseAttack(
        "pgd",
        GREYBOX,
        (PROJECT, RECONSTRUCT, NONE),
        lambda spec, b: _size(int(spec.pgd_steps), 1),
        style=("grey-box PGD", "-", "s"),
        greybox=lambda spec: ("PGD", {"steps": int(spec.pgd_steps), "seed": int(spec.seed)}),
    ),
    _adaptive("bpda", (PROJECT, RECONSTRUCT), _pgd_budget, "adaptive PGD + BPDA", "v"),
    _adaptive(
        "eot",
        (PROJECT,),
        lambda spec, b: _size(b.steps, b.restarts, b.eot_samples),
        "adaptive PGD + BPDA + EOT",
        "^",
    ),
    _adaptive("exact", (RECONSTRUCT,), _pgd_budget, "adaptive PGD, exact gradient", "D"),
    _adaptive(
        "unroll_short",
        (PROJECT,),
        lambda spec, b: _size(b.steps, b.unroll_restarts, 1, b.short_unroll),
        "adaptive PGD through a short unroll",
        "<",
    ),
    _adaptive(
        "unroll",
        (PROJECT,),
        lambda spec, b: _size(b.steps, b.unroll_restarts, 1, -1),
        "adaptive PGD through the full unroll",
        ">",
    ),
    _adaptive(
        "latent",
        (PROJECT, RECONSTRUCT),
        lambda spec, b: _size(b.latent_steps, len(b.latent_weights)),
        "adaptive latent-space (on-manifold)",
        "P",
    ),
    _adaptive(
        "eot_rand",
        (PROJECT,),
        lambda spec, b: _size(b.steps, 2, b.rand_samples),
        "adaptive EOT, AutoAttack rand-style",
        "X",
    ),  # one run per loss (CE, DLR)
    # the reference ensemble's "rand" version: run only when listed in defense.purify.attacks
    DefenseAttack("autoattack_rand", ADAPTIVE, (PROJECT,), _pgd_budget),
)


def applicable(method: str) -> tuple[str, ...]:
    """The attacks that apply to a purification method, in registry order."""
    return tuple(name for name, a in DEFENSE_ATTACKS.items() if method in a.purifiers)


def automatic(method: str) -> tuple[str, ...]:
    """The adaptive attacks ``--adaptive all`` adds at an operating point of ``method``."""
    return tuple(name for name, a in DEFENSE_ATTACKS.items() if a.automatic and method in a.purifiers)


def threat(name: str) -> str:
    """``greybox`` or ``adaptive`` (an attack outside the registry is adaptive)."""
    attack = DEFENSE_ATTACKS.get(name)
    return attack.threat if attack is not None else ADAPTIVE


def attack_size(name: str, spec: PurifySpec, budget: Any) -> dict[str, int]:
    """``attack_steps, attack_restarts, attack_samples, unroll`` of a row of attack ``name``."""
    attack = DEFENSE_ATTACKS.get(name)
    if attack is None:  # an adaptive attack registered in code only: the PGD budget
        return _pgd_budget(spec, budget)
    return attack.size(spec, budget)
