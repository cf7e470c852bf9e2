"""Run a command; print its wall time and the CPU seconds of every process it started.

``/usr/bin/time`` counts a command's waited-for descendants only. A local run's warm server
(:mod:`advgen.warm`) is started by the run's first job in a process group of its own and outlives
that job, so its imports and every job it forks are missed (``make demo`` at 6faab90: 8.6 of its 55 CPU
s counted). This script becomes a child subreaper (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``), so such
orphans are re-parented to it; after the command it reaps them (the warm server ends with its
run) and reports the CPU time of the whole tree::

    python scripts/cpu_time.py make demo

prints, on stderr, ``wall_s=... cpu_s=... user_s=... sys_s=...`` and exits with the command's
status. Wall time stops when the command ends, not when its last orphan does.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants (Linux only)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_all() -> None:
    """Wait for every child, adopted ones included, until none is left."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python scripts/cpu_time.py COMMAND [ARG ...]", file=sys.stderr)
        return 2
    become_subreaper()
    start = time.monotonic()
    code = subprocess.call(argv)
    wall = time.monotonic() - start
    reap_all()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"wall_s={wall:.1f} cpu_s={cpu:.1f} user_s={usage.ru_utime:.1f} sys_s={usage.ru_stime:.1f}",
        file=sys.stderr,
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
