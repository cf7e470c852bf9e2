"""The claims file's reader (``config/claims.yaml``; its parts: :mod:`advgen.claims.reading.spec`).

The file is read strictly (:func:`advgen.config_files.parse_yaml`: UTF-8, duplicate keys refused,
FILE:LINE:COLUMN for a syntax error), its shapes checked against ``schemas/claims.schema.yaml``
by the config's validator (:func:`advgen.config.schema_problem`), and the first problem reported
as one :class:`~advgen.errors.ConfigError` line, ``FILE:LINE: claims[<id>].<key>: <problem>``.
What the schema cannot see is checked here and in :mod:`advgen.claims.reading.spec`: the roles, budgets
and families a claim names, the sides its effect reads, its quote in the source's text and its
expressions (:mod:`advgen.claims.reading.expressions`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from advgen.claims.reading import fields, sources
from advgen.claims.reading.fields import Where
from advgen.claims.reading.model import Budget, Claim, ClaimsFile
from advgen.claims.reading.spec import parse_claim
from advgen.errors import AdvgenError, ConfigError

#: the claims file's schema and the definition of its top level
SCHEMA = ("claims.schema.yaml", "claims_file")

#: keys put under ``control`` that belong elsewhere, and where (the schema only finds them unknown)
MISPLACED = {
    "same": "the sides made equal or swapped are margin checks, not controls: list them under checks:",
    "permute": "the permuted halves check the interval's calibration, not the measurement: list them "
    "under calibration: {what, permute}, and give a control a fault of the measurement could make hold",
}
MISPLACED["swap"] = MISPLACED["same"]

__all__ = ["SCHEMA", "load_claims", "read_claims_file"]


def _dotted(parts: list[Any], raw: dict[str, Any]) -> str:
    """The key path of ``parts`` as the messages name it: ``claims[<id>].test.margin`` (a claim by
    its id where it has one, else by its index), ``checks[0]``."""
    out = ""
    for j, part in enumerate(parts):
        if isinstance(part, int):
            name: Any = part
            if j == 1 and parts[0] == "claims" and parts[2:] != ["id"]:
                cid = raw["claims"][part].get("id") if isinstance(raw["claims"][part], dict) else None
                name = cid if isinstance(cid, str) else part
            out += f"[{name}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<top level>"


def _value(raw: Any, parts: list[Any]) -> Any:
    """The value at key path ``parts`` of ``raw`` (None where there is none)."""
    for part in parts:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def check_shapes(raw: dict[str, Any], where: Where) -> None:
    """The file's shapes against the claims schema; the first problem as one line."""
    from advgen.config import schema_problem

    problem = schema_problem(raw, *SCHEMA)
    if problem is None:
        return
    parts, message = problem
    if parts[-2:-1] == ["control"] and parts[-1] in MISPLACED:
        message = MISPLACED[parts[-1]]
    elif parts[-2:] == ["control", "kind"] and _value(raw, parts) == "permuted":
        message = MISPLACED["permute"]
    raise where.error(tuple(parts), _dotted(parts, raw), message)


def _read_budgets(raw: Any, roles: dict[str, str], where: Where) -> dict[str, Budget]:
    out = {}
    for name, item in (raw or {}).items():
        if not all(r in roles for r in item["roles"]):
            raise where.error(
                ("budgets", name, "roles"), f"budgets.{name}.roles", "must list roles of the claims file"
            )
        what, source = fields.text(item, "what"), fields.text(item, "source")
        out[name] = Budget(name, what, tuple(item["roles"]), source)
    return out


def _read_text(path: Path) -> tuple[bytes, str]:
    """The claims file's bytes and text; one line for a file that is missing or not UTF-8."""
    from advgen.config_files import read_input_bytes
    from advgen.input_files import regular_input

    name = str(path)
    try:
        regular_input(path)  # a FIFO or a device is refused before it is opened
    except AdvgenError as exc:
        raise ConfigError(str(exc)) from None
    data = read_input_bytes(path, "claims file")
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: byte {exc.start}: not valid UTF-8") from None


def read_claims_file(path: str | Path) -> ClaimsFile:
    """Read and check a claims file strictly; one :class:`ConfigError` line (the first problem)."""
    import yaml

    from advgen import yaml_loader
    from advgen.claims.reading.scales import ScaleError
    from advgen.claims.reading.scales import check as check_scales
    from advgen.config_files import parse_yaml

    path = Path(path)
    name = str(path)
    data, text = _read_text(path)
    raw = parse_yaml(text, name)
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: must be a mapping with roles, sources and claims")
    # the document parsed, so libyaml's composer (where PyYAML has it) gives the key lines
    lines = fields.key_lines(yaml.compose(text, Loader=yaml_loader.C_SAFE_LOADER or yaml.SafeLoader))
    where = Where(name, lines)
    check_shapes(raw, where)
    roles = dict(raw["roles"])
    paths, texts = sources.read_sources(raw["sources"], path, where)
    budgets = _read_budgets(raw.get("budgets"), roles, where)
    families = {k: " ".join(v.split()) for k, v in (raw.get("families") or {}).items()}
    out = ClaimsFile(
        name,
        roles,
        sources=paths,
        budgets=budgets,
        families=families,
        freeze=raw.get("freeze") or "",
        sha256=hashlib.sha256(data).hexdigest(),
    )
    seen: dict[str, int] = {}
    for i, item in enumerate(raw["claims"]):
        claim = parse_claim(item, i, out.roles, where, texts, budgets, families)
        if claim.id in seen:
            raise where.error(
                ("claims", i, "id"),
                f"claims[{claim.id}].id",
                f"duplicate id (first at claims[{seen[claim.id]}])",
            )
        seen[claim.id] = i
        try:
            check_scales(claim)
        except ScaleError as exc:
            raise where.error(
                ("claims", i, "reading", "scales"), f"claims[{claim.id}].reading.scales", str(exc)
            ) from None
        out.claims.append(claim)
    return out


def load_claims(path: str | Path) -> list[Claim]:
    """The claims of a claims file (:func:`read_claims_file`)."""
    return read_claims_file(path).claims
