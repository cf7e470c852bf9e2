"""The freeze record's one reader (:func:`read_freeze`, strict: one :class:`ConfigError` line
naming the file and key), and the power plan a record's ``plan`` comes from
(:func:`read_power_plan`)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advgen.claims.freeze.bounded_files import read_json, sha256
from advgen.claims.freeze.freeze_format import (
    ANALYSIS,
    FORMAT,
    FORMAT_1_UNTIL,
    FORMAT_SINCE,
    HARDWARE,
    HARDWARE_3,
    OPTIONAL,
    PLANNED,
    RECIPE_SECTIONS,
    REQUIRED,
    REQUIRED_2,
    REQUIRED_3,
    ROUND_FORMAT,
    UNDERPOWERED,
    Freeze,
    Planned,
)
from advgen.claims.statistics.power import budget_size
from advgen.errors import ConfigError

_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_HEX = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")


def planned_from_power_plan(raw: Any, path: str) -> dict[str, Planned]:
    """The record's ``plan`` from a power plan (``advgen power-plan --json``): ``n_planned`` of a
    planned claim; for one underpowered at this budget, ``n_run`` (the size the run gives it: a
    ``--cut`` claim's cut; plans without it, the budget's size: ``max_examples`` for a unit per
    run, else ``max_runs``, never below ``n_now``) with ``needed`` = ``n_planned``; a claim not
    planned has no line. A plan that is not one is a :class:`ConfigError` line."""
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
                run = item.get("n_run", budget_size(str(unit), now, caps["runs"], caps["examples"]))
                out[str(cid)] = Planned(int(run), str(unit), int(n), True)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        where = f" ({key})" if "key" in locals() else ""
        raise ConfigError(f"{path}: not a power plan{where}: {type(exc).__name__}: {exc}") from None
    return out


def read_power_plan(path: str) -> tuple[str, dict[str, Planned]]:
    """The power plan at ``path``: its sha256 and the record's ``plan`` of it."""
    digest = sha256(path, "power plan")
    return digest, planned_from_power_plan(read_json(path, "power plan"), path)


def _bad(path: str, key: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {msg}")


def calendar_date(text: Any) -> str | None:
    """``text`` if it is a calendar date YYYY-MM-DD (``9999-99-99`` is not), else None."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _whole(value: Any, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _plan(raw: Any, path: str) -> dict[str, Planned]:
    if not isinstance(raw, dict):
        raise _bad(path, "plan", "must map each claim id to {n, unit, needed, underpowered}")
    out = {}
    for cid, item in raw.items():
        key = f"plan.{cid}"
        if not isinstance(item, dict) or not {"n", "unit"} <= set(item):
            raise _bad(path, key, "must have n and unit (and needed, underpowered)")
        n, needed = item["n"], item.get("needed")
        if not _whole(n, 1):
            raise _bad(path, f"{key}.n", f"must be a positive whole number, got {n!r}")
        if needed is not None and not _whole(needed, 1):
            raise _bad(path, f"{key}.needed", f"must be a positive whole number or null, got {needed!r}")
        if not isinstance(item["unit"], str) or not item["unit"].strip():
            raise _bad(path, f"{key}.unit", "must be a non-empty string")
        out[str(cid)] = Planned(n, item["unit"], needed, bool(item.get("underpowered", False)))
    return out


def _hashes(raw: Any, path: str, key: str, what: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise _bad(path, key, f"must map each {what} to its sha256 (none recorded)")
    for name, digest in raw.items():
        if not isinstance(digest, str) or not _HEX.fullmatch(digest):
            raise _bad(path, f"{key}.{name}", "must be a sha256 (64 hex digits)")
    return dict(raw)


def _seeds(raw: Any, path: str) -> dict[str, dict[str, int]]:
    if not isinstance(raw, dict) or not raw:
        raise _bad(path, "seeds", "must map each role to its runs and their seeds (none recorded)")
    for role, runs in raw.items():
        if not isinstance(runs, dict) or not all(_whole(s) for s in runs.values()):
            raise _bad(path, f"seeds.{role}", "must map each run to its seed (a whole number >= 0)")
    return {role: dict(runs) for role, runs in raw.items()}


def _recipes(raw: Any, path: str, fmt: int) -> dict[str, Any]:
    sections = RECIPE_SECTIONS if fmt >= 2 else RECIPE_SECTIONS[:2]
    if not isinstance(raw, dict) or set(raw) != set(sections):
        raise _bad(path, "recipes", f"must have the sections {', '.join(sections)}")
    for section, entries in raw.items():
        if not isinstance(entries, dict):
            raise _bad(path, f"recipes.{section}", "must map each entry to {spec, seeds}")
        for name, entry in entries.items():
            if (
                not isinstance(entry, dict)
                or set(entry) != {"spec", "seeds"}
                or not isinstance(entry["spec"], dict)
                or not isinstance(entry["seeds"], list)
                or not all(_whole(s) for s in entry["seeds"])
            ):
                raise _bad(path, f"recipes.{section}.{name}", "must be {spec, seeds}")
    return dict(raw)


def _strings(raw: Any, path: str, key: str, keys: Sequence[str] = ()) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, str) for v in raw.values()):
        raise _bad(path, key, "must map each name to a text (none recorded)")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise _bad(path, key, f"missing {', '.join(missing)}")
    return dict(raw)


def _required(fmt: int) -> tuple[str, ...]:
    return REQUIRED + (REQUIRED_2 if fmt >= 2 else ()) + (REQUIRED_3 if fmt >= 3 else ())


def _round(raw: dict[str, Any], name: str, fmt: int) -> int:
    """The record's round, checked against its format: a round's record has at least its round's
    format (:data:`ROUND_FORMAT`), and a format-1 record has no ``round`` (round 1 wrote none), so
    deleting the parts a format added does not make an older record of a newer one."""
    if fmt == 1 and "round" in raw:
        raise _bad(
            name, "round", "a format-1 record has no round (round 1 wrote none): the record was edited"
        )
    round_ = raw.get("round", 1)
    if not _whole(round_, 1):
        raise _bad(name, "round", f"must be a whole number >= 1, got {round_!r}")
    needs = ROUND_FORMAT.get(round_, FORMAT)
    if fmt < needs:
        raise _bad(name, "format", f"round {round_}'s record has format {needs} or later, not {fmt}")
    return int(round_)


def _dated(raw: dict[str, Any], name: str, fmt: int, date: str) -> None:
    """The record's date and commit, checked against its format: format 1 was written until
    2026-11-27, a later format not before it existed, and format 3 names its commit."""
    if fmt == 1 and date > FORMAT_1_UNTIL:
        raise _bad(
            name, "format", f"format 1 was written until {FORMAT_1_UNTIL}, and the record is dated {date}"
        )
    if fmt in FORMAT_SINCE and fmt < FORMAT and date < FORMAT_SINCE[fmt]:
        raise _bad(
            name,
            "format",
            f"format {fmt} was first written on {FORMAT_SINCE[fmt]}, the record is dated {date}",
        )
    if fmt >= 3 and not _COMMIT.fullmatch(str(raw.get("commit") or "")):
        raise _bad(name, "commit", f"a format-{fmt} record names the commit frozen (7-40 hex digits)")


def _program(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """A format-3 record's program, versions and resolved config."""
    program = raw["program"]
    if not isinstance(program, dict) or set(program) != {"package", "workflow"}:
        raise _bad(name, "program", "must be {package, workflow}")
    if not _HEX.fullmatch(str(program["package"])):
        raise _bad(name, "program.package", "must be a sha256 (64 hex digits)")
    if not isinstance(program["workflow"], str):
        raise _bad(name, "program.workflow", "must be a sha256 or 'not found'")
    resolved = raw["resolved_config"]
    if not isinstance(resolved, dict) or set(resolved) != {"config", "resolved"} or not resolved["config"]:
        raise _bad(
            name, "resolved_config", "must be {config, resolved} (the config as read, its defaults filled in)"
        )
    return {
        "program": dict(program),
        "versions": _strings(raw["versions"], name, "versions", ("advgen",)),
        "resolved_config": dict(resolved),
    }


def read_freeze(path: str | Path) -> Freeze | None:
    """The freeze record at ``path``, None where there is none (the study is exploratory); a
    record that cannot be read, lacks a part of its format, or whose format its round or date
    rules out, raises one :class:`ConfigError` line naming the file and key."""
    name = str(path)
    if not Path(path).exists() and not Path(path).is_symlink():
        return None
    raw = read_json(path, "freeze record")
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: not a freeze record (must be a JSON object with claims_sha256 and date)")
    fmt = raw.get("format", 1)
    if fmt not in range(1, FORMAT + 1) or isinstance(fmt, bool):
        raise _bad(name, "format", f"must be 1 to {FORMAT}, got {fmt!r}")
    round_ = _round(raw, name, fmt)
    required = _required(fmt)
    unknown = sorted(set(raw) - set(required) - set(OPTIONAL))
    if unknown:
        raise _bad(name, unknown[0], f"unknown key (a format-{fmt} record has {', '.join(required)})")
    missing = [k for k in required if k not in raw]
    if missing:
        raise _bad(
            name, missing[0], f"missing (a format-{fmt} record has every one of {', '.join(required)})"
        )
    sha, date = raw["claims_sha256"], calendar_date(raw["date"])
    if not isinstance(sha, str) or not _HEX.fullmatch(sha):
        raise _bad(name, "claims_sha256", "must be the claims file's sha256 (64 hex digits)")
    if date is None:
        raise _bad(name, "date", f"must be a date YYYY-MM-DD, got {raw['date']!r}")
    _dated(raw, name, fmt, date)
    base = raw["seed_base"]
    if not _whole(base):
        raise _bad(name, "seed_base", f"must be a whole number >= 0, got {base!r}")
    reruns = raw.get("reruns") or []
    if not isinstance(reruns, list) or not all(
        isinstance(r, dict) and calendar_date(r.get("date")) and isinstance(r.get("reason"), str)
        for r in reruns
    ):
        raise _bad(name, "reruns", "must be a list of {date, reason}")
    if not isinstance(raw["claims_file"], str) or not raw["claims_file"]:
        raise _bad(name, "claims_file", "must be the claims file's path")
    power_plan = raw["power_plan"]
    if (
        not isinstance(power_plan, dict)
        or set(power_plan) != {"path", "sha256"}
        or not isinstance(power_plan["path"], str)
        or not _HEX.fullmatch(str(power_plan["sha256"]))
    ):
        raise _bad(name, "power_plan", "must be {path, sha256} (64 hex digits)")
    extra: dict[str, Any] = {}
    if fmt >= 2:
        analysis = raw["analysis"]
        if not isinstance(analysis, dict) or analysis.get("package") != ANALYSIS:
            raise _bad(name, "analysis", f"must be {{package: {ANALYSIS}, sha256}}")
        extra["analysis"] = _hashes({"sha256": analysis.get("sha256")}, name, "analysis", "package")["sha256"]
        extra["numerics"] = _strings(raw["numerics"], name, "numerics")
        keys = HARDWARE + (HARDWARE_3 if fmt >= 3 else ())
        extra["hardware"] = _hardware(raw["hardware"], name, keys)
    if fmt >= 3:
        extra.update(_program(raw, name))
    return Freeze(
        path=name,
        claims_sha256=sha,
        date=date,
        commit=str(raw.get("commit") or ""),
        seed_base=base,
        claims=_hashes(raw["claims"], name, "claims", "claim id"),
        plan=_plan(raw["plan"], name),
        reruns=tuple((r["date"], r["reason"]) for r in reruns),
        claims_file=raw["claims_file"],
        power_plan=(power_plan["path"], power_plan["sha256"]),
        format=fmt,
        config=_hashes(raw["config"], name, "config", "config file"),
        seeds=_seeds(raw["seeds"], name),
        recipes=_recipes(raw["recipes"], name, fmt),
        round=round_,
        **extra,
    )


def _hardware(raw: Any, name: str, keys: Sequence[str]) -> dict[str, str]:
    """The host's parts: every one of ``keys``, each a text (the CPU's flags may be empty)."""
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise _bad(name, "hardware", "must map each part of the host to a text")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise _bad(name, "hardware", f"missing {', '.join(missing)}")
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        raise _bad(name, f"hardware.{unknown[0]}", "unknown key")
    return dict(raw)
