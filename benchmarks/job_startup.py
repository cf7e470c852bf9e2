"""Per-job overhead besides the science, with public torch and scipy APIs only.

Every job of the default study (113 of them, two at a time on 2 cores) pays its start-up and
its set-up before any science runs. Two costs have a cheaper public path, measured against the
other public path in one run (``old`` / ``current``):

* ``seeding``: a fresh interpreter imports torch and asks for deterministic kernels. Old:
  ``torch.use_deterministic_algorithms(True, warn_only=True)``, which imports
  ``torch._inductor.config`` to set the compiler's flag too; current:
  :func:`advgen.seeding.seed_everything` (``torch.set_deterministic_debug_mode("warn")``, the
  same eager flags, checked here).
* ``cli_parser``: a fresh interpreter builds ``advgen``'s parser. Old: every command's
  subparser (all ~30 command modules imported); current: only the command the job runs.

Two costs have none, and are measured as what they add (``without`` / ``with``):

* ``optimizer_first_use``: the first call of a ``torch.optim`` optimizer (its constructor,
  ``zero_grad``, ``step``) imports TorchDynamo, though advgen compiles nothing: a fresh
  interpreter's CPU seconds to import torch, then TorchDynamo.
* ``lbfgsb_setup``: the batched L-BFGS attack's box-constrained solve, ``calls`` solves of 15
  iterations on ``n`` variables (360 digits x 784 pixels on the default config) with a cheap
  objective, so that what is timed is the solver and its set-up:
  ``scipy.optimize.minimize(method="L-BFGS-B")`` on the same problem without bounds, then with
  the unit box as a ``Bounds`` of arrays (:func:`advgen.attacks.lbfgs.minimize_unit_box`:
  scipy converts the bounds and builds its bound codes in Python loops over every variable).
  A list of ``(0, 1)`` pairs (slower) and one problem per image (784 variables each; the same
  per-variable set-up, plus per-call overhead) are timed for comparison; the list gives the
  same iterates as the ``Bounds`` (checked here).

And the warm start of local runs (:mod:`advgen.warm`), measured on a real job:

* ``job_start``: wall seconds from the start of the ``advgen`` console script to the job's
  first line of its own (the ``device:`` log line of a ``train-classifier`` job of
  ``.test/config/robustness.yaml``, which a job writes once its spec is read and its seeds
  are set): a fresh process (``ADVGEN_WARM=0``), then the same command as a job of a run
  whose warm server is up (this process stands for the run's Snakemake). The server's own
  start, paid once per run by its first job, is reported beside it.
* ``client_import``: a fresh interpreter importing the console script's module
  (:mod:`advgen.warm.client`, standard library only), against one that imports nothing.

Each time is the median of ``--repeats`` (wall time of a fresh interpreter for ``seeding``,
``cli_parser`` and ``client_import``, wall time of the job for ``job_start``, process CPU time
otherwise).

    python benchmarks/job_startup.py            # default sizes
    python benchmarks/job_startup.py --smoke    # 1 repeat, 19,600 variables (CI)
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from advgen.attacks.lbfgs import minimize_unit_box

REPO = Path(__file__).resolve().parents[1]

SEEDING = """
import sys, torch
{call}
assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
"""
OLD_SEEDING = "torch.manual_seed(0); torch.use_deterministic_algorithms(True, warn_only=True)"
NEW_SEEDING = "from advgen.seeding import seed_everything; seed_everything(0)"

CLI_PARSER = "from advgen.cli import build_parser; build_parser({command})"
CLIENT = "import advgen.warm.client"

DYNAMO = """
import time
t0 = time.process_time()
import torch
t1 = time.process_time()
import torch._dynamo  # what the first optimizer call imports
print(t1 - t0, time.process_time() - t0)
"""

Solver = Callable[[Callable, np.ndarray, int], np.ndarray]

#: the job whose start is timed: a classifier of the tiny robustness config
JOB_CONFIG = ".test/config/robustness.yaml"
JOB_TARGET = "results/classifiers/tiny_fc/model.pt"
WORKFLOW_FILES = ("Snakefile", "workflow", "config", "profiles", ".test", "docs/sources")
#: a line of advgen's log (``logging``'s ``%(asctime)s %(levelname)s ...``)
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO / "src"), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def interpreter_seconds(code: str, repeats: int) -> float:
    """Median wall seconds of a fresh one-thread interpreter running ``code``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=_env(), check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dynamo_seconds(repeats: int) -> tuple[float, float]:
    """Median CPU seconds of a fresh interpreter importing torch, and torch plus TorchDynamo."""
    runs = [
        [
            float(v)
            for v in subprocess.run(
                [sys.executable, "-c", DYNAMO], env=_env(), check=True, capture_output=True, text=True
            ).stdout.split()
        ]
        for _ in range(repeats)
    ]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def _minimize(bounds: Callable[[int], object]) -> Solver:
    def solve(fun_and_grad: Callable, x0: np.ndarray, maxiter: int) -> np.ndarray:
        from scipy.optimize import minimize

        options = {"maxiter": maxiter}
        return minimize(
            fun_and_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds(x0.size), options=options
        ).x

    return solve


def _per_image(fun_and_grad: Callable, x0: np.ndarray, maxiter: int, size: int = 784) -> np.ndarray:
    box = _minimize(_unit_bounds)
    return np.concatenate([box(fun_and_grad, x0[i : i + size], maxiter) for i in range(0, x0.size, size)])


def _unit_bounds(n: int) -> object:
    from scipy.optimize import Bounds

    return Bounds(np.zeros(n), np.ones(n))


SOLVERS: dict[str, Solver] = {
    "no bounds": _minimize(lambda n: None),
    "Bounds of arrays": minimize_unit_box,
    "list of (0, 1) pairs": _minimize(lambda n: [(0.0, 1.0)] * n),
    "one problem per image": _per_image,
}


def lbfgsb_seconds(n: int, calls: int, repeats: int) -> tuple[dict[str, float], bool]:
    """Median CPU seconds of ``calls`` 15-iteration solves per way of calling scipy, and whether
    the list of pairs gives the same iterates as the ``Bounds`` of arrays."""
    rng = np.random.default_rng(0)
    # one image's target repeated: each image's 784-variable problem is a slice of the whole
    target, x0 = np.tile(rng.uniform(-0.3, 1.3, 784), n // 784), rng.uniform(0.0, 1.0, n)

    def fun_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target[: x.size]
        return float(d @ d), 2.0 * d

    seconds, last = {}, {}
    for name, solve in SOLVERS.items():
        times = []
        for _ in range(repeats):
            start = time.process_time()
            for _ in range(calls):
                last[name] = solve(fun_and_grad, x0, 15)
            times.append(time.process_time() - start)
        seconds[name] = statistics.median(times)
    return seconds, bool(np.array_equal(last["Bounds of arrays"], last["list of (0, 1) pairs"]))


def _snakemake(folder: Path, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=folder, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.exit(f"snakemake {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout + proc.stderr


def timed_job(folder: Path) -> list[str]:
    """A scratch copy of the workflow in ``folder`` with the timed job's inputs made (fresh
    processes), and the job's command (its ``advgen`` line, without the log redirection)."""
    for name in WORKFLOW_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, folder / name)
    env = dict(_env(), ADVGEN_WARM="0", SLURM_CONF=os.devnull, PATH=_path())
    common = (JOB_TARGET, "--configfile", JOB_CONFIG)  # --configfile takes every word after it
    _snakemake(folder, "--cores", "2", "--omit-from", "train_classifier", *common, env=env)
    dry = _snakemake(folder, "-n", "-p", "--force", *common, env=env)  # the target's own job
    line = next(x for x in dry.splitlines() if " train-classifier " in x and "advgen " in x)
    command = shlex.split(line[line.index("advgen ") :].split(" > ")[0])
    return [str(_advgen()), *command[1:]]


def _path() -> str:
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def _advgen() -> Path:
    """This environment's ``advgen`` console script (it must be the warm start's client)."""
    script = Path(sys.executable).parent / "advgen"
    if "advgen.warm.client" not in script.read_text(errors="replace"):
        sys.exit(f"{script} is not the warm start's client: reinstall advgen (pip install -e .)")
    return script


def first_line_seconds(command: list[str], folder: Path, env: dict[str, str]) -> tuple[float, int | None]:
    """Wall seconds from starting ``command`` to its first log line (then it gets SIGTERM), and
    the pid of the warm server that ran it (``None``: a fresh process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    seconds, server, seen = None, None, []
    for line in proc.stderr:
        if line.startswith("advgen: warm start"):
            found = re.search(r"server pid (\d+)", line)
            server = int(found.group(1)) if found else None
        elif LOG_LINE.match(line):
            seconds = time.perf_counter() - start
            break
        seen.append(line)
    proc.send_signal(signal.SIGTERM)
    proc.communicate()
    if seconds is None:
        sys.exit(f"{shlex.join(command)} wrote no log line:\n{''.join(seen)[-3000:]}")
    return seconds, server


def job_start_seconds(repeats: int) -> tuple[float, float, float]:
    """Median seconds to the timed job's first log line, fresh and warm, and the first warm
    job's (which starts the server)."""
    from advgen.warm import owner

    folder = Path(tempfile.mkdtemp(prefix="advgen-job-start-"))
    try:
        command = timed_job(folder)
        base = dict(os.environ, PATH=_path(), SLURM_CONF=os.devnull)
        base.pop("SLURM_JOB_ID", None)
        base.pop(owner.OWNER_ENV, None)
        fresh = [first_line_seconds(command, folder, dict(base, ADVGEN_WARM="0"))[0] for _ in range(repeats)]
        warm_env = dict(base, ADVGEN_WARM="1")
        owner.announce(warm_env)  # this process stands for the run's Snakemake
        first, server = first_line_seconds(command, folder, warm_env)
        if server is None:
            sys.exit("the warm job did not start warm (no 'advgen: warm start' line)")
        warm = [first_line_seconds(command, folder, warm_env)[0] for _ in range(repeats)]
        os.kill(server, signal.SIGTERM)  # as its run ending would
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return statistics.median(fresh), statistics.median(warm), first


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="one repeat, a small L-BFGS-B problem (CI)")
    p.add_argument("--repeats", type=int, default=None)
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 5)
    n, calls = (25 * 784, 2) if args.smoke else (360 * 784, 5)
    print(f"one thread, CPU, median of {repeats}" + (" (--smoke sizes)" if args.smoke else ""))
    rows = [
        (
            "seeding",
            "s per job",
            interpreter_seconds(SEEDING.format(call=OLD_SEEDING), repeats),
            interpreter_seconds(SEEDING.format(call=NEW_SEEDING), repeats),
        ),
        (
            "cli_parser",
            "s per job",
            interpreter_seconds(CLI_PARSER.format(command=""), repeats),
            interpreter_seconds(CLI_PARSER.format(command="'attack'"), repeats),
        ),
    ]
    print("| case | unit | old | current | saved | ratio old/current |\n|---|---|---:|---:|---:|---:|")
    for name, unit, t_old, t_new in rows:
        print(f"| {name} | {unit} | {t_old:.3f} | {t_new:.3f} | {t_old - t_new:.3f} | {t_old / t_new:.2f} |")

    fresh, warm, first = job_start_seconds(repeats)
    print()
    print("| case | unit | fresh | warm | saved | ratio fresh/warm |\n|---|---|---:|---:|---:|---:|")
    print(f"| job_start | s per job | {fresh:.3f} | {warm:.3f} | {fresh - warm:.3f} | {fresh / warm:.2f} |")
    print(f"the run's first warm job, which starts the server: {first:.3f} s")
    bare, client = interpreter_seconds("pass", repeats), interpreter_seconds(CLIENT, repeats)
    print("| cost of the client | unit | without | with | added |\n|---|---|---:|---:|---:|")
    print(
        f"| client_import (interpreter, then advgen.warm.client) | s per job | {bare:.3f} | {client:.3f} | "
        f"{client - bare:.3f} |"
    )

    torch_only, with_dynamo = dynamo_seconds(repeats)
    solves, same = lbfgsb_seconds(n, calls, repeats)
    print()
    print("| cost of the public path | unit | without | with | added |\n|---|---|---:|---:|---:|")
    print(
        f"| optimizer_first_use (import torch, then TorchDynamo) | CPU s per job | {torch_only:.3f} | "
        f"{with_dynamo:.3f} | {with_dynamo - torch_only:.3f} |"
    )
    bare, box = solves["no bounds"], solves["Bounds of arrays"]
    print(
        f"| lbfgsb_setup ({calls} solves, n = {n:,}; bounds: none / Bounds of arrays) | CPU s per attack | "
        f"{bare:.3f} | {box:.3f} | {box - bare:.3f} |"
    )
    print()
    print("| L-BFGS-B bounds given as | CPU s per attack |\n|---|---:|")
    for name, seconds in solves.items():
        print(f"| {name} | {seconds:.3f} |")
    print(f"L-BFGS-B iterates identical (Bounds of arrays, list of pairs): {same}")
    if not same:
        sys.exit("lbfgsb_setup: the two ways of giving scipy the unit box disagree")


if __name__ == "__main__":
    main()
