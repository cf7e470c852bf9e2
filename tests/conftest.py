"""Shared test helpers: run the workflow in a scratch copy of the repository."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from advgen.warm.owner import ENABLE_ENV as WARM_ENV
from advgen.warm.owner import OWNER_ENV
from tests import forkserver

REPO = Path(__file__).resolve().parents[1]
# What a workflow needs to run in a scratch folder (outputs land there, not in the repo).
WORKFLOW_FILES = ("Snakefile", "workflow", "config", "profiles", ".test", "docs/sources")


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for subprocesses: this interpreter's bin first, this checkout's src importable.

    ``advgen`` on that PATH is the client of this test process's fork server
    (``tests/forkserver.py``: a job costs milliseconds instead of seconds of imports), unless
    ``extra`` sets the PATH itself (the stand-in ``advgen``) or ``ADVGEN_TEST_FORKSERVER=0``;
    then a run's jobs are fresh processes too (``ADVGEN_WARM=0``) unless ``extra`` sets
    ``ADVGEN_WARM`` (the tests of the product's warm start, ``advgen.warm``).
    """
    env = base_env()
    if extra:
        env.update(extra)
    if forkserver.enabled(env) and not (extra and "PATH" in extra):
        env["PATH"] = f"{forkserver.client('advgen', base_env()).parent}{os.pathsep}{env['PATH']}"
    elif not forkserver.enabled(env):
        env.setdefault(WARM_ENV, "0")
    return env


def advgen_command() -> list[str]:
    """How a test runs one ``advgen`` command in a process of its own: the client of the test
    fork server (a job's start-up in milliseconds), or with ``ADVGEN_TEST_FORKSERVER=0`` a fresh
    interpreter."""
    env = base_env()
    if forkserver.enabled(env):
        return [str(forkserver.client("advgen", env))]
    return [sys.executable, "-m", "advgen"]


def base_env() -> dict[str, str]:
    """:func:`tool_env` without the fork server or the test's own variables."""
    env = dict(os.environ)
    env.pop(OWNER_ENV, None)  # a test's jobs are never those of a run that started the tests
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{REPO / 'src'}{os.pathsep}{env.get('PYTHONPATH', '')}"
    worker = env.get("PYTEST_XDIST_WORKER", "main")  # each xdist worker its own GPU lock folder
    env.setdefault(
        "ADVGEN_GPU_LOCK_DIR", str(Path(env.get("TMPDIR", "/tmp")) / f"advgen-test-locks-{worker}")
    )
    # Snakemake's SLURM executor plugin runs `scontrol show config` whenever snakemake starts; on a
    # host with SLURM installed but no controller running (CI stops it) that call waits 9 s before
    # failing. The local-workflow tests need no SLURM: an empty config makes scontrol fail at once.
    # The SLURM integration tests drop every SLURM_* variable (tests/integration/test_slurm.py).
    env.setdefault("SLURM_CONF", os.devnull)
    return env


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkserver.shutdown()


def copy_workflow(dest: Path) -> Path:
    """Copy the workflow definition (not results) into ``dest`` and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def python_module(
    module: str, *args: str, cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m MODULE ARGS`` in a fresh interpreter in ``cwd`` with ``env``; output
    captured as text."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def snakemake(
    workdir: Path, *args: str, check: bool = True, timeout: float = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m snakemake ARGS`` in ``workdir``; output captured as text.

    Through the test fork server of Snakemake unless ``ADVGEN_TEST_FORKSERVER=0``: the same
    command line, environment and working folder, without a second of imports each time."""
    env = tool_env(env)
    command = (
        [str(forkserver.client("snakemake", base_env()))]
        if forkserver.enabled(env)
        else [
            sys.executable,
            "-m",
            "snakemake",
        ]
    )
    proc = subprocess.run(
        [*command, *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def job_counts(output: str) -> dict[str, int]:
    """The ``Job stats`` table of ``snakemake -n`` as {rule: count} (empty when nothing to do)."""
    match = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal", output, re.S)
    if not match:
        return {}
    return {rule: int(n) for rule, n in (line.split() for line in match.group(1).strip().splitlines())}


def edited_config(wf: Path, config: str, section: str, edit: Callable[[dict], object]) -> str:
    """A copy of the workflow ``wf``'s config file ``config`` (a path in ``wf``) whose ``section``
    ``edit`` changed in place, written beside it as ``<stem>_edited.yaml``: its path in ``wf``."""
    import yaml

    data = yaml.safe_load((wf / config).read_text())
    edit(data[section])
    path = (wf / config).with_name(f"{Path(config).stem}_edited.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path.relative_to(wf))


_JOB = re.compile(r"^\s*(?:local)?rule (\w+):\n((?:[ \t]+\S.*\n?)*)", re.M)


def scheduled(dry_run_stdout: str) -> set[str]:
    """The jobs of a ``snakemake -n`` listing as ``rule`` or ``rule[w1=v1, w2=v2]`` (not ``all``)."""
    jobs = set()
    for rule, block in _JOB.findall(dry_run_stdout):
        wildcards = re.search(r"^\s*wildcards: (.+)$", block, re.M)
        if rule != "all":
            jobs.add(f"{rule}[{wildcards.group(1).strip()}]" if wildcards else rule)
    return jobs


# A stand-in ``advgen`` that only creates the ``results/...`` files it is asked to write, so
# Snakemake records real metadata (params, inputs) in seconds.
FAKE_ADVGEN = """#!/usr/bin/env python3
import sys
from pathlib import Path
for arg in sys.argv[1:]:
    value = arg.split("=", 1)[-1]
    if value.startswith("results/") and not Path(value).exists():
        Path(value).parent.mkdir(parents=True, exist_ok=True)
        Path(value).write_text("fake\\n")
"""


def fake_advgen_workflow(tmp_path: Path, upstream: tuple[str, ...]) -> tuple[Path, dict[str, str]]:
    """A workflow copy whose jobs run the stand-in ``advgen``, with ``upstream`` files present
    (older than everything after, as if the upstream stages had run); returns (dir, env)."""
    wf = copy_workflow(tmp_path / "wf")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "advgen"
    fake.write_text(FAKE_ADVGEN)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    for path in upstream:
        (wf / path).parent.mkdir(parents=True, exist_ok=True)
        (wf / path).write_text("fake\n")
        os.utime(wf / path, (1e9, 1e9))
    return wf, {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    """A scratch copy of the workflow to run Snakemake in."""
    return copy_workflow(tmp_path / "wf")


@pytest.fixture(scope="module")
def one_thread():
    """Single-threaded torch for a test module (restored after): tiny models gain nothing from a
    second thread and lose a lot to contention on a busy machine. Modules use it with
    ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
