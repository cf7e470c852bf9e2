"""A run's progress: jobs done and an estimate of the time left, one line per finished job.

Fed with Snakemake's logger-plugin events (the public interface of
``snakemake-interface-logger-plugins``; the plugin is ``snakemake_logger_plugin_advgen_progress``,
which ``make run`` names with ``--logger advgen-progress``): the run's job count per rule
(``RUN_INFO``), each job's rule and benchmark file when it is scheduled (``JOB_INFO``), each
finished job (``JOB_FINISHED``). A job of a rule is expected to take the mean benchmark time
(``s``, :data:`advgen.paths.BENCHMARK`) of that rule's jobs finished in this run, else of the
rule's files earlier runs left under ``results/benchmarks/``, else its job kind's time in the
reference run nearest this one in size (:mod:`advgen.pipeline.reference_runs`: the demo, the
default study) scaled by how this run's finished jobs compare with theirs there, the jobs that
started before the first one finished counted with the run's start-up. Weighted so, the first
jobs, slow by their kind or by the start-up they wait for, do not price every other job as
slow. The time left is the expected time of the jobs not yet done divided by the rate the run
has worked at so far (job seconds per wall second: the parallelism it achieved).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean

from advgen.paths import BENCHMARK
from advgen.pipeline.reference_runs import STARTUP, nearest, reference_seconds
from advgen.time_left import time_left

#: the folder of the benchmark files, below the run's working folder (:data:`advgen.paths.BENCHMARK`)
BENCHMARKS = Path(BENCHMARK).parent.parent


def benchmark_seconds(path: str | Path) -> float | None:
    """The wall seconds (column ``s``) a Snakemake benchmark file records; None when unreadable."""
    try:
        header, row, *_ = Path(path).read_text(encoding="utf-8").splitlines()
        return float(row.split("\t")[header.split("\t").index("s")])
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        return None


def earlier_benchmarks(folder: str | Path = BENCHMARKS) -> dict[str, list[float]]:
    """Rule -> the seconds of each benchmark file earlier runs left in ``folder``
    (``folder/<rule>/<job>.tsv``)."""
    found: dict[str, list[float]] = defaultdict(list)
    for path in sorted(Path(folder).glob("*/**/*.tsv")):
        seconds = benchmark_seconds(path)
        if seconds is not None:
            found[path.relative_to(folder).parts[0]].append(seconds)
    return dict(found)


@dataclass
class RunProgress:
    """The estimate, updated event by event (``clock``: seconds, monotonic)."""

    earlier: dict[str, list[float]] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic
    counts: dict[str, int] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    jobs: dict[int, tuple[str, str | None, float]] = field(default_factory=dict)
    started: float | None = None
    #: rule -> seconds of one job in the reference run (:func:`advgen.pipeline.reference_runs.nearest`)
    reference: Mapping[str, float] = field(default_factory=dict)
    #: the finished jobs' seconds and their reference seconds (start-up included where they waited for it)
    done_seconds: float = 0.0
    done_reference: float = 0.0
    #: when the first job finished (None: none yet)
    first_finished: float | None = None

    def planned(self, counts: Mapping[str, int]) -> None:
        """The run's jobs: rule -> how many (Snakemake's job stats; its ``total`` row is left out)."""
        self.counts = {rule: int(n) for rule, n in counts.items() if rule != "total"}
        self.reference = nearest(sum(self.counts.values()))
        self.started = self.clock()

    def scheduled(self, jobid: int, rule: str, benchmark: str | None) -> None:
        self.jobs[jobid] = (rule, benchmark, self.clock())
        if self.started is None:
            self.started = self.clock()

    def finished(self, jobid: int) -> str | None:
        """Record job ``jobid`` as done; the progress line, or None for a job never scheduled."""
        if jobid not in self.jobs:
            return None
        rule, benchmark, began = self.jobs.pop(jobid)
        measured = benchmark_seconds(benchmark) if benchmark else None
        seconds = measured if measured is not None else self.clock() - began
        self.seconds[rule].append(seconds)
        self.done[rule] += 1
        if rule in self.reference:
            waited = self.first_finished is None or began < self.first_finished  # the start-up
            self.done_seconds += seconds
            self.done_reference += self.reference[rule] + (STARTUP if waited else 0.0)
        if self.first_finished is None:
            self.first_finished = self.clock()
        return self.line()

    def expected(self, rule: str) -> float | None:
        """One job of ``rule``: this run's mean, else earlier runs', else its reference time at
        this run's pace (:meth:`pace`), else this run's mean over all rules."""
        for times in (self.seconds.get(rule), self.earlier.get(rule)):
            if times:
                return fmean(times)
        pace = self.pace()
        if pace is not None:
            return pace * reference_seconds(self.reference, rule)
        every = [s for times in self.seconds.values() for s in times]
        return fmean(every) if every else None

    def pace(self) -> float | None:
        """This run's finished jobs' seconds over their reference seconds (the reference run's
        for their rules, plus the start-up for the jobs that waited for it; jobs of a rule the
        reference lacks do not count); None before such a job finished."""
        return self.done_seconds / self.done_reference if self.done_reference > 0 else None

    def seconds_left(self) -> float | None:
        """The estimate; None before the first finished job or when the run has done no work yet."""
        if self.started is None:
            return None
        work_done = sum(sum(times) for times in self.seconds.values())
        elapsed = self.clock() - self.started
        if work_done <= 0 or elapsed <= 0:
            return None
        left = 0.0
        for rule, count in self.counts.items():
            remaining = max(0, count - self.done[rule])
            if remaining:
                each = self.expected(rule)
                if each is None:
                    return None
                left += remaining * each
        return left / (work_done / elapsed)

    def line(self) -> str:
        done, total = sum(self.done.values()), sum(self.counts.values())
        left = self.seconds_left()
        estimate = "time left not known yet" if left is None else time_left(left)
        rules = [r for r, n in self.counts.items() if n > self.done[r]]
        basis = (
            "from earlier runs' benchmarks"
            if any(r in self.earlier and r not in self.seconds for r in rules)
            else "from this run's jobs and a reference run's"
            if any(r not in self.seconds for r in rules) and self.pace() is not None
            else "from this run's jobs"
        )
        return f"advgen: {done} of {total} jobs done, {estimate}" + (f" ({basis})" if left else "")
