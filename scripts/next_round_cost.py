"""What a next confirmatory round would cost at each power, planned from the last round's table.

Usage: ``python scripts/next_round_cost.py [--table CLAIMS.parquet] [--config CONFIG.yaml]
[--claims CLAIMS.yaml] [--times JOB_TIMES] [--wall S] [--power P ...] [--entries]``

For each power, ``advgen power-plan``'s plan (:func:`advgen.commands.power_plan.build`, its
default budget: 10 runs per side, 1,000 examples per run) from ``--table`` (default: the
committed round-2 page), turned into model sizes as round 2's were turned from round 1's plan
(docs/claims.md, "Round 2's seeds"; :func:`sizes` reproduces them, checked by its test):

- a claim the plan sizes (status "planned", or cut to its ``n_run``) asks its size of every
  model entry its sides read (the sides' roles, through the config's ``roles``); a side whose
  role names several entries counts source models across them and grows none of them;
- a claim planned on the examples of a run asks that many of the attack its side's query names
  (``attack == 'NAME'``: ``robustness.attacks.NAME.max_examples``);
- every entry keeps the runs it has and grows to the largest size asked of it; an underpowered
  claim (past the budget) grows nothing.

The cost, from one measured run of the study (``--times``: a TSV of job wall times, default
round 2's on its own host, ``docs/round2/job_times.tsv``, or a run's
``results/benchmarks`` folder): an added run of an entry costs the mean wall of the jobs that
name one of the entry's runs after its first (``<entry>_seed<k>``: its training, attacks,
sweeps' points, transfer sources; a robust-features job ``seed<k>`` goes to the robust
classifier's run); an attack's jobs scale with its examples; every other job (tables, figures,
the claims page, the first runs' own figures and checks) stays as it is. The time on the host
of ``--times`` is ``--wall`` (the run's own ``make run`` wall) scaled by the summed job wall, as
if the run kept its cores as busy as the measured one did.

Beside each plan: the decided and fragile source verdicts it expects
(``scripts/fragile_share.py``'s model, at the plan's sizes) and the claims it leaves
underpowered. This is an estimate for a decision, not a measurement of the round.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fragile_share  # scripts/fragile_share.py, beside this script

from advgen.errors import AdvgenError

TABLE = "docs/default_run/claims.parquet"
CONFIG = "config/config.yaml"
CLAIMS = "config/claims.yaml"
TIMES = "docs/round2/job_times.tsv"
#: round 2's ``make run`` at eaab0c6 on XeonE-2, the host of TIMES (benchmarks/RESULTS.md)
WALL_S = 7235.0
#: the config sections whose entries are models with runs
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")
#: a run after an entry's first: ``<entry>_seed<k>``, maybe followed by a sweep point's suffix
RUN = re.compile(r"^(?P<entry>.+?)_seed(?P<seed>\d+)(?:_.*)?$")
#: a robust-features job's wildcard: the seed of the classifier runs it pairs
FEATURES_RUN = re.compile(r"^seed(?P<seed>\d+)$")
#: the attack a claim's side reads, in its query
ATTACK = re.compile(r"""attack\s*==\s*['"](?P<name>\w+)['"]""")
#: the plan statuses that size a claim (a cut claim is "underpowered" at its cut size)
PLANNED = "planned"
#: tables whose runs follow a base classifier's seeds, and the config keys naming it
#: (config/config.yaml, robustness: "The sweeps and robust features follow their base
#: classifier's seeds")
FOLLOWS: dict[str, tuple[tuple[str, ...], ...]] = {
    "robustness/sweeps/capacity.parquet": (("robustness", "capacity", "classifier"),),
    "robustness/transfer_capacity.parquet": (("robustness", "capacity", "classifier"),),
    "robustness/sweeps/data_size.parquet": (("robustness", "data_size", "classifier"),),
    "robustness/robust_features.parquet": (
        ("robustness", "robust_features", "robust_classifier"),
        ("robustness", "robust_features", "standard_classifier"),
    ),
}


@dataclass(frozen=True)
class Job:
    """One job of a measured run: its benchmark path (rule/wildcards) and wall seconds."""

    path: str
    seconds: float

    @property
    def rule(self) -> str:
        return self.path.split("/", 1)[0]


@dataclass
class Sizes:
    """What a plan asks of the study: runs per model entry, examples per attack, and who asks."""

    runs: dict[str, int]
    examples: dict[str, int]
    asked_by: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    underpowered: list[str] = field(default_factory=list)


def read_times(path: str) -> list[Job]:
    """A TSV with columns ``job`` and ``s``, or a folder of Snakemake benchmark files
    (``<rule>/<wildcards>.tsv``, column ``s``)."""
    where = Path(path)
    if where.is_dir():
        jobs = []
        for tsv in sorted(where.rglob("*.tsv")):
            rows = _tsv(tsv)
            if len(rows) != 1:
                raise AdvgenError(f"{tsv}: expected one benchmark row, got {len(rows)}")
            rel = tsv.relative_to(where).with_suffix("").as_posix()
            jobs.append(Job(rel, _seconds(rows[0], f"{tsv}: line 2")))
        if not jobs:
            raise AdvgenError(f"{path}: no benchmark files (<rule>/<wildcards>.tsv) in this folder")
        return jobs
    rows = _tsv(where)
    jobs = [Job(str(r.get("job") or ""), _seconds(r, f"{path}: line {i}")) for i, r in enumerate(rows, 2)]
    bad = next((i for i, j in enumerate(jobs, 2) if "/" not in j.path), None)
    if bad is not None:
        raise AdvgenError(f"{path}: line {bad}: job: expected RULE/WILDCARDS")
    if not jobs:
        raise AdvgenError(f"{path}: no jobs")
    return jobs


def _tsv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AdvgenError(f"{path}: cannot read: {exc}") from None


def _seconds(row: Mapping[str, str], where: str) -> float:
    try:
        value = float(row.get("s") or "")
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise AdvgenError(f"{where}: s: expected seconds >= 0, got {row.get('s')!r}")
    return value


def write_times(jobs: Sequence[Job], path: str) -> None:
    from advgen.io import write_text

    lines = ["job\ts"] + [f"{j.path}\t{j.seconds:.2f}" for j in sorted(jobs, key=lambda j: j.path)]
    write_text(path, "\n".join(lines) + "\n")


def model_runs(config: Mapping[str, Any]) -> dict[str, int]:
    """Each model entry's runs as the config gives them (``replicates``, ``seeds``, else 1)."""
    out = {}
    for section in MODEL_SECTIONS:
        for name, entry in (config.get(section) or {}).items():
            if isinstance(entry, Mapping):
                seeds = entry.get("seeds")
                out[name] = len(seeds) if isinstance(seeds, list) else int(entry.get("replicates", 1))
    return out


def attack_examples(config: Mapping[str, Any]) -> dict[str, int]:
    """Each attack's examples per run: its own ``max_examples``, else the robustness stage's."""
    robustness = config.get("robustness") or {}
    default = int(robustness.get("max_examples") or 0)
    return {
        name: int(spec.get("max_examples") or default)
        for name, spec in (robustness.get("attacks") or {}).items()
        if isinstance(spec, Mapping)
    }


def role_entries(config: Mapping[str, Any], role: str) -> list[str]:
    value = (config.get("roles") or {}).get(role)
    if value is None:
        raise AdvgenError(f"roles.{role}: a claim reads this role and the config does not name it")
    return list(value) if isinstance(value, list) else [str(value)]


def _key(config: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    value: Any = config
    for k in keys:
        value = value.get(k) if isinstance(value, Mapping) else None
    if not isinstance(value, str):
        raise AdvgenError(f"{'.'.join(keys)}: expected a model entry's name, got {value!r}")
    return value


def claim_entries(claim: Any, config: Mapping[str, Any]) -> list[list[str]]:
    """The model entries a claim's sides read, in groups whose runs count together: a role's
    entries (several: source models across them), or the base classifier a table follows."""
    groups = []
    for term in claim.terms:
        groups += [role_entries(config, role) for role in term.roles]
        groups += [[_key(config, keys)] for keys in FOLLOWS.get(term.table, ())]
    return groups


def claim_runs(claim: Any, config: Mapping[str, Any], runs: Mapping[str, int]) -> int | None:
    """A claim's runs in a study of these ``runs`` per entry: the fewest over the groups its sides
    read (None: it reads no model entry, e.g. every pair of a transfer matrix)."""
    counts = [sum(runs[e] for e in group) for group in claim_entries(claim, config)]
    return min(counts) if counts else None


def sizes(
    plan: Mapping[str, Mapping[str, Any]], claims: Mapping[str, Any], config: Mapping[str, Any]
) -> Sizes:
    """The runs and examples a plan's records (``power_plan.json``'s ``claims``) ask of the
    study whose ``config`` gives today's; ``claims``: id -> the claim as read
    (:class:`advgen.claims.reading.model.Claim`)."""
    out = Sizes(model_runs(config), attack_examples(config))
    for cid, record in sorted(plan.items()):
        n = record.get("n_run")
        if record.get("plan") != PLANNED and not record.get("cut"):
            if record.get("n_planned") is not None:
                out.underpowered.append(cid)
            continue
        if cid not in claims:
            raise AdvgenError(f"plan: {cid}: no such claim in the claims file")
        if not isinstance(n, int) or isinstance(n, bool):
            raise AdvgenError(f"plan: {cid}: n_run: expected a whole number, got {n!r}")
        if str(record.get("unit") or "").endswith("per run"):
            for term in claims[cid].terms:
                for name in ATTACK.findall(term.query or ""):
                    if name not in out.examples:
                        raise AdvgenError(f"{cid}: reads attack {name!r}, which robustness.attacks lacks")
                    out.examples[name] = max(out.examples[name], n)
                    out.asked_by.setdefault(f"attack {name}", []).append((cid, n))
            continue
        for group in claim_entries(claims[cid], config):
            if len(group) > 1:  # source models counted across entries: none grows alone
                continue
            entry = group[0]
            if entry not in out.runs:
                raise AdvgenError(f"{cid}: reads {entry}, no model entry of {', '.join(MODEL_SECTIONS)}")
            out.runs[entry] = max(out.runs[entry], n)
            out.asked_by.setdefault(entry, []).append((cid, n))
    return out


def run_sizes(
    plan: Mapping[str, Mapping[str, Any]], claims: Mapping[str, Any], config: Mapping[str, Any],
    now: Sizes, then: Sizes, ran: Mapping[str, int],
) -> dict[str, int]:  # fmt: skip
    """Each planned claim's size in the sized study: its runs there, or (examples per run) the
    examples it had (``ran``, the last round's table) times its attack's growth; a claim whose
    runs no entry sets keeps what it had."""
    out = {}
    for cid, record in plan.items():
        if cid not in ran:
            continue
        if str(record.get("unit") or "").endswith("per run"):
            names = [m for t in claims[cid].terms for m in ATTACK.findall(t.query or "")]
            growth = max((then.examples[m] / now.examples[m] for m in names), default=1.0)
            out[cid] = int(ran[cid] * growth)
            continue
        runs = claim_runs(claims[cid], config, then.runs)
        out[cid] = ran[cid] if runs is None else runs
    return out


def run_of(job: Job, entries: set[str], robust_classifier: str | None) -> tuple[str, int] | None:
    """The (entry, seed) of a run after its entry's first that ``job`` names, if any."""
    for part in job.path.split("/")[1:]:
        m = RUN.match(part)
        if m and m["entry"] in entries:
            return m["entry"], int(m["seed"])
        m = FEATURES_RUN.match(part)
        if m and job.rule == "robust_features" and robust_classifier in entries:
            return str(robust_classifier), int(m["seed"])
    return None


@dataclass(frozen=True)
class Costs:
    """Per entry the mean job wall of an added run (None: no run after the first was measured);
    per attack its jobs' summed wall; the run's summed job wall."""

    per_run: dict[str, float | None]
    attack_wall: dict[str, float]
    total: float
    jobs: int


def costs(jobs: Sequence[Job], config: Mapping[str, Any]) -> Costs:
    entries = set(model_runs(config))
    robust = ((config.get("robustness") or {}).get("robust_features") or {}).get("robust_classifier")
    per: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    attack_wall: dict[str, float] = defaultdict(float)
    attacks = set(attack_examples(config))
    for job in jobs:
        owner = run_of(job, entries, robust)
        if owner is not None:
            per[owner[0]][owner[1]] += job.seconds
        name = job.path.rsplit("/", 1)[-1]
        if job.rule == "attack" and name in attacks:
            attack_wall[name] += job.seconds
    per_run: dict[str, float | None] = {}
    for entry in sorted(entries):
        runs = per.get(entry)
        per_run[entry] = sum(runs.values()) / len(runs) if runs else None
    return Costs(per_run, dict(attack_wall), sum(j.seconds for j in jobs), len(jobs))


@dataclass(frozen=True)
class Estimate:
    """A plan's sizes against today's, and the summed job wall they add on the measured host."""

    added_runs: dict[str, int]
    added_seconds: dict[str, float]  # entries and "attack NAME"
    unmeasured: list[str]
    total: float


def estimate(now: Sizes, then: Sizes, cost: Costs) -> Estimate:
    added_runs = {e: then.runs[e] - now.runs[e] for e in then.runs if then.runs[e] > now.runs[e]}
    added: dict[str, float] = {}
    unmeasured = []
    for entry, k in sorted(added_runs.items()):
        c = cost.per_run.get(entry)
        if c is None:
            unmeasured.append(entry)
        else:
            added[entry] = k * c
    for name, n in sorted(then.examples.items()):
        before = now.examples.get(name, 0)
        if n > before > 0:
            added[f"attack {name}"] = cost.attack_wall.get(name, 0.0) * (n / before - 1)
    return Estimate(added_runs, added, unmeasured, cost.total + sum(added.values()))


def plan_records(table: str, power: float) -> dict[str, dict[str, Any]]:
    """``advgen power-plan TABLE --power P --conservative 0``'s records (planned for the exploratory
    estimate, as round 2 was planned), at its default budget, without files."""
    import os

    from advgen.commands import power_plan
    from advgen.io import read_table

    parser = argparse.ArgumentParser()
    power_plan.add_arguments(parser)
    argv = [
        table,
        "--markdown",
        os.devnull,
        "--json",
        os.devnull,
        "--power",
        str(power),
        "--conservative",
        "0",
    ]
    args = parser.parse_args(argv)
    rows = read_table(table, power_plan.COLUMNS).to_dict("records")
    return {r["id"]: {k: v for k, v in r.items() if k != "id"} for r in power_plan.build(rows, args)}


def expected_fragile(
    plan: Mapping[str, Mapping[str, Any]], sizes: Mapping[str, int]
) -> tuple[float, float, float]:
    """Expected decided and fragile source verdicts at ``sizes`` (a claim absent: its plan's
    ``n_run``), and P(fragile share within the bound): ``scripts/fragile_share.py``'s model."""
    claims = fragile_share.sized_claims(plan, "plan")
    n = [sizes.get(c.id, c.n_run) for c in claims]
    return (*fragile_share.expected(claims, n), fragile_share.within(claims, n))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def _expectation(decided: float, fragile: float, within: float) -> str:
    share = 100 * fragile / decided if decided else math.nan
    return f"{decided:.1f} | {fragile:.1f} ({share:.1f} %) | {within:.2f}"


def report(
    table: str, config: Mapping[str, Any], claims: Mapping[str, Any], times: str, jobs: Sequence[Job],
    wall: float, powers: Iterable[float], per_entry: bool,
) -> list[str]:  # fmt: skip
    cost = costs(jobs, config)
    now = Sizes(model_runs(config), attack_examples(config))
    lines = [
        f"Measured run ({times}): {cost.jobs} jobs, summed job wall {cost.total:,.0f} s, "
        f"make run {wall:,.0f} s ({cost.total / wall:.2f} jobs busy on average).",
        "",
        f"| plan from {table} | runs added (entries) | examples added | summed job wall | x the measured run | "
        f"time on the measured host | decided (expected) | fragile (expected share) | "
        f"P(share <= {100 * fragile_share.BOUND:g} %) | underpowered |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    details = []
    for i, power in enumerate(powers):
        plan = plan_records(table, power)
        ran = fragile_share.ran_sizes(table, fragile_share.sized_claims(plan, "plan"))
        then = sizes(plan, claims, config)
        est = estimate(now, then, cost)
        if i == 0:  # today's sizes: the plan's estimates are the same at every power
            lines.append(
                f"| today's sizes | 0 | none | {cost.total:,.0f} s | 1.00x | "
                f"{wall:,.0f} s ({_minutes(wall)}) | {_expectation(*expected_fragile(plan, ran))} | |"
            )
        at = run_sizes(plan, claims, config, now, then, ran)
        runs = sum(est.added_runs.values())
        examples = ", ".join(
            f"{k} {now.examples[k]} -> {v}" for k, v in then.examples.items() if v > now.examples[k]
        )
        lost = (
            f" (+{len(est.unmeasured)} entries not measured: {', '.join(est.unmeasured)})"
            if est.unmeasured
            else ""
        )
        ratio = est.total / cost.total
        lines.append(
            f"| {100 * power:g} % power | {runs} ({len(est.added_runs)}){lost} | {examples or 'none'} | "
            f"{est.total:,.0f} s | {ratio:.2f}x | {wall * ratio:,.0f} s ({_minutes(wall * ratio)}) | "
            f"{_expectation(*expected_fragile(plan, at))} | {len(then.underpowered)} |"
        )
        if per_entry:
            details += _details(power, now, then, est)
    return lines + details


def _details(power: float, now: Sizes, then: Sizes, est: Estimate) -> list[str]:
    """What grows at ``power``, the job wall it adds and the claims that ask for it."""
    out = ["", f"{100 * power:g} % power: what grows", "",
           "| entry | runs now | runs | added job wall | asked by |", "|---|---:|---:|---:|---|"]  # fmt: skip
    for entry in sorted(est.added_runs):
        who = ", ".join(sorted({f"{c} {n}" for c, n in then.asked_by.get(entry, []) if n > now.runs[entry]}))
        added = est.added_seconds.get(entry)
        cell = "not measured" if added is None else f"{added:,.0f} s"
        out.append(f"| {entry} | {now.runs[entry]} | {then.runs[entry]} | {cell} | {who} |")
    for name, n in sorted(then.examples.items()):
        if n > now.examples[name]:
            key = f"attack {name}"
            who = ", ".join(
                sorted({f"{c} {m}" for c, m in then.asked_by.get(key, []) if m > now.examples[name]})
            )
            added = est.added_seconds.get(key, 0.0)
            out.append(f"| {key} (examples) | {now.examples[name]} | {n} | {added:,.0f} s | {who} |")
    out.append(f"\nUnderpowered at this budget: {', '.join(then.underpowered) or 'none'}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--table", default=TABLE, help=f"the last round's verdict table (default {TABLE})")
    parser.add_argument(
        "--config", default=CONFIG, help=f"the study's config as that round ran it (default {CONFIG})"
    )
    parser.add_argument("--claims", default=CLAIMS, help=f"the claims file (default {CLAIMS})")
    parser.add_argument(
        "--times", default=TIMES, help=f"job wall times: a TSV or a benchmarks folder ({TIMES})"
    )
    parser.add_argument(
        "--wall", type=float, default=WALL_S, help=f"the measured run's make run wall, s ({WALL_S:g})"
    )
    parser.add_argument("--power", type=float, nargs="+", default=[0.9, 0.95, 0.97, 0.99])
    parser.add_argument("--entries", action="store_true", help="per power, the entries that grow and why")
    parser.add_argument("--save-times", metavar="TSV", help="write --times as a TSV (job, s) and stop")
    args = parser.parse_args(argv)
    try:
        from advgen.claims.reading.claims_file import load_claims
        from advgen.config_files import read_config_file

        if any(not 0 < p < 1 for p in args.power):
            raise AdvgenError(f"--power: each value must lie in (0, 1), got {args.power}")
        if not (math.isfinite(args.wall) and args.wall > 0):
            raise AdvgenError(f"--wall: expected seconds > 0, got {args.wall:g}")
        jobs = read_times(args.times)
        if args.save_times:
            write_times(jobs, args.save_times)
            return 0
        config = read_config_file(args.config)
        claims = {c.id: c for c in load_claims(args.claims)}
        print(
            "\n".join(
                report(args.table, config, claims, args.times, jobs, args.wall, args.power, args.entries)
            )
        )
    except AdvgenError as exc:
        print(f"next_round_cost: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
