"""No command overwrites its own input: an output argument naming one of the command's inputs
(the same path, another spelling, a symlink or a hard link to it) is one line, exit status 2,
and the input is untouched.

The commands and their file arguments are listed from the command line's own parser
(:func:`advgen.cli.build_parser`; file arguments are the ones added with
:func:`advgen.commands._args.add_input` / ``add_output``), not by hand: every pair (output,
input) of every subcommand is tried.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from advgen.cli import build_parser
from advgen.commands._args import FileType
from tests.errors.conftest import assert_one_line_error, run_cli


def _commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for name, sub in getattr(parser, "commands", {}).items():
        yield (*prefix, name), sub
        yield from _commands(sub, (*prefix, name))


def _file_actions(parser: argparse.ArgumentParser, role: str) -> list[argparse.Action]:
    return [a for a in parser._actions if isinstance(a.type, FileType) and a.type.role == role]


def _value(action: argparse.Action, path: str) -> str:
    return f"x={path}" if isinstance(action.type, FileType) and action.type.named else path


def _argv(
    command: tuple[str, ...], parser: argparse.ArgumentParser, given: dict[argparse.Action, str], tmp: Path
) -> list[str]:
    """``command`` with the values of ``given`` and a placeholder for every other required argument."""
    options: list[str] = []
    positionals: list[str] = []
    for action in parser._actions:
        if action in given:
            value = given[action]
        elif action.option_strings and not action.required:
            continue
        elif not action.option_strings and action.nargs in ("?", "*"):
            continue
        elif action.choices:
            value = str(next(iter(action.choices)))
        elif isinstance(action.type, FileType):
            value = _value(action, str(tmp / f"other_{action.dest}"))
        else:
            value = "{}"
        if action.option_strings:
            options += [action.option_strings[-1], value]
        else:
            positionals.append(value)
    return [*command, *options, *positionals]


def _pairs() -> list[tuple[tuple[str, ...], str, str]]:
    pairs = []
    for command, parser in _commands(build_parser()):
        for out in _file_actions(parser, "output"):
            for inp in _file_actions(parser, "input"):
                pairs.append((command, out.dest, inp.dest))
    return pairs


PAIRS = _pairs()


def test_the_pairs_cover_every_command_with_an_input_and_an_output() -> None:
    with_both = {
        command
        for command, parser in _commands(build_parser())
        if _file_actions(parser, "output") and _file_actions(parser, "input")
    }
    assert {c for c, _, _ in PAIRS} == with_both
    assert (("claims",), "out", "config") in PAIRS  # advgen claims --config C.yaml -o C.yaml
    assert len(with_both) >= 25


@pytest.mark.parametrize("spelling", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize(
    ("command", "out_dest", "in_dest"), PAIRS, ids=["/".join(map(str, p)) for p in PAIRS]
)
def test_an_output_naming_an_input_is_refused(
    command: tuple[str, ...], out_dest: str, in_dest: str, spelling: str, workdir: Path, capsys
) -> None:
    parser = dict(_commands(build_parser()))[command]
    out = next(a for a in _file_actions(parser, "output") if a.dest == out_dest)
    inp = next(a for a in _file_actions(parser, "input") if a.dest == in_dest)
    source = workdir / "input.yaml"
    source.write_text("the input\n")
    target = workdir / "alias.yaml"
    if spelling == "same":
        target = workdir / "." / "input.yaml"
    elif spelling == "symlink":
        target.symlink_to(source)
    else:
        os.link(source, target)
    argv = _argv(command, parser, {inp: _value(inp, str(source)), out: _value(out, str(target))}, workdir)
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, out.type.option, f"is also the input {inp.type.option}")
    assert source.read_text() == "the input\n"
    assert sorted(p.name for p in workdir.iterdir()) == sorted({"input.yaml", target.name})
