"""No command overwrites its own input: an output argument naming one of the command's inputs
(the same path, another spelling, a symlink or a hard link to it), holding one (a folder the
command fills or deletes) or lying inside one (a folder it reads), or holding or naming another
output, is one line, exit status 2, and nothing is touched.

The commands and their file arguments are listed from the command line's own parser
(:func:`advgen.cli.build_parser`; file arguments are the ones added with
:func:`advgen.commands._files.add_input` / ``add_output``: resume folders and files, sample and
results folders included), not by hand: every pair (output, input) and every pair of outputs of
every subcommand is tried. The files a command finds itself (the checkpoints a sample-quality row
names, the tables a claims page reads, the outputs provenance scans) have cases of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from advgen.cli import build_parser
from advgen.commands._files import FileType
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
        elif not action.required:  # an option, a positional of nargs ? or *, an optional subcommand
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


def _output_pairs() -> list[tuple[tuple[str, ...], str, str]]:
    pairs = []
    for command, parser in _commands(build_parser()):
        outputs = _file_actions(parser, "output")
        pairs += [(command, a.dest, b.dest) for a in outputs for b in outputs if a is not b]
    return pairs


OUTPUT_PAIRS = _output_pairs()


def _action(parser: argparse.ArgumentParser, role: str, dest: str) -> argparse.Action:
    return next(a for a in _file_actions(parser, role) if a.dest == dest)


def test_the_pairs_cover_every_command_with_an_input_and_an_output() -> None:
    with_both = {
        command
        for command, parser in _commands(build_parser())
        if _file_actions(parser, "output") and _file_actions(parser, "input")
    }
    assert {c for c, _, _ in PAIRS} == with_both
    assert (("claims",), "out", "config") in PAIRS  # advgen claims --config C.yaml -o C.yaml
    assert len(with_both) >= 25


#: the arguments that take text but name no file, by (command, dest), and what they are: every
#: other argument taking text must be a file argument (added with add_input / add_output) or a
#: job's spec (add_spec), so that the file rule applies to it
NOT_PATHS = {
    (("cv", "build"), "date"): "a date",
    (("cv", "stats"), "user"): "a GitHub user",
    (("cv", "stats"), "api"): "a URL",
    (("fake-data",), "sources"): "data set names",
    (("freeze",), "date"): "a date",
    (("freeze",), "commit"): "a commit hash",
    (("power-plan",), "cut"): "ID=N: a claim id and the units it is cut to",
    (("provenance",), "snakemake_options"): "command-line options",
    (("summary-table",), "table"): "a table kind",
    (("claims", "compare"), "names"): "the two pages' names in the summary",
    (
        ("evaluate",),
        "model",
    ): "FILE.py:NAME, its file checked against --out by the command (refuse_overwrite)",
    (("evaluate",), "data"): "a data set name or a .pt file, checked against --out by the command",
    (("evaluate",), "attack"): "an attack name",
    (("evaluate",), "norm"): "norm names",
    (("evaluate",), "eps"): "budgets",
    (("evaluate",), "param"): "KEY=VALUE attack parameters",
    (("evaluate",), "check"): "KEY=VALUE check sizes",
    (("evaluate",), "checks"): "the checks' level",
    (("evaluate",), "seeds"): "seeds, integers checked by their own type",
    (("evaluate",), "batch_size"): "a count, an integer checked by its own type",
    (("evaluate",), "name"): "the model's name in the tables",
    (("evaluate",), "device"): "a torch device",
}


def _text_arguments() -> list[tuple[tuple[str, ...], argparse.Action]]:
    """Every argument of every subcommand that takes a text value (not a number, not a flag)."""
    out = []
    for command, parser in _commands(build_parser()):
        for action in parser._actions:
            if action.nargs == 0 or isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            if action.type in (int, float) or action.dest == "help":
                continue
            out.append((command, action))
    return out


def test_every_path_argument_of_every_subcommand_is_under_the_file_rule() -> None:
    """``freeze --out`` and ``power-plan --markdown`` were plain arguments, outside the rule, and
    overwrote their inputs: an argument taking text is a file argument, a spec, or listed above."""
    from advgen.commands._args import SpecType

    outside = []
    listed = set()
    for command, action in _text_arguments():
        if isinstance(action.type, FileType | SpecType):
            continue
        key = (command, action.dest)
        if key in NOT_PATHS:
            listed.add(key)
            assert not (action.help or "").startswith(("input:", "output:")), f"{key} is a path"
            continue
        outside.append(f"{' '.join(command)} {'/'.join(action.option_strings) or action.dest}")
    assert not outside, f"arguments outside the file rule: {outside}"
    assert listed == set(NOT_PATHS), f"listed but gone: {set(NOT_PATHS) - listed}"


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


@pytest.mark.parametrize("relation", ["contains", "lies inside"])
@pytest.mark.parametrize(
    ("command", "out_dest", "in_dest"), PAIRS, ids=["/".join(map(str, p)) for p in PAIRS]
)
def test_an_output_holding_or_inside_an_input_is_refused(
    command: tuple[str, ...], out_dest: str, in_dest: str, relation: str, workdir: Path, capsys
) -> None:
    """``train-gan --samples <the folder of --train>`` deleted the training split; an output
    inside an input folder would be read back or deleted with it (a results folder that the
    command scans for named files is the exception: ``tree`` inputs, below)."""
    parser = dict(_commands(build_parser()))[command]
    out, inp = _action(parser, "output", out_dest), _action(parser, "input", in_dest)
    if relation == "lies inside" and inp.type.tree:
        pytest.skip("outputs may lie inside a tree input (the files it reads are checked by the command)")
    folder = workdir / "data"
    folder.mkdir()
    (folder / "input.pt").write_text("the input\n")
    if relation == "contains":
        given = {inp: _value(inp, str(folder / "input.pt")), out: _value(out, str(folder))}
    else:
        given = {inp: _value(inp, str(folder)), out: _value(out, str(folder / "out.pt"))}
    code, err = run_cli(_argv(command, parser, given, workdir), capsys)
    assert_one_line_error(code, err, out.type.option, f"{relation} the input {inp.type.option}")
    assert [p.name for p in workdir.rglob("*")] == ["data", "input.pt"]


@pytest.mark.parametrize(
    ("command", "first", "second"), OUTPUT_PAIRS, ids=["/".join(map(str, p)) for p in OUTPUT_PAIRS]
)
def test_an_output_naming_or_holding_another_output_is_refused(
    command: tuple[str, ...], first: str, second: str, workdir: Path, capsys
) -> None:
    """``--resume <--model>`` and ``--resume-dir`` holding ``--checkpoint`` deleted a declared output."""
    parser = dict(_commands(build_parser()))[command]
    a, b = _action(parser, "output", first), _action(parser, "output", second)
    given = {b: _value(b, str(workdir / "out" / "b.pt")), a: _value(a, str(workdir / "out"))}
    code, err = run_cli(_argv(command, parser, given, workdir), capsys)
    assert_one_line_error(code, err, "the output", "an output must not overwrite, hold or lie inside")
    assert not (workdir / "out").exists()


TRAIN_GAN = ["train-gan", "--spec", "{}", "--input", "train=data/train.pt", "--output"]
GAN_OUTPUTS = ["checkpoint=gan/checkpoint.pt", "losses=gan/losses.parquet", "status=gan/status.json"]


def test_a_resume_folder_counts_as_an_output(workdir: Path, capsys) -> None:
    """train-gan resumes from its state output ``resume`` and deletes it when done: it may hold
    no declared output (the samples folder here), and no output may hold it."""
    argv = [*TRAIN_GAN, *GAN_OUTPUTS, "samples=gan/resume/samples", "resume=gan/resume"]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, "--output gan/resume: contains the output --output (gan/resume/samples)")
    argv = [*TRAIN_GAN, *GAN_OUTPUTS, "samples=gan/samples", "resume=gan/status.json/resume"]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, "lies inside the output --output (gan/status.json)")
    assert not (workdir / "gan").exists()


def test_a_symlinked_output_folder_is_refused_before_anything_is_written(workdir: Path, capsys) -> None:
    (workdir / "elsewhere").mkdir()
    (workdir / "samples").symlink_to(workdir / "elsewhere")
    code, err = run_cli([*TRAIN_GAN, *GAN_OUTPUTS, "samples=samples", "resume=gan/resume"], capsys)
    assert_one_line_error(code, err, "--output samples: is a symbolic link to a folder")
    assert not (workdir / "gan").exists() and not any((workdir / "elsewhere").iterdir())


def test_a_list_output_is_checked_entry_by_entry(workdir: Path, capsys) -> None:
    """sample-quality's grids (one per real row) against its inputs: each is one output."""
    (workdir / "train.pt").write_text("a split\n")
    argv = ["sample-quality", "--spec", "{}", "--input", "classifiers=clf.pt", "references=train.pt"]
    code, err = run_cli([*argv, "--output", "summary=s.parquet", "grids=g.png", "grids=train.pt"], capsys)
    assert_one_line_error(code, err, "--output train.pt: is also the input --input (train.pt)")
    assert (workdir / "train.pt").read_text() == "a split\n" and not (workdir / "s.parquet").exists()


def test_claims_writes_beside_the_tables_it_reads_but_never_over_one(tmp_path: Path, capsys) -> None:
    from tests.errors.test_claims_files import ATTACKS, CONFIG, GOOD, results_with, write

    claims, results = write(tmp_path, GOOD), results_with(tmp_path, ATTACKS)
    table = results / "robustness" / "attacks.parquet"
    before = table.read_bytes()
    argv = ["claims", "--config", str(claims), "--configfile", str(CONFIG), "--results", str(results)]
    code, err = run_cli([*argv, "--parquet", str(table)], capsys)
    assert_one_line_error(
        code, err, f"--parquet {table}: is also the input --results (a table the claims read)"
    )
    assert table.read_bytes() == before
    code, err = run_cli([*argv, "--parquet", str(results / "claims.parquet")], capsys)
    assert code == 0, err
    assert (results / "claims.parquet").is_file() and table.read_bytes() == before


def test_provenance_writes_its_page_beside_the_outputs_it_scans_but_never_over_one(
    good_files: Path, workdir: Path, capsys
) -> None:
    results = workdir / "results"
    (results / "classifiers" / "c").mkdir(parents=True)
    model = results / "classifiers" / "c" / "model.pt"
    shutil.copy(good_files / "clf.pt", model)
    before = model.read_bytes()
    spec = json.dumps({"snakemake_options": "--cores all", "code": "0" * 64})
    argv = ["provenance-page", "--spec", spec, "--input", f"results={results}", "--output"]
    argv += [f"rst={results / 'provenance.rst'}"]
    code, err = run_cli([*argv, f"html={model}"], capsys)
    assert_one_line_error(code, err, f"--output html {model}: is also the input {results} (scanned)")
    assert model.read_bytes() == before and not (results / "provenance.rst").exists()
    code, err = run_cli([*argv, f"html={results / 'provenance.html'}"], capsys)
    assert code == 0, err
    assert model.read_bytes() == before and (results / "provenance.html").is_file()


def _can_bind_mount(tmp: Path) -> bool:
    (tmp / "probe_a").mkdir()
    (tmp / "probe_b").mkdir()
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", f"mount --bind {tmp / 'probe_a'} {tmp / 'probe_b'}"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def test_a_bind_mount_of_an_input_folder_is_the_folder(tmp_path: Path) -> None:
    """A bind mount of the input folder (another path, the same device and inode) as an output
    folder would hold the input: train-gan deleted ``train.pt`` through one. Compared by
    (st_dev, st_ino), it is refused like the folder itself (a private mount namespace here)."""
    if shutil.which("unshare") is None or not _can_bind_mount(tmp_path):
        pytest.skip("no private mount namespace here (unshare -rm)")
    data, alias = tmp_path / "data", tmp_path / "alias"
    data.mkdir()
    alias.mkdir()
    (data / "train.pt").write_text("the split\n")
    argv = ["train-gan", "--spec", "{}", "--input", f"train={data / 'train.pt'}", "--output"]
    argv += [f"checkpoint={tmp_path / 'gan' / 'c.pt'}", f"samples={alias}"]
    script = f"mount --bind {data} {alias} && exec {sys.executable} -m advgen {shlex.join(argv)}"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert f"--output {alias}: contains the input --input ({data / 'train.pt'})" in lines[0]
    assert (data / "train.pt").read_text() == "the split\n" and not (tmp_path / "gan").exists()
