"""The default study warm and fresh, back to back: what the warm start (advgen.warm) saves a run.

Each side runs in its own fresh scratch copy of the workflow (Snakefile, workflow/, config/,
profiles/, docs/sources): ``python -m snakemake [TARGETS] --cores N --configfile CONFIG`` with
this environment's ``advgen``, first with the warm start (the default; ``--first fresh``
swaps the order), then with ``ADVGEN_WARM=0`` (every job a fresh process). It prints each
side's wall time, its job count and the ratio warm / fresh, checks that every job of the warm
side started warm (its log's first line) and that no warm server outlived the run, and
compares every table, checkpoint and figure of the two sides (``tests/compare_outputs.py``):
exit status 1 on any difference.

    python benchmarks/warm_dag.py                    # config/config.yaml, the whole DAG: the
                                                     # default study twice (hours on 2 cores);
                                                     # run it on an otherwise idle host
    python benchmarks/warm_dag.py --sizes smoke      # the same DAG at smoke sizes (advgen.smoke)
    python benchmarks/warm_dag.py --smoke            # smoke sizes, one classifier and its data (CI)
    python benchmarks/warm_dag.py --config config/demo.yaml              # the demo (a minute a side)
    python benchmarks/warm_dag.py --config config/demo.yaml \
        --targets results/robustness/attacks.parquet                     # its robustness stage

Wall time only: the warm jobs are children of the server, not of Snakemake, so the CPU time
of the processes this script waits for would leave them out.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.compare_outputs import compare  # noqa: E402  (the proof of equal outputs)

WORKFLOW_FILES = ("Snakefile", "workflow", "config", "profiles", "docs/sources")
CONFIG = "config/config.yaml"
SMOKE_CONFIG = "config/default-smoke.yaml"
WARM_LINE = re.compile(r"^advgen: warm start \(forked from server pid (\d+);")
DONE = re.compile(r"(\d+) of (\d+) steps \(\d+%\) done")
#: the log of a failed job, in Snakemake's "Error in rule" block
FAILED = re.compile(r"^Error in rule \w+:\n(?:    .*\n)*?    log: (\S+)", re.M)


def _env(warm: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ADVGEN_WARM"] = "1" if warm else "0"
    env.pop("ADVGEN_WARM_OWNER", None)  # the run's own Snakemake announces itself
    return env


def prepare(dest: Path, sizes: str, config: str = CONFIG) -> str:
    """A scratch copy of the workflow in ``dest``; returns the config file to run (``config``,
    or at smoke sizes the smoke config made from it)."""
    dest.mkdir(parents=True)
    for name in WORKFLOW_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, dest / name)
    if sizes == "default":
        return config
    advgen = [sys.executable, "-c", "import sys; from advgen.cli import main; sys.exit(main())"]
    subprocess.run([*advgen, "paper-smoke-config", config, "-o", SMOKE_CONFIG], cwd=dest, check=True)
    return SMOKE_CONFIG


def smoke_targets(dest: Path, config: str) -> list[str]:
    """One classifier of ``config`` (the first) and, through it, its data."""
    import yaml

    from advgen.paths import CLASSIFIER_MODEL

    first = next(iter(yaml.safe_load((dest / config).read_text())["classifiers"]))
    return [CLASSIFIER_MODEL.format(classifier=first)]


def run_side(
    dest: Path, config: str, targets: list[str], cores: str, warm: bool
) -> tuple[float, str, set[str]]:
    """Run the DAG in ``dest``; its wall seconds, ``done/total`` jobs and the logs of the jobs
    that failed (the profile's ``keep-going`` runs every other job)."""
    # the targets first: --configfile takes every word after it
    command = [sys.executable, "-m", "snakemake", *targets, "--cores", cores, "--configfile", config]
    print(f"[{'warm' if warm else 'fresh'}] {' '.join(command[1:])} in {dest}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=dest, env=_env(warm), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    (dest / "snakemake.log").write_text(output)
    failed = set(FAILED.findall(output))
    if proc.returncode != 0 and not failed:
        sys.exit(f"snakemake failed ({proc.returncode}) before its jobs; see {dest / 'snakemake.log'}")
    done = DONE.findall(output)
    return seconds, "/".join(done[-1]) if done else "0/0", failed


def warm_servers(dest: Path) -> tuple[set[int], list[str]]:
    """The servers named by the jobs' logs, and the logs that do not start with the warm line."""
    servers, cold = set(), []
    for log in sorted((dest / "logs").rglob("*.log")):
        first = log.read_text(errors="replace").split("\n", 1)[0]
        found = WARM_LINE.match(first)
        if found:
            servers.add(int(found.group(1)))
        else:
            cold.append(str(log.relative_to(dest)))
    return servers, cold


def gone(pids: set[int], timeout: float = 30.0) -> set[int]:
    """Those of ``pids`` still alive after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive.discard(pid)
        time.sleep(0.2)
    return alive


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", choices=("default", "smoke"), default="default", help="the config's sizes")
    p.add_argument("--smoke", action="store_true", help="smoke sizes, one classifier and its data (CI)")
    p.add_argument("--config", default=CONFIG, help=f"the config file, in the repository (default {CONFIG})")
    p.add_argument("--targets", nargs="+", default=[], help="Snakemake targets (default: the whole DAG)")
    p.add_argument("--cores", default="2", help="snakemake --cores (default 2)")
    p.add_argument("--first", choices=("warm", "fresh"), default="warm", help="which side runs first")
    p.add_argument(
        "--out", type=Path, default=None, help="keep both sides here (default: a temporary folder)"
    )
    args = p.parse_args(argv)
    sizes = "smoke" if args.smoke else args.sizes
    out = args.out or Path(tempfile.mkdtemp(prefix="advgen-warm-dag-"))
    order = ("warm", "fresh") if args.first == "warm" else ("fresh", "warm")
    seconds, jobs, failed, problems = {}, {}, {}, []
    for side in order:
        dest = out / side / "default"
        config = prepare(dest, sizes, args.config)
        targets = smoke_targets(dest, config) if args.smoke else list(args.targets)
        seconds[side], jobs[side], failed[side] = run_side(dest, config, targets, args.cores, side == "warm")
        servers, cold = warm_servers(dest)
        if side == "warm":
            problems += [f"{log}: the job did not start warm" for log in cold]
            problems += [f"warm server {pid} still runs 30 s after the run" for pid in gone(servers)]
        elif servers:
            problems.append(f"the fresh side's jobs name warm servers {sorted(servers)}")
    if failed["warm"] != failed["fresh"]:
        problems.append(f"failed jobs differ: warm {sorted(failed['warm'])}, fresh {sorted(failed['fresh'])}")
    problems += compare(out / "fresh", out / "warm")
    what = f"{args.config}" + (f", targets {' '.join(args.targets)}" if args.targets else "")
    print(f"\n{what}; sizes: {sizes}, --cores {args.cores}, {args.first} first; both sides in {out}")
    for log in sorted(failed["warm"] & failed["fresh"]):
        print(f"failed on both sides (the same exit status, as the log says): {log}")
    print("| side | jobs done | wall s |\n|---|---:|---:|")
    for side in order:
        print(f"| {side} | {jobs[side]} | {seconds[side]:.1f} |")
    print(f"warm / fresh: {seconds['warm'] / seconds['fresh']:.3f}")
    for problem in problems:
        print(problem)
    print("outputs equal" if not problems else f"{len(problems)} problems")
    if args.out is None and not problems:
        shutil.rmtree(out, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
