"""``advgen freeze``: the record that ends the exploratory phase (``docs/default_run/freeze.json``).

A confirmatory run is only confirmatory when what it tests was fixed before it ran. The record
(its format, writer and reader: :mod:`advgen.claims.freeze.freeze_record`, which the claims page reads
too) covers the program: the digest of the whole advgen package and of the workflow (the
Snakefile and workflow/), the config as the workflow reads it (every schema default filled in,
and the device and seed stacking it resolves to here), the installed versions of the packages
advgen runs on; and the sha256 of the claims file's bytes and each claim's digest, the digest of
the analysis code (:mod:`advgen.claims`), the date, the commit (``--commit``, required), each
config file's sha256, the seed base and every role's runs with their seeds (none may be a spent
one, ``--fresh-from``), the recipes (each ``gans`` / ``autoencoders`` / ``classifiers`` entry's
complete spec, its seeds apart), each role's numerics (its training precision as its run
computes), the plan per claim (the power plan's, with the n the frozen config runs: a claim whose
config runs fewer runs than planned is underpowered) with the sha256 of the power plan's file
(``advgen power-plan``), and the host it ran on (CPU model and the flags that change kernels,
GPU, torch, CUDA: freeze on the host that runs the round).

``advgen freeze --verify RECORD`` checks every part and prints one line per part it checked:
the program (package, workflow), the resolved config and the versions, the claims file's
sha256, the claim digests, the analysis code's digest, each config file's sha256, the seed base,
the roles' runs and seeds, the recipes and the numerics (recomputed from the config files), the
power plan's sha256 and the plan drawn from it, and the host (reported as it is now). A part
that differs is one error line, exit status 2 (a claim changed after the freeze is post hoc,
``docs/claims.md``); a part an older format does not record is named, not passed silently.

    advgen freeze --claims config/claims.yaml --configfile config/config.yaml \\
        --power-plan docs/default_run/power_plan.json --out docs/default_run/freeze.json
    advgen freeze --verify docs/default_run/freeze.json
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advgen.claims.freeze import bounded_files, freeze_format, freeze_reader
from advgen.commands._files import add_input, add_output

if TYPE_CHECKING:
    from advgen.claims.freeze.freeze_format import Freeze

HELP = (
    "record the frozen claims, analysis, config, seeds, recipes, numerics, host and power plan (or --verify)"
)

#: the seeds the exploratory phase spent (0-9): a confirmatory run's seeds start here by default
FRESH_FROM = 10


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(p, "--claims", help="input: the claims file frozen (config/claims.yaml)")
    add_input(
        p, "--configfile", nargs="+", help="input: the confirmatory run's config file(s), merged in order"
    )
    add_input(p, "--power-plan", help="input: the power plan (advgen power-plan --json)")
    add_output(p, "--out", help="output: the record (docs/default_run/freeze.json)")
    p.add_argument("--date", help="the freeze's date, YYYY-MM-DD (default: today in UTC)")
    p.add_argument("--commit", default="", help="the commit frozen (git rev-parse HEAD; required)")
    p.add_argument(
        "--round", type=int, default=1, dest="round_",
        help="the confirmatory round this freeze starts (default 1; the page's header names it)",
    )  # fmt: skip
    p.add_argument(
        "--fresh-from", type=int, default=FRESH_FROM,
        help=f"every run's seed must be at least this (default {FRESH_FROM}: seeds 0-9 are spent)",
    )  # fmt: skip
    add_input(
        p, "--verify", metavar="RECORD", help="input: check every part of RECORD against the files it names"
    )


def roles_of(config: Mapping[str, Any], source: str, declared: Mapping[str, str]) -> dict[str, list[str]]:
    """The runs each role of the claims file names in a validated config."""
    from advgen.pipeline.study import Study, resolve_roles

    return {role: list(runs) for role, runs in resolve_roles(Study.of(config, source), declared).items()}


def record(
    claims: str,
    configfiles: Sequence[str],
    power_plan: str,
    date: str,
    fresh_from: int,
    commit: str = "",
    round_: int = 1,
) -> dict[str, Any]:
    """The freeze record (:func:`advgen.claims.freeze.freeze_record.record`); raises
    :class:`AdvgenError` on a spent seed or without a commit."""
    from advgen.claims.freeze import freeze_record as fr
    from advgen.claims.reading.claims_file import read_claims_file
    from advgen.config_files import check_config_files
    from advgen.errors import AdvgenError
    from advgen.seed_base import run_seeds, seed_base

    bounded_files.sha256(claims, "claims file")  # a missing claims file is named as one before it is parsed
    parsed = read_claims_file(claims)
    plan_sha, plan = freeze_reader.read_power_plan(power_plan)
    hashes = {p: bounded_files.sha256(p, "config file") for p in configfiles}
    config = check_config_files(list(configfiles))
    seeds = run_seeds(config)
    spent = {name: s for name, s in seeds.items() if s < fresh_from}
    if spent:
        shown = ", ".join(f"{n} {s}" for n, s in list(spent.items())[:4])
        raise AdvgenError(
            f"{', '.join(configfiles)}: {len(spent)} run(s) train on spent seeds below {fresh_from} "
            f'({shown}{", ..." if len(spent) > 4 else ""}): set seed_base (config/README.md, "Fresh seeds")'
        )
    roles = roles_of(config, ", ".join(configfiles), parsed.roles)
    return fr.record(
        parsed,
        claims_file=claims,
        date=date,
        commit=commit,
        seed_base=seed_base(config),
        plan=fr.plan_as_run(plan, parsed.claims, roles),
        power_plan=(power_plan, plan_sha),
        config=hashes,
        run=fr.run_parts(config, roles),
        analysis=fr.analysis_digest(),
        hardware=fr.this_host(),
        round_=round_,
        resolved_config=resolved_config(config),
    )


def resolved_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as the workflow reads it (every schema default filled in: ``check_config_files``)
    as JSON data, and what it resolves to on this host: the device and whether the seeds of an
    entry train stacked (:func:`advgen.pipeline.stacking.decide`)."""
    import json

    from advgen.pipeline.stacking import cuda_visible, decide

    device = str(config.get("device", "auto"))
    resolved = {
        "device": device if device != "auto" else ("cuda" if cuda_visible() else "cpu"),
        "stack_seeds": decide(str(config.get("stack_seeds", "auto")), device),
    }
    return {"config": json.loads(json.dumps(config, sort_keys=True, default=str)), "resolved": resolved}


def verify(path: str) -> list[Any]:
    """Every part of the record at ``path`` checked (:class:`advgen.claims.freeze.freeze_record.Check`):
    against the files it names, the installed program and this host."""
    from advgen.claims.freeze import freeze_record as fr
    from advgen.claims.reading.claims_file import read_claims_file
    from advgen.config_files import check_config_files
    from advgen.errors import AdvgenError

    rec = freeze_reader.read_freeze(path)
    if rec is None:
        raise AdvgenError(f"{path}: freeze record not found")
    config = check_config_files(list(rec.config))
    checks = _program_checks(rec, config)
    checks.append(fr.hash_check("claims file", rec.claims_file, rec.claims_sha256, "claims file"))
    parsed = read_claims_file(rec.claims_file)
    checks += _claims_checks(rec, {c.id: c.digest for c in parsed.claims})
    roles = roles_of(config, ", ".join(rec.config), parsed.roles)
    checks += _run_checks(rec, config, roles)
    checks += _plan_checks(rec, parsed.claims, roles)
    checks.append(_hardware_check(rec))
    return checks


def _program_checks(rec: Freeze, config: Mapping[str, Any]) -> list[Any]:
    """The program (the advgen package and the workflow), the resolved config and the versions."""
    from advgen.claims.freeze import freeze_record as fr

    Check = fr.Check
    if rec.format < 3:
        why = f"not recorded (a format-{rec.format} record)"
        return [Check(part, None, why) for part in ("program", "resolved config", "versions")]
    now = fr.program()
    diffs = [
        f"{part}: sha256 {str(rec.program[part])[:12]}, now {now[part][:12]}"
        for part in ("package", "workflow")
        if rec.program[part] != now[part]
    ]
    out = [Check("program", not diffs, "advgen package and workflow " + ("as frozen" if not diffs else
                 f"differ: {'; '.join(diffs)}"))]  # fmt: skip
    for part, frozen, current in (
        ("resolved config", rec.resolved_config, resolved_config(config)),
        ("versions", rec.versions, fr.versions()),
    ):
        found = fr.differences(frozen, current)
        out.append(Check(part, not found, f"{len(fr.flat(frozen))} values " + (
            "as frozen" if not found else f"differ: {'; '.join(found)}")))  # fmt: skip
    return out


def _claims_checks(rec: Freeze, digests: Mapping[str, str]) -> list[Any]:
    """The claims' digests and the analysis code, against the record."""
    from advgen.claims.freeze import freeze_record as fr

    Check = fr.Check
    diff = sorted(k for k in set(digests) | set(rec.claims) if digests.get(k) != rec.claims.get(k))
    more = ", ..." if len(diff) > 5 else ""
    checks = [
        Check(
            "claim digests",
            not diff,
            f"{len(rec.claims)} claims " + (f"differ: {', '.join(diff[:5])}{more}" if diff else "as frozen"),
        )
    ]
    if rec.format >= 2:
        now = fr.analysis_digest()
        checks.append(
            Check(
                "analysis code",
                now == rec.analysis,
                f"{freeze_format.ANALYSIS}: sha256 {rec.analysis[:12]} "
                + ("as frozen" if now == rec.analysis else f"now {now[:12]}"),
            )
        )
    else:
        checks.append(Check("analysis code", None, "not recorded (a format-1 record)"))
    return checks


def _run_checks(rec: Freeze, config: Mapping[str, Any], roles: Mapping[str, list[str]]) -> list[Any]:
    """The config files, the seed base and the run's parts (roles, recipes, numerics)."""
    from advgen.claims.freeze import freeze_record as fr

    Check = fr.Check
    checks = [
        fr.hash_check("config file", name, digest, "config file") for name, digest in rec.config.items()
    ]
    source = ", ".join(rec.config)
    base = int(config.get("seed_base") or 0)
    checks.append(
        Check(
            "seed base",
            base == rec.seed_base,
            f"{rec.seed_base} " + ("as frozen" if base == rec.seed_base else f"now {base}"),
        )
    )
    run = fr.run_parts(config, roles)
    for part, diffs in fr.run_differences(rec, run).items():
        count = len(fr.flat(rec.run_parts()[part]))
        text = f"{count} values, from {source}: " + (
            "as frozen" if not diffs else f"differ: {'; '.join(diffs)}"
        )
        checks.append(Check(fr.PART_NAMES[part], not diffs, text))
    if rec.format < 2:
        checks.append(Check("numerics", None, "not recorded (a format-1 record)"))
    return checks


def _plan_checks(rec: Freeze, claims: Sequence[Any], roles: Mapping[str, list[str]]) -> list[Any]:
    """The power plan's file and the sample sizes it gives (with the frozen config's runs), against
    the record's plan."""
    from advgen.claims.freeze import freeze_record as fr

    assert rec.power_plan is not None
    plan_path, plan_sha = rec.power_plan
    checks = [fr.hash_check("power plan", plan_path, plan_sha, "power plan")]
    _, plan = freeze_reader.read_power_plan(plan_path)
    if rec.format >= 3:
        plan = fr.plan_as_run(plan, claims, roles)
    diffs = fr.differences({k: vars(v) for k, v in rec.plan.items()}, {k: vars(v) for k, v in plan.items()})
    checks.append(
        fr.Check(
            "plan",
            not diffs,
            f"{len(rec.plan)} claims' sample sizes "
            + (
                f"differ from the power plan's: {'; '.join(diffs)}"
                if diffs
                else "as the power plan gives them"
            ),
        )
    )
    return checks


def _hardware_check(rec: Freeze) -> Any:
    """The host: the one frozen, against this one (reported as it is now). A format-3 record's
    host is a part of the round (its CPU's flags choose the kernels); an older record's, which
    could not tell two CPUs of one name apart, is reported only."""
    from advgen.claims.freeze import freeze_record as fr

    if rec.format < 2:
        return fr.Check("hardware", None, "not recorded (a format-1 record)")
    host = fr.this_host()
    frozen = dict(rec.hardware)
    now = {k: host.get(k, "") for k in frozen}
    text = f"recorded {fr.host_text(frozen)}; this host: {fr.host_text(host)}"
    if rec.format < 3:
        return fr.Check("hardware", None, text + " (reported, not checked: a format-2 record)")
    return fr.Check("hardware", now == frozen, text + (": the same" if now == frozen else ": differs"))


def _date(text: str | None) -> str:
    from advgen.errors import AdvgenError

    if text is None:  # the date in UTC: a TZ of the caller's does not move the freeze a day
        return datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AdvgenError(f"--date: {text!r} is not a date YYYY-MM-DD") from None


def main(args: argparse.Namespace) -> None:
    from advgen.claims.reading.claims_file import read_claims_file
    from advgen.commands._files import refuse_overwrite
    from advgen.errors import AdvgenError
    from advgen.io import write_json

    if args.verify:
        checks = verify(args.verify)
        for c in checks:
            print(f"{c.part}: {c.text}")
        changed = [c.part for c in checks if c.ok is False]
        if changed:
            raise AdvgenError(
                f"{args.verify}: changed since the freeze: {', '.join(changed)} (see the lines above)"
            )
        return
    missing = [flag for flag, v in (("--claims", args.claims), ("--configfile", args.configfile),
               ("--power-plan", args.power_plan), ("--out", args.out)) if not v]  # fmt: skip
    if missing:
        raise AdvgenError(f"give {', '.join(missing)} (or --verify RECORD)")
    date = _date(args.date)
    if args.round_ < 1:
        raise AdvgenError(f"advgen freeze: --round must be >= 1, got {args.round_}")
    data = record(
        args.claims, args.configfile, args.power_plan, date, args.fresh_from, args.commit, args.round_
    )
    parsed = read_claims_file(args.claims)
    texts = [Path(parsed.path).parent / rel for rel in parsed.sources.values()]
    refuse_overwrite(args, {"--claims (a source text)": texts})
    if not args.commit:
        raise AdvgenError(
            "advgen freeze: --commit is required (git rev-parse HEAD): the record names the program"
        )
    write_json(args.out, data)
