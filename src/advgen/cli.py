"""The ``advgen`` command line: the user's commands, and one job step per job kind.

``advgen --help`` lists the commands a user types, grouped (:data:`GROUPS`): evaluating one's own
model, checking and reading a run (the study itself runs through Snakemake: ``make run``), the
claims and the confirmatory round, the CV, the test helpers. The per-job steps the workflow's
rules run are listed by ``advgen job --help`` and run as ``advgen job KIND ...``; the generated
rules call the same step as ``advgen KIND ...`` (a rule's command text is part of what Snakemake
compares for its code trigger, so a form the rules have always used keeps a finished study from
rerunning), which ``advgen --help`` leaves out.

The commands are the modules of :mod:`advgen.commands` (``check_config.py`` is ``advgen
check-config``). Each module defines::

    HELP = "one line shown by `advgen --help`"
    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def main(args: argparse.Namespace) -> None: ...

and imports heavy libraries (torch) inside ``main`` so that ``advgen --help`` stays fast.
The declared job kinds (:data:`advgen.pipeline.jobkinds.JOB_KINDS`) add one generated
step each (:mod:`advgen.commands._jobkind`). Every command's ``--help`` shows each option's
default. ``-v`` (debug logging) and ``-q`` (warnings and errors only) may come before or after
the command.
A :class:`~advgen.errors.AdvgenError` is printed as one line (exit status 2), and so are
running out of memory (a size in the config that the machine cannot allocate, known only
at run time) and a full disk or unwritable folder met by any writer
(:func:`advgen.write_errors.write_error`); other exceptions keep their traceback. SIGTERM (what
``scancel``, a SLURM preemption or a stopped Snakemake send first) ends the command with exit
status 143, and SIGINT (Ctrl-C) with 130, whenever it arrives: a write under way is finished or
removed first, so no temporary file is left behind; one that arrives after the command finished
its outputs is ignored (exit status 0, the outputs kept) (:mod:`advgen.termination`).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

from advgen import __version__
from advgen.errors import AdvgenError
from advgen.termination import complete, exit_on_sigterm, exit_status

#: the user's commands, grouped as ``advgen --help`` lists them (every command module is in one)
GROUPS: dict[str, tuple[str, ...]] = {
    "Evaluate your own model": ("evaluate",),
    "Check and read a run (the study runs through Snakemake: make run, make demo)": (
        "check-config",
        "check-profile",
        "provenance",
        "plot",
        "summary-table",
        "sample-quality-table",
    ),
    "Claims and the confirmatory round": ("claims", "power-plan", "freeze"),
    "The CV": ("cv",),
    "Test helpers": ("fake-data", "paper-smoke-config"),
}
#: what ``advgen --help`` says first
DESCRIPTION = (
    "advgen: generative models and adversarial robustness, reproduced and tested claim by claim, "
    "orchestrated by Snakemake. The commands a user types, grouped; the workflow's job steps: advgen job."
)
#: the command that runs one job step: ``advgen job KIND``
JOB = "job"
JOB_HELP = "run one job step of the workflow (advgen job --help lists the job kinds)"


class _DefaultsFormatter(argparse.HelpFormatter):
    """argparse's help with each option's default: ``(default: X)`` after its help, unless the
    default is None, False or empty, or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or "default" in text
            or default in (None, False, [], "")
            or default is argparse.SUPPRESS
            or not action.option_strings
            or action.nargs == 0
        ):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list | tuple) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage block): ``advgen CMD: error: ...``, exit status 2.

    ``commands`` maps each subcommand's name to its parser (``advgen cv`` has its own);
    ``listing``: (title, [(name, help), ...]) groups its help shows in place of argparse's
    list of subcommands (whole descriptions, wrapped)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _DefaultsFormatter)
        super().__init__(*args, **kwargs)
        self.commands: dict[str, argparse.ArgumentParser] = {}
        self.listing: list[tuple[str, list[tuple[str, str]]]] = []

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices
        return action

    def format_help(self) -> str:
        if not self.listing:
            return super().format_help()
        import shutil
        import textwrap

        head = self._get_formatter()
        head.add_usage(self.usage, self._actions, self._mutually_exclusive_groups)
        head.add_text(self.description)
        width = max(60, min(shutil.get_terminal_size().columns, 100) - 2)
        lines = []
        for title, entries in self.listing:
            lines += ["", f"{title}:"]
            for name, text in entries:
                wrapped = textwrap.wrap(text, width - 24) or [""]
                first = f"  {name:<20}  {wrapped[0]}" if len(name) <= 20 else f"  {name}\n{'':24}{wrapped[0]}"
                lines += [first, *(f"{'':24}{line}" for line in wrapped[1:])]
        options = self._get_formatter()
        options.start_section("options")
        options.add_arguments([a for a in self._actions if a.option_strings])
        options.end_section()
        epilog = f"\n{self.epilog}\n" if self.epilog else ""
        return head.format_help() + "\n".join(lines) + "\n\n" + options.format_help() + epilog


def _command_modules() -> dict[str, str]:
    import advgen.commands as pkg

    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))
    return {name.replace("_", "-"): f"advgen.commands.{name}" for name in names}


def _global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """``-v``/``-q`` (and, on the top parser, ``--threads``); ``default``: SUPPRESS on a
    command's parser, so an option given before the command keeps its value."""
    level = parser.add_mutually_exclusive_group()
    options = {} if default is None else {"default": default}
    level.add_argument("-v", "--verbose", action="store_true", help="debug logging", **options)
    level.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only", **options)
    if default is None:
        parser.add_argument(
            "--threads", type=int, default=None, help="torch CPU threads (rules pass their `threads:`)"
        )


def command_in(argv: Sequence[str]) -> str | None:
    """The command that ``argv`` names (the first word after the global options), if any."""
    pre = _Parser(prog="advgen", add_help=False)
    _global_options(pre)
    _, rest = pre.parse_known_args(argv)
    return rest[0] if rest and not rest[0].startswith("-") else None


def _job_kind_in(argv: Sequence[str]) -> str | None:
    """The job kind ``advgen job KIND ...`` names, if any."""
    rest = list(argv)[list(argv).index(JOB) + 1 :] if JOB in argv else []
    return next((word for word in rest if not word.startswith("-")), None)


def build_parser(command: str | None = None, job_kind: str | None = None) -> argparse.ArgumentParser:
    """The parser with one subparser per command module, one per job kind (the form the rules
    call, left out of ``--help``) and ``job`` (whose own subparsers are the job kinds); with a
    known ``command``, that command's only (a job imports its own command module, not all of
    them: ~0.1 s a job), and under ``job`` the job kind ``job_kind`` names, if known."""
    parser = _Parser(prog="advgen", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"advgen {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = _command_modules()
    kinds = {} if command in modules else _job_kinds()  # the declared job kinds' subcommands
    if command is None:  # the whole listing (importing every command module for its HELP)
        parser.listing = _listing(modules, kinds)
    if command in modules:
        modules = {command: modules[command]}
    elif command in kinds:
        modules, kinds = {}, {command: kinds[command]}
    elif command == JOB:
        modules = {}
    for name, module_name in modules.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        _global_options(p, argparse.SUPPRESS)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    if command != JOB:
        for name, kind in kinds.items():
            _add_job(sub, name, kind)
    job = sub.add_parser(JOB, help=JOB_HELP, description=JOB_HELP)
    if command in (None, JOB):
        job.listing = [
            ("Job kinds (advgen job KIND --help: its spec, inputs and outputs)", _kind_entries(kinds))
        ]
    if command == JOB:
        steps = job.add_subparsers(dest="job_kind", metavar="KIND", required=True)
        chosen = {job_kind: kinds[job_kind]} if job_kind in kinds else kinds
        for name, kind in chosen.items():
            _add_job(steps, name, kind)
    return parser


def _add_job(sub: Any, name: str, kind: Any) -> None:
    from advgen.commands import _jobkind

    p = sub.add_parser(name, help=kind.help, description=kind.help)
    _global_options(p, argparse.SUPPRESS)
    _jobkind.add_arguments(p, kind)
    p.set_defaults(_main=functools.partial(_jobkind.main, kind))


def _listing(modules: dict[str, str], kinds: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``advgen --help``'s groups: :data:`GROUPS` with each command's HELP, then the job steps."""
    out = []
    for title, names in GROUPS.items():
        out.append((title, [(n, importlib.import_module(modules[n]).HELP) for n in names if n in modules]))
    steps = f"{JOB_HELP}; the workflow's rules run them, {len(kinds)} kinds" if kinds else JOB_HELP
    out.append(("Job steps", [(f"{JOB} KIND", steps)]))
    return out


def _kind_entries(kinds: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, kind.help) for name, kind in kinds.items()]


def _job_kinds() -> dict[str, Any]:
    """Subcommand -> job kind of :data:`advgen.pipeline.jobkinds.JOB_KINDS` (:mod:`advgen.commands._jobkind`)."""
    from advgen.commands import _jobkind

    return _jobkind.commands()


def main(argv: Sequence[str] | None = None, *, final: bool | None = None) -> int:
    """Run the command ``argv`` names (``sys.argv[1:]`` when ``None``); its exit status.

    ``final``: this call is the process's last act (by default when ``argv`` is ``None``), so a
    command that completed keeps ignoring SIGTERM and SIGINT to the process's exit (:func:`console`)."""
    final = argv is None if final is None else final
    argv = sys.argv[1:] if argv is None else list(argv)
    with exit_on_sigterm(final=final):
        command = command_in(argv)
        parser = build_parser(command, _job_kind_in(argv)) if command == JOB else build_parser(command)
        args = parser.parse_args(argv)
        args.argv = list(argv)  # the command line as given (evaluate's report records it)
        if getattr(args, "job_kind", None):
            args.command = f"{JOB} {args.job_kind}"
        level = (
            logging.DEBUG
            if args.verbose
            else logging.WARNING
            if getattr(args, "quiet", False)
            else logging.INFO
        )
        logging.basicConfig(
            level=level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        if args.threads:
            _limit_threads(args.threads)
        code = _run(args)
        if code == 0:
            complete()  # every output is written: a signal from now on keeps them, status 0
            return 0
        return exit_status() or code


def console(argv: Sequence[str] | None = None) -> int:
    """What the ``advgen`` console script runs (:func:`advgen.warm.client.main`), in a fresh
    process or a warm child: :func:`main` as the process's last act, so a signal that arrives
    after the command's outputs are written is ignored to the exit (status 0, outputs kept)."""
    return main(argv, final=True)


def _run(args: argparse.Namespace) -> int:
    from advgen.commands._files import file_args, overwritten_input
    from advgen.input_files import in_place_file, refuse_special_output, regular_input
    from advgen.output_lock import output_locks

    try:
        problem = overwritten_input(args)
        if problem is not None:
            raise AdvgenError(problem)
        for arg in file_args(args):  # a FIFO or a device as an input: refused before it is opened
            if arg.role == "input":
                regular_input(arg.path)
            elif arg.in_place:  # read, then replaced: a regular file or nothing
                in_place_file(arg.path)
            if arg.role == "output" and arg.path:  # a FIFO, a socket or a device is never replaced
                refuse_special_output(arg.path, arg.option)
        outputs = [(arg.option, arg.path) for arg in file_args(args) if arg.role == "output" and arg.path]
        with output_locks(outputs):  # one writer per output (advgen.output_lock)
            args._main(args)
    except AdvgenError as exc:
        print(f"advgen {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as exc:
        message = out_of_memory(exc)
        if message is None:
            raise
        print(f"advgen {args.command}: error: {message}", file=sys.stderr)
        return 2
    except OSError as exc:  # a writer outside advgen.io meets a full disk or a read-only folder
        from advgen.write_errors import write_error

        error = write_error(exc.filename or "?", exc)
        if error is None:
            raise
        print(f"advgen {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


def _limit_threads(n: int) -> None:
    """torch's CPU threads: set now if torch is loaded, else through the variables it reads on import.

    Commands that need no torch (tables, figures, claims) then never import it (the
    import costs about 2 s per job).
    """
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)


_OOM_MARKS = ("out of memory", "can't allocate memory", "not enough memory", "cannot allocate memory")


def out_of_memory(exc: BaseException) -> str | None:
    """One line for an allocation failure (CPU or CUDA), else ``None``."""
    text = " ".join(str(exc).split())
    if not isinstance(exc, MemoryError) and not any(mark in text.lower() for mark in _OOM_MARKS):
        return None
    first = text.split(". ")[0][:200] or type(exc).__name__
    return f"out of memory ({first}); lower batch_size or the model/latent sizes in the config"


if __name__ == "__main__":
    sys.exit(main())
