"""Workflow overhead: a no-op run on an up-to-date default study, and a 1,000-job dry run.

Targets (issue: the pipeline's spine): no-op < 3 s, dry run of a generated 1,000-job sweep
config < 15 s. Baseline: `python -c "import snakemake"` (the interpreter + Snakemake import),
measured in the same run, so the ratios say how much the workflow itself adds.

    python benchmarks/dag.py            # runs the default study first if it is not up to date
    python benchmarks/dag.py --smoke    # a 20-job dry run only, no default study: seconds (CI)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{e.get('PATH', '')}"
    return e


def timed(cmd: list[str], cwd: Path, repeats: int = 3) -> tuple[float, str]:
    """Median wall time of ``cmd`` over ``repeats`` runs, and the last output."""
    times, out = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        out = proc.stdout + proc.stderr
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{out}")
    return statistics.median(times), out


def sweep_config(n_jobs: int) -> dict:
    """A config whose DAG has ``n_jobs`` prepare_data jobs (one dataset per seed)."""
    return {
        "seed": 0,
        "datasets": {
            f"digits_s{i}": {"source": "digits", "image_size": 28, "split_seed": i} for i in range(n_jobs)
        },
    }


def dry_run(n_jobs: int) -> float:
    """Seconds of ``snakemake -n`` on a scratch workflow whose config has ``n_jobs`` datasets."""
    with tempfile.TemporaryDirectory() as tmp:
        wf = Path(tmp)
        (wf / "config").mkdir()
        for name in ("Snakefile", "workflow", "profiles", "config/cv", "config/claims.yaml"):
            src = REPO / name
            # rule all builds the CV and the claims page
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, wf / name)
        (wf / "config" / "config.yaml").write_text(yaml.safe_dump(sweep_config(n_jobs)))
        dry, out = timed([sys.executable, "-m", "snakemake", "-n", "--cores", "1"], wf, repeats=1)
        if not re.search(rf"^prepare_data\s+{n_jobs}$", out, re.MULTILINE):
            sys.exit(f"dry run did not plan {n_jobs} prepare_data jobs:\n{out[-2000:]}")
    return dry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="a 20-job dry run only (no default study): CI's check"
    )
    args = parser.parse_args()
    snake = [sys.executable, "-m", "snakemake"]
    baseline, _ = timed([sys.executable, "-c", "import snakemake.api"], REPO, repeats=1 if args.smoke else 3)
    if args.smoke:
        dry = dry_run(20)
        print(f"baseline: import snakemake.api             {baseline:6.2f} s")
        print(
            f"dry run, generated 20-job sweep config     {dry:6.2f} s  {dry / baseline:5.1f}x baseline (smoke)"
        )
        return

    pending = subprocess.run([*snake, "-n", "-q"], cwd=REPO, env=env(), capture_output=True, text=True)
    if "Nothing to be done" not in pending.stdout + pending.stderr:
        print("default study not up to date: running it first (snakemake --cores all) ...", flush=True)
        subprocess.run([*snake, "--cores", "all"], cwd=REPO, env=env(), check=True)
    noop, out = timed([*snake, "--cores", "1"], REPO)
    assert "Nothing to be done" in out, out

    dry = dry_run(1000)

    print(f"baseline: import snakemake.api             {baseline:6.2f} s")
    print(
        f"no-op run, up-to-date default study        {noop:6.2f} s  (target < 3 s)  {noop / baseline:5.1f}x baseline"
    )
    print(
        f"dry run, generated 1,000-job sweep config  {dry:6.2f} s  (target < 15 s) {dry / baseline:5.1f}x baseline"
    )


if __name__ == "__main__":
    main()
