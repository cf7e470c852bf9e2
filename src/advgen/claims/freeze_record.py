"""The freeze record: its one format, its one writer (:func:`record`) and its one reader (:func:`read_freeze`).

``advgen freeze`` (:mod:`advgen.commands.freeze`) writes it once, before the confirmatory run
(``docs/default_run/freeze.json``, the claims file's ``freeze:``); the claims page reads it
(:mod:`advgen.claims.phase`) and ``advgen freeze --verify`` checks it (:func:`verify`)::

    {
      "claims_file": "config/claims.yaml",
      "claims_sha256": "<sha256 of the claims file's bytes>",
      "date": "YYYY-MM-DD",
      "commit": "<the commit frozen>",
      "seed_base": 10,
      "claims": {"<claim id>": "<advgen.claims.spec.digest of the claim>", ...},
      "plan": {"<claim id>": {"n": 5, "unit": "seeds", "needed": 5, "underpowered": false}, ...},
      "power_plan": {"path": "docs/default_run/power_plan.json", "sha256": "<its sha256>"},
      "config": {"<config file>": "<its sha256>", ...},
      "seeds": {"<role>": {"<run>": <seed>, ...}, ...},
      "recipes": {"gans": {"<entry>": {"spec": {...}, "seeds": [...]}}, "autoencoders": {...}},
      "reruns": [{"date": "YYYY-MM-DD", "reason": "..."}]
    }

``claims_sha256`` and ``date`` are required, the rest optional; ``claims_file`` and the power
plan's ``path`` are as given to the freeze tool (relative to the repository root), so
``--verify`` runs from there. The ``plan`` is the power plan (``advgen power-plan --json``) per
claim: the sample size planned for 80 % power at the claim's margin, or, for a claim the budget
cannot afford, the budget's size marked underpowered with the size it would need
(:func:`planned_from_power_plan`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advgen.claims.model import ClaimsFile
from advgen.errors import AdvgenError, ConfigError

_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_HEX = re.compile(r"[0-9a-f]{64}")
#: the power plan's status of a claim it could plan within the budget, and of one it could not
#: (:func:`advgen.claims.power.budget_status`)
PLANNED, UNDERPOWERED = "planned", "underpowered at this budget"


@dataclass(frozen=True)
class Planned:
    """A claim's line of the power plan: the sample size planned for 80 % power at its margin
    (``n`` of ``unit``), what it would need, and whether the budget could not afford it."""

    n: int
    unit: str
    needed: int | None = None
    underpowered: bool = False

    def text(self) -> str:
        out = f"{self.n} {self.unit}"
        if self.underpowered:
            need = f" (needs {self.needed} {self.unit})" if self.needed else ""
            out += f"; underpowered at this budget{need}"
        return out


@dataclass(frozen=True)
class Freeze:
    """The freeze record as read."""

    path: str
    claims_sha256: str
    date: str
    commit: str = ""
    seed_base: int | None = None
    claims: Mapping[str, str] = field(default_factory=dict)
    plan: Mapping[str, Planned] = field(default_factory=dict)
    reruns: tuple[tuple[str, str], ...] = ()
    claims_file: str = ""
    #: (path, sha256) of the power plan, where the record names one
    power_plan: tuple[str, str] | None = None


def sha256(path: str | Path, what: str) -> str:
    """The sha256 of a file's bytes; a missing or unreadable file is one line."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        raise AdvgenError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise AdvgenError(f"{path}: {what} is a folder, not a file") from None
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def record(
    claims: ClaimsFile,
    *,
    claims_file: str,
    date: str,
    commit: str = "",
    seed_base: int | None = None,
    plan: Mapping[str, Planned] | None = None,
    power_plan: tuple[str, str] | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The freeze record of ``claims`` (see the module docstring), as JSON data. ``power_plan``:
    its (path, sha256); ``provenance``: the run's ``config`` hashes, ``seeds`` and ``recipes``."""
    if not _DATE.fullmatch(date):
        raise ValueError(f"date {date!r} is not YYYY-MM-DD")
    unknown = set(provenance or {}) - {"config", "seeds", "recipes"}
    if unknown:
        raise ValueError(f"provenance keys {sorted(unknown)} are not fields of the freeze record")
    out: dict[str, Any] = {
        "claims_file": claims_file,
        "claims_sha256": claims.sha256,
        "date": date,
        "commit": commit,
        "claims": {c.id: c.digest for c in claims.claims},
        "plan": {
            cid: {"n": p.n, "unit": p.unit, "needed": p.needed, "underpowered": p.underpowered}
            for cid, p in sorted((plan or {}).items())
        },
        "reruns": [],
    }
    if seed_base is not None:
        out["seed_base"] = seed_base
    if power_plan is not None:
        out["power_plan"] = {"path": power_plan[0], "sha256": power_plan[1]}
    out.update(provenance or {})
    return out


def planned_from_power_plan(raw: Any, path: str) -> dict[str, Planned]:
    """The record's ``plan`` from a power plan (``advgen power-plan --json``): ``n_planned`` of a
    planned claim; for one underpowered at this budget, the budget's size (``max_examples`` for a
    unit per run, else ``max_runs``; never below ``n_now``) with ``needed`` = ``n_planned``; a
    claim not planned has no line. A plan that is not one is a :class:`ConfigError` line."""
    try:
        budget, claims = raw["budget"], raw["claims"]
        caps = {"runs": int(budget["max_runs"]), "examples": int(budget["max_examples"])}
        out = {}
        for cid, item in claims.items():
            key = f"claims.{cid}"
            status, n, unit, now = item["plan"], item["n_planned"], item["unit"], int(item["n_now"])
            if status == PLANNED:
                out[str(cid)] = Planned(int(n), str(unit))
            elif status == UNDERPOWERED:
                cap = caps["examples"] if str(unit).endswith("per run") else caps["runs"]
                out[str(cid)] = Planned(max(cap, now), str(unit), int(n), True)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        where = f" ({key})" if "key" in locals() else ""
        raise ConfigError(f"{path}: not a power plan{where}: {type(exc).__name__}: {exc}") from None
    return out


def _bad(path: str, key: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {msg}")


def _plan(raw: Any, path: str) -> dict[str, Planned]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad(path, "plan", "must map each claim id to {n, unit, needed, underpowered}")
    out = {}
    for cid, item in raw.items():
        key = f"plan.{cid}"
        if not isinstance(item, dict) or not {"n", "unit"} <= set(item):
            raise _bad(path, key, "must have n and unit (and needed, underpowered)")
        n, needed = item["n"], item.get("needed")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise _bad(path, f"{key}.n", f"must be a positive whole number, got {n!r}")
        if needed is not None and (isinstance(needed, bool) or not isinstance(needed, int) or needed < 1):
            raise _bad(path, f"{key}.needed", f"must be a positive whole number or null, got {needed!r}")
        if not isinstance(item["unit"], str) or not item["unit"].strip():
            raise _bad(path, f"{key}.unit", "must be a non-empty string")
        out[str(cid)] = Planned(n, item["unit"], needed, bool(item.get("underpowered", False)))
    return out


def _power_plan(raw: Any, path: str) -> tuple[str, str] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("path"), str)
        or not _HEX.fullmatch(str(raw.get("sha256")))
    ):
        raise _bad(path, "power_plan", "must be {path, sha256} (64 hex digits)")
    return raw["path"], raw["sha256"]


def read_freeze(path: str | Path) -> Freeze | None:
    """The freeze record at ``path``, None where there is none (the study is exploratory); a
    record that cannot be read raises one :class:`ConfigError` line naming the file and key."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{name}: not a freeze record (not readable JSON: {type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: not a freeze record (must be a JSON object with claims_sha256 and date)")
    sha, date = raw.get("claims_sha256"), raw.get("date")
    if not isinstance(sha, str) or not _HEX.fullmatch(sha):
        raise _bad(name, "claims_sha256", "must be the claims file's sha256 (64 hex digits)")
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        raise _bad(name, "date", "must be YYYY-MM-DD")
    base = raw.get("seed_base")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        raise _bad(name, "seed_base", f"must be a whole number >= 0, got {base!r}")
    digests = raw.get("claims") or {}
    if not isinstance(digests, dict) or not all(isinstance(v, str) for v in digests.values()):
        raise _bad(name, "claims", "must map each claim id to its digest")
    reruns = raw.get("reruns") or []
    if not isinstance(reruns, list) or not all(
        isinstance(r, dict) and isinstance(r.get("date"), str) and isinstance(r.get("reason"), str)
        for r in reruns
    ):
        raise _bad(name, "reruns", "must be a list of {date, reason}")
    claims_file = raw.get("claims_file", "")
    if not isinstance(claims_file, str):
        raise _bad(name, "claims_file", "must be the claims file's path")
    return Freeze(
        name,
        sha,
        date,
        str(raw.get("commit") or ""),
        base,
        dict(digests),
        _plan(raw.get("plan"), name),
        tuple((r["date"], r["reason"]) for r in reruns),
        claims_file,
        _power_plan(raw.get("power_plan"), name),
    )


def verify(path: str | Path) -> list[str]:
    """The files whose hashes differ from the record's, as "name (what)" (none: the freeze holds)."""
    rec = read_freeze(path)
    if rec is None:
        raise AdvgenError(f"{path}: freeze record not found")
    if not rec.claims_file:
        raise _bad(str(path), "claims_file", "the record names no claims file to check")
    files = [(rec.claims_file, rec.claims_sha256, "claims file")]
    if rec.power_plan is not None:
        files.append((*rec.power_plan, "power plan"))
    return [f"{name} ({what})" for name, digest, what in files if sha256(name, what) != digest]
