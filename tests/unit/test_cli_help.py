"""The command line's two faces: ``advgen --help`` lists the commands a user types, grouped, with
whole descriptions; ``advgen job --help`` the job steps the rules run (``advgen job KIND``, the
same step as the rules' ``advgen KIND``); each command's help shows its defaults; each rule of
the workflow has its job kind's help as its docstring (``snakemake --list-rules``)."""

from __future__ import annotations

import re

import pytest

from advgen.cli import GROUPS, JOB, _command_modules, _job_kinds, build_parser, main
from tests.conftest import REPO, snakemake


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # wrapped lines joined


def test_the_top_listing_groups_every_user_command_and_no_job_step(capsys) -> None:
    import importlib

    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(_command_modules()), "each command in exactly one group"
    text = _help(["--help"], capsys)
    for title, names in GROUPS.items():
        assert f"{title}:" in text
        for name in names:  # its description whole
            help_ = " ".join(importlib.import_module(_command_modules()[name]).HELP.split())
            assert f"{name} {help_}" in text
    assert "Job steps: job KIND" in text and f"{len(_job_kinds())} kinds" in text
    for kind in ("train-gan", "attack-table", "plot-transfer"):
        assert f" {kind} " not in text


def test_the_job_listing_names_every_job_kind_with_its_whole_help(capsys) -> None:
    text = _help([JOB, "--help"], capsys)
    for name, kind in _job_kinds().items():
        assert f"{name} {' '.join(kind.help.split())}" in text


def test_advgen_job_kind_is_the_rules_step(capsys) -> None:
    argv = ["attack", "--spec", "{}", "--output", "curve=c.parquet"]
    as_job = build_parser(JOB, "attack").parse_args([JOB, *argv])
    as_rule = build_parser("attack").parse_args(argv)
    assert as_job._main.func is as_rule._main.func and as_job._main.args == as_rule._main.args
    assert main([JOB, "attack", "--spec", "{", "--output", "curve=c.parquet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("advgen job attack: error: --spec: not valid JSON")


def test_a_commands_help_shows_its_defaults(capsys) -> None:
    text = _help(["evaluate", "--help"], capsys)
    for default in (
        "(default: quick)",
        "(default: mnist_sample)",
        "(default: 1000)",
        "(default: evaluation)",
    ):
        assert default in text
    assert "docs/evaluate.md" in text


def test_verbose_and_quiet_come_before_or_after_the_command() -> None:
    for argv in (["-q", "plot", "--list"], ["plot", "-q", "--list"]):
        args = build_parser("plot").parse_args(argv)
        assert args.quiet and not args.verbose
    with pytest.raises(SystemExit):
        build_parser("plot").parse_args(["plot", "-q", "-v", "--list"])


def test_every_rule_is_described_by_snakemake_list_rules(tmp_path) -> None:
    out = snakemake(
        tmp_path,
        "-s",
        str(REPO / "Snakefile"),
        "--configfile",
        str(REPO / "config" / "demo.yaml"),
        "--list-rules",
    ).stdout
    described = dict(re.findall(r"^(\w+) \((.+)\)$", out, re.M))
    bare = [line for line in out.splitlines() if re.fullmatch(r"\w+", line)]
    assert not bare, f"rules without a description: {bare}"
    for kind in _job_kinds().values():
        assert described[kind.name] == kind.help
    assert {"all", "cv", "cv_stats"} <= set(described)
