"""A warm job keeps its caller's scheduling group (advgen.warm.child, advgen.warm.processes).

On a kernel that groups scheduling by session (autogroup: ``/proc/sys/kernel/sched_autogroup_enabled``),
a job's share of a CPU is its session's group's share, divided among the group's processes by
their nice values. A fresh job stays in its caller's session; a warm job stays there too (the
server runs in the session of the job that started it and forks without ``setsid``). Here the
caller's session has the nice value 19 as a group (``/proc/PID/autogroup`` of its leader) while
its job, under ``nice -n 19``, spins pinned to one CPU beside a busy process of another session:
the job's
``/proc/PID/autogroup`` must be its caller's, and its CPU share the fresh job's (about 1.4 %,
15 / (15 + 1024) by the kernel's weights; a job in a group of its own would get half the CPU).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.unit.test_warm_failures import Lab, console, lab, server_of  # noqa: F401  (lab: a fixture)

AUTOGROUP = Path("/proc/sys/kernel/sched_autogroup_enabled")

#: the job: says its autogroup and that it is ready, waits for ``go``, then spins for SECONDS and
#: prints its share of the CPU over that time
SPIN = """
import json, os, sys, time

def main(argv):
    go, seconds = argv[0], float(argv[1])
    print(json.dumps({"autogroup": open("/proc/self/autogroup").read().split()[0]}), flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    wall, cpu = time.monotonic(), time.process_time()
    while time.monotonic() - wall < seconds:
        pass
    print(json.dumps({"share": (time.process_time() - cpu) / (time.monotonic() - wall)}), flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""
SECONDS = 1.5


def _autogroup_enabled() -> bool:
    try:
        return AUTOGROUP.read_text().strip() == "1" and Path("/proc/self/autogroup").exists()
    except OSError:
        return False


def _job_in_a_session(lab: Lab, cpu: int, go: Path, warm: bool) -> subprocess.Popen[str]:
    """The job, started by a shell that leads a new session whose group has the nice value 19, under
    ``nice -n 19`` on CPU ``cpu``; the shell prints the session's autogroup first."""
    if warm:
        job = [
            sys.executable,
            "-c",
            console(SERVER_OPTIONS=("--preload", "warm_spin", "--entry", "warm_spin:main")),
        ]
    else:
        job = [sys.executable, "-m", "warm_spin"]
    line = " ".join(shlex.quote(a) for a in (*job, str(go), str(SECONDS)))
    script = f"head -c 64 /proc/self/autogroup | cut -d' ' -f1\nexec nice -n 19 taskset -c {cpu} {line}"
    env = {**lab.env, **({} if warm else {"ADVGEN_WARM": "0"})}
    return subprocess.Popen(
        ["bash", "-c", script],
        cwd=lab.work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _group_nice(pid: int, nice: int) -> None:
    """The nice value of the scheduling group of process ``pid`` (a session's, under autogroup);
    the kernel takes one such change per 0.1 s from an unprivileged process."""
    for _ in range(50):
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))
            return
        except BlockingIOError:
            time.sleep(0.1)
    raise AssertionError(f"cannot set the group nice value of process {pid}")


def _measure(lab: Lab, cpu: int, warm: bool, tmp: Path) -> dict:
    go = tmp / f"go-{warm}"
    job = _job_in_a_session(lab, cpu, go, warm)
    assert job.stdout is not None
    session_group = job.stdout.readline().strip()
    first = job.stdout.readline()
    assert first, job.communicate(timeout=60)
    seen = json.loads(first)
    busy = subprocess.Popen(
        ["taskset", "-c", str(cpu), sys.executable, "-c", "while True: pass"], start_new_session=True
    )
    try:  # the caller's session at nice 19 as a group (the leader: the shell, now the job or client)
        _group_nice(job.pid, 19)
        time.sleep(0.3)  # the busy process runs
        go.touch()
        last = job.stdout.readline()  # (its share: the rest of the job runs at full speed again)
    finally:
        _group_nice(job.pid, 0)
        busy.kill()
        busy.wait()
    out, err = job.communicate(timeout=120)
    assert job.returncode == 0 and last, (out, err)
    if warm:
        server_of(err)  # it did start warm
    return {"session_group": session_group, **seen, **json.loads(last)}


@pytest.mark.serial  # a CPU share: measured alone
def test_a_warm_job_keeps_its_callers_scheduling_group_and_cpu_share(lab: Lab, tmp_path: Path) -> None:
    if not _autogroup_enabled():
        pytest.skip(
            "the kernel does not group scheduling by session here (sched_autogroup_enabled 0 or missing)"
        )
    modules = lab.work.parent / "modules"
    (modules / "warm_spin.py").write_text(SPIN)
    cpu = min(os.sched_getaffinity(0))
    fresh = _measure(lab, cpu, False, tmp_path)
    warm = _measure(lab, cpu, True, tmp_path)
    assert fresh["autogroup"] == fresh["session_group"], fresh
    assert warm["autogroup"] == warm["session_group"], warm  # the caller's group, not one of its own
    assert warm["session_group"] != fresh["session_group"]  # (two sessions: the check can fail)
    assert abs(warm["share"] - fresh["share"]) < 0.1, (fresh, warm)
