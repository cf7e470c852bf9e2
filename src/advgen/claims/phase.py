"""The study's phase: exploratory until the claims file is frozen, confirmatory on a run of fresh seeds.

The freeze record (the claims file's ``freeze:``, relative to it: ``docs/default_run/freeze.json``)
is written once, before the confirmatory run, by the freeze tool, from :func:`record`::

    {
      "claims_file": "config/claims.yaml",
      "claims_sha256": "<sha256 of the claims file's bytes>",
      "date": "YYYY-MM-DD",
      "commit": "<the commit frozen>",
      "seed_base": 10,
      "claims": {"<claim id>": "<advgen.claims.spec.digest of the claim>", ...},
      "plan": {"<claim id>": {"n": 5, "unit": "seeds", "needed": 5, "underpowered": false}, ...},
      "reruns": [{"date": "YYYY-MM-DD", "reason": "..."}]
    }

``claims_sha256`` and ``date`` are required; the rest is optional. A run is *confirmatory* when
the record exists and every seed of its runs is at least ``seed_base`` (seeds below it were
spent on exploration); else *exploratory*. In a confirmatory run a claim is *post-hoc* when its
content differs from the one frozen (its digest), it was not in the file at the freeze, or its
test records a change dated after the freeze date: the page lists it apart and its headline
counts leave it out (it counts again only after a later run on fresh seeds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advgen.claims.model import Claim, ClaimsFile
from advgen.errors import ConfigError

EXPLORATORY, CONFIRMATORY, POST_HOC = "exploratory", "confirmatory", "post-hoc"
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_HEX = re.compile(r"[0-9a-f]{64}")


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


@dataclass(frozen=True)
class Phase:
    """The run's phase, the claims file's hash, and the freeze it is read against."""

    phase: str
    sha256: str
    why: str
    freeze: Freeze | None = None

    def header(self) -> dict[str, Any]:
        """What the page's header says of the phase."""
        f = self.freeze
        return {
            "phase": self.phase,
            "why": self.why,
            "sha256": self.sha256,
            "frozen_sha256": f.claims_sha256 if f else "",
            "frozen": f.date if f else "",
            "commit": f.commit if f else "",
            "record": f.path if f else "",
            "reruns": [{"date": d, "reason": r} for d, r in (f.reruns if f else ())],
        }


def record(
    claims: ClaimsFile,
    *,
    claims_file: str,
    date: str,
    commit: str = "",
    seed_base: int | None = None,
    plan: Mapping[str, Planned] | None = None,
) -> dict[str, Any]:
    """The freeze record of ``claims`` (what the freeze tool writes, as JSON)."""
    if not _DATE.fullmatch(date):
        raise ValueError(f"date {date!r} is not YYYY-MM-DD")
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
        raise ConfigError(f"{name}: not a readable freeze record ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: must be a JSON object with claims_sha256 and date")
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
    return Freeze(
        name,
        sha,
        date,
        str(raw.get("commit") or ""),
        base,
        dict(digests),
        _plan(raw.get("plan"), name),
        tuple((r["date"], r["reason"]) for r in reruns),
    )


def freeze_path(claims: ClaimsFile) -> Path | None:
    """The claims file's freeze record path (its ``freeze:``, relative to the claims file)."""
    import os

    return Path(os.path.normpath(Path(claims.path).parent / claims.freeze)) if claims.freeze else None


def phase_of(claims: ClaimsFile, freeze: Freeze | None, seeds: Iterable[int]) -> Phase:
    """The run's phase: confirmatory when frozen and every seed of the run is fresh."""
    if freeze is None:
        where = f" ({freeze_path(claims)})" if claims.freeze else ""
        return Phase(
            EXPLORATORY,
            claims.sha256,
            f"no freeze record{where}: claims, tests and controls may still change",
        )
    spent = sorted({s for s in seeds if freeze.seed_base is not None and s < freeze.seed_base})
    if freeze.seed_base is None:
        return Phase(
            EXPLORATORY,
            claims.sha256,
            "the freeze record names no seed base (fresh seeds start there)",
            freeze,
        )
    if spent:
        shown = ", ".join(map(str, spent[:10])) + (", ..." if len(spent) > 10 else "")
        return Phase(
            EXPLORATORY,
            claims.sha256,
            f"the run reads seeds spent before the freeze ({shown}; fresh seeds start at {freeze.seed_base})",
            freeze,
        )
    return Phase(CONFIRMATORY, claims.sha256, "", freeze)


def post_hoc(claim: Claim, phase: Phase) -> str:
    """Why a claim is post-hoc in a confirmatory run ("" if it is not): changed after the freeze."""
    freeze = phase.freeze
    if phase.phase != CONFIRMATORY or freeze is None:
        return ""
    later = [c for c in (claim.test.changes if claim.test else ()) if c.date > freeze.date]
    if later:
        return "; ".join(f"changed on {c.date} ({c.reason})" for c in later)
    if freeze.claims:
        if claim.id not in freeze.claims:
            return f"added after the freeze of {freeze.date}"
        if freeze.claims[claim.id] != claim.digest:
            return f"changed after the freeze of {freeze.date} (its content differs from the one frozen)"
    return ""
