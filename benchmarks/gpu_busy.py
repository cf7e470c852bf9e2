"""How busy a study kept its GPU, per job kind: nvidia-smi samples matched to the jobs' intervals.

``scripts/gpu/device_check.sh`` samples the GPU while the study runs
(``nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv,noheader,nounits
-lms 500``) and keeps Snakemake's log. This script reads both and prints Markdown:

- the run: its wall time (first job's start to last job's end), the GPU samples in it, the mean
  utilization and the busy fraction (samples with utilization > 0), per device;
- per rule (job kind): jobs, summed job wall time, CPU seconds (a job's own, from the usage line
  its log ends with where the run set ``ADVGEN_JOB_USAGE=1``, ``--logs``; else Snakemake's
  benchmark TSV, ``--benchmarks``, which under warm start measures only the job's client),
  the mean GPU utilization over the samples taken while a job of the rule ran, and over the
  samples while only that rule's jobs ran (its own share, where the others do not blur it);
- with several runs (``--run K LOG SAMPLES`` repeated: a jobs-per-GPU sweep), one line per K.

A job's interval is from its ``[time]`` / ``rule NAME:`` block to its ``Finished jobid: N`` line
(whole seconds, as Snakemake logs them; a log whose lines carry a leading seconds counter, as
device_check.sh writes it, reads the same).

    python benchmarks/gpu_busy.py --log study.log --samples gpu_samples.csv --benchmarks results/benchmarks \
        --logs logs
    python benchmarks/gpu_busy.py --run 16 a/study.log a/gpu.csv --run 8 b/study.log b/gpu.csv
    python benchmarks/gpu_busy.py --smoke    # a generated log and samples (CI)
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dag_profile import read_jobs  # noqa: E402  (the benchmark TSVs' reader)

PREFIX = r"^(?:\d+ )?"  # device_check.sh's seconds counter before each line
STAMP_RE = re.compile(PREFIX + r"\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]\s*$")
START_RE = re.compile(PREFIX + r"(?:local)?rule (\w+):\s*$")
JOBID_RE = re.compile(PREFIX + r"\s+jobid: (\d+)\s*$")
END_RE = re.compile(PREFIX + r"Finished jobid: (\d+)")
#: the line a warm job's log ends with under ADVGEN_JOB_USAGE=1 (advgen.warm.child.usage_line)
USAGE_RE = re.compile(r"^advgen: job usage: cpu_s=(\d+(?:\.\d+)?) ")


@dataclass(frozen=True)
class Interval:
    rule: str
    start: float
    end: float


@dataclass(frozen=True)
class Sample:
    time: float
    device: str
    util: float
    memory: float


def _stamp(text: str) -> float:
    return dt.datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").timestamp()


def job_intervals(log: Path) -> list[Interval]:
    """Each finished job's rule and (start, end) in seconds since the epoch, from a Snakemake log."""
    now = None
    pending_rule: str | None = None
    started: dict[str, tuple[str, float]] = {}
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if m := STAMP_RE.match(line):
            now = _stamp(m.group(1))
        elif (m := START_RE.match(line)) and now is not None:
            pending_rule = m.group(1)
        elif (m := JOBID_RE.match(line)) and pending_rule is not None and now is not None:
            started[m.group(1)] = (pending_rule, now)
            pending_rule = None
        elif (m := END_RE.match(line)) and now is not None and m.group(1) in started:
            rule, start = started.pop(m.group(1))
            out.append(Interval(rule, start, now))
    return out


def read_samples(path: Path) -> list[Sample]:
    """nvidia-smi's CSV rows (``timestamp, index, utilization.gpu, memory.used``, no units); rows
    that do not parse (a header, a cut last line) are skipped."""
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 4:
            continue
        try:
            when = dt.datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
            out.append(Sample(when, parts[1], float(parts[2]), float(parts[3])))
        except ValueError:
            continue
    return out


def job_usage(logs: Path) -> dict[tuple[str, str], float]:
    """CPU seconds per job, keyed (rule, job), from the usage lines of the job logs under ``logs``
    (``<rule>/<job...>.log``, as the benchmark TSVs are laid out; a log's last line counts)."""
    usage = {}
    for path in sorted(logs.rglob("*.log")):
        rel = path.relative_to(logs)
        if len(rel.parts) < 2:
            continue
        found = [m for line in path.read_text(errors="replace").splitlines() if (m := USAGE_RE.match(line))]
        if found:
            usage[(rel.parts[0], "/".join(rel.with_suffix("").parts[1:]))] = float(found[-1].group(1))
    return usage


def cpu_per_rule(benchmarks: Path | None, logs: Path | None) -> tuple[dict[str, float], int]:
    """CPU seconds per rule: each job's usage line where its log has one, else its benchmark's
    ``cpu_time``; and how many jobs had a usage line."""
    per_job: dict[tuple[str, str], float] = {}
    if benchmarks is not None:
        per_job.update({(job.rule, job.job): job.cpu for job in read_jobs(benchmarks)})
    usage = job_usage(logs) if logs is not None else {}
    per_job.update(usage)
    cpu: dict[str, float] = defaultdict(float)
    for (rule, _), seconds in per_job.items():
        cpu[rule] += seconds
    return cpu, len(usage)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def run_summary(intervals: list[Interval], samples: list[Sample]) -> dict[str, float]:
    """The run's wall time and, over the samples inside it, mean utilization and busy fraction."""
    if not intervals:
        return {"wall": float("nan"), "samples": 0, "util": float("nan"), "busy": float("nan")}
    t0, t1 = min(i.start for i in intervals), max(i.end for i in intervals)
    inside = [s for s in samples if t0 <= s.time <= t1 + 1]  # the end stamp is a whole second
    return {
        "wall": t1 - t0,
        "samples": len(inside),
        "util": _mean([s.util for s in inside]),
        "busy": _mean([float(s.util > 0) for s in inside]),
        "memory": max((s.memory for s in inside), default=float("nan")),
    }


def per_rule(intervals: list[Interval], samples: list[Sample]) -> dict[str, dict[str, float]]:
    """Per rule: jobs, summed wall, mean utilization while any of its jobs ran and while only its ran."""
    rules = sorted({i.rule for i in intervals})
    during: dict[str, list[float]] = defaultdict(list)
    alone: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        running = {i.rule for i in intervals if i.start <= s.time <= i.end + 1}
        for rule in running:
            during[rule].append(s.util)
        if len(running) == 1:
            alone[next(iter(running))].append(s.util)
    out = {}
    for rule in rules:
        mine = [i for i in intervals if i.rule == rule]
        out[rule] = {
            "jobs": len(mine),
            "wall": sum(i.end - i.start for i in mine),
            "util": _mean(during[rule]),
            "alone": _mean(alone[rule]),
            "alone_samples": len(alone[rule]),
        }
    return out


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{x:.0f}%"


def report(log: Path, samples_path: Path, benchmarks: Path | None = None, logs: Path | None = None) -> str:
    intervals, samples = job_intervals(log), read_samples(samples_path)
    if not intervals:
        sys.exit(
            f"{log}: no finished job found (a Snakemake log: '[time]', 'rule NAME:', 'Finished jobid: N')"
        )
    run = run_summary(intervals, samples)
    cpu, told = cpu_per_rule(benchmarks, logs)
    lines = [
        f"Run {log}: {len(intervals)} jobs, wall {run['wall']:.0f} s; {run['samples']} GPU samples: "
        f"mean utilization {_pct(run['util'])}, busy (utilization > 0) {_pct(100 * run['busy'])} of the "
        f"samples, peak memory {run.get('memory', float('nan')):.0f} MiB",
        "",
        f"CPU s: the job's own for {told} jobs (their logs' usage lines), else Snakemake's benchmark of "
        "the job's process (under warm start its client only)",
        "",
        "| rule | jobs | job wall s | CPU s | GPU util while it ran | GPU util while only it ran (samples) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for rule, r in sorted(per_rule(intervals, samples).items(), key=lambda kv: -kv[1]["wall"]):
        spent = f"{cpu[rule]:.1f}" if benchmarks is not None or logs is not None else "n/a"
        lines.append(
            f"| {rule} | {r['jobs']} | {r['wall']:.0f} | {spent} | {_pct(r['util'])} | "
            f"{_pct(r['alone'])} ({r['alone_samples']}) |"
        )
    return "\n".join(lines)


def sweep(runs: list[tuple[str, Path, Path]]) -> str:
    """One line per run of a jobs-per-GPU sweep: K, jobs, wall, mean utilization, busy fraction."""
    lines = ["| jobs per GPU | jobs | wall s | mean GPU util | GPU busy |", "|---:|---:|---:|---:|---:|"]
    for k, log, samples in runs:
        intervals = job_intervals(log)
        r = run_summary(intervals, read_samples(samples))
        lines.append(
            f"| {k} | {len(intervals)} | {r['wall']:.0f} | {_pct(r['util'])} | {_pct(100 * r['busy'])} |"
        )
    return "\n".join(lines)


def smoke() -> None:
    """Two rules: a training job alone (GPU 80 %), then two attacks beside it (GPU 40 % while all
    run), then nothing; checks the intervals, the run's figures and the attribution."""
    with tempfile.TemporaryDirectory() as tmp:
        log, gpu = Path(tmp) / "study.log", Path(tmp) / "gpu.csv"
        log.write_text(
            "0 [Mon Nov 23 04:00:00 2026]\n0 rule train_gan_seeds:\n0     jobid: 3\n"
            "4 [Mon Nov 23 04:00:04 2026]\n4 localrule attack:\n4     jobid: 7\n"
            "4 [Mon Nov 23 04:00:04 2026]\n4 rule attack:\n4     jobid: 8\n"
            "6 [Mon Nov 23 04:00:06 2026]\n6 Finished jobid: 7 (Rule: attack)\n"
            "7 [Mon Nov 23 04:00:07 2026]\n7 Finished jobid: 8 (Rule: attack)\n"
            "9 [Mon Nov 23 04:00:09 2026]\n9 Finished jobid: 3 (Rule: train_gan_seeds)\n"
        )
        rows = ["timestamp, index, utilization.gpu [%], memory.used [MiB]"]
        for tenth in range(0, 110, 5):  # every 0.5 s from 04:00:00.0 to 04:00:10.5
            t = tenth / 10
            util = 80 if t < 4 else 40 if t < 8 else 0
            rows.append(f"2026/11/23 04:00:{int(t):02d}.{int(10 * (t % 1)):d}00, 0, {util}, 1000")
        gpu.write_text("\n".join(rows) + "\n")
        intervals = job_intervals(log)
        assert [(i.rule, i.end - i.start) for i in intervals] == [
            ("attack", 2.0),
            ("attack", 3.0),
            ("train_gan_seeds", 9.0),
        ], intervals
        run = run_summary(intervals, read_samples(gpu))
        assert run["wall"] == 9.0 and run["samples"] == 21, run
        rules = per_rule(intervals, read_samples(gpu))
        assert rules["train_gan_seeds"]["alone"] == _mean([80.0] * 8 + [0.0] * 4), rules
        assert rules["attack"]["jobs"] == 2 and rules["attack"]["alone_samples"] == 0, rules
        # CPU seconds: the attacks' benchmarks (one under warm start: its client's 0.1 s) and the
        # usage line the training job's log ends with
        bench, logs = Path(tmp) / "benchmarks", Path(tmp) / "logs"
        for rule, job, cpu_time in (
            ("attack", "a", 0.1),
            ("attack", "b", 2.5),
            ("train_gan_seeds", "g", 0.1),
        ):
            (bench / rule).mkdir(parents=True, exist_ok=True)
            (bench / rule / f"{job}.tsv").write_text(f"s\tcpu_time\tmax_rss\n1.0\t{cpu_time}\t24.0\n")
        (logs / "train_gan_seeds").mkdir(parents=True)
        (logs / "train_gan_seeds" / "g.log").write_text(
            "training\nadvgen: job usage: cpu_s=31.50 user_s=30.00 system_s=1.50\n"
        )
        cpu, told = cpu_per_rule(bench, logs)
        assert told == 1 and cpu == {"attack": 2.6, "train_gan_seeds": 31.5}, (cpu, told)
        print(report(log, gpu, bench, logs))
        print()
        print(sweep([("16", log, gpu), ("8", log, gpu)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="the study's Snakemake log")
    parser.add_argument("--samples", type=Path, help="nvidia-smi's CSV samples taken during it")
    parser.add_argument("--benchmarks", type=Path, help="the run's results/benchmarks (CPU seconds per rule)")
    parser.add_argument(
        "--logs", type=Path, help="the run's job logs (their ADVGEN_JOB_USAGE lines: CPU seconds per job)"
    )
    parser.add_argument(
        "--run",
        nargs=3,
        action="append",
        metavar=("K", "LOG", "SAMPLES"),
        help="one point of a jobs-per-GPU sweep",
    )
    parser.add_argument("--smoke", action="store_true", help="run on a generated log and samples (CI)")
    args = parser.parse_args()
    if args.smoke:
        smoke()
        return
    if args.run:
        print(sweep([(k, Path(log), Path(samples)) for k, log, samples in args.run]))
        return
    if args.log is None or args.samples is None:
        parser.error("give --log and --samples (or --run K LOG SAMPLES ..., or --smoke)")
    print(report(args.log, args.samples, args.benchmarks, args.logs))


if __name__ == "__main__":
    main()
