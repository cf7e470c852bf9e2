"""The freeze record: its one format, its one writer (:func:`record`) and its one reader (:func:`read_freeze`).

``advgen freeze`` (:mod:`advgen.commands.freeze`) writes it once, before the confirmatory run
(``docs/default_run/freeze.json``, the claims file's ``freeze:``); the claims page reads it
(:mod:`advgen.claims.phase`) and ``advgen freeze --verify`` checks every part of it
(:func:`verify`)::

    {
      "format": 2,
      "claims_file": "config/claims.yaml",
      "claims_sha256": "<sha256 of the claims file's bytes>",
      "date": "YYYY-MM-DD",
      "commit": "<the commit frozen>",
      "seed_base": 2000,
      "claims": {"<claim id>": "<advgen.claims.spec.digest of the claim>", ...},
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

import datetime
import hashlib
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advgen.claims.model import ClaimsFile
from advgen.errors import AdvgenError, ConfigError

#: the record's format (a record without ``format`` is format 1: round 1's)
FORMAT = 2
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_HEX = re.compile(r"[0-9a-f]{64}")
#: the power plan's status of a claim it could plan within the budget, and of one it could not
#: (:func:`advgen.claims.power.budget_status`)
PLANNED, UNDERPOWERED = "planned", "underpowered at this budget"
#: the config sections whose entries are model runs (their specs are the recipes; format 1
#: recorded the first two)
RECIPE_SECTIONS = ("gans", "autoencoders", "classifiers")
#: the parts every record has, and those format 2 adds
REQUIRED: tuple[str, ...] = ("claims_file", "claims_sha256", "date", "claims", "plan", "power_plan")
REQUIRED += ("seed_base", "config", "seeds", "recipes")
REQUIRED_2 = ("analysis", "numerics", "hardware")
OPTIONAL = ("format", "commit", "reruns")
#: the package whose source is the analysis the freeze fixes
ANALYSIS = "advgen.claims"
#: the largest record, power plan or claims file read (each is some hundred kB)
MAX_BYTES = 16 * 2**20


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
    """The freeze record as read (see the module docstring)."""

    path: str
    claims_sha256: str
    date: str
    commit: str = ""
    seed_base: int | None = None
    claims: Mapping[str, str] = field(default_factory=dict)
    plan: Mapping[str, Planned] = field(default_factory=dict)
    reruns: tuple[tuple[str, str], ...] = ()
    claims_file: str = ""
    #: (path, sha256) of the power plan
    power_plan: tuple[str, str] | None = None
    format: int = FORMAT
    config: Mapping[str, str] = field(default_factory=dict)
    seeds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    recipes: Mapping[str, Any] = field(default_factory=dict)
    #: role -> its training precision ({} in a format-1 record)
    numerics: Mapping[str, str] = field(default_factory=dict)
    #: the sha256 of the analysis code ("" in a format-1 record)
    analysis: str = ""
    #: cpu, gpu, torch, cuda ({} in a format-1 record)
    hardware: Mapping[str, str] = field(default_factory=dict)

    def run_parts(self) -> dict[str, Any]:
        """The parts a run must match (:func:`run_parts`), as recorded."""
        parts: dict[str, Any] = {"seeds": self.seeds, "recipes": self.recipes}
        if self.format >= 2:
            parts["numerics"] = self.numerics
        return parts


# --- reading files: regular files only, of a bounded size


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` if it is a regular file; a missing one, a folder, a FIFO, a device or a file
    over :data:`MAX_BYTES` is one :class:`AdvgenError` line (a FIFO would block the reader
    forever, ``/dev/zero`` never ends)."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        raise AdvgenError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise AdvgenError(f"{path}: {what} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or special file"
        raise AdvgenError(f"{path}: the {what} is {kind}, not a regular file (refusing to read it)")
    if info.st_size > MAX_BYTES:
        raise AdvgenError(f"{path}: the {what} has {info.st_size:,} bytes, more than {MAX_BYTES:,}")
    return Path(path)


def read_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of a small regular file (:func:`regular_file`)."""
    try:
        with regular_file(path, what).open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise AdvgenError(f"{path}: the {what} has more than {MAX_BYTES:,} bytes")
    return data


def sha256(path: str | Path, what: str) -> str:
    """The sha256 of a small regular file's bytes; anything else is one line (:func:`regular_file`)."""
    return hashlib.sha256(read_bytes(path, what)).hexdigest()


def read_json(path: str | Path, what: str) -> Any:
    """A small JSON file, read strictly (:func:`advgen.strict_json.loads`: a key twice, ``NaN``,
    deep nesting refused), one :class:`ConfigError` line naming the file and key."""
    import json

    from advgen.strict_json import MAX_DEPTH, depth, loads

    try:
        text = read_bytes(path, what).decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a {what} (not UTF-8 text)") from None
    if depth(text) <= MAX_DEPTH:  # not JSON at all: say what the file should have been
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}: not a {what} (not readable JSON: {exc.msg} at line {exc.lineno})"
            ) from None
        except ValueError:
            pass
    return loads(text, str(path))


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


def analysis_digest() -> str:
    """The digest of the analysis code: every file of the installed :mod:`advgen.claims`
    package by relative path and content, in sorted order (:func:`advgen.provenance.digest_tree`)."""
    from advgen.provenance import digest_tree

    return digest_tree(Path(__file__).resolve().parent)


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
) -> dict[str, Any]:
    """The freeze record of ``claims`` (see the module docstring), as JSON data: ``power_plan``
    its (path, sha256), ``config`` each config file's sha256, ``run`` the run's parts
    (:func:`run_parts`), ``analysis`` :func:`analysis_digest`, ``hardware`` :func:`this_host`."""
    if _calendar_date(date) is None:
        raise ValueError(f"date {date!r} is not a date YYYY-MM-DD")
    if set(run) != {"seeds", "recipes", "numerics"}:
        raise ValueError(f"run parts {sorted(run)} are not seeds, recipes and numerics")
    return {
        "format": FORMAT,
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


def read_power_plan(path: str) -> tuple[str, dict[str, Planned]]:
    """The power plan at ``path``: its sha256 and the record's ``plan`` of it."""
    digest = sha256(path, "power plan")
    return digest, planned_from_power_plan(read_json(path, "power plan"), path)


# --- the reader


def _bad(path: str, key: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {msg}")


def _calendar_date(text: Any) -> str | None:
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


def read_freeze(path: str | Path) -> Freeze | None:
    """The freeze record at ``path``, None where there is none (the study is exploratory); a
    record that cannot be read, or lacks a part, raises one :class:`ConfigError` line naming the
    file and key."""
    name = str(path)
    if not Path(path).exists() and not Path(path).is_symlink():
        return None
    raw = read_json(path, "freeze record")
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: not a freeze record (must be a JSON object with claims_sha256 and date)")
    fmt = raw.get("format", 1)
    if fmt not in (1, FORMAT) or isinstance(fmt, bool):
        raise _bad(name, "format", f"must be 1 or {FORMAT}, got {fmt!r}")
    required = REQUIRED + (REQUIRED_2 if fmt >= 2 else ())
    unknown = sorted(set(raw) - set(required) - set(OPTIONAL))
    if unknown:
        raise _bad(name, unknown[0], f"unknown key (a format-{fmt} record has {', '.join(required)})")
    missing = [k for k in required if k not in raw]
    if missing:
        raise _bad(
            name, missing[0], f"missing (a format-{fmt} record has every one of {', '.join(required)})"
        )
    sha, date = raw["claims_sha256"], _calendar_date(raw["date"])
    if not isinstance(sha, str) or not _HEX.fullmatch(sha):
        raise _bad(name, "claims_sha256", "must be the claims file's sha256 (64 hex digits)")
    if date is None:
        raise _bad(name, "date", f"must be a date YYYY-MM-DD, got {raw['date']!r}")
    base = raw["seed_base"]
    if not _whole(base):
        raise _bad(name, "seed_base", f"must be a whole number >= 0, got {base!r}")
    reruns = raw.get("reruns") or []
    if not isinstance(reruns, list) or not all(
        isinstance(r, dict) and _calendar_date(r.get("date")) and isinstance(r.get("reason"), str)
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
        extra["hardware"] = _strings(raw["hardware"], name, "hardware", ("cpu", "gpu", "torch", "cuda"))
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
        **extra,
    )


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
