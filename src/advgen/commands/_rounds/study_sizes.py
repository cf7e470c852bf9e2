"""A power plan's sizes as the study runs them (``advgen claims cost``).

Round 2's sizes were turned from round 1's plan by this rule (docs/rounds/round2.md, "Round 2's
seeds"; :func:`sizes` reproduces them, checked by its test):

- a claim the plan sizes (status "planned", or cut to its ``n_run``) asks its size of every
  model entry its sides read (the sides' roles, through the config's ``roles``); a side whose
  role names several entries counts source models across them and grows none of them;
- a claim planned on the examples of a run asks that many of the attack its side's query names
  (``attack == 'NAME'``: ``robustness.attacks.NAME.max_examples``);
- every entry keeps the runs it has and grows to the largest size asked of it; an underpowered
  claim (past the budget) grows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.errors import AdvgenError

#: the config sections whose entries are models with runs
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")
#: the attack a claim's side reads, in its query
ATTACK = re.compile(r"""attack\s*==\s*['"](?P<name>\w+)['"]""")
#: the plan statuses that size a claim (a cut claim is "underpowered" at its cut size)
PLANNED = "planned"
#: tables whose runs follow a base classifier's seeds, and the config keys naming it
#: (config/config.yaml, robustness: "The sweeps and robust features follow their base
#: classifier's seeds")
FOLLOWS: dict[str, tuple[tuple[str, ...], ...]] = {
    "robustness/sweeps/capacity.parquet": (("robustness", "capacity", "classifier"),),
    "robustness/transfer_capacity.parquet": (("robustness", "capacity", "classifier"),),
    "robustness/sweeps/data_size.parquet": (("robustness", "data_size", "classifier"),),
    "robustness/robust_features.parquet": (
        ("robustness", "robust_features", "robust_classifier"),
        ("robustness", "robust_features", "standard_classifier"),
    ),
}


@dataclass
class Sizes:
    """What a plan asks of the study: runs per model entry, examples per attack, and who asks."""

    runs: dict[str, int]
    examples: dict[str, int]
    asked_by: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    underpowered: list[str] = field(default_factory=list)


def model_runs(config: Mapping[str, Any]) -> dict[str, int]:
    """Each model entry's runs as the config gives them (``replicates``, ``seeds``, else 1)."""
    out = {}
    for section in MODEL_SECTIONS:
        for name, entry in (config.get(section) or {}).items():
            if isinstance(entry, Mapping):
                seeds = entry.get("seeds")
                out[name] = len(seeds) if isinstance(seeds, list) else int(entry.get("replicates", 1))
    return out


def attack_examples(config: Mapping[str, Any]) -> dict[str, int]:
    """Each attack's examples per run: its own ``max_examples``, else the robustness stage's."""
    robustness = config.get("robustness") or {}
    default = int(robustness.get("max_examples") or 0)
    return {
        name: int(spec.get("max_examples") or default)
        for name, spec in (robustness.get("attacks") or {}).items()
        if isinstance(spec, Mapping)
    }


def role_entries(config: Mapping[str, Any], role: str) -> list[str]:
    value = (config.get("roles") or {}).get(role)
    if value is None:
        raise AdvgenError(f"roles.{role}: a claim reads this role and the config does not name it")
    return list(value) if isinstance(value, list) else [str(value)]


def _key(config: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    value: Any = config
    for k in keys:
        value = value.get(k) if isinstance(value, Mapping) else None
    if not isinstance(value, str):
        raise AdvgenError(f"{'.'.join(keys)}: expected a model entry's name, got {value!r}")
    return value


def claim_entries(claim: Any, config: Mapping[str, Any]) -> list[list[str]]:
    """The model entries a claim's sides read, in groups whose runs count together: a role's
    entries (several: source models across them), or the base classifier a table follows."""
    groups = []
    for term in claim.terms:
        groups += [role_entries(config, role) for role in term.roles]
        groups += [[_key(config, keys)] for keys in FOLLOWS.get(term.table, ())]
    return groups


def claim_runs(claim: Any, config: Mapping[str, Any], runs: Mapping[str, int]) -> int | None:
    """A claim's runs in a study of these ``runs`` per entry: the fewest over the groups its sides
    read (None: it reads no model entry, e.g. every pair of a transfer matrix)."""
    counts = [sum(runs[e] for e in group) for group in claim_entries(claim, config)]
    return min(counts) if counts else None


def sizes(
    plan: Mapping[str, Mapping[str, Any]], claims: Mapping[str, Any], config: Mapping[str, Any]
) -> Sizes:
    """The runs and examples a plan's records (``power_plan.json``'s ``claims``) ask of the
    study whose ``config`` gives today's; ``claims``: id -> the claim as read
    (:class:`advgen.claims.reading.model.Claim`)."""
    out = Sizes(model_runs(config), attack_examples(config))
    for cid, record in sorted(plan.items()):
        n = record.get("n_run")
        if record.get("plan") != PLANNED and not record.get("cut"):
            if record.get("n_planned") is not None:
                out.underpowered.append(cid)
            continue
        if cid not in claims:
            raise AdvgenError(f"plan: {cid}: no such claim in the claims file")
        if not isinstance(n, int) or isinstance(n, bool):
            raise AdvgenError(f"plan: {cid}: n_run: expected a whole number, got {n!r}")
        if str(record.get("unit") or "").endswith("per run"):
            for term in claims[cid].terms:
                for name in ATTACK.findall(term.query or ""):
                    if name not in out.examples:
                        raise AdvgenError(f"{cid}: reads attack {name!r}, which robustness.attacks lacks")
                    out.examples[name] = max(out.examples[name], n)
                    out.asked_by.setdefault(f"attack {name}", []).append((cid, n))
            continue
        for group in claim_entries(claims[cid], config):
            if len(group) > 1:  # source models counted across entries: none grows alone
                continue
            entry = group[0]
            if entry not in out.runs:
                raise AdvgenError(f"{cid}: reads {entry}, no model entry of {', '.join(MODEL_SECTIONS)}")
            out.runs[entry] = max(out.runs[entry], n)
            out.asked_by.setdefault(entry, []).append((cid, n))
    return out


def run_sizes(
    plan: Mapping[str, Mapping[str, Any]], claims: Mapping[str, Any], config: Mapping[str, Any],
    now: Sizes, then: Sizes, ran: Mapping[str, int],
) -> dict[str, int]:  # fmt: skip
    """Each planned claim's size in the sized study: its runs there, or (examples per run) the
    examples it had (``ran``, the last round's table) times its attack's growth; a claim whose
    runs no entry sets keeps what it had."""
    out = {}
    for cid, record in plan.items():
        if cid not in ran:
            continue
        if str(record.get("unit") or "").endswith("per run"):
            names = [m for t in claims[cid].terms for m in ATTACK.findall(t.query or "")]
            growth = max((then.examples[m] / now.examples[m] for m in names), default=1.0)
            out[cid] = int(ran[cid] * growth)
            continue
        runs = claim_runs(claims[cid], config, then.runs)
        out[cid] = ran[cid] if runs is None else runs
    return out
