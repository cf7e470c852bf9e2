"""The freeze record: its one writer (:func:`record`), what it records of a run
(:func:`run_parts`) and a run compared with it; its format is :mod:`advgen.claims.freeze.freeze_format`,
its one reader :func:`advgen.claims.freeze.freeze_reader.read_freeze`.

``advgen freeze`` (:mod:`advgen.commands.freeze`) writes it once, before the confirmatory run
(``docs/default_run/freeze.json``, the claims file's ``freeze:``); the claims page reads it
(:mod:`advgen.claims.freeze.phase`) and ``advgen freeze --verify`` checks every part of it
(:func:`verify`)::

    {
      "format": 2,
      "claims_file": "config/claims.yaml",
      "claims_sha256": "<sha256 of the claims file's bytes>",
      "date": "YYYY-MM-DD",
      "commit": "<the commit frozen>",
      "seed_base": 2000,
      "claims": {"<claim id>": "<advgen.claims.reading.spec.digest of the claim>", ...},
      "plan": {"<claim id>": {"n": 5, "unit": "seeds", "needed": 5, "underpowered": false}, ...},
      "power_plan": {"path": "docs/default_run/power_plan.json", "sha256": "<its sha256>"},
      "analysis": {"package": "advgen.claims", "sha256": "<digest of its source files>"},
      "config": {"<config file>": "<its sha256>", ...},
      "seeds": {"<role>": {"<run>": <seed>, ...}, ...},
      "recipes": {"gans": {"<entry>": {"spec": {...}, "seeds": [...]}}, "autoencoders": {...},
                  "classifiers": {...}},
      "numerics": {"<role>": "autocast: bf16", "<classifier role>": "float32", ...},
      "hardware": {"cpu": "...", "gpu": "none", "torch": "2.x", "cuda": "none"},
      "reruns": [{"date": "YYYY-MM-DD", "reason": "..."}]
    }

Every part is required but ``commit`` and ``reruns``. A record without ``format`` is format 1
(round 1's, 2026-11-27): it has no ``analysis``, ``numerics`` or ``hardware`` and its
``recipes`` cover the generators only; it is read, and ``--verify`` says which parts it does not
record. The reader is strict (:mod:`advgen.strict_json`: a key twice in one object, ``NaN``, an
unknown key, a missing part, a date that is no calendar date, a special file are one
:class:`ConfigError` line naming the file and key). ``claims_file``, the power plan's ``path``
and the config files are as given to the freeze tool (relative to the repository root), so
``--verify`` runs from there. The ``plan`` is the power plan (``advgen power-plan --json``) per
claim (:func:`planned_from_power_plan`). ``numerics`` is each role's training precision as the
config states it (a generator's ``speed.autocast``; a classifier trains in float32);
``hardware`` is the host ``advgen freeze`` ran on, which is the host the round is run on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.claims.freeze.bounded_files import sha256 as sha256
from advgen.claims.freeze.freeze_format import ANALYSIS as ANALYSIS
from advgen.claims.freeze.freeze_format import FORMAT as FORMAT
from advgen.claims.freeze.freeze_format import RECIPE_SECTIONS as RECIPE_SECTIONS
from advgen.claims.freeze.freeze_format import Freeze as Freeze
from advgen.claims.freeze.freeze_format import Planned as Planned
from advgen.claims.freeze.freeze_reader import calendar_date
from advgen.claims.freeze.freeze_reader import read_freeze as read_freeze
from advgen.claims.freeze.freeze_reader import read_power_plan as read_power_plan
from advgen.claims.reading.model import ClaimsFile

# the format is :mod:`advgen.claims.freeze.freeze_format`, the reader :mod:`advgen.claims.freeze.freeze_reader`
# (its names that callers read from here are imported above as themselves)


# --- what a run is: its roles' runs and seeds, the recipes, the numerics, the analysis, the host


def recipes(config: Mapping[str, Any], sections: Sequence[str] = RECIPE_SECTIONS) -> dict[str, Any]:
    """``{section: {entry: {"spec": ..., "seeds": [...]}}}`` for the model sections of a
    validated config: each entry's spec without its seed (the runs of a replicated entry share it)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for section in sections:
        entries: dict[str, dict[str, Any]] = {}
        for name, run in sorted((config.get(section) or {}).items()):
            entry = run.get("replicate_of", name)
            spec = {k: v for k, v in run.items() if k not in ("seed", "replicate_of")}
            rec = entries.setdefault(entry, {"spec": spec, "seeds": []})
            rec["seeds"].append(int(run.get("seed", config.get("seed", 0))))
        out[section] = {
            name: {"spec": e["spec"], "seeds": sorted(e["seeds"])} for name, e in sorted(entries.items())
        }
    return out


def precision(run: Mapping[str, Any] | None, section: str) -> str:
    """A run's training precision as its config entry states it: a generator's
    ``speed.autocast`` (``off``, ``bf16``, ``auto``), float32 for a classifier (it has no such lever)."""
    if run is None:
        return "not a model run"
    if section == "classifiers":
        return "float32"
    speed = run.get("speed") or {}
    return f"autocast: {speed.get('autocast', 'off')}"


def numerics(config: Mapping[str, Any], roles: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Role -> the training precision of its runs (:func:`precision`; distinct values joined)."""
    out = {}
    for role, runs in sorted(roles.items()):
        found = set()
        for run in runs:
            section = next((s for s in RECIPE_SECTIONS if run in (config.get(s) or {})), "")
            found.add(precision((config.get(section) or {}).get(run) if section else None, section))
        out[role] = ", ".join(sorted(found))
    return out


def run_parts(config: Mapping[str, Any], roles: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What a run of a validated ``config`` is, as a freeze records it: each role's runs and their
    seeds, the recipes of every model entry, each role's numerics (``roles``: role -> runs)."""
    from advgen.seed_base import run_seeds

    seeds = run_seeds(config)
    return {
        "seeds": {
            role: {run: seeds[run] for run in runs if run in seeds} for role, runs in sorted(roles.items())
        },
        "recipes": recipes(config),
        "numerics": numerics(config, roles),
    }


#: the folder of :mod:`advgen.claims` (this module lies in its ``freeze`` subpackage)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def analysis_digest() -> str:
    """The digest of the analysis code: every file of the installed :mod:`advgen.claims`
    package, its subpackages included, by relative path and content, in sorted order
    (:func:`advgen.provenance.digest_tree`)."""
    from advgen.provenance import digest_tree

    return digest_tree(PACKAGE_ROOT)


def this_host() -> dict[str, str]:
    """The host's CPU model, GPU model (or "none"), torch and CUDA versions."""
    import platform

    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return {"cpu": cpu, "gpu": gpu, "torch": torch.__version__, "cuda": torch.version.cuda or "none"}


def host_text(host: Mapping[str, str]) -> str:
    return f"{host.get('cpu')}, GPU {host.get('gpu')}, torch {host.get('torch')}, CUDA {host.get('cuda')}"


# --- the writer


def record(
    claims: ClaimsFile,
    *,
    claims_file: str,
    date: str,
    seed_base: int,
    plan: Mapping[str, Planned],
    power_plan: tuple[str, str],
    config: Mapping[str, str],
    run: Mapping[str, Any],
    analysis: str,
    hardware: Mapping[str, str],
    commit: str = "",
    round_: int = 1,
) -> dict[str, Any]:
    """The freeze record of ``claims`` (see the module docstring), as JSON data: ``power_plan``
    its (path, sha256), ``config`` each config file's sha256, ``run`` the run's parts
    (:func:`run_parts`), ``analysis`` :func:`analysis_digest`, ``hardware`` :func:`this_host`,
    ``round_`` the confirmatory round it freezes."""
    if calendar_date(date) is None:
        raise ValueError(f"date {date!r} is not a date YYYY-MM-DD")
    if set(run) != {"seeds", "recipes", "numerics"}:
        raise ValueError(f"run parts {sorted(run)} are not seeds, recipes and numerics")
    return {
        "format": FORMAT,
        "round": round_,
        "claims_file": claims_file,
        "claims_sha256": claims.sha256,
        "date": date,
        "commit": commit,
        "seed_base": seed_base,
        "claims": {c.id: c.digest for c in claims.claims},
        "plan": {
            cid: {"n": p.n, "unit": p.unit, "needed": p.needed, "underpowered": p.underpowered}
            for cid, p in sorted(plan.items())
        },
        "power_plan": {"path": power_plan[0], "sha256": power_plan[1]},
        "analysis": {"package": ANALYSIS, "sha256": analysis},
        "config": dict(config),
        **run,
        "hardware": dict(hardware),
        "reruns": [],
    }


# --- comparing a run with the record, and --verify


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def differences(frozen: Any, now: Any, limit: int = 3) -> list[str]:
    """Where ``now`` differs from ``frozen`` (nested mappings), as ``key: frozen X, now Y`` (at
    most ``limit``, then how many more)."""
    a, b = flat(frozen), flat(now)
    keys = sorted(k for k in set(a) | set(b) if a.get(k, ...) != b.get(k, ...))

    def shown(d: dict[str, Any], k: str) -> str:
        return "absent" if k not in d else repr(d[k])

    out = [f"{k}: frozen {shown(a, k)}, now {shown(b, k)}" for k in keys[:limit]]
    if len(keys) > limit:
        out.append(f"{len(keys) - limit} more")
    return out


def run_differences(freeze: Freeze, run: Mapping[str, Any]) -> dict[str, list[str]]:
    """Part -> where ``run`` (:func:`run_parts`) differs from the record, for the parts it
    records (a format-1 record: the generators' recipes, no numerics); [] where it matches."""
    frozen = freeze.run_parts()
    out = {}
    for part, value in frozen.items():
        current = run.get(part, {})
        if part == "recipes":
            current = {s: (current or {}).get(s, {}) for s in value}
        out[part] = differences(value, current)
    return out


PART_NAMES = {"seeds": "roles, runs and seeds", "recipes": "recipes", "numerics": "numerics"}


@dataclass(frozen=True)
class Check:
    """One part ``--verify`` checked: its name, whether it is as frozen (None: not recorded,
    or, for the hardware, not a condition), and what was compared."""

    part: str
    ok: bool | None
    text: str


def hash_check(part: str, path: str, frozen: str, what: str) -> Check:
    """The check of a file's sha256 against the one frozen."""
    now = sha256(path, what)
    same = now == frozen
    return Check(part, same, f"{path}: sha256 {frozen[:12]} " + ("as frozen" if same else f"now {now[:12]}"))
