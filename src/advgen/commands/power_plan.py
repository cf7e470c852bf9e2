"""``advgen power-plan``: the sample size each claim needs, from an exploratory claims table.

Reads a claims page's table (``docs/default_run/claims.parquet`` or ``results/tables/claims.parquet``),
plans every measured claim (:func:`advgen.claims.statistics.power.row_plan`: 97 % power at the claim's
margin for a conservative effect, the bound of the exploratory effect's 80 % interval nearest the
margin, one-sided at the level of its interval divided by the tests of its family (Holm's
adjusted level), TOST for an equivalence claim, by the t distribution at the level that sets its
standard error; either verdict where the exploratory interval holds the margin) and writes the plan as Markdown
(``docs/power_plan.md``) and JSON (``docs/default_run/power_plan.json``, whose hash the freeze
record keeps: ``advgen freeze``). A plan past the budget (``--max-runs`` at a run level: seeds,
source models; ``--max-examples`` per run) reads "underpowered at this budget" with the n it
would need. Claims whose level is the examples of a run (digits, image pairs) get the examples
they need up to ``--max-examples``: examples are cheap, and the page lists each such claim whose
plan asks for more than the exploratory run had, so the config is raised before the freeze.
``--cut ID=N`` runs a planned claim at N (fewer than its plan) to fit the run's time: the claim
is "underpowered at this budget", cut before the freeze, with the n it would need; every record
carries ``n_run``, the size the plan gives it (what the freeze record's ``plan`` holds): its n,
the budget's for a claim past it, a cut claim's cut. The config may run a claim at more (a model
entry serving several claims runs the largest size any asks) or, past the budget, at what its
entries have; the round's verdict table records what ran (``advgen claims fragility --plan --table``).
``--claims`` (the claims file, ``config/claims.yaml``): a row whose test differs from its claim's
test now (:mod:`advgen.commands._power_plan_tests`: effect, direction, margin, tolerance, scales,
control) has no exploratory estimate for the current test and is planned at the budget's maximum,
labelled with what differs (``test_changed``); a claim the table lacks likewise (``new``); a row
whose claim the file lacks is said so (``missing``). A table without a ``test`` column is not compared.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
from pathlib import Path
from typing import Any

from advgen.claims.statistics.power import CONSERVATIVE, POWER
from advgen.commands._files import add_input, add_output

HELP = "plan the confirmatory run's seeds / examples per claim from an exploratory claims table"

#: the claims table's columns the plan reads
COLUMNS = (
    "id", "group", "source", "status", "direction", "margin", "tolerance", "estimate", "lo", "hi",
    "confidence", "seeds", "examples", "method", "sample_size", "verdict",
)  # fmt: skip
#: read where the table has it (tables before the families lack it: every claim alone)
FAMILY = "family"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_input(p, "claims", help="input: an exploratory run's claims table (claims.parquet)")
    add_input(
        p, "--claims", dest="claims_file", default="config/claims.yaml",
        help="input: the claims file whose tests are planned (default config/claims.yaml): a row tested "
        "otherwise is planned at the budget's maximum",
    )  # fmt: skip
    add_output(p, "--markdown", required=True, help="output: the plan as a page (docs/power_plan.md)")
    add_output(
        p, "--json", required=True, help="output: the plan per claim (docs/default_run/power_plan.json)"
    )
    p.add_argument("--power", type=float, default=POWER, help=f"target power (default {POWER:g})")
    p.add_argument(
        "--conservative", type=float, default=CONSERVATIVE,
        help="plan for the bound nearest the margin of the exploratory effect's interval at this level "
        f"(default {CONSERVATIVE:g}; 0: the exploratory estimate itself)",
    )  # fmt: skip
    p.add_argument(
        "--alpha", type=float, default=None,
        help="one-sided level of every test (default: each row's own, (1 - confidence) / 2: 0.025 for "
        "a 95 %% interval, 0.05 per side of a TOST's 90 %% one), divided by the tests of the claim's family",
    )  # fmt: skip
    p.add_argument(
        "--max-runs", type=int, default=10, help="budget: runs (seeds, source models) per side (default 10)"
    )
    p.add_argument("--max-examples", type=int, default=1000, help="budget: examples per run (default 1000)")
    p.add_argument(
        "--cut", action="append", default=[], metavar="ID=N",
        help="run claim ID at N (fewer than its plan) to fit the run's time: underpowered, declared before "
        "the freeze (repeatable)",
    )  # fmt: skip


#: the status of a claim the plan or a cut cannot give its planned size
UNDERPOWERED = "underpowered at this budget"


#: a cut: a claim id, "=", a whole number of at most 6 ASCII digits (a run of 5,000 digits, or a
#: digit Python's int() would read but str.isdigit() lets through, "²", is not a size)
_CUT = re.compile(r"([^=]+)=([0-9]{1,6})")


def parse_cuts(values: list[str]) -> dict[str, int]:
    """``--cut ID=N`` values -> {ID: N}; a malformed or repeated one is one line."""
    from advgen.errors import AdvgenError

    cuts: dict[str, int] = {}
    for value in values:
        match = _CUT.fullmatch(value.strip())
        if not match or not match.group(1).strip():
            shown = value if len(value) <= 60 else f"{value[:40]}... ({len(value):,} characters)"
            raise AdvgenError(
                f"--cut {shown}: expected ID=N (a claim id and a whole number of at most 6 digits)"
            )
        cid, n = match.group(1).strip(), int(match.group(2))
        if cid in cuts:
            raise AdvgenError(f"--cut {value}: {cid} is cut twice")
        cuts[cid] = n
    return cuts


def _number(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def family_sizes(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Per family the tests Holm's adjustment counts: its measured claims with an estimate."""
    sizes: dict[str, int] = {}
    for row in rows:
        family = str(row.get(FAMILY) or "")
        estimate = row.get("estimate")
        tested = row.get("status") == "measured" and estimate is not None and math.isfinite(float(estimate))
        if family and tested and row.get("direction") in ("greater", "less", "equivalent"):
            sizes[family] = sizes.get(family, 0) + 1
    return sizes


def _run_size(status: str, planned: int | None, unit: str, now: int, args: argparse.Namespace) -> int | None:
    """The size the frozen run gives a claim: its plan, else the budget's (never below ``now``)."""
    if planned is None:
        return None
    from advgen.claims.statistics.power import budget_size

    if status != UNDERPOWERED:
        return planned
    return budget_size(unit, now, args.max_runs, args.max_examples)


def build(
    rows: list[dict[str, Any]], args: argparse.Namespace, comparison: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One record per claim: the row's test and exploratory estimate, and its plan (a ``--cut``
    claim underpowered at its cut size); with ``comparison``
    (:func:`advgen.commands._power_plan_tests.compare`), a row whose test changed, and a claim new
    in the claims file, planned at the budget's maximum."""
    from advgen.claims.statistics.power import budget_status, row_plan
    from advgen.errors import AdvgenError

    cuts = parse_cuts(args.cut)
    unknown = sorted(set(cuts) - {str(row.get("id")) for row in rows})
    if unknown:
        raise AdvgenError(f"--cut {unknown[0]}: no such claim in {args.claims}")
    sizes = family_sizes(rows)
    out = []
    for row in rows:
        family = str(row.get(FAMILY) or "")
        m = sizes.get(family, 1)
        p = row_plan(row, alpha=args.alpha, target=args.power, family_size=m, conservative=args.conservative)
        status = budget_status(p, args.max_runs, args.max_examples)
        n_run = _run_size(status, p.plan.n, p.unit, p.n_now, args)
        if p.id in cuts:
            cut = cuts[p.id]
            if status != "planned" or n_run is None or not 2 <= cut < n_run:
                raise AdvgenError(
                    f"--cut {p.id}={cut}: only a planned claim is cut, to at least 2 and fewer than its plan "
                    f"({status}" + ("" if n_run is None else f", {n_run} {p.unit}") + ")"
                )
            status, n_run = UNDERPOWERED, cut
        record = {
            "id": p.id,
            "group": str(row.get("group") or ""),
            "source": str(row.get("source") or ""),
            "direction": str(row.get("direction") or ""),
            "margin": _number(row.get("margin")),
            "tolerance": _number(row.get("tolerance")),
            "estimate": _number(row.get("estimate")),
            "exploratory_verdict": str(row.get("verdict") or ""),
            "family": family,
            "family_size": m,
            "scale": p.scale,
            "design": ("two sides" if p.design.two_sample else "one sample")
            + (" (proportions, normal)" if p.design.normal else ""),
            "alpha": _number(p.alpha),
            "se": _number(p.se),
            "sd": _number(p.plan.sd),
            "delta": _number(p.plan.delta),
            "unit": p.unit,
            "n_now": p.n_now,
            "power_now": _number(p.plan.power_now),
            "planned_for": p.plan.verdict,
            "n_planned": p.plan.n,
            "n_run": n_run,
            "cut": p.id in cuts,
            "plan": status,
            "reason": p.plan.reason,
        }
        out.append(_compared(record, row, args, comparison))
    if comparison is not None:
        out += [_new_claim(c, args) for c in comparison["new"]]
    return out


def _compared(
    record: dict[str, Any], row: dict[str, Any], args: argparse.Namespace, comparison: dict[str, Any] | None
) -> dict[str, Any]:
    """``record`` as planned from its row, or, where its test changed since the table, at the
    budget's maximum (``not planned`` where its claim is no longer measured), labelled."""
    from advgen.claims.statistics.power import budget_size
    from advgen.commands._power_plan_tests import MISSING_CLAIM, TEST_CHANGED
    from advgen.errors import AdvgenError

    if comparison is None:
        return record
    changes = comparison["changed"].get(record["id"], [])
    if changes is None:
        return {**record, "missing": MISSING_CLAIM}
    if not changes:
        return record
    if record["cut"]:
        raise AdvgenError(
            f"--cut {record['id']}: its test changed since the table; it is planned at the budget"
        )
    fields = {"planned_for": "", "se": None, "sd": None, "delta": None, "power_now": None}
    if comparison["status"].get(record["id"]) != "measured":
        return {**record, **fields, "n_planned": None, "n_run": None, "plan": "not planned",
                "reason": "; ".join(changes), "test_changed": changes}  # fmt: skip
    n = budget_size(record["unit"], int(record["n_now"]), args.max_runs, args.max_examples)
    return {**record, **fields, "n_planned": n, "n_run": n, "plan": "planned",
            "reason": TEST_CHANGED, "test_changed": changes}  # fmt: skip


def _new_claim(claim: Any, args: argparse.Namespace) -> dict[str, Any]:
    """A measured claim the table lacks: no estimate; planned at ``--max-runs`` of its runs."""
    from advgen.commands._power_plan_tests import NEW_CLAIM

    test = claim.test
    unit = claim.terms[0].runs if claim.terms else "runs"
    return {
        "id": claim.id, "group": claim.group, "source": claim.source, "direction": test.direction,
        "margin": _number(float(test.margin)), "tolerance": _number(float(test.tolerance)), "estimate": None,
        "exploratory_verdict": "", "family": claim.family, "family_size": 1, "scale": "", "design": "",
        "alpha": None, "se": None, "sd": None, "delta": None, "unit": unit, "n_now": 0, "power_now": None,
        "planned_for": "", "n_planned": args.max_runs, "n_run": args.max_runs, "cut": False, "plan": "planned",
        "reason": NEW_CLAIM, "test_changed": ["new in the claims file"],
    }  # fmt: skip


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}g}"


def markdown(records: list[dict[str, Any]], source: str, digest: str, args: argparse.Namespace) -> str:
    """The plan as a page: how it was made, one table per plan status, the cut claims and the
    examples to raise before the freeze."""
    lines = _method(source, digest, args)
    sections = (
        ("planned", "Planned"),
        (UNDERPOWERED, "Underpowered at this budget"),
        ("not planned", "Not planned"),
    )
    for status, title in sections:
        chosen = [r for r in records if r["plan"] == status and not r["cut"] and not _at_maximum(r)]
        if chosen:
            lines += _status_table(status, title, chosen, args)
    lines += _changed_table([r for r in records if _at_maximum(r)])
    lines += _missing_table([r for r in records if "missing" in r])
    lines += _cut_table([r for r in records if r["cut"]], args)
    lines += _examples_table(records, args)
    return "\n".join(lines)


def _command(source: str, args: argparse.Namespace) -> str:
    return (
        f"advgen power-plan {source} --markdown ... --json ... --power {args.power:g} "
        f"--conservative {args.conservative:g} --max-runs {args.max_runs} --max-examples {args.max_examples}"
        + ("" if args.alpha is None else f" --alpha {args.alpha:g}")
        + "".join(f" --cut {c}" for c in args.cut)
        + (f" --claims {args.claims_file}" if getattr(args, "claims_file", None) else "")
    )


def _method(source: str, digest: str, args: argparse.Namespace) -> list[str]:
    alpha = "each claim's own, (1 - confidence) / 2" if args.alpha is None else f"{args.alpha:g}"
    effect = (
        f"the bound of the exploratory effect's {args.conservative:.0%} interval nearest the margin (a "
        "conservative effect; a claim whose interval reaches the margin has none, and no plan)"
        if args.conservative > 0
        else "the exploratory estimate"
    )
    return [
        "# Power plan of the confirmatory run",
        "",
        f"Written by `{_command(source, args)}` from the exploratory claims table `{source}` (sha256 `{digest}`).",
        f"Each measured claim gets the sample size at which its test reaches {args.power:.0%} power,",
        f"taking {effect} as the true effect: one-sided at alpha = {alpha}, divided by",
        "the m tests of the claim's family (Holm's adjusted level: a family whose every p-value is below",
        "alpha / m keeps every verdict), a TOST for an equivalence claim (both sides), by Student's t at",
        "the level that sets the claim's standard error (non-central t; the normal limit for proportions",
        "read by a score or exact interval), for the verdict on the side of the margin the estimate lies",
        'on, and for either verdict where the exploratory interval holds the margin ("either way": the',
        "larger n of the two; `advgen.claims.statistics.power`). A claim whose plan exceeds the budget",
        f"({args.max_runs} runs per side at a run level, {args.max_examples} examples per run) is",
        '"underpowered at this budget" with the n it would need; the freeze records the n its config runs.',
        "",
    ]


def _status_table(
    status: str, title: str, chosen: list[dict[str, Any]], args: argparse.Namespace
) -> list[str]:
    lines = [f"## {title} ({len(chosen)})", ""]
    if status == "not planned":
        lines += ["| claim | group | why |", "|---|---|---|"]
        lines += [f"| `{r['id']}` | {r['group']} | {r['reason']} |" for r in chosen]
        return [*lines, ""]
    lines += [
        "| claim | group | test | estimate (scale) | effect planned for | se | level | family (m) | n now | "
        f"power now | for | n for {args.power:.0%} |",
        "|---|---|---|---:|---:|---:|---|---|---:|---:|---|---:|",
    ]
    for r in chosen:
        test = f"{r['direction']} {_fmt(r['margin'], 4)}" + (
            f" ± {_fmt(r['tolerance'])}" if r["direction"] == "equivalent" else ""
        )
        lines.append(
            f"| `{r['id']}` | {r['group']} | {test} | {_fmt(r['estimate'], 4)} ({r['scale']}) | "
            f"{_fmt(r['delta'])} from the margin | {_fmt(r['se'])} | {r['unit']} ({r['design']}) | "
            f"{r['family'] or '–'} ({r['family_size']}) | {r['n_now']} | {_fmt(r['power_now'], 2)} | "
            f"{r['planned_for']} | {r['n_planned']} |"
        )
    return [*lines, ""]


def _at_maximum(record: dict[str, Any]) -> bool:
    """Planned at the budget's maximum: its test changed since the table, or it is new."""
    return bool(record.get("test_changed")) and record["plan"] == "planned"


def _changed_table(chosen: list[dict[str, Any]]) -> list[str]:
    if not chosen:
        return []
    lines = [
        f"## Test changed since the table ({len(chosen)})",
        "",
        "The claims file tests these claims otherwise than the table's row was tested (or the table",
        "lacks them): the table holds no exploratory estimate of the current test, so each is planned at",
        "the budget's maximum.",
        "",
        "| claim | group | what differs | level | n now | n run |",
        "|---|---|---|---|---:|---:|",
    ]
    lines += [
        f"| `{r['id']}` | {r['group']} | {'; '.join(r['test_changed'])} | {r['unit']} | {r['n_now']} | {r['n_run']} |"
        for r in chosen
    ]
    return [*lines, ""]


def _missing_table(chosen: list[dict[str, Any]]) -> list[str]:
    if not chosen:
        return []
    lines = [f"## Not in the claims file ({len(chosen)})", "", "Planned from the table's test as before.", ""]
    lines += [f"- `{r['id']}` ({r['plan']})" for r in chosen]
    return [*lines, ""]


def _cut_table(cut: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    if not cut:
        return []
    lines = [
        f"## Cut to fit the run's time ({len(cut)})",
        "",
        "Planned within the budget, run at fewer units to fit the round's time (`--cut`): underpowered,",
        "declared before the freeze; the freeze record's plan holds the size run and the size needed.",
        "",
        f"| claim | group | level | family (m) | n now | for | n for {args.power:.0%} | n run |",
        "|---|---|---|---|---:|---|---:|---:|",
    ]
    lines += [
        f"| `{r['id']}` | {r['group']} | {r['unit']} ({r['design']}) | {r['family'] or '–'} ({r['family_size']}) | "
        f"{r['n_now']} | {r['planned_for']} | {r['n_planned']} | {r['n_run']} |"
        for r in cut
    ]
    return [*lines, ""]


def _examples_table(records: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    more = [
        r for r in records
        if r["unit"].endswith("per run") and r["n_planned"] is not None and r["n_planned"] > r["n_now"]
    ]  # fmt: skip
    if not more:
        return []
    lines = [
        f"## Examples to raise before the freeze ({len(more)})",
        "",
        "Claims planned on the examples of a run (digits, image pairs): examples are cheap, so each gets",
        f"the examples its plan asks for (up to {args.max_examples} per run) in the config the study is",
        "frozen with; a run with fewer is underpowered.",
        "",
        "| claim | unit | n now | n planned |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| `{r['id']}` | {r['unit']} | {r['n_now']} | {min(r['n_planned'], max(args.max_examples, r['n_now']))}"
        + (" (underpowered at this budget)" if r["plan"] != "planned" else "")
        + " |"
        for r in more
    ]
    return [*lines, ""]


def _comparison(
    rows: list[dict[str, Any]], columns: set[str], args: argparse.Namespace
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The table's tests against the claims file's (None: a table without a ``test`` column, or no
    claims file), and the claims file's path and sha256 for the JSON."""
    from advgen.claims.reading.claims_file import load_claims
    from advgen.commands._power_plan_tests import compare

    path = getattr(args, "claims_file", None)
    if not path or "test" not in columns:
        return None, {}
    claims = load_claims(path)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return compare(rows, claims, columns), {"claims_file": {"path": str(path), "sha256": digest}}


def main(args: argparse.Namespace) -> None:
    from advgen.errors import AdvgenError
    from advgen.io import read_table, write_json, write_text
    from advgen.output_set import output_set

    if not 0 < args.power < 1:
        raise AdvgenError(f"--power: {args.power:g} is not in (0, 1)")
    if not 0 <= args.conservative < 1:
        raise AdvgenError(f"--conservative: {args.conservative:g} is not in [0, 1)")
    if args.alpha is not None and not 0 < args.alpha < 0.5:
        raise AdvgenError(f"--alpha: {args.alpha:g} is not in (0, 0.5)")
    for flag, value in (("--max-runs", args.max_runs), ("--max-examples", args.max_examples)):
        if value < 2:
            raise AdvgenError(f"{flag}: {value} is less than 2 (a spread needs two units)")
    table = read_table(args.claims, COLUMNS)
    digest = hashlib.sha256(Path(args.claims).read_bytes()).hexdigest()
    rows = table.to_dict("records")
    comparison, claims_source = _comparison(rows, set(table.columns), args)
    records = build(rows, args, comparison)
    plan = {
        "source": {"path": str(args.claims), "sha256": digest},
        **claims_source,
        "power": args.power,
        "alpha": args.alpha,
        "budget": {"max_runs": args.max_runs, "max_examples": args.max_examples},
        "claims": {r["id"]: {k: v for k, v in r.items() if k != "id"} for r in records},
    }
    page = markdown(records, str(args.claims), digest, args)
    with output_set():  # the plan and its page change together
        write_json(args.json, plan)
        write_text(args.markdown, page + "\n")
