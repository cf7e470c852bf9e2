"""A warm job is the caller's process (advgen.warm.state): the same process state as a fresh one.

A probe runs as a fresh process and as the child of a warm server (``tests/forkserver.py``'s
client, a server that imports nothing else), each started by the same shell under a matrix of
process states: ``umask 077``, ``ulimit -v``, ``ulimit -t``, a lower soft limit on open files,
another ``TZ``, ``nohup`` (SIGHUP ignored), an ignored SIGINT (a background job of a script),
another working folder, an environment variable, ``nice``, ``taskset``. It reports what it
sees; warm and fresh must agree on every item. A probe that spins under ``ulimit -t 1`` is
killed by SIGXCPU either way, one that grows under ``ulimit -v`` ends with the same one line (a
limit below what the forked child already maps is one line: the job is not taken);
under ``nohup`` a SIGHUP, and in a background job a SIGINT, leave the job running to exit 0;
SIGTSTP, SIGSTOP and SIGCONT to the client stop and continue the job. A hard limit above the
server's, which the child cannot take on, is one line, and the client does not run the job.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import forkserver
from tests.conftest import base_env

# The probe: prints what a job sees as one JSON line; "spin" burns CPU, "grow" allocates until
# it cannot, "wait" announces its pid and waits for a file to appear (then exits 0).
PROBE = r"""
import json, mmap, os, resource, signal, sys, time

if __name__ != "__main__":  # imported by the server: it maps more than a fresh probe (never touched)
    BALLAST = mmap.mmap(-1, 256 << 20)

def state():
    limits = {n: resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith("RLIMIT_")}
    ignored = [int(s) for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)
               and signal.getsignal(s) is signal.SIG_IGN]
    mask = os.umask(0)
    os.umask(mask)
    return {"umask": mask, "limits": limits, "ignored": ignored, "cwd": os.getcwd(),
            "env": os.environ.get("PROBE_VARIABLE"), "tz": [time.tzname, time.timezone],
            "local": time.strftime("%H %Z", time.localtime(86400)),
            "nice": os.getpriority(os.PRIO_PROCESS, 0), "cpus": sorted(os.sched_getaffinity(0)),
            "blocked": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
            "sigint": repr(signal.getsignal(signal.SIGINT)),
            "scheduler": [os.sched_getscheduler(0), os.sched_getparam(0).sched_priority],
            "oom_score_adj": open("/proc/self/oom_score_adj").read(), "ioprio": ioprio(),
            "session": os.getsid(0) == int(os.environ["PROBE_SESSION"]),
            "autogroup": autogroup(), "cgroup": open("/proc/self/cgroup").read(), "stdio": stdio()}

def ioprio():
    import ctypes, platform
    number = {"x86_64": 252, "aarch64": 31}.get(platform.machine())
    return None if number is None else ctypes.CDLL(None).syscall(number, 1, 0)

def autogroup():
    try:
        return (open("/proc/self/autogroup").read().split() or [None])[0]  # empty: autogroup off
    except OSError:
        return None

def stdio():
    out = []
    for s in (sys.stdin, sys.stdout, sys.stderr):
        if s is None:
            out.append(None)
            continue
        buffer = getattr(s, "buffer", None)
        out.append([repr(s), s.errors, s.line_buffering, s.write_through, type(buffer).__name__,
                    getattr(buffer, "raw", buffer).name, getattr(s, "_CHUNK_SIZE", None),
                    s.newlines, getattr(buffer, "buffer_size", None) if buffer else None])
    return out

def main(argv):
    if argv[0] == "state":
        print(json.dumps(state()), flush=True)
    elif argv[0] == "spin":
        while True:
            pass
    elif argv[0] == "grow":  # address space, not memory: the pages are never touched
        chunks = []
        try:
            while True:
                chunks.append(mmap.mmap(-1, 64 << 20))
        except OSError:
            print(len(chunks) * 64, flush=True)  # MiB it could map
            chunks.clear()
            print("probe: error: out of memory", file=sys.stderr)
            return 2
    elif argv[0] == "streams":  # a file, a line on each stream, what stdin holds
        with open("out.txt", "w") as f:
            f.write("complete")
        print("to stdout", sys.stdin.read() if sys.stdin else None)
        print("to stderr", file=sys.stderr)
    elif argv[0] == "wait":
        print(os.getpid(), flush=True)
        while not os.path.exists(argv[1]):
            time.sleep(0.01)
        open(argv[1] + ".done", "w").close()
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""

#: each case: the shell commands before the job, and a folder to run it in ("" for the test's)
CASES = {
    "plain": "",
    "umask 077": "umask 077",
    "ulimit -v": "ulimit -v 4000000",
    "ulimit -t": "ulimit -t 30",
    "ulimit -Sn": "ulimit -S -n 256",
    "TZ": "export TZ=Pacific/Kiritimati",
    "nohup": "NOHUP=nohup",
    "ignored SIGINT": "trap '' INT",
    "cwd": "cd /",
    "environment": "export PROBE_VARIABLE=set",
    "nice": "NICE='nice -n 5'",
    "taskset": f"TASKSET='taskset -c {min(os.sched_getaffinity(0))}'",
    "chrt -i": "WRAP='chrt -i 0'",
    "ionice -c 3": "WRAP='ionice -c 3'",
    "choom": "WRAP='choom -n 300 --'",
}
MAX_NICE = 19  # Linux's largest nice value: ``nice`` cannot lower a priority past it


class Probe:
    """The probe, fresh (``python probe.py``) or warm (the test client of a probe server)."""

    def __init__(self, folder: Path) -> None:
        (folder / "warm_probe.py").write_text(PROBE)
        self.folder = folder
        self.env = base_env()
        self.env["PYTHONPATH"] = f"{folder}{os.pathsep}{self.env['PYTHONPATH']}"
        self.env.pop("PROBE_VARIABLE", None)
        self.env["PROBE_SESSION"] = str(os.getsid(0))
        self.server = forkserver.ForkServer(
            self.env, "advgen", entry="warm_probe:main", preload=("warm_probe",)
        )

    def command(self, warm: bool, prefix: str, *args: str) -> list[str]:
        job = [str(self.server.client)] if warm else [sys.executable, str(self.folder / "warm_probe.py")]
        line = " ".join(shlex.quote(a) for a in (*job, *args))
        return ["bash", "-c", f"{prefix}\nexec ${{NOHUP:-}} ${{NICE:-}} ${{TASKSET:-}} ${{WRAP:-}} {line}"]

    def run(self, warm: bool, prefix: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(warm, prefix, *args),
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def start(self, warm: bool, prefix: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(warm, prefix, *args),
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    p = Probe(tmp_path_factory.mktemp("state"))
    yield p
    p.server.stop()


@pytest.mark.parametrize("case", CASES)
def test_a_warm_job_sees_the_process_state_a_fresh_one_sees(probe: Probe, case: str) -> None:
    fresh, warm = (probe.run(w, CASES[case], "state") for w in (False, True))
    assert fresh.returncode == warm.returncode == 0, (fresh.stderr, warm.stderr)
    assert warm.stderr == fresh.stderr == ""
    assert json.loads(warm.stdout) == json.loads(fresh.stdout)


def can_change(case: str) -> bool:
    """Whether a case changes this test process's state: ``taskset`` to one CPU of one does not,
    nor ``nice`` where the tests already run at the top nice value (``nice -n 19 make test``)."""
    if case == "taskset":
        return len(os.sched_getaffinity(0)) > 1
    if case == "nice":
        return os.getpriority(os.PRIO_PROCESS, 0) < MAX_NICE
    return case != "plain"


def test_the_matrix_changes_what_a_job_sees(probe: Probe) -> None:
    """Each case's state differs from the plain one's (so the comparison above can fail)."""
    plain = json.loads(probe.run(True, "", "state").stdout)
    for case, prefix in CASES.items():
        if can_change(case):
            assert json.loads(probe.run(True, prefix, "state").stdout) != plain, case


def test_a_cpu_time_limit_kills_a_spinning_job_warm_and_fresh(probe: Probe) -> None:
    codes = [probe.run(w, "ulimit -S -t 1", "spin").returncode for w in (False, True)]
    assert codes == [-signal.SIGXCPU] * 2


def test_a_job_that_grows_under_ulimit_v_ends_with_one_line_warm_and_fresh(probe: Probe) -> None:
    results = [probe.run(w, "ulimit -v 1000000", "grow") for w in (False, True)]
    assert [r.returncode for r in results] == [2, 2]
    assert [r.stderr for r in results] == ["probe: error: out of memory\n"] * 2
    assert all(int(r.stdout) < 1000 for r in results)  # the limit held (about 977 MiB)


def test_an_address_space_limit_below_what_the_child_maps_is_one_line(probe: Probe) -> None:
    """The forked child maps what the server imported; a fresh process would start smaller and
    fit: the child does not take the job (the console script then runs it fresh)."""
    fresh = probe.run(False, "ulimit -v 150000", "state")
    assert fresh.returncode == 0, fresh.stderr
    warm = probe.run(True, "ulimit -v 150000", "state")
    assert warm.returncode == 1 and warm.stdout == ""
    assert warm.stderr.count("\n") == 1
    assert "RLIMIT_AS 146 MiB is below the" in warm.stderr and "the warm child maps already" in warm.stderr


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rpartition(")")[2].split()[0]


@pytest.mark.parametrize(
    ("prefix", "signum"),
    [("NOHUP=nohup", signal.SIGHUP), ("trap '' INT", signal.SIGINT)],
    ids=["nohup-SIGHUP", "ignored-SIGINT"],
)
def test_an_ignored_signal_leaves_a_warm_job_running_to_exit_0(
    probe: Probe, tmp_path: Path, prefix: str, signum: int
) -> None:
    go = tmp_path / "go"
    client = probe.start(True, prefix, "wait", str(go))
    assert client.stdout is not None
    int(client.stdout.readline())  # the job runs
    client.send_signal(signum)
    time.sleep(0.2)
    go.touch()
    assert client.wait(timeout=30) == 0, client.communicate()
    assert (tmp_path / "go.done").exists()


def test_a_signal_the_caller_does_not_ignore_still_ends_the_job(probe: Probe, tmp_path: Path) -> None:
    client = probe.start(True, "", "wait", str(tmp_path / "go"))
    assert client.stdout is not None
    int(client.stdout.readline())
    client.send_signal(signal.SIGHUP)
    assert client.wait(timeout=30) == -signal.SIGHUP


@pytest.mark.parametrize("stop", [signal.SIGTSTP, signal.SIGSTOP], ids=["SIGTSTP", "SIGSTOP"])
def test_stopping_the_client_stops_the_job_and_sigcont_continues_it(
    probe: Probe, tmp_path: Path, stop: int
) -> None:
    go = tmp_path / "go"
    client = probe.start(True, "", "wait", str(go))
    assert client.stdout is not None
    job = int(client.stdout.readline())
    client.send_signal(stop)
    assert _wait_for(lambda: _state(job) == "T"), "the job was not stopped"
    go.touch()
    time.sleep(0.3)
    assert not (tmp_path / "go.done").exists()  # stopped: it has not seen the file
    client.send_signal(signal.SIGCONT)
    assert client.wait(timeout=30) == 0, client.communicate()
    assert (tmp_path / "go.done").exists()


def test_a_hard_limit_the_child_cannot_raise_is_one_line_and_the_job_does_not_run(tmp_path: Path) -> None:
    """A server without the capability to raise hard limits (root: ``setpriv`` drops it), whose
    hard limit on open files is lower than the client's: the child says so; the job never runs."""
    unprivileged = "exec setpriv --inh-caps=-all --bounding-set=-all" if os.geteuid() == 0 else "exec"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: the child could raise the limit")
    (tmp_path / "warm_probe.py").write_text(PROBE)
    env = base_env()
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    socket_path = tmp_path / "socket"
    server = subprocess.Popen(
        [
            "bash",
            "-c",
            f"ulimit -n 512 && {unprivileged} {sys.executable} -P -m advgen.warm.server "
            f"--socket {socket_path} --preload warm_probe --entry warm_probe:main",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        go = tmp_path / "go"
        go.touch()
        client = "import sys; from advgen.warm.client import forward_to as f; sys.exit(f(sys.argv[1]))"
        job = subprocess.run(
            ["bash", "-c", 'ulimit -n 1024 && exec "$@"', "-", sys.executable, "-c", client]
            + [str(socket_path), "wait", str(go)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert job.returncode == 1
        assert job.stderr.count("\n") == 1
        assert "cannot set RLIMIT_NOFILE to 1024:1024 in the warm child" in job.stderr
        assert job.stdout == "" and not (tmp_path / "go.done").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


#: the job's standard streams, each case as the shell sets them (``{pipe}``: the write end of a
#: pipe whose reader has gone)
STREAMS = {
    "stdin closed": "exec 0<&-",
    "stdout closed": "exec 1>&-",
    "stderr closed": "exec 2>&-",
    "all closed": "exec 0<&- 1>&- 2>&-",
    "stdout /dev/full": "exec 1>/dev/full",
    "stderr /dev/full": "exec 2>/dev/full",
    "stdout broken pipe": "exec 1>&{pipe}",
    "stderr broken pipe": "exec 2>&{pipe}",
    "stdin a file": "exec 0<input.txt",
}


def _with_streams(probe: Probe, warm: bool, prefix: str, folder: Path, *args: str) -> tuple:
    read, write = os.pipe()
    os.close(read)
    try:
        command = probe.command(warm, f"cd {shlex.quote(str(folder))}\n{prefix.format(pipe=write)}", *args)
        command[-1] += f" {write}>&-"
        done = subprocess.run(
            command, cwd=folder, env=probe.env, capture_output=True, text=True, timeout=60, pass_fds=(write,)
        )
    finally:
        os.close(write)
    lines = done.stderr.splitlines()
    if "Traceback (most recent call last):" in lines:  # (its frames differ: the error itself)
        lines = lines[: lines.index("Traceback (most recent call last):")] + lines[-1:]
    out = folder / "out.txt"
    return done.returncode, done.stdout, lines, out.read_text() if out.exists() else None


@pytest.mark.parametrize("case", STREAMS)
def test_a_warm_job_sees_the_standard_streams_a_fresh_one_sees(
    probe: Probe, tmp_path: Path, case: str
) -> None:
    """Closed, full (/dev/full), broken (a pipe whose reader has gone) or a file: the same streams
    (``sys.stdin`` ... ``None`` or made alike), the same exit status, output and file."""
    results = []
    for warm in (False, True):
        folder = tmp_path / str(warm)
        folder.mkdir()
        (folder / "input.txt").write_text("from a file\n")
        state = _with_streams(probe, warm, STREAMS[case], folder, "state")
        streams = _with_streams(probe, warm, STREAMS[case], folder, "streams")
        stdio = json.loads(state[1])["stdio"] if state[1] else None
        results.append((state[0], state[2], stdio, streams))
    assert results[0] == results[1]
    assert results[0][3][3] == "complete"


def test_the_stream_cases_change_what_a_job_sees(probe: Probe, tmp_path: Path) -> None:
    """Each case's streams or status differ from those of a job with all three open."""

    def seen(prefix: str) -> tuple:
        return _with_streams(probe, True, prefix, tmp_path, "streams")

    (tmp_path / "input.txt").write_text("from a file\n")
    plain = seen("")
    for case, prefix in STREAMS.items():
        assert seen(prefix) != plain, case


def test_a_job_from_another_session_is_not_forked_there(probe: Probe, tmp_path: Path) -> None:
    """A forked job stays in its server's session (the scheduling group, under autogroup): a client
    in another session (``setsid``) gets one line, and its job does not run warm."""
    client = [str(probe.server.client), "wait", str(tmp_path / "go")]
    (tmp_path / "go").touch()
    done = subprocess.run(
        ["setsid", "-w", *client], env=probe.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "the job's session (its scheduling group under autogroup) is not the warm server's" in done.stderr
    assert not (tmp_path / "go.done").exists()


def test_a_client_without_stderr_keeps_its_socket_off_descriptor_2() -> None:
    """A closed standard stream holds /dev/null while the client works: the socket the client
    opens next never takes descriptor 0-2 (it would be handed to the job as a stream)."""
    script = (
        "import os, socket\n"
        "from advgen.warm.client import _streams\n"
        "_streams.hold()\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "print(s.fileno(), _streams.open, flush=True)\n"
        "_streams.release()\n"
        "print(os.path.exists('/proc/self/fd/2'))\n"
    )
    done = subprocess.run(
        ["bash", "-c", 'exec 2>&- "$@"', "-", sys.executable, "-c", script],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.splitlines() == ["3 (0, 1)", "False"], done
