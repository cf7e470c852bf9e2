"""What a claims page is: its round, freeze hash, seeds, hardware and numerics, and its data.

Every view of a page (the HTML page, the run's Markdown, the committed Markdown page and the
README summary) opens with the same line, made here from the freeze record as JSON data (its
keys ``round``, ``claims_sha256``, ``date``, ``commit``, ``hardware`` and ``numerics`` where
present; :mod:`advgen.claims.freeze.freeze_record` owns the format) and the verdict table's
``seed_values``. A record without ``round`` is round 1's (the first freeze, 17fa360); one
without ``hardware`` or ``numerics`` says that it does not record them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: the page's statement of its data: the confirmatory runs change the seeds, never the digits
DATA_TEXT = (
    "the digits are the sample both phases read (the exploratory and the confirmatory runs draw the "
    "same MNIST digits; fresh seeds change the models, not the data, so the intervals are "
    "conditional on these digits)"
)


def read_record(path: str | Path) -> dict[str, Any]:
    """The freeze record as JSON data (one line naming the file where it cannot be read)."""
    from advgen.errors import ConfigError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a freeze record ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a freeze record (a JSON object expected)")
    return data


def seed_ranges(seeds: Iterable[int]) -> str:
    """``1000-1007`` (runs of consecutive seeds joined, the rest by commas)."""
    values = sorted(set(seeds))
    parts: list[str] = []
    start = prev = None
    for s in [*values, None]:
        if s is not None and prev is not None and s == prev + 1:
            prev = s
            continue
        if start is not None:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        start = prev = s
    return ", ".join(parts)


def table_seeds(table: Any) -> list[int]:
    """Every seed a row of the verdict table read (its ``seed_values``)."""
    if "seed_values" not in getattr(table, "columns", ()):
        return []
    out: set[int] = set()
    for text in table["seed_values"].astype(str):
        out.update(int(x) for x in text.split(",") if x.strip().lstrip("-").isdigit())
    return sorted(out)


def _described(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_described(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_described(v) for v in value)
    return str(value)


def facts(
    record: Mapping[str, Any] | None,
    seeds: Iterable[int],
    *,
    run_host: str = "",
    mismatch: str = "",
) -> dict[str, str]:
    """The header's facts: round, freeze hash and date, seeds, the frozen study's hardware and
    this run's (``run_host``, where known), numerics, data, and what differs where the run is not
    the frozen round (``mismatch``)."""
    seeds_text = seed_ranges(seeds) or "none read"
    if record is None:
        return {
            "round": "exploratory (no freeze record)",
            "freeze": "",
            "seeds": seeds_text,
            "hardware": "not recorded (no freeze record)",
            "run_hardware": run_host,
            "numerics": "not recorded (no freeze record)",
            "data": DATA_TEXT,
            "mismatch": "",
        }
    sha = str(record.get("claims_sha256") or "")
    freeze = f"claims file sha256 {sha}" + (f", frozen on {record['date']}" if record.get("date") else "")
    if record.get("commit"):
        freeze += f" at commit {str(record['commit'])[:7]}"
    missing = "not in the freeze record"
    return {
        "round": str(record.get("round", 1)),
        "freeze": freeze,
        "seeds": seeds_text,
        "hardware": _described(record["hardware"]) if record.get("hardware") else missing,
        "run_hardware": run_host,
        "numerics": _described(record["numerics"]) if record.get("numerics") else missing,
        "data": DATA_TEXT,
        "mismatch": mismatch,
    }


def line(f: Mapping[str, str]) -> str:
    """The header as one Markdown paragraph: the frozen study's hardware and this run's apart."""
    head = f"**Round {f['round']}**" if f["freeze"] else f"**{f['round'].capitalize()}**"
    if f.get("mismatch"):
        head = f"**Round {f['round']}, not the frozen round** (what differs: {f['mismatch']})"
    parts = [head + (f": {f['freeze']}" if f["freeze"] else "")]
    frozen = "frozen study's hardware" if f["freeze"] else "hardware"
    parts += [f"seeds {f['seeds']}", f"{frozen}: {f['hardware']}"]
    if f.get("run_hardware"):
        parts.append(f"this run's hardware: {f['run_hardware']}")
    parts.append(f"numerics: {f['numerics']}")
    return "; ".join(parts) + f". Data: {f['data']}."


def summary_header(table: Any, record: Mapping[str, Any] | None) -> str:
    """:func:`line` of a verdict table read against its freeze record (None: none); this run's
    hardware is the table's ``run_host`` where it has one."""
    host = ""
    if "run_host" in getattr(table, "columns", ()) and len(table):
        value = table["run_host"].iloc[0]
        host = value if isinstance(value, str) else ""
    return line(facts(record, table_seeds(table), run_host=host))
