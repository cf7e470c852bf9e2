"""Where a run's time goes: the per-job benchmark TSVs summed per rule and per stage.

Every rule that runs a job writes ``results/benchmarks/<rule>/<job>.tsv`` (Snakemake's
``benchmark:``; columns ``s``, ``cpu_time``, ``max_rss``, ...; the path is
``advgen.paths.BENCHMARK``). This script reads a folder of them and prints
Markdown tables: per stage (a job kind's module ``advgen.pipeline.jobkinds_<stage>``, a
literal rule's ``workflow/rules/<stage>.smk``; ``plot_*`` rules are the plots stage) and per
rule, with the job count, the summed CPU time (user + system: what the jobs cost on a shared
machine) and the summed wall time.
``--log`` adds the DAG's wall time from a Snakemake log (first to last timestamp);
``--before`` prints before/after tables against another benchmarks folder: all jobs, and
the jobs finished in both (a fair comparison of partial runs).

Wall time is the figure to compare: every job runs one thread, so on an otherwise idle machine
its wall time is its CPU time, while Snakemake's ``cpu_time`` is sampled (every 0.5 s for the
first 15 s of a job, then every 30 s) and misses what a job spent after its last sample. In a
run whose jobs start warm (``advgen.warm``, the default of local runs), ``cpu_time`` and
``max_rss`` are the job's client's (the job itself is the warm server's child, outside the
process tree Snakemake measures), and the first job's include the server's start: profile a
run made with ``ADVGEN_WARM=0`` for those columns.

    python benchmarks/dag_profile.py results/benchmarks
    python benchmarks/dag_profile.py results/benchmarks --log run.log --before /old/results/benchmarks
    python benchmarks/dag_profile.py --smoke    # a fixture of TSV files in a temp dir (CI)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULE_RE = re.compile(r"^rule\s+(\w+)\s*:", re.MULTILINE)
STAMP_RE = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$", re.MULTILINE)


@dataclass
class Job:
    rule: str
    job: str
    wall: float
    cpu: float
    max_rss: float


#: job-kind modules (``advgen.pipeline.jobkinds_<name>``) whose rows belong to another stage
KIND_MODULE_STAGE = {"transfer": "robustness", "features": "robustness", "figures": "plots"}


def rule_stages(rules_dir: Path = REPO / "workflow" / "rules") -> dict[str, str]:
    """Rule name -> stage: a job kind's is its module's (``advgen.pipeline.jobkinds_<stage>``,
    :data:`KIND_MODULE_STAGE`), a literal rule's the ``<stage>.smk`` defining it; generated
    ``plot_*`` rules are ``plots``."""
    import importlib
    import pkgutil

    import advgen.pipeline

    stages = {}
    for smk in sorted(rules_dir.glob("*.smk")):
        for name in RULE_RE.findall(smk.read_text(encoding="utf-8")):
            stages[name] = smk.stem
    for info in pkgutil.iter_modules(advgen.pipeline.__path__):
        if info.name.startswith("jobkinds_"):
            suffix = info.name.removeprefix("jobkinds_")
            module = importlib.import_module(f"advgen.pipeline.{info.name}")
            for kind in getattr(module, "KINDS", ()):
                stages[kind.name] = KIND_MODULE_STAGE.get(suffix, suffix)
    return stages


def stage_of(rule: str, stages: dict[str, str]) -> str:
    if rule in stages:
        return stages[rule]
    return "plots" if rule.startswith("plot_") else "other"


def _float(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def read_jobs(folder: Path) -> list[Job]:
    """One :class:`Job` per TSV under ``folder`` (``<rule>/<job...>.tsv``; repeats averaged)."""
    jobs = []
    for tsv in sorted(folder.rglob("*.tsv")):
        rel = tsv.relative_to(folder)
        with tsv.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if not rows or len(rel.parts) < 2:
            continue
        n = len(rows)
        jobs.append(
            Job(
                rule=rel.parts[0],
                job="/".join(rel.with_suffix("").parts[1:]),
                wall=sum(_float(r.get("s")) for r in rows) / n,
                cpu=sum(_float(r.get("cpu_time")) for r in rows) / n,
                max_rss=max(_float(r.get("max_rss")) for r in rows),
            )
        )
    return jobs


def summarize(jobs: list[Job], key) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(
        lambda: {"jobs": 0, "cpu": 0.0, "wall": 0.0, "max_cpu": 0.0}
    )
    for j in jobs:
        s = out[key(j)]
        s["jobs"] += 1
        s["cpu"] += j.cpu
        s["wall"] += j.wall
        s["max_cpu"] = max(s["max_cpu"], j.cpu)
    return dict(out)


def dag_wall(log: Path) -> tuple[float, int]:
    """Seconds from the first to the last ``[timestamp]`` of a Snakemake log, and its finished jobs."""
    text = log.read_text(encoding="utf-8", errors="replace")
    stamps = [
        dt.datetime.strptime(" ".join(s.split()), "%a %b %d %H:%M:%S %Y") for s in STAMP_RE.findall(text)
    ]
    finished = len(re.findall(r"^Finished job", text, re.MULTILINE))
    return ((stamps[-1] - stamps[0]).total_seconds() if stamps else float("nan")), finished


def table(summary: dict[str, dict[str, float]], label: str) -> str:
    total_cpu = sum(s["cpu"] for s in summary.values()) or 1.0
    lines = [f"| {label} | jobs | CPU s | share | wall s | max job CPU s |", "|---|---:|---:|---:|---:|---:|"]
    for name, s in sorted(summary.items(), key=lambda kv: -kv[1]["cpu"]):
        lines.append(
            f"| {name} | {s['jobs']} | {s['cpu']:.1f} | {100 * s['cpu'] / total_cpu:.1f}% | "
            f"{s['wall']:.1f} | {s['max_cpu']:.1f} |"
        )
    jobs = sum(s["jobs"] for s in summary.values())
    cpu = sum(s["cpu"] for s in summary.values())
    wall = sum(s["wall"] for s in summary.values())
    lines.append(f"| **total** | {jobs} | {cpu:.1f} | 100% | {wall:.1f} | |")
    return "\n".join(lines)


def compare(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], label: str) -> str:
    """Before/after per group: jobs, summed wall time (the change column) and summed CPU time."""
    lines = [
        f"| {label} | jobs before | jobs after | wall s before | wall s after | change | CPU s before | CPU s after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    empty = {"jobs": 0, "cpu": 0.0, "wall": 0.0}
    names = sorted(set(before) | set(after), key=lambda n: -before.get(n, empty)["wall"])
    rows = [(n, before.get(n, empty), after.get(n, empty)) for n in names]
    rows.append(
        (
            "**total**",
            {k: sum(s[k] for s in before.values()) for k in empty},
            {k: sum(s[k] for s in after.values()) for k in empty},
        )
    )
    for name, b, a in rows:
        change = f"{100 * (a['wall'] - b['wall']) / b['wall']:+.0f}%" if b["wall"] else "new"
        lines.append(
            f"| {name} | {b['jobs']} | {a['jobs']} | {b['wall']:.1f} | {a['wall']:.1f} | {change} | "
            f"{b['cpu']:.1f} | {a['cpu']:.1f} |"
        )
    return "\n".join(lines)


def report(folder: Path, *, log: Path | None = None, before: Path | None = None, rules: bool = True) -> str:
    stages = rule_stages()
    jobs = read_jobs(folder)
    if not jobs:
        sys.exit(f"{folder}: no benchmark TSV files (<rule>/<job>.tsv)")
    by_stage = summarize(jobs, lambda j: stage_of(j.rule, stages))
    parts = [f"Benchmarks: {folder} ({len(jobs)} jobs)"]
    if log is not None:
        wall, finished = dag_wall(log)
        parts.append(f"DAG wall time (Snakemake log {log}): {wall:.0f} s, {finished} jobs finished")
    parts += ["", table(by_stage, "stage")]
    if rules:
        parts += ["", table(summarize(jobs, lambda j: j.rule), "rule")]
    if before is not None:
        old = read_jobs(before)
        parts += [
            "",
            f"Before: {before} ({len(old)} jobs)",
            "",
            compare(summarize(old, lambda j: stage_of(j.rule, stages)), by_stage, "stage"),
        ]
        # the same jobs on both sides (partial runs, or a rule that gained a benchmark file)
        both = {(j.rule, j.job) for j in old} & {(j.rule, j.job) for j in jobs}
        same_old = [j for j in old if (j.rule, j.job) in both]
        same_new = [j for j in jobs if (j.rule, j.job) in both]
        parts += [
            "",
            f"Jobs finished in both runs ({len(both)}):",
            "",
            compare(
                summarize(same_old, lambda j: stage_of(j.rule, stages)),
                summarize(same_new, lambda j: stage_of(j.rule, stages)),
                "stage",
            ),
            "",
            compare(summarize(same_old, lambda j: j.rule), summarize(same_new, lambda j: j.rule), "rule"),
        ]
    return "\n".join(parts)


HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def smoke() -> None:
    """A fixture: three rules of two stages plus a generated plot rule; checks the sums."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "benchmarks"
        fixture = {
            "attack/a/fgsm": (3.0, 2.5),
            "attack/a/pgd": (5.0, 4.5),
            "invert/g/0123456789": (2.0, 1.0),
            "plot_gan_losses/g": (1.0, 0.5),
        }
        for job, (wall, cpu) in fixture.items():
            path = root / f"{job}.tsv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(HEADER + f"{wall}\t0:00:0{int(wall)}\t100.0\t200\t90\t95\t0\t0\t50.0\t{cpu}\n")
        log = Path(tmp) / "run.log"
        log.write_text("[Mon Nov 23 04:56:05 2026]\nrule x:\nFinished job 1.\n[Mon Nov 23 04:58:10 2026]\n")
        jobs = read_jobs(root)
        by_stage = summarize(jobs, lambda j: stage_of(j.rule, rule_stages()))
        assert by_stage["robustness"]["jobs"] == 2 and by_stage["robustness"]["cpu"] == 7.0, by_stage
        assert by_stage["sweeps"]["cpu"] == 1.0 and by_stage["plots"]["wall"] == 1.0, by_stage
        assert dag_wall(log) == (125.0, 1)
        print(report(root, log=log, before=root))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("results/benchmarks"))
    parser.add_argument("--log", type=Path, help="Snakemake log of the run: adds the DAG's wall time")
    parser.add_argument(
        "--before", type=Path, help="another benchmarks folder: a before/after table per stage"
    )
    parser.add_argument("--stages-only", action="store_true", help="no per-rule table")
    parser.add_argument("--smoke", action="store_true", help="run on a generated fixture (CI)")
    args = parser.parse_args()
    if args.smoke:
        smoke()
        return
    print(report(args.folder, log=args.log, before=args.before, rules=not args.stages_only))


if __name__ == "__main__":
    main()
