"""The record of the config files a run was started with, ``WORKDIR/results/run_config.txt``, and
the Makefile's steps that use it: ``make run`` writes it, ``make report`` and ``make
publish-default-run`` read it.

A results folder is data a user may receive from someone else: its record is read here, by a
program, never pasted into a shell line. Each line must name a config file (a path relative to
the checkout, or absolute) that is a regular file; anything else (a folder, a FIFO, a missing
file, a control character, bytes that are not UTF-8, more than :data:`MAX_LINES` lines) is one
line naming the record and the line, exit status 2. The config files then pass ``advgen
check-config``'s check, and Snakemake gets them as arguments (``os.execv``-style, no shell)::

    python -m advgen.run_record write --workdir W CONFIG...
    python -m advgen.run_record report --workdir W --snakemake BIN --snakefile FILE --cores N \\
        (--config "C..." | --default-config "C...") [--demo DIR=CONFIG]
    python -m advgen.run_record check --workdir W --target NAME CONFIG...

``report`` refuses, in one line and exit status 2, a WORKDIR that is not a folder or holds no
``results/``, a CONFIG given on the command line that is not the recorded one, and a WORKDIR
without a record when no CONFIG says which config it was run with; when Snakemake cannot make
the report (a results folder with parts missing or broken), its output goes to
``WORKDIR/logs/make_report.log`` and the one line quotes its error.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from advgen.errors import AdvgenError

#: the record, relative to WORKDIR
RECORD = Path("results") / "run_config.txt"
#: Snakemake's output when it fails to make the report, relative to WORKDIR
REPORT_LOG = Path("logs") / "make_report.log"
#: the most config files a record names
MAX_LINES = 64
_MAX_BYTES = 64 * 1024


def record_path(workdir: str | os.PathLike[str]) -> Path:
    return Path(workdir) / RECORD


def write_record(workdir: str | os.PathLike[str], configs: Sequence[str]) -> Path:
    """Record ``configs`` (one path a line) for ``make report``; the record is written atomically."""
    from advgen.io import write_text

    path = record_path(workdir)
    for config in configs:
        _check_config_path(config, f"{config}")
    write_text(path, "".join(f"{c}\n" for c in configs))
    return path


def read_record(workdir: str | os.PathLike[str]) -> list[str] | None:
    """The config files the record names, ``None`` when there is none (or it names none); one
    line (:class:`AdvgenError`) when it is not a record ``make run`` writes."""
    path = record_path(workdir)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise AdvgenError(f"{path}: is not a regular file (make run writes one path a line)")
    if info.st_size > _MAX_BYTES:
        raise AdvgenError(
            f"{path}: {info.st_size} bytes, not a list of config files (make run writes one a line)"
        )
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise AdvgenError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdvgenError(f"{path}: byte {exc.start}: not valid UTF-8") from None
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise AdvgenError(f"{path}: {len(lines)} lines, more than the {MAX_LINES} config files a run takes")
    configs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        configs.append(_check_config_path(line, f"{path}:{number}"))
    return configs or None


def _check_config_path(line: str, where: str) -> str:
    """``line`` as a config file's path, or one line naming ``where`` and what is wrong."""
    if any(ord(c) < 32 or ord(c) == 127 for c in line):
        raise AdvgenError(f"{where}: {line!r} is not a config file's path (a control character)")
    if line != line.strip():
        raise AdvgenError(f"{where}: {line!r} is not a config file's path (spaces around it)")
    try:
        info = os.stat(line)
    except OSError as exc:
        raise AdvgenError(f"{where}: config file {line!r}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise AdvgenError(f"{where}: config file {line!r} is not a regular file")
    return line


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def report(args: argparse.Namespace) -> int:
    """``make report``: the configs to use, checked, then Snakemake's ``--report``."""
    from advgen.config_files import check_config_files

    workdir = args.workdir
    if not os.path.isdir(workdir):
        raise AdvgenError(f"WORKDIR={workdir}: no such folder")
    if not os.path.isdir(Path(workdir) / "results"):
        raise AdvgenError(
            f"{workdir} has no results/ folder: nothing to report (make run WORKDIR={workdir} first)"
        )
    recorded = read_record(workdir)
    given = args.config.split() if args.config is not None else None
    where = f"{workdir}/{RECORD}"
    if recorded is not None:
        if given is not None and given != recorded:
            raise AdvgenError(
                f'{workdir} was run with CONFIG="{" ".join(recorded)}" ({where}), not CONFIG="{" ".join(given)}"'
            )
        configs = recorded
    elif given is not None:
        configs = given
    elif os.path.normpath(workdir) == ".":
        configs = (args.default_config or "").split()
    else:
        demo = dict(d.split("=", 1) for d in args.demo if "=" in d)
        hint = f" (the demo: CONFIG={demo[workdir]})" if workdir in demo else ""
        raise AdvgenError(
            f"{where} does not say which config {workdir} was run with: "
            f"make report WORKDIR={workdir} CONFIG=<its config files>{hint}"
        )
    if not configs:
        raise AdvgenError("no config file: give CONFIG=<config files>")
    for config in configs:
        if given is not None and recorded is None:
            _check_config_path(config, "CONFIG")
    check_config_files(configs)
    command = [args.snakemake, "-s", args.snakefile, "--cores", args.cores, "--configfile"]
    command += [os.path.abspath(c) for c in configs]
    command += ["--report", "results/report.html"]
    print(f"cd {workdir} && {' '.join(command)}", flush=True)
    log = Path(workdir) / REPORT_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{os.path.dirname(args.snakemake)}{os.pathsep}{os.environ.get('PATH', '')}"}
    with open(log, "wb") as out:
        done = subprocess.run(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode != 0:
        raise AdvgenError(
            f"Snakemake could not make the report of {workdir} (exit status {done.returncode}): "
            f"{_error_line(log)} (its output: {log})"
        )
    print(f"{Path(workdir) / 'results' / 'report.html'} (Snakemake's output: {log})")
    return 0


def _error_line(log: Path) -> str:
    """The line of Snakemake's output that says what went wrong (its last error line)."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "see its output"
    marks = ("Error", "error:", "Exception", "Missing", "not found", "No such")
    chosen = [line for line in lines if any(m in line for m in marks) and not line.startswith("File ")]
    line = (chosen or lines or ["no output"])[-1]
    return line if len(line) <= 300 else line[:297] + "..."


def check(args: argparse.Namespace) -> int:
    """``make publish-default-run``: the record must name exactly ``args.configs``."""
    recorded = read_record(args.workdir)
    if recorded != list(args.configs):
        raise AdvgenError(
            f"{RECORD.parent}/ is not a run of {' '.join(args.configs)} alone ({RECORD}): run make run first"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m advgen.run_record", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="action", required=True)
    w = sub.add_parser("write", help="record the config files of make run")
    w.add_argument("--workdir", default=".")
    w.add_argument("configs", nargs="+")
    r = sub.add_parser("report", help="make report")
    r.add_argument("--workdir", default=".")
    r.add_argument("--snakemake", required=True)
    r.add_argument("--snakefile", required=True)
    r.add_argument("--cores", default="all")
    r.add_argument("--config", default=None, help="CONFIG as given on make's command line")
    r.add_argument("--default-config", default=None, help="the Makefile's default CONFIG")
    r.add_argument("--demo", action="append", default=[], help="DIR=CONFIG: a folder's own config")
    c = sub.add_parser("check", help="make publish-default-run")
    c.add_argument("--workdir", default=".")
    c.add_argument("--target", default="publish-default-run")
    c.add_argument("configs", nargs="+")
    args = p.parse_args(argv)
    target = {"write": "run", "report": "report", "check": getattr(args, "target", "")}[args.action]
    try:
        if args.action == "write":
            write_record(args.workdir, args.configs)
            return 0
        return report(args) if args.action == "report" else check(args)
    except AdvgenError as exc:
        _say(f"make {target}: {exc}")
        return 2
    except OSError as exc:  # a folder that cannot be written (the log, the record), Snakemake missing
        _say(f"make {target}: {exc.filename or ''}: {exc.strerror or exc}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
