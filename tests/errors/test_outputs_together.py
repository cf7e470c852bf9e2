"""A command that writes several files leaves all of its old outputs or all of its new ones after a
signal at any instant (advgen.output_set).

Each command's outputs are made twice by hand, from two different inputs ("old" and "new": every
output file differs between them); then, 30 times, the old outputs are in place, the new run
starts, and SIGTERM, SIGINT, SIGHUP or SIGKILL (one drawn per trial) arrives at a random instant:
drawn over the run's whole measured time, near its end, or in the first 20 ms after its first
temporary file appears beside an output (where a command that wrote its files one by one left
a mix). What is left
must be the old set or the new set, file for file: never a mix. (A SIGKILL in the microseconds
of the moves would leave a commit record, which the next writer finishes: that rolled-forward set
must then be the new one; such a trial is counted and named.) ``freeze`` writes one file: its
trial shows that file old or new.

Each command runs as a process of its own (the test fork server's child, or a fresh interpreter
with ``ADVGEN_TEST_FORKSERVER=0``). Heavy commands are ``slow``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from advgen.output_set import finish_records, unfinished
from tests import forkserver
from tests.conftest import REPO, advgen_command, base_env, tool_env

TRIALS = 30
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL)
EVALUATE_MODEL = REPO / "tests" / "data" / "evaluate" / "tiny_model.py"
#: a few steps of PGD and of the gradient-masking checks (whose table names the model too)
FAST_EVALUATE = ["evaluate", "--max-examples", "8", "--attack", "PGD", "--param", "steps=2", "--eps", "0.1"]
FAST_EVALUATE += [
    f"--check={c}" for c in ("pgd_steps=1", "long_steps=1", "long_restarts=1", "unbounded_steps=1")
]
FAST_EVALUATE += ["--check=n_queries=2", "--device", "cpu", "--model", f"{EVALUATE_MODEL}:TinyCNN"]
FAST_EVALUATE += ["--data", "data.pt", "--checkpoint", "tiny.pt", "--out", "eval"]


@dataclass
class Command:
    """A command writing ``outputs`` (relative to the trial folder), run with ``old`` or ``new``
    arguments; ``prepare`` copies its inputs into the folder."""

    outputs: tuple[str, ...]
    old: list[str] | None  # None: the command has no old outputs (cv new creates its files)
    new: list[str]
    prepare: Callable[[Path], None] = lambda folder: None
    #: bytes each old and each new file holds, where a file's bytes differ between two runs alike
    markers: tuple[bytes, bytes] | None = None

    def which(self, data: bytes | None, old: bytes | None, new: bytes | None) -> str:
        """Whether a file left is the old one, the new one (or absent: "none"), or neither."""
        if self.markers is not None and data is not None:
            return "old" if self.markers[0] in data else "new" if self.markers[1] in data else "other"
        return "old" if data == old else "new" if data == new else "other"


def _readme(folder: Path) -> None:
    shutil.copy(REPO / "README.md", folder / "README.md")


def _evaluate_inputs(folder: Path) -> None:
    import torch

    from tests.unit.test_evaluate_command import _user_model

    torch.manual_seed(0)
    torch.save(_user_model().state_dict(), folder / "tiny.pt")
    torch.save({"x": torch.rand(4, 1, 28, 28), "y": torch.arange(4)}, folder / "data.pt")


DEFAULT_RUN = REPO / "docs" / "default_run"
CLAIMS = str(DEFAULT_RUN / "claims.parquet")
FREEZE = [
    "freeze",
    "--claims",
    str(REPO / "config" / "claims.yaml"),
    "--configfile",
    str(REPO / "config" / "config.yaml"),
]
FREEZE += ["--power-plan", str(DEFAULT_RUN / "power_plan.json"), "--out", "freeze.json"]
POWER_PLAN = ["power-plan", CLAIMS, "--markdown", "plan/power_plan.md", "--json", "json/power_plan.json"]
POWER_PLAN += ["--claims", str(REPO / "config" / "claims.yaml")]
README = [
    "--readme",
    "README.md",
    "--summary-page",
    "pages/claims.md",
    "--table-out",
    "tables/claims.parquet",
]
COMMANDS = {
    "evaluate": Command(
        ("eval/robustness.parquet", "eval/masking.parquet", "eval/report.md", "eval/report.html"),
        [*FAST_EVALUATE, "--name", "OLDRUNMARK"],
        [*FAST_EVALUATE, "--name", "NEWRUNMARK"],
        _evaluate_inputs,
        (b"OLDRUNMARK", b"NEWRUNMARK"),  # (the table's seconds column differs from run to run)
    ),
    "freeze": Command(
        ("freeze.json",),
        [*FREEZE, "--commit", "0" * 40, "--round", "2", "--date", "2026-01-01"],
        [*FREEZE, "--commit", "1" * 40, "--round", "3", "--date", "2026-01-02"],
    ),
    "power-plan": Command(
        ("plan/power_plan.md", "json/power_plan.json"),
        [*POWER_PLAN, "--power", "0.8"],
        [*POWER_PLAN, "--power", "0.9"],
    ),
    "claims --readme/--summary-page": Command(
        ("README.md", "pages/claims.md", "tables/claims.parquet"),
        ["claims", "--readme-summary", CLAIMS, *README],
        ["claims", "--readme-summary", str(REPO / "docs/rounds/round1/claims_xeon.parquet"), *README],
        _readme,
    ),
    "cv new": Command(("cv/cv.yaml", "cv/publications.bib", "cv/stats.yaml"), None, ["cv", "new", "cv"]),
}
#: commands whose 30 trials take more than a few seconds here (all: 1-3 s a run)
SLOW = set(COMMANDS)


def _run(argv: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*advgen_command(), *argv], cwd=folder, env=tool_env(), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done


def _snapshot(folder: Path, outputs: tuple[str, ...]) -> dict[str, bytes | None]:
    return {name: (folder / name).read_bytes() if (folder / name).is_file() else None for name in outputs}


def _restore(folder: Path, state: dict[str, bytes | None]) -> None:
    for name, data in state.items():
        if data is None:
            (folder / name).unlink(missing_ok=True)
        else:
            (folder / name).write_bytes(data)


def _first_write(folder: Path, outputs: tuple[str, ...], job: subprocess.Popen[str]) -> None:
    """Return once a temporary file appears beside an output (the command's writes begin)."""
    folders = {(folder / name).parent for name in outputs}
    while job.poll() is None:
        for place in folders:
            try:
                names = os.listdir(place)
            except OSError:
                continue
            if any(n.startswith(".") and n.endswith(".tmp") for n in names):
                return
        time.sleep(0.0002)


def _wait_for_jobs() -> None:
    if forkserver.enabled(base_env()):
        forkserver.wait_for_jobs("advgen")


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in COMMANDS]
)
def test_a_signal_at_a_random_instant_leaves_all_old_or_all_new_outputs(name: str, tmp_path: Path) -> None:
    command = COMMANDS[name]
    command.prepare(tmp_path)
    if command.old is not None:  # the set old and new runs leave, each file differing between them
        _run(command.new, tmp_path)
        new = _snapshot(tmp_path, command.outputs)
        start = time.monotonic()
        _run(command.old, tmp_path)
        took = time.monotonic() - start
        old = _snapshot(tmp_path, command.outputs)
    else:
        start = time.monotonic()
        _run(command.new, tmp_path)
        took = time.monotonic() - start
        new = _snapshot(tmp_path, command.outputs)
        old = dict.fromkeys(command.outputs)
        _restore(tmp_path, old)
    assert all(command.which(old[n], old[n], new[n]) == "old" for n in command.outputs)
    assert all(command.which(new[n], old[n], new[n]) == "new" for n in command.outputs)
    assert all(new[n] is not None for n in command.outputs)
    rng = random.Random(f"outputs together: {name}")
    seen = {"old": 0, "new": 0, "rolled forward": 0}
    for trial in range(TRIALS):
        sig = rng.choice(SIGNALS)
        delay = [rng.uniform(0, 1.1 * took), rng.uniform(0.8 * took, 1.05 * took), rng.uniform(0, 0.02)][
            trial % 3
        ]
        job = subprocess.Popen(
            [*advgen_command(), *command.new],
            cwd=tmp_path,
            env=tool_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if trial % 3 == 2:  # at the first write: a staged file appears (then a few ms more)
            _first_write(tmp_path, command.outputs, job)
        time.sleep(delay)
        job.send_signal(sig)
        _, err = job.communicate(timeout=600)
        _wait_for_jobs()
        records = {p for n in command.outputs for p in unfinished((tmp_path / n).parent)}
        for folder in {p.parent for p in records}:  # moves cut short by SIGKILL: the next writer
            finish_records(folder)  # finishes them (the set rolled forward must be the new one)
        left = _snapshot(tmp_path, command.outputs)
        which = {n: command.which(left[n], old[n], new[n]) for n in command.outputs}
        outcome = set(which.values())
        assert outcome in ({"old"}, {"new"}) and not (records and outcome != {"new"}), (
            f"trial {trial}: {signal.Signals(sig).name} after {delay:.3f} s left a mixed set: {which}"
            f"{' (records: ' + str(sorted(records)) + ')' if records else ''} (exit {job.returncode}: {err[-500:]})"
        )
        seen["rolled forward" if records else outcome.pop()] += 1
        _restore(tmp_path, old)
    print(f"{name}: {seen} in {TRIALS} trials (a run takes {took:.2f} s)")
