"""Workflow overhead: a no-op run on an up-to-date default study, and a 1,000-job dry run.

Targets: the no-op within 1.3x, the dry run of a generated 1,000-job sweep config within 2x
of the baseline, ``python -c "import snakemake.api"`` (the interpreter and Snakemake's
import), all measured in the same run, interleaved round by round so that a busy machine
slows them alike. The ratios say how much the workflow itself adds. Wall and CPU (user +
system) are both reported: where Snakemake's SLURM executor plugin is installed, importing
Snakemake runs ``scontrol show config`` (up to 10 s when no controller answers), an idle wait
in the baseline and in every run alike, so there the CPU ratios say more than the wall ones.

Each round also runs both commands once more in an instrumented interpreter (the same
``python -m snakemake``, with advgen's config check and plan build wrapped in timers) to
split the time into phases: interpreter start, imports (Snakemake and the advgen modules
the workflow imports), Snakemake's command line, config file and rules, advgen's config
load and validation, the plans, and the DAG (with everything after it).

    python benchmarks/dag.py            # runs the default study first if it is not up to date
    python benchmarks/dag.py --smoke    # a 20-job dry run only, no default study: seconds (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
NOOP_TARGET, DRY_TARGET = 1.3, 2.0

#: the instrumented ``python -m snakemake``: argv[1] is the JSON list of advgen modules the
#: workflow imports, argv[2] a file for the phase stamps, the rest Snakemake's arguments
CHILD = r"""
import json, runpy, sys, time
def clock():
    return time.perf_counter(), time.process_time()
t0 = clock()
modules, out = json.loads(sys.argv[1]), sys.argv[2]
import snakemake.api, snakemake.cli
import importlib
for name in modules:
    importlib.import_module(name)
import advgen.config_files, advgen.pipeline
spent = {"config": (0.0, 0.0), "plans": (0.0, 0.0)}
stamps = {"imports": clock()}

def timed(owner, name, phase):
    inner = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = clock()
        try:
            return inner(*args, **kwargs)
        finally:
            end = clock()
            spent[phase] = tuple(s + e - b for s, e, b in zip(spent[phase], end, start))
    setattr(owner, name, wrapper)

import advgen.pipeline.check
import advgen.pipeline.plan
# the workflow's one config check (advgen.pipeline.check.checked_pipeline) calls these by the
# names it imported: wrap them there
timed(advgen.pipeline.check, "strict_workflow_config", "config")
timed(advgen.pipeline.check, "build", "plans")
targets = advgen.pipeline.plan.Plan.targets

def rule_all_targets(self):
    try:
        return targets(self)
    finally:  # rule all's input, the Snakefile's last statement: parsing ends here
        stamps.setdefault("parsed", clock())
advgen.pipeline.plan.Plan.targets = rule_all_targets
sys.argv = ["snakemake", *sys.argv[3:]]
try:
    runpy.run_module("snakemake", run_name="__main__", alter_sys=True)
finally:
    end = clock()
    parsed = stamps.get("parsed", end)
    with open(out, "w") as fh:
        json.dump({
            clock_name: {
                "imports": stamps["imports"][i] - t0[i],
                "parse": parsed[i] - stamps["imports"][i] - spent["config"][i] - spent["plans"][i],
                "config": spent["config"][i],
                "plans": spent["plans"][i],
                "dag": end[i] - parsed[i],
                "in_process": end[i] - t0[i],
            }
            for i, clock_name in enumerate(("wall", "cpu"))
        }, fh)
"""

PHASES = [
    ("start", "interpreter start and shutdown"),
    ("imports", "imports: snakemake.api, snakemake.cli, advgen"),
    ("parse", "snakemake command line, config file, rules"),
    ("config", "advgen config load and validation"),
    ("plans", "advgen plans (pipeline.build)"),
    ("dag", "DAG, and the rest until exit"),
]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{e.get('PATH', '')}"
    return e


def run(cmd: list[str], cwd: Path) -> tuple[dict[str, float], str]:
    """Wall and CPU (user + system) seconds of ``cmd``, and its output; exits if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return {"wall": wall, "cpu": cpu}, out


def workflow_modules() -> list[str]:
    """The advgen modules the Snakefile and ``workflow/rules/*.smk`` import."""
    names = set()
    for path in [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]:
        names |= set(re.findall(r"^\s*(?:from|import)\s+(advgen[\w.]*)", path.read_text(), re.MULTILINE))
    return sorted(names)


def phases(args: list[str], cwd: Path, modules: list[str]) -> tuple[dict[str, dict[str, float]], str]:
    """Seconds per phase (wall and CPU) of ``snakemake ARGS`` in ``cwd``, one instrumented run."""
    with tempfile.TemporaryDirectory() as tmp:
        stamps = Path(tmp) / "phases.json"
        cmd = [sys.executable, "-c", CHILD, json.dumps(modules), str(stamps), *args]
        total, out = run(cmd, cwd)
        split = json.loads(stamps.read_text())
    for clock, seconds in split.items():
        seconds["start"] = total[clock] - seconds.pop("in_process")
        seconds["total"] = total[clock]
    return split, out


def sweep_config(n_jobs: int) -> dict:
    """A config whose DAG has ``n_jobs`` prepare_data jobs (one dataset per seed, one job per split;
    and a manifest job per dataset)."""
    return {
        "seed": 0,
        "datasets": {
            f"digits_s{i}": {"source": "digits", "image_size": 28, "split_seed": i}
            for i in range(n_jobs // 2)
        },
    }


def sweep_workflow(folder: Path, n_jobs: int) -> Path:
    """A scratch copy of the workflow in ``folder`` whose config has ``n_jobs // 2`` datasets."""
    (folder / "config").mkdir(parents=True)
    for name in ("Snakefile", "workflow", "profiles", "config/cv", "config/claims.yaml", "docs/sources"):
        src = REPO / name
        # rule all builds the CV and the claims page (which reads the source texts)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, folder / name)
    (folder / "config" / "config.yaml").write_text(yaml.safe_dump(sweep_config(n_jobs)))
    return folder


def floor_workflow(folder: Path, n_jobs: int, done: bool) -> Path:
    """Snakemake alone: a workflow of ``n_jobs`` trivial jobs (no advgen), its outputs already
    there when ``done`` (a no-op) or not (a dry run plans them all)."""
    folder.mkdir()
    (folder / "Snakefile").write_text(
        f'rule all:\n    input: expand("out/{{i}}.txt", i=range({n_jobs}))\n\n'
        'rule make:\n    output: "out/{i}.txt"\n    shell: "touch {output}"\n'
    )
    if done:
        (folder / "out").mkdir()
        for i in range(n_jobs):
            (folder / "out" / f"{i}.txt").touch()
    return folder


def default_jobs() -> int:
    """Jobs of the default study's DAG (``snakemake -n --forceall``)."""
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall"],
        cwd=REPO,
        env=env(),
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"^total\s+(\d+)$", out, re.MULTILINE)
    if not found:
        sys.exit(f"could not count the default study's jobs:\n{out[-2000:]}")
    return int(found.group(1))


def check_planned(out: str, n_jobs: int) -> None:
    if not re.search(rf"^prepare_data\s+{n_jobs}$", out, re.MULTILINE):
        sys.exit(f"dry run did not plan {n_jobs} prepare_data jobs:\n{out[-2000:]}")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"


def ratio(runs: list[dict[str, float]], base: list[dict[str, float]], clock: str) -> float:
    return statistics.median(r[clock] for r in runs) / statistics.median(b[clock] for b in base)


def report(name: str, runs: list[dict], base: list[dict], target: float | None, split: list[dict]) -> None:
    """Print a measure's medians, spreads and ratios to the baseline, then its phases."""
    walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target}x: {'met' if ratio(runs, base, 'wall') <= target else 'NOT met'}"
    print(
        f"{name:<48} {spread(walls)}  {ratio(runs, base, 'wall'):4.2f}x   "
        f"{spread(cpus)}  {ratio(runs, base, 'cpu'):4.2f}x{verdict}"
    )
    for key, label in [*PHASES, ("total", "(instrumented run, total)")] if split else []:
        columns = [spread([s[clock][key] for s in split]) for clock in ("wall", "cpu")]
        print(f"    {label:<44} {columns[0]}          {columns[1]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="a 20-job dry run only, one round (no default study): CI's check"
    )
    parser.add_argument("--repeats", type=int, default=5, help="rounds (each runs every command once)")
    args = parser.parse_args(argv)
    repeats = 1 if args.smoke else args.repeats
    n_jobs = 20 if args.smoke else 1000
    snake = [sys.executable, "-m", "snakemake"]
    modules = workflow_modules()
    if not args.smoke:
        pending = subprocess.run([*snake, "-n", "-q"], cwd=REPO, env=env(), capture_output=True, text=True)
        if "Nothing to be done" not in pending.stdout + pending.stderr:
            print("default study not up to date: running it first (snakemake --cores all) ...", flush=True)
            subprocess.run([*snake, "--cores", "all"], cwd=REPO, env=env(), check=True)

    base: list[dict] = []
    noop: list[dict] = []
    dry: list[dict] = []
    noop_floor: list[dict] = []
    dry_floor: list[dict] = []
    noop_split: list[dict] = []
    dry_split: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        sweep = sweep_workflow(Path(tmp) / "sweep", n_jobs)
        dry_args = ["-n", "--cores", "1"]
        floor_dry = floor_workflow(Path(tmp) / "floor_dry", n_jobs, done=False)
        n_default = 0 if args.smoke else default_jobs()
        floor_noop = floor_workflow(Path(tmp) / "floor_noop", n_default, done=True) if n_default else None
        for _ in range(repeats):
            base.append(run([sys.executable, "-c", "import snakemake.api"], REPO)[0])
            if not args.smoke:
                seconds, out = run([*snake, "--cores", "1"], REPO)
                assert "Nothing to be done" in out, out[-2000:]
                noop.append(seconds)
                split, out = phases(["--cores", "1"], REPO, modules)
                assert "Nothing to be done" in out, out[-2000:]
                noop_split.append(split)
                seconds, out = run([*snake, "--cores", "1"], floor_noop)
                assert "Nothing to be done" in out, out[-2000:]
                noop_floor.append(seconds)
            seconds, out = run([*snake, *dry_args], sweep)
            check_planned(out, n_jobs)
            dry.append(seconds)
            split, out = phases(dry_args, sweep, modules)
            check_planned(out, n_jobs)
            dry_split.append(split)
            seconds, out = run([*snake, *dry_args], floor_dry)
            assert re.search(rf"^make\s+{n_jobs}$", out, re.MULTILINE), out[-2000:]
            dry_floor.append(seconds)

    print(f"median [min-max] of {repeats} round(s), seconds; phases from the instrumented runs")
    print(f"{'':<48} {'wall':<16}  {'ratio':<5}   {'CPU (user+sys)':<16}  ratio")
    print(
        f"{'baseline: import snakemake.api':<48} {spread([b['wall'] for b in base])}          "
        f"{spread([b['cpu'] for b in base])}"
    )
    if not args.smoke:
        report("no-op run, up-to-date default study", noop, base, NOOP_TARGET, noop_split)
        report(f"Snakemake alone: no-op of {n_default} trivial jobs", noop_floor, base, None, [])
    name = f"dry run, generated {n_jobs:,}-job sweep config"
    report(name, dry, base, None if args.smoke else DRY_TARGET, dry_split)
    report(f"Snakemake alone: dry run of {n_jobs:,} trivial jobs", dry_floor, base, None, [])


if __name__ == "__main__":
    main()
