"""The run that owns a job's warm start, and whether the job may use it. Standard library only.

The workflow's ``onstart`` (run by the Snakemake process that schedules the jobs, never by the
Snakemake that SLURM starts for a submitted job: Snakemake gives those ``--no-hooks``) calls
:func:`announce`, which exports ``ADVGEN_WARM_OWNER=<host>:<pid>:<SLURM job id or empty>``;
every local job inherits it. :func:`owner_of_job` lets a job start warm only where that run's
server can serve it and end with it: the same host, the same SLURM job (none on a
workstation; inside an ``salloc`` both are the allocation's), and an owner that is still
alive. A job that SLURM runs for the run has its own ``SLURM_JOB_ID`` (sbatch may export the
owner variable to it), so it starts fresh; so does every job when ``ADVGEN_WARM=0``.
"""

from __future__ import annotations

import os
import socket
from collections import namedtuple
from collections.abc import Mapping, MutableMapping

#: the run's owner, exported by :func:`announce`
OWNER_ENV = "ADVGEN_WARM_OWNER"
#: ``0`` (or ``false``, ``no``, ``off``) turns the warm start off: every job a fresh process
ENABLE_ENV = "ADVGEN_WARM"
_OFF = {"0", "false", "no", "off"}


class Owner(namedtuple("Owner", "host pid slurm_job")):
    """A Snakemake process that schedules jobs: its host (str), pid (int) and SLURM job (str,
    ``""`` for none). (A named tuple: ``typing`` and ``dataclasses`` cost the client milliseconds.)"""

    __slots__ = ()

    def tag(self) -> str:
        return f"{self.host}:{self.pid}:{self.slurm_job}"


def enabled(environ: Mapping[str, str]) -> bool:
    """Whether ``ADVGEN_WARM`` leaves the warm start on (the default)."""
    return environ.get(ENABLE_ENV, "1").strip().lower() not in _OFF


def this_process(environ: Mapping[str, str] = os.environ) -> Owner:
    return Owner(socket.gethostname(), os.getpid(), environ.get("SLURM_JOB_ID", ""))


def announce(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Export this process as the owner of the jobs it starts (removed when ``ADVGEN_WARM=0``);
    returns whether the warm start is on."""
    if not enabled(environ):
        environ.pop(OWNER_ENV, None)
        return False
    environ[OWNER_ENV] = this_process(environ).tag()
    return True


def parse(tag: str) -> Owner | None:
    """The owner a tag of :meth:`Owner.tag` names, or ``None`` for anything else."""
    host, sep, rest = tag.strip().rpartition(":")
    host, sep2, pid = host.rpartition(":")
    if not (sep and sep2 and host and pid.isdigit() and int(pid) > 0):
        return None
    return Owner(host, int(pid), rest)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process of this user."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def owner_of_job(environ: Mapping[str, str] = os.environ) -> Owner | None:
    """The run whose server may start this job, or ``None``: start a fresh process."""
    if not enabled(environ):
        return None
    owner = parse(environ.get(OWNER_ENV, ""))
    if owner is None or owner.host != socket.gethostname():
        return None
    if owner.slurm_job != environ.get("SLURM_JOB_ID", ""):
        return None  # a job SLURM runs for the run (sbatch exported the owner variable)
    return owner if alive(owner.pid) else None
