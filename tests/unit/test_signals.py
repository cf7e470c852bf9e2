"""SIGINT, SIGKILL and a signal after a run's outputs, through the ``advgen`` command line.

The command of :mod:`tests.unit.test_sigterm` (a checkpoint, then a Parquet table) runs as a job
of a warm server, started by its client; each signal is timed by the writer's own announcements
(its temporary file's creation, or the start of its clean-up), never by a sleep. SIGTERM and
SIGINT go to the client, which forwards them to the job, as in a local run; SIGKILL cannot be
caught, hence not forwarded, so it goes to the job's own pid (the client then ends killed by
SIGKILL too):

* SIGINT (Ctrl-C) ends it as SIGTERM does: exit status 130, no ``KeyboardInterrupt``, no
  temporary file, and a rerun writes files byte-identical to an uninterrupted run's;
* SIGKILL while the writer holds its temporary file leaves that file; the next successful run
  deletes it;
* a signal during the clean-up after the outputs (:func:`advgen.termination.settling`: a training
  run deleting its resume state) keeps the outputs and exits 0, unless more work follows (then
  143, before the next write).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from advgen.io import atomic_leftovers
from advgen.termination import complete, exit_on_sigterm
from tests.unit.test_sigterm import Jobs, _files

OUTPUTS = ("checkpoint.pt", "table.parquet")


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    j = Jobs(tmp_path_factory.mktemp("signals"))
    yield j
    j.close()


@pytest.fixture(scope="module")
def reference(jobs: Jobs, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("reference")
    assert jobs.run(folder)[0] == 0
    return _files(folder)


def _no_leftovers(folder: Path) -> None:
    for name in OUTPUTS:
        assert not atomic_leftovers(folder / name), f"temporary file of {name} left"


@pytest.mark.parametrize("target", ["checkpoint", "table"])
@pytest.mark.parametrize("hold", [True, False], ids=["after-mkstemp", "in-the-write"])
def test_sigint_exits_130_and_leaves_no_temporary_file(
    target: str, hold: bool, jobs: Jobs, reference: dict[str, bytes], tmp_path: Path
) -> None:
    status, _ = jobs.run(tmp_path, target, 0.0, hold, signum=signal.SIGINT)
    assert status == 128 + signal.SIGINT
    _no_leftovers(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} <= set(OUTPUTS)
    assert jobs.run(tmp_path)[0] == 0  # the rerun
    assert _files(tmp_path) == reference


@pytest.mark.parametrize("target", ["checkpoint", "table"])
def test_sigkill_leftover_is_deleted_by_the_next_successful_run(
    target: str, jobs: Jobs, reference: dict[str, bytes], tmp_path: Path
) -> None:
    status, _ = jobs.run(tmp_path, target, 0.0, hold=True, signum=signal.SIGKILL)
    assert status == -signal.SIGKILL
    name = next(n for n in OUTPUTS if n.startswith(target))
    assert len(atomic_leftovers(tmp_path / name)) == 1  # what SIGKILL leaves: the temporary file
    assert jobs.run(tmp_path)[0] == 0
    _no_leftovers(tmp_path)
    assert _files(tmp_path) == reference


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_after_the_outputs_keeps_them_and_exits_0(
    signum: int, jobs: Jobs, reference: dict[str, bytes], tmp_path: Path
) -> None:
    status, _ = jobs.run(tmp_path, "settle", 0.0, hold=True, signum=signum, on="S", settle=True)
    assert status == 0
    assert _files(tmp_path) == reference


def test_a_signal_in_the_clean_up_still_stops_further_work(jobs: Jobs, tmp_path: Path) -> None:
    status, _ = jobs.run(tmp_path, "settle", 0.0, hold=True, on="S", settle=True, more=True)
    assert status == 128 + signal.SIGTERM
    assert not (tmp_path / "checkpoint.pt.more").exists()
    assert not atomic_leftovers(tmp_path / "checkpoint.pt.more")


def test_the_console_script_ignores_signals_once_its_command_succeeded() -> None:
    """``final``: after :func:`complete`, SIGTERM and SIGINT stay ignored to the interpreter's exit."""
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with exit_on_sigterm(final=True):
            complete()
        assert all(signal.getsignal(s) is signal.SIG_IGN for s in before)
        with exit_on_sigterm(final=True):
            pass  # not complete: the previous handlers come back
        assert all(signal.getsignal(s) is signal.SIG_IGN for s in before)  # (they were SIG_IGN)
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    with exit_on_sigterm(final=True):
        pass
    assert {s: signal.getsignal(s) for s in before} == before


def test_a_write_deletes_only_its_own_outputs_leftovers(tmp_path: Path) -> None:
    """What SIGKILL left beside ``a.pt`` goes with the next write of ``a.pt``; the leftovers of
    other outputs (``a.pt.x.pt`` included) stay for their own writes; the same for a sample folder."""
    from advgen.io import publish_folder, write_bytes

    mine = tmp_path / ".a.pt.k1ll3d_x.tmp"
    others = [tmp_path / ".a.pt.x.pt.abcdefgh.tmp", tmp_path / ".b.pt.abcdefgh.tmp"]
    for path in (mine, *others):
        path.write_bytes(b"half")
    write_bytes(tmp_path / "a.pt", b"whole")
    assert not mine.exists() and all(p.exists() for p in others)
    src = tmp_path / "src"
    src.mkdir()
    (src / "epoch_001.png").write_bytes(b"png")
    copy = tmp_path / ".samples.abcdefgh.tmp"  # a SIGKILLed publish's half copy
    copy.mkdir()
    (copy / "epoch_000.png").write_bytes(b"half")
    publish_folder(src, tmp_path / "samples")
    assert not copy.exists() and [p.name for p in (tmp_path / "samples").iterdir()] == ["epoch_001.png"]
