"""The caller's process state that a warm job takes on. Standard library only.

A fresh process inherits from the shell or Snakemake that starts it more than its arguments,
folder and environment: its file mode creation mask, its resource limits (``ulimit``,
``prlimit``), its nice value and CPU affinity (``nice``, ``taskset``), its blocked signals and
the signals it ignores (``nohup`` ignores SIGHUP, a non-interactive shell's background job
SIGINT and SIGQUIT). The client :func:`capture`\\ s them; the forked child :func:`apply`\\ s them
before the job runs, so the job is the caller's process, not the server's. (The time zone is
the environment's ``TZ``: the child calls ``time.tzset`` after taking the job's environment.)

What the child cannot take on, :func:`apply` names in one line, and the job then runs fresh:
a hard limit above the server's (only a privileged process may raise one), a limit on the
address space or data segment below what the forked child already maps (a fresh process would
start small and grow), a nice value below the server's, CPUs outside the server's cgroup.
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
    }


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
