"""The caller's process state that a warm job takes on. Standard library only.

A fresh process inherits from the shell or Snakemake that starts it more than its arguments,
folder and environment: its file mode creation mask, its resource limits (``ulimit``,
``prlimit``), its nice value and CPU affinity (``nice``, ``taskset``), its scheduling policy
(``chrt``), its I/O priority (``ionice``), its OOM score adjustment (``choom``), its blocked
signals and the signals it ignores (``nohup`` ignores SIGHUP, a non-interactive shell's
background job SIGINT and SIGQUIT). The client :func:`capture`\\ s them; the forked child
:func:`apply`\\ s them before the job runs, so the job is the caller's process, not the
server's. (The time zone is the environment's ``TZ``: the child calls ``time.tzset`` after taking
the job's environment.)

What no process can take on after its fork, the child compares instead (:func:`apply`): the
session (on a kernel that groups scheduling by session, autogroup, the session is the CPU
share: the server stays in the session of the job that started it, and its children stay in
the server's), the cgroup (the CPU, memory and I/O shares of systemd and of batch schedulers),
the credentials (user, groups) and the namespaces.

What the child cannot take on, :func:`apply` names in one line, and the job then runs fresh:
a hard limit above the server's (only a privileged process may raise one), a limit on the
address space or data segment below what the forked child already maps (a fresh process would
start small and grow), a nice value below the server's, CPUs outside the server's cgroup, a
real-time policy or I/O class, an OOM score adjustment below the server's, and another
session, cgroup, user, group list or namespace than the server's.
"""

from __future__ import annotations

import os
import resource
import signal

#: the resource limits a job takes on (those this platform has): ``RLIMIT_AS``, ``RLIMIT_CPU``...
LIMITS = tuple(sorted(name for name in dir(resource) if name.startswith("RLIMIT_")))
#: set by every Python interpreter at start-up (SIG_IGN): the client's say nothing of its caller
_PYTHON_SETS = {signal.SIGPIPE, getattr(signal, "SIGXFSZ", signal.SIGPIPE)}


def capture() -> dict:
    """This process's state, as JSON-ready values."""
    mask = os.umask(0)
    os.umask(mask)
    ignored = [
        int(s)
        for s in signal.valid_signals()
        if s not in _PYTHON_SETS and s not in (signal.SIGKILL, signal.SIGSTOP) and _ignored(s)
    ]
    return {
        "umask": mask,
        "limits": {name: list(resource.getrlimit(getattr(resource, name))) for name in LIMITS},
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "affinity": sorted(os.sched_getaffinity(0)),
        "ignored": sorted(ignored),
        "blocked": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        "scheduler": [os.sched_getscheduler(0), os.sched_getparam(0).sched_priority],
        "ioprio": io_priority(),
        "oom_score_adj": _read(OOM_SCORE_ADJ),
        "fixed": fixed(),
    }


#: the OOM killer's adjustment of this process (``choom``)
OOM_SCORE_ADJ = "/proc/self/oom_score_adj"
#: the namespaces a process lives in (``unshare``): each a link naming its inode
NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")


def fixed() -> dict:
    """What a process cannot change once forked, and a warm job must share with its caller: the
    session (its autogroup), the cgroup, the credentials, the namespaces."""
    namespaces: dict[str, str | None] = {}
    for name in NAMESPACES:
        try:
            namespaces[name] = os.readlink(f"/proc/self/ns/{name}")
        except OSError:
            namespaces[name] = None
    return {
        "session": os.getsid(0),
        "cgroup": _read("/proc/self/cgroup"),
        "credentials": [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), sorted(os.getgroups())],
        "namespaces": namespaces,
    }


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


#: ``ioprio_get`` and ``ioprio_set`` by machine (no Python binding: ``syscall``)
_IOPRIO_CALLS = {"x86_64": (252, 251), "aarch64": (31, 30), "ppc64le": (274, 273)}
_IOPRIO_WHO_PROCESS = 1


def _ioprio_call(index: int, *args: int) -> int | None:
    import ctypes
    import platform

    numbers = _IOPRIO_CALLS.get(platform.machine())
    if numbers is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.syscall(numbers[index], _IOPRIO_WHO_PROCESS, 0, *args)
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return int(result)


def io_priority() -> int | None:
    """This process's I/O priority (``ionice``: class << 13 | level), ``None`` where unknown."""
    try:
        return _ioprio_call(0)
    except OSError:
        return None


def _ignored(sig: int) -> bool:
    try:
        return signal.getsignal(sig) is signal.SIG_IGN
    except ValueError:
        return False


def ignored(state: dict) -> set[int]:
    """The signals the caller ignores (and the job must ignore too)."""
    return {int(s) for s in state.get("ignored", ())}


def apply(state: dict) -> str | None:
    """Make this process's state ``state`` (the signal dispositions excepted: the child sets them
    with the defaults); ``None``, or one line saying what could not be applied."""
    os.umask(int(state["umask"]))
    nice = int(state["nice"])
    if os.getpriority(os.PRIO_PROCESS, 0) != nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        except OSError as exc:
            return f"cannot set the nice value {nice} in the warm child: {exc.strerror}"
    cpus = set(state["affinity"])
    if os.sched_getaffinity(0) != cpus:
        try:
            os.sched_setaffinity(0, cpus)
        except OSError as exc:
            return f"cannot set the CPU affinity {sorted(cpus)} in the warm child: {exc.strerror}"
    problem = _apply_limits({str(k): (int(v[0]), int(v[1])) for k, v in state["limits"].items()})
    if problem is not None:
        return problem
    problem = _apply_scheduling(state) or _compare_fixed(state.get("fixed") or {})
    if problem is not None:
        return problem
    signal.pthread_sigmask(signal.SIG_SETMASK, [int(s) for s in state["blocked"]])
    return None


def _apply_limits(limits: dict[str, tuple[int, int]]) -> str | None:
    mapped = _mapped()
    for name, (soft, hard) in sorted(limits.items()):
        which = getattr(resource, name, None)
        if which is None or resource.getrlimit(which) == (soft, hard):
            continue
        used = mapped.get(name)
        if used is not None and soft != resource.RLIM_INFINITY and soft < used:
            return (
                f"{name} {_size(soft)} is below the {_size(used)} the warm child maps already "
                "(a fresh process starts smaller)"
            )
        try:
            resource.setrlimit(which, (soft, hard))
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            return f"cannot set {name} to {_pair(soft, hard)} in the warm child: {why}"
    return None


def _mapped() -> dict[str, int]:
    """Bytes this process maps: its address space and its data segment (``/proc/self/statm``)."""
    try:
        with open("/proc/self/statm") as f:
            fields = [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return {}
    page = os.sysconf("SC_PAGE_SIZE")
    return {"RLIMIT_AS": fields[0] * page, "RLIMIT_DATA": fields[5] * page}


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def _pair(soft: int, hard: int) -> str:
    def one(n: int) -> str:
        return "unlimited" if n == resource.RLIM_INFINITY else str(n)

    return f"{one(soft)}:{one(hard)}"


def _apply_scheduling(state: dict) -> str | None:
    """The caller's scheduling policy, I/O priority and OOM score adjustment."""
    policy, priority = (int(v) for v in state.get("scheduler") or (os.sched_getscheduler(0), 0))
    if [os.sched_getscheduler(0), os.sched_getparam(0).sched_priority] != [policy, priority]:
        try:
            os.sched_setscheduler(0, policy, os.sched_param(priority))
        except OSError as exc:
            return f"cannot set the scheduling policy {policy} (priority {priority}) in the warm child: {exc.strerror}"
    wanted = state.get("ioprio")
    if wanted is not None and io_priority() not in (None, wanted):
        try:
            _ioprio_call(1, int(wanted))
        except OSError as exc:
            level = f"{int(wanted) >> 13}/{int(wanted) & 0xFF}"
            return f"cannot set the I/O priority {level} (class/level) in the warm child: {exc.strerror}"
    adj = state.get("oom_score_adj")
    if adj is not None and _read(OOM_SCORE_ADJ) not in (None, adj):
        try:
            with open(OOM_SCORE_ADJ, "w") as f:
                f.write(str(int(adj)))
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            return f"cannot set the OOM score adjustment {adj} in the warm child: {why}"
    return None


#: what each item of :func:`fixed` is, for the one line
_FIXED_WHAT = {
    "session": "session (its scheduling group under autogroup)",
    "cgroup": "cgroup",
    "credentials": "user and groups",
    "namespaces": "namespaces",
}


def _compare_fixed(wanted: dict) -> str | None:
    """One line naming what of :func:`fixed` the caller does not share with this child."""
    have = fixed()
    for key, what in _FIXED_WHAT.items():
        if key in wanted and wanted[key] != have[key]:
            return (
                f"the job's {what} is not the warm server's ({_short(wanted[key])} here, "
                f"{_short(have[key])} in the server): a forked job would not be the caller's process"
            )
    return None


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 80 else text[:77] + "..."
