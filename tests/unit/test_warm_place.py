"""Who may start warm (advgen.warm.owner) and where the run's server listens (advgen.warm.place):
a job of a local run does; a job SLURM runs for the run, a job on another host, a job of a run
that ended, and every job under ``ADVGEN_WARM=0`` do not. The server's folder is private to the
user, and jobs share a server only when nothing the libraries read on import differs."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from advgen.warm import owner as owners
from advgen.warm.place import import_environment, place_for, private_folder
from advgen.warm.protocol import Unavailable

REPO = Path(__file__).resolve().parents[2]


def announced(**extra: str) -> dict[str, str]:
    """The environment of a job whose run's Snakemake is this process (``onstart`` ran)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    env.pop(owners.ENABLE_ENV, None)
    env.update(extra)
    owners.announce(env)
    return env


def test_a_local_job_starts_warm():
    owner = owners.owner_of_job(announced())
    assert owner == owners.Owner(socket.gethostname(), os.getpid(), "")


def test_a_job_slurm_runs_for_the_run_starts_fresh():
    """sbatch exports the submitting environment (the owner variable too) to a job that gets its
    own SLURM_JOB_ID: the run's owner does not serve it."""
    env = announced()  # the submitting Snakemake, on the login node: no SLURM job
    env["SLURM_JOB_ID"] = "4242"  # what SLURM sets in the submitted job
    assert owners.owner_of_job(env) is None


def test_a_run_inside_a_slurm_allocation_starts_its_own_jobs_warm():
    env = announced(SLURM_JOB_ID="77")  # snakemake --cores N inside salloc: one allocation
    assert owners.owner_of_job(env) is not None
    env["SLURM_JOB_ID"] = "78"
    assert owners.owner_of_job(env) is None


@pytest.mark.parametrize("value", ["0", "false", "off", "No"])
def test_advgen_warm_0_turns_it_off(value):
    env = announced()
    env[owners.ENABLE_ENV] = value
    assert owners.owner_of_job(env) is None
    assert not owners.announce(env) and owners.OWNER_ENV not in env


def test_another_host_or_a_dead_owner_starts_fresh():
    env = announced()
    env[owners.OWNER_ENV] = f"elsewhere.example:{os.getpid()}:"
    assert owners.owner_of_job(env) is None
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    env[owners.OWNER_ENV] = f"{socket.gethostname()}:{dead.pid}:"
    assert owners.owner_of_job(env) is None
    for junk in ("", "x", "host:abc:", ":1:", "host:0:"):
        env[owners.OWNER_ENV] = junk
        assert owners.owner_of_job(env) is None


def test_the_folder_is_private_and_a_shared_one_is_refused(tmp_path):
    env = {"TMPDIR": str(tmp_path)}
    folder = Path(private_folder(env))
    assert folder == tmp_path / f"advgen-warm-{os.getuid()}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o755)
    with pytest.raises(Unavailable, match="not a private folder"):
        private_folder(env)
    folder.rmdir()
    folder.symlink_to(tmp_path)
    with pytest.raises(Unavailable, match="not a private folder"):
        private_folder(env)


def test_xdg_runtime_dir_is_used_where_it_is_the_users(tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    assert private_folder({"XDG_RUNTIME_DIR": str(runtime), "TMPDIR": str(tmp_path)}) == str(
        runtime / "advgen-warm"
    )


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path: pytest's own, under xdist, can make a socket path
    longer than the 107 bytes a Unix socket's name may have."""
    folder = Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_jobs_share_a_server_unless_an_import_time_variable_differs(short_tmp):
    env = {"TMPDIR": str(short_tmp), "OMP_NUM_THREADS": "1", "ADVGEN_DEVICE": "cpu", "PATH": "/bin"}
    base = place_for("h:1:", env, cwd="/work")
    assert base == place_for("h:1:", {**env, "ADVGEN_DEVICE": "auto", "PATH": "/usr/bin"}, cwd="/work")
    assert base.socket != place_for("h:1:", {**env, "OMP_NUM_THREADS": "2"}, cwd="/work").socket
    assert base.socket != place_for("h:1:", env, cwd="/elsewhere").socket
    assert base.socket != place_for("h:2:", env, cwd="/work").socket
    assert Path(base.lock) == Path(base.socket).parent / "start.lock"
    assert set(import_environment({"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "HOME": "/h", "X": "1"})) == {
        "PYTHONHASHSEED",
        "MPLBACKEND",
        "HOME",
    }


def test_the_client_imports_only_the_standard_library_before_it_decides():
    """The console script's module, and a job with no run (fresh): nothing outside the standard
    library and advgen's small warm modules is imported before ``advgen.cli`` is."""
    code = (
        "import sys; before = set(sys.modules); import advgen.warm.client as c; "
        "print(' '.join(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] not in sys.stdlib_module_names)))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) == {
        "advgen",
        "advgen.lazy_exports",
        "advgen.warm",
        "advgen.warm.client",
        "advgen.warm.owner",
        "advgen.warm.place",
        "advgen.warm.protocol",
        "advgen.warm.state",
    }
