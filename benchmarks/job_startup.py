"""Per-job overhead that issue 16 section 3 removed, old path against current in one run.

Every job of the default study (113 of them, two at a time on 2 cores) pays its start-up and
its set-up before any science runs. Three of those costs had nothing to do with the science:

* ``optimizer_job``: a fresh interpreter imports torch, seeds (``seed_everything``), builds
  ``cnn_small`` with Adam and takes one step. Old: torch's own path, whose optimizer wrappers
  import TorchDynamo on first use; current: :mod:`advgen.eager` (same numbers, tested).
* ``cli_parser``: a fresh interpreter builds ``advgen``'s parser. Old: every command's
  subparser (all ~30 command modules imported); current: only the command the job runs.
* ``lbfgsb_setup``: the batched L-BFGS attack's box-constrained solve, ``search_steps`` calls
  of 15 iterations on ``n`` variables (360 digits x 784 pixels on the default config) with a
  cheap objective, so that what is timed is the solver and its set-up. Old:
  ``scipy.optimize.minimize(method="L-BFGS-B")`` (Python loops over every variable); current:
  :func:`advgen.attacks.lbfgsb.minimize_unit_box` (same iterates, checked here too).

Each time is the median of ``--repeats`` (wall time of a fresh interpreter for the first two,
process CPU time for the third); ``saved`` = old - current per job or per attack.

    python benchmarks/job_startup.py            # default sizes
    python benchmarks/job_startup.py --smoke    # 1 repeat, 20,000 variables (CI)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from advgen.attacks.lbfgsb import _scipy_minimize, minimize_unit_box

REPO = Path(__file__).resolve().parents[1]

OPTIMIZER_JOB = """
{prelude}
import torch
from advgen.classifiers.zoo import build_classifier
from advgen.seeding import seed_everything
seed_everything(0)
model = build_classifier("cnn_small", (1, 28, 28), 10)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x, y = torch.rand(50, 1, 28, 28), torch.randint(0, 10, (50,))
opt.zero_grad(set_to_none=True)
torch.nn.functional.cross_entropy(model(x), y).backward()
opt.step()
"""

CLI_PARSER = "from advgen.cli import build_parser; build_parser({command})"


def interpreter_seconds(code: str, repeats: int) -> float:
    """Median wall seconds of a fresh one-thread interpreter running ``code``."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lbfgsb_seconds(n: int, calls: int, repeats: int) -> tuple[float, float, bool]:
    """(old, current) median CPU seconds of ``calls`` 15-iteration solves, and whether the
    iterates are identical."""
    rng = np.random.default_rng(0)
    target, x0 = rng.uniform(-0.3, 1.3, n), rng.uniform(0.0, 1.0, n)

    def fun_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return float(d @ d), 2.0 * d

    def timed(solve) -> tuple[float, np.ndarray]:
        times, x = [], x0
        for _ in range(repeats):
            start = time.process_time()
            for _ in range(calls):
                x = solve(fun_and_grad, x0, 15)
            times.append(time.process_time() - start)
        return statistics.median(times), x

    old, x_old = timed(_scipy_minimize)
    new, x_new = timed(minimize_unit_box)
    return old, new, bool(np.array_equal(x_old, x_new))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="one repeat, a small L-BFGS-B problem (CI)")
    p.add_argument("--repeats", type=int, default=None)
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 5)
    n, calls = (20_000, 2) if args.smoke else (360 * 784, 5)
    rows = [
        (
            "optimizer_job",
            "s per job",
            interpreter_seconds(
                OPTIMIZER_JOB.format(prelude="import torch._dynamo  # torch's own path"), repeats
            ),
            interpreter_seconds(OPTIMIZER_JOB.format(prelude=""), repeats),
        ),
        (
            "cli_parser",
            "s per job",
            interpreter_seconds(CLI_PARSER.format(command=""), repeats),
            interpreter_seconds(CLI_PARSER.format(command="'attack'"), repeats),
        ),
    ]
    old, new, same = lbfgsb_seconds(n, calls, repeats)
    rows.append(("lbfgsb_setup", f"s per attack ({calls} solves, n = {n:,})", old, new))
    print(f"one thread, CPU, median of {repeats}" + (" (--smoke sizes)" if args.smoke else ""))
    print("| case | unit | old | current | saved | ratio old/current |\n|---|---|---:|---:|---:|---:|")
    for name, unit, t_old, t_new in rows:
        print(f"| {name} | {unit} | {t_old:.3f} | {t_new:.3f} | {t_old - t_new:.3f} | {t_old / t_new:.2f} |")
    print(f"L-BFGS-B iterates identical: {same}")
    if not same:
        sys.exit("lbfgsb_setup: minimize_unit_box and scipy's minimize disagree")


if __name__ == "__main__":
    main()
