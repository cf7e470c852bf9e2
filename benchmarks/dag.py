"""Workflow overhead: a no-op run on an up-to-date default study, and a 1,000-job dry run.

Targets (issue: the pipeline's spine): no-op < 3 s, dry run of a generated 1,000-job sweep
config < 15 s. Baseline: `python -c "import snakemake"` (the interpreter + Snakemake import),
measured in the same run, so the ratios say how much the workflow itself adds.

    python benchmarks/dag.py            # runs the default study first if it is not up to date
"""

from __future__ import annotations

import os
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


def main() -> None:
    snake = [sys.executable, "-m", "snakemake"]
    baseline, _ = timed([sys.executable, "-c", "import snakemake.api"], REPO)

    pending = subprocess.run([*snake, "-n", "-q"], cwd=REPO, env=env(), capture_output=True, text=True)
    if "Nothing to be done" not in pending.stdout + pending.stderr:
        print("default study not up to date: running it first (snakemake --cores all) ...", flush=True)
        subprocess.run([*snake, "--cores", "all"], cwd=REPO, env=env(), check=True)
    noop, out = timed([*snake, "--cores", "1"], REPO)
    assert "Nothing to be done" in out, out

    with tempfile.TemporaryDirectory() as tmp:
        wf = Path(tmp)
        for name in ("Snakefile", "workflow", "profiles"):
            src = REPO / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, wf / name)
        (wf / "config").mkdir()
        (wf / "config" / "config.yaml").write_text(yaml.safe_dump(sweep_config(1000)))
        dry, out = timed([*snake, "-n", "--cores", "1"], wf, repeats=1)
        assert "prepare_data     1000" in out or "prepare_data    1000" in out or "1000" in out, out[-2000:]

    print(f"baseline: import snakemake.api             {baseline:6.2f} s")
    print(f"no-op run, up-to-date default study        {noop:6.2f} s  (target < 3 s)  {noop / baseline:5.1f}x baseline")
    print(f"dry run, generated 1,000-job sweep config  {dry:6.2f} s  (target < 15 s) {dry / baseline:5.1f}x baseline")


if __name__ == "__main__":
    main()
