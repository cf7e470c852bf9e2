"""What a measured run's jobs cost, and what a plan's sizes add to it (``advgen claims cost``).

An added run of an entry costs the mean wall of the jobs that name one of the entry's runs after
its first (``<entry>_seed<k>``: its training, attacks, sweeps' points, transfer sources; a
robust-features job ``seed<k>`` goes to the robust classifier's run); an attack's jobs scale with
its examples; every other job (tables, figures, the claims page, the first runs' own figures and
checks) stays as it is. The job times are a TSV (``job``, ``s``) or a run's Snakemake benchmarks
folder (``results/benchmarks/<rule>/<wildcards>.tsv``, column ``s``).
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.commands._rounds.study_sizes import Sizes, attack_examples, model_runs
from advgen.errors import AdvgenError

#: a run after an entry's first: ``<entry>_seed<k>``, maybe followed by a sweep point's suffix
RUN = re.compile(r"^(?P<entry>.+?)_seed(?P<seed>\d+)(?:_.*)?$")
#: a robust-features job's wildcard: the seed of the classifier runs it pairs
FEATURES_RUN = re.compile(r"^seed(?P<seed>\d+)$")


@dataclass(frozen=True)
class Job:
    """One job of a measured run: its benchmark path (rule/wildcards) and wall seconds."""

    path: str
    seconds: float

    @property
    def rule(self) -> str:
        return self.path.split("/", 1)[0]


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
