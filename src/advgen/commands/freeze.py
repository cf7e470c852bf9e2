"""``advgen freeze``: the record that ends the exploratory phase (``docs/default_run/freeze.json``).

A confirmatory run is only confirmatory when what it tests was fixed before it ran. The record
(its format, writer and reader: :mod:`advgen.claims.freeze_record`, which the claims page reads
too) holds the sha256 of the claims file's bytes and each claim's digest, the date, the commit
(``--commit``), the seed base and every model run's seed (each role's runs with their seeds: none
may be a spent one, ``--fresh-from``), the generators' recipes (each ``gans`` / ``autoencoders``
entry's complete spec, its seeds apart), the power plan per claim and the sha256 of the power
plan's file (``advgen power-plan``). ``advgen freeze --verify RECORD`` checks that the claims
file and the power plan still have the recorded hashes (exit status 2, one line, where one
changed: a claim changed after the freeze is post hoc, ``docs/claims.md``).

    advgen freeze --claims config/claims.yaml --configfile config/config.yaml \\
        --power-plan docs/default_run/power_plan.json --out docs/default_run/freeze.json
    advgen freeze --verify docs/default_run/freeze.json
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HELP = "record the frozen claims, recipes, seeds and power plan (or --verify a record)"

#: the seeds the exploratory phase spent (0-9): a confirmatory run's seeds start here by default
FRESH_FROM = 10
#: the model sections whose entries are generators (their specs are the recipes)
GENERATOR_SECTIONS = ("gans", "autoencoders")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claims", help="the claims file frozen (config/claims.yaml)")
    p.add_argument("--configfile", nargs="+", help="the confirmatory run's config file(s), merged in order")
    p.add_argument("--power-plan", help="the power plan (advgen power-plan --json)")
    p.add_argument("--out", help="output: the record (docs/default_run/freeze.json)")
    p.add_argument("--date", help="the freeze's date, YYYY-MM-DD (default: today)")
    p.add_argument("--commit", default="", help="the commit frozen (git rev-parse HEAD)")
    p.add_argument(
        "--fresh-from", type=int, default=FRESH_FROM,
        help=f"every run's seed must be at least this (default {FRESH_FROM}: seeds 0-9 are spent)",
    )  # fmt: skip
    p.add_argument("--verify", metavar="RECORD", help="check RECORD's hashes against the files it names")


def recipes(config: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{section: {entry: {"spec": ..., "seeds": [...]}}}`` for the generator sections: each
    entry's validated spec without its seed (the runs of a replicated entry share it)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for section in GENERATOR_SECTIONS:
        entries: dict[str, dict[str, Any]] = {}
        for name, run in (config.get(section) or {}).items():
            entry = run.get("replicate_of", name)
            spec = {k: v for k, v in run.items() if k not in ("seed", "replicate_of")}
            record = entries.setdefault(entry, {"spec": spec, "seeds": []})
            record["seeds"].append(int(run.get("seed", config.get("seed", 0))))
        out[section] = entries
    return out


def record(
    claims: str, configfiles: Sequence[str], power_plan: str, date: str, fresh_from: int, commit: str = ""
) -> dict[str, Any]:
    """The freeze record (:func:`advgen.claims.freeze_record.record`); raises
    :class:`AdvgenError` on a spent seed."""
    import json

    from advgen.claims.freeze_record import planned_from_power_plan, sha256
    from advgen.claims.freeze_record import record as freeze_record
    from advgen.claims.spec import read_claims_file
    from advgen.config_files import check_config_files
    from advgen.errors import AdvgenError
    from advgen.pipeline.study import Study, resolve_roles
    from advgen.seed_base import run_seeds, seed_base

    sha256(claims, "claims file")  # a missing claims file is named as one before it is parsed
    parsed = read_claims_file(claims)
    plan_sha = sha256(power_plan, "power plan")
    try:
        plan_raw = json.loads(Path(power_plan).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdvgenError(
            f"{power_plan}: not a power plan (not readable JSON: {type(exc).__name__})"
        ) from None
    config = check_config_files(list(configfiles))
    seeds = run_seeds(config)
    spent = {name: s for name, s in seeds.items() if s < fresh_from}
    if spent:
        shown = ", ".join(f"{n} {s}" for n, s in list(spent.items())[:4])
        raise AdvgenError(
            f"{', '.join(configfiles)}: {len(spent)} run(s) train on spent seeds below {fresh_from} "
            f'({shown}{", ..." if len(spent) > 4 else ""}): set seed_base (config/README.md, "Fresh seeds")'
        )
    roles = resolve_roles(Study.of(config, ", ".join(configfiles)), parsed.roles)
    return freeze_record(
        parsed,
        claims_file=claims,
        date=date,
        commit=commit,
        seed_base=seed_base(config),
        plan=planned_from_power_plan(plan_raw, power_plan),
        power_plan=(power_plan, plan_sha),
        provenance={
            "config": {p: sha256(p, "config file") for p in configfiles},
            "seeds": {
                role: {run: seeds[run] for run in runs if run in seeds}
                for role, runs in sorted(roles.items())
            },
            "recipes": recipes(config),
        },
    )


def _date(text: str | None) -> str:
    from advgen.errors import AdvgenError

    if text is None:
        return datetime.date.today().isoformat()
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AdvgenError(f"--date: {text!r} is not a date YYYY-MM-DD") from None


def main(args: argparse.Namespace) -> None:
    from advgen.claims.freeze_record import verify
    from advgen.errors import AdvgenError
    from advgen.io import write_json

    if args.verify:
        changed = verify(args.verify)
        if changed:
            raise AdvgenError(f"{args.verify}: changed since the freeze: {', '.join(changed)}")
        print(f"{args.verify}: the claims file and the power plan are as frozen")
        return
    missing = [flag for flag, v in (("--claims", args.claims), ("--configfile", args.configfile),
               ("--power-plan", args.power_plan), ("--out", args.out)) if not v]  # fmt: skip
    if missing:
        raise AdvgenError(f"give {', '.join(missing)} (or --verify RECORD)")
    date = _date(args.date)
    write_json(
        args.out, record(args.claims, args.configfile, args.power_plan, date, args.fresh_from, args.commit)
    )
