"""Bad command lines: one line naming the option, file or key, exit status 2, nothing written.

Table-driven and in-process (``advgen.cli.main``): argparse errors of every command (one
line, no usage block), a ``--spec`` that is not JSON or not an object for every command that
takes one, and the hand-run commands' own checks (``fake-data``, ``paper-smoke-config``,
``check-config``, ``provenance``, table commands reading tables of the wrong type). Full disks
and read-only folders need a mount: ``test_write_faults.py``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from advgen.cli import _command_modules, build_parser
from tests.conftest import REPO
from tests.errors.conftest import assert_one_line_error, filled, run_cli
from tests.jobs import split_spec


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(command)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


def _required_argv(command: str, spec: str) -> list[str]:
    """``command`` with every required option and positional filled (paths under results/)."""
    argv = [command]
    positional = []
    for action in _subparser(command)._actions:
        if not (action.required or action.option_strings == ["--spec"]):
            continue
        value = spec if action.option_strings == ["--spec"] else f"results/{action.dest}.x"
        if action.option_strings:
            argv += [action.option_strings[0], value]
        else:
            positional.append(value)
    return argv + positional


COMMANDS = sorted(_command_modules())
SPEC_COMMANDS = [c for c in COMMANDS if any("--spec" in a.option_strings for a in _subparser(c)._actions)]
REQUIRED_COMMANDS = [c for c in COMMANDS if any(a.required for a in _subparser(c)._actions)]


@pytest.mark.parametrize("command", REQUIRED_COMMANDS)
def test_missing_required_argument_is_one_line(command: str, workdir: Path, capsys) -> None:
    code, err = run_cli([command], capsys)
    assert_one_line_error(code, err, f"advgen {command}: error:", "required", workdir=workdir)


@pytest.mark.parametrize("command", SPEC_COMMANDS)
@pytest.mark.parametrize(
    ("spec", "words"),
    [("{", "--spec: not valid JSON"), ("[1, 2]", "--spec: expected a JSON object")],
    ids=["not-json", "not-an-object"],
)
def test_bad_spec_is_one_line(command: str, spec: str, words: str, workdir: Path, capsys) -> None:
    code, err = run_cli(_required_argv(command, spec), capsys)
    assert_one_line_error(code, err, words, workdir=workdir)


CV_FILES = {"cv": "cv.yaml", "bib": "publications.bib", "stats": "stats.yaml"}


def _bad_config(tmp: Path) -> dict[str, Path]:
    files = {
        "schema": "gans: 3\n",
        "latin1": b"seed: 1\n# caf\xe9\n",
        "duplicate": "seed: 1\nseed: 2\n",
        "syntax": "seed: [1\n",
        "list": "- seed: 1\n",
        "masking": "robustness:\n  masking:\n    classifiers: [nope]\n",
        # no claims file in the scratch folder; the CV's files are the repository's
        "good": "seed: 1\nclaims: null\ncv: {"
        + ", ".join(f"{key}: {REPO / 'config' / 'cv' / name}" for key, name in CV_FILES.items())
        + "}\n",
    }
    out = {}
    for name, content in files.items():
        path = tmp / f"{name}.yaml"
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
        out[name] = path
    (tmp / "folder.yaml").mkdir()
    out["folder"] = tmp / "folder.yaml"
    (tmp / "a_file").write_text("x")
    out["file"] = tmp / "a_file"
    return out


def _table(path: Path, **columns: list) -> Path:
    import pandas as pd

    pd.DataFrame(columns).to_parquet(path)
    return path


CURVE = {
    "classifier": ["c"],
    "attack": ["fgsm"],
    "attack_type": ["FGSM"],
    "eps": [0.1],
    "n": [10],
    "clean_acc": [0.9],
    "robust_acc": [0.5],
    "success_rate": [0.4],
    "rho_adv": [0.1],
    "mean_l2": [0.5],
    "median_l2": [0.5],
}

#: the arguments every power-plan case shares: its table and its two outputs
POWER_PLAN = ["power-plan", "{T}/curve.parquet", "--markdown", "{T}/p.md", "--json", "{T}/p.json"]

# (id, argv with {T} = the tmp folder, the strings the line names)
#: ``advgen attack-table`` up to its curves (``--input curves=...`` follows), and its outputs
ATTACK_TABLE = ["attack-table", "--spec", '{"classifiers": []}', "--input"]
ATTACK_TABLE_OUT = ["curves=results/a.parquet", "minimal=results/m.parquet"]


def smoke(paper: str, out: str = "{T}/out.yaml") -> list[str]:
    """``advgen paper-smoke-config {T}/PAPER -o OUT``."""
    return ["paper-smoke-config", f"{{T}}/{paper}", "-o", out]


def attack_table(curves: str) -> list[str]:
    """``advgen attack-table`` of the curves table ``curves``, to results/."""
    return [*ATTACK_TABLE, f"curves={curves}", "--output", *ATTACK_TABLE_OUT]


CASES = [
    ("unknown-command", ["trian-gan"], ["invalid choice: 'trian-gan'"]),
    ("threads-not-int", ["--threads", "x", "check-config", "a"], ["--threads", "invalid int"]),
    ("unknown-option", ["check-config", "--fast", "{T}/good.yaml"], ["unrecognized arguments: --fast"]),
    ("fake-data-train-not-int", ["fake-data", "--train", "ten"], ["--train", "invalid int value: 'ten'"]),
    (
        "cv-date-not-a-date",
        ["cv", "build", "--cv", "c", "--bib", "b", "--stats", "s", "--out", "{T}/o", "--date", "yesterday"],
        ["--date", "not a YYYY-MM-DD date or 'today': 'yesterday'"],
    ),
    ("fake-data-unknown-source", ["fake-data", "--sources", "svhn"], ["--sources", "invalid choice: 'svhn'"]),
    # cv new FOLDER: a file (it raised FileExistsError), a folder under a file, one holding its files
    ("cv-new-folder-is-a-file", ["cv", "new", "{T}/record.json"], ["{T}/record.json: is not a folder"]),
    (
        "cv-new-folder-under-a-file",
        ["cv", "new", "{T}/record.json/cv"],
        ["{T}/record.json/cv/cv.yaml: cannot write (Not a directory)"],
    ),
    ("cv-new-files-there", ["cv", "new", "{T}/cvdir"], ["{T}/cvdir/cv.yaml: already exists"]),
    ("fake-data-root-is-file", ["fake-data", "--root", "{T}/a_file"], ["--root {T}/a_file: is a file"]),
    (
        "fake-data-root-under-file",
        ["fake-data", "--root", "{T}/a_file/x"],
        ["--root {T}/a_file/x: is a file"],
    ),
    (
        "fake-data-source-folder-is-file",
        ["fake-data", "--root", "{T}/r", "--sources", "mnist", "--train", "10", "--test", "10"],
        ["--root {T}/r/mnist: is a file"],
    ),
    ("fake-data-seed-negative", ["fake-data", "--root", "{T}/r", "--seed", "-1"], ["--seed -1: expected"]),
    (
        "fake-data-seed-huge",
        ["fake-data", "--root", "{T}/r", "--seed", "99999999999"],
        ["--seed 99999999999"],
    ),
    ("fake-data-train-too-few", ["fake-data", "--root", "{T}/r", "--train", "5"], ["--train and --test"]),
    ("fake-data-test-zero", ["fake-data", "--root", "{T}/r", "--test", "0"], ["--train and --test"]),
    ("smoke-schema", smoke("schema.yaml"), ["{T}/schema.yaml:1: gans: expected object"]),
    ("smoke-not-utf8", smoke("latin1.yaml"), ["{T}/latin1.yaml: byte 13: not valid UTF-8"]),
    ("smoke-duplicate-key", smoke("duplicate.yaml"), ["{T}/duplicate.yaml:2: duplicate key 'seed'"]),
    ("smoke-syntax", smoke("syntax.yaml"), ["{T}/syntax.yaml:2:", "YAML syntax error"]),
    ("smoke-top-level-list", smoke("list.yaml"), ["{T}/list.yaml: the top level must be a mapping"]),
    (
        "smoke-masking-reference",
        smoke("masking.yaml"),
        ["{T}/masking.yaml:3: robustness.masking.classifiers: unknown classifier 'nope'"],
    ),
    ("smoke-missing-input", smoke("missing.yaml"), ["{T}/missing.yaml: config file not found"]),
    ("smoke-input-folder", smoke("folder.yaml"), ["{T}/folder.yaml: is a folder"]),
    (
        "smoke-output-is-input",
        smoke("good.yaml", "{T}/good.yaml"),
        ["-o/--output {T}/good.yaml: is also the input paper ({T}/good.yaml)"],
    ),
    (
        "smoke-output-is-input-other-spelling",
        smoke("good.yaml", "{T}/../{N}/./good.yaml"),
        ["is also the input paper ({T}/good.yaml)"],
    ),
    (
        "smoke-output-under-a-file",
        smoke("good.yaml", "{T}/a_file/out.yaml"),
        ["{T}/a_file/out.yaml: cannot write"],
    ),
    ("smoke-output-is-folder", smoke("good.yaml", "{T}/folder.yaml"), ["{T}/folder.yaml: cannot write"]),
    (
        "check-config-missing",
        ["check-config", "{T}/missing.yaml"],
        ["{T}/missing.yaml: config file not found"],
    ),
    ("check-config-folder", ["check-config", "{T}/folder.yaml"], ["{T}/folder.yaml: is a folder"]),
    (
        "check-config-second-missing",
        ["check-config", "{T}/good.yaml", "{T}/missing.yaml"],
        ["{T}/missing.yaml: config file not found"],
    ),
    ("check-config-not-utf8", ["check-config", "{T}/latin1.yaml"], ["{T}/latin1.yaml: byte 13"]),
    ("provenance-missing-folder", ["provenance", "{T}/nothing"], ["{T}/nothing: results folder not found"]),
    ("provenance-file", ["provenance", "{T}/a_file"], ["{T}/a_file: not a folder"]),
    (
        "prepare-data-other-output",
        ["prepare-data", "--spec", split_spec("d", {"source": "digits", "image_size": 8}, "train")]
        + ["--output", "manifest=results/m.parquet"],
        ["--output: expected split, got manifest"],
    ),
    (
        "provenance-empty-folder",
        ["provenance", "{T}/empty"],
        ["{T}/empty: no checkpoint or Parquet table in it (not a results folder, or nothing built yet)"],
    ),
    (
        "provenance-page-html-alone",
        ["provenance-page", "--spec", '{"snakemake_options": "-c 1", "code": "0"}', "--input", "results={T}"]
        + ["--output", "html={T}/p.html"],
        ["--output: expected html, rst, got html"],
    ),
    (
        "attack-table-eps-string",
        attack_table("{T}/eps_str.parquet"),
        ["{T}/eps_str.parquet: column 'eps' holds str values"],
    ),
    (
        "attack-table-acc-bool",
        attack_table("{T}/acc_bool.parquet"),
        ["{T}/acc_bool.parquet: column 'robust_acc' holds bool values"],
    ),
    (
        "attack-table-classifier-int",
        attack_table("{T}/clf_int.parquet"),
        ["{T}/clf_int.parquet: column 'classifier' holds int64 values"],
    ),
    (
        "attack-table-missing",
        attack_table("{T}/none.parquet"),
        ["{T}/none.parquet: table not found"],
    ),
    (
        "sample-quality-table-fid-string",
        ["sample-quality-table", "--out", "results/s.parquet", "{T}/fid_str.parquet"],
        ["{T}/fid_str.parquet: column 'fid' holds str values"],
    ),
    (
        "summary-table-eps-string",
        ["summary-table", "--table", "robustness", "--input", "{T}/eps_str.parquet", "--out", "results/t.md"],
        ["{T}/eps_str.parquet: column 'eps'"],
    ),
    (
        "attack-table-out-under-a-file",
        [*ATTACK_TABLE, "curves={T}/curve.parquet", "--output", "curves={T}/a_file/a.parquet"]
        + ["minimal=results/m.parquet"],
        ["{T}/a_file/a.parquet: cannot write"],
    ),
    # the power plan and the freeze record (docs/claims.md, "Phases")
    (
        "power-plan-missing-table",
        ["power-plan", "{T}/none.parquet", "--markdown", "{T}/p.md", "--json", "{T}/p.json"],
        ["{T}/none.parquet: table not found"],
    ),
    (
        "power-plan-not-a-claims-table",
        POWER_PLAN,
        ["{T}/curve.parquet: missing column(s) id"],
    ),
    # the report's main numbers (advgen.findings): a table of the wrong kind in a named input
    (
        "findings-attack-curve-as-verdict-table",
        ["findings", "--spec", '{"replicate_of": {}}', "--input", "claims={T}/curve.parquet", "--output"]
        + ["rst={T}/f.rst", "md={T}/f.md"],
        ["{T}/curve.parquet: missing column(s) id, group, verdict"],
    ),
    (
        "power-plan-power-out-of-range",
        [*POWER_PLAN, "--power", "1.5"],
        ["--power: 1.5 is not in (0, 1)"],
    ),
    (
        "power-plan-alpha-out-of-range",
        [*POWER_PLAN, "--alpha", "0.6"],
        ["--alpha: 0.6 is not in (0, 0.5)"],
    ),
    (
        "power-plan-one-run",
        [*POWER_PLAN, "--max-runs", "1"],
        ["--max-runs: 1 is less than 2"],
    ),
    (
        "freeze-nothing-given",
        ["freeze"],
        ["give --claims, --configfile, --power-plan, --out (or --verify RECORD)"],
    ),
    (
        "freeze-bad-date",
        ["freeze", "--claims", "{T}/a_file", "--configfile", "{T}/good.yaml", "--power-plan", "{T}/a_file"]
        + ["--out", "{T}/f.json", "--date", "26.11.2026"],
        ["--date: '26.11.2026' is not a date YYYY-MM-DD"],
    ),
    (
        "freeze-missing-claims",
        [
            "freeze",
            "--claims",
            "{T}/missing.yaml",
            "--configfile",
            "{T}/good.yaml",
            "--power-plan",
            "{T}/a_file",
        ]
        + ["--out", "{T}/f.json"],
        ["{T}/missing.yaml: claims file not found"],
    ),
    (
        "freeze-verify-missing",
        ["freeze", "--verify", "{T}/none.json"],
        ["{T}/none.json: freeze record not found"],
    ),
    ("freeze-verify-not-a-record", ["freeze", "--verify", "{T}/a_file"], ["{T}/a_file: not a freeze record"]),
    (
        "freeze-verify-no-claims-file",
        ["freeze", "--verify", "{T}/record.json"],
        ["{T}/record.json: claims_file: missing (a format-1 record has every one of claims_file,"],
    ),
    (
        "freeze-power-plan-not-json",
        ["freeze", "--claims", str(REPO / "config" / "claims.yaml"), "--configfile", "{T}/good.yaml"]
        + ["--power-plan", "{T}/a_file", "--out", "{T}/f.json"],
        ["{T}/a_file: not a power plan (not readable JSON: Expecting value at line 1)"],
    ),
    (
        "freeze-power-plan-without-budget",
        ["freeze", "--claims", str(REPO / "config" / "claims.yaml"), "--configfile", "{T}/good.yaml"]
        + ["--power-plan", "{T}/plan.json", "--out", "{T}/f.json"],
        ["{T}/plan.json: not a power plan: KeyError: 'budget'"],
    ),
    # a job's spec is its typed spec at the command's boundary (advgen.defense.spec)
    (
        "purify-spec-missing-field",
        ["purify", "--spec", '{"seed": 0}', "--input", "classifier=results/c.pt", "images=results/i.pt"]
        + ["--output", "table=results/p.parquet"],
        ["--spec: classifier: missing required key 'classifier'"],
    ),
    (
        "probe-discriminator-spec-unknown-field",
        ["probe-discriminator", "--spec", '{"sources": [{"family": "gan", "epsilon": 1}]}']
        + ["--input", "gans=results/g.pt", "train=results/t.pt", "test=results/t.pt"]
        + ["--output", "table=results/p.parquet"],
        ["--spec: sources.0.epsilon: unknown key 'epsilon'"],
    ),
    (
        "flip-discriminator-spec-not-a-list",
        ["flip-discriminator", "--spec", '{"gans": {"g": 1}}', "--input", "gans=results/g.pt"]
        + ["images=results/t.pt", "--output", "examples=results/f.parquet", "summary=results/s.parquet"],
        ["--spec: gans: expected array"],
    ),
]


@pytest.mark.parametrize(("argv", "named"), [pytest.param(a, n, id=i) for i, a, n in CASES])
def test_bad_command_line_is_one_line(argv, named, workdir: Path, tmp_path_factory, capsys) -> None:
    tmp = tmp_path_factory.mktemp("inputs")
    _bad_config(tmp)
    (tmp / "r").mkdir()
    (tmp / "empty").mkdir()
    (tmp / "r" / "mnist").write_text("a file where the source's folder goes")
    _table(tmp / "curve.parquet", **CURVE)
    _table(tmp / "eps_str.parquet", **{**CURVE, "eps": ["0.1"]})
    _table(tmp / "acc_bool.parquet", **{**CURVE, "robust_acc": [True]})
    _table(tmp / "clf_int.parquet", **{**CURVE, "classifier": [3]})
    _table(tmp / "fid_str.parquet", dataset=["d"], family=["gan"], model=["g"], fid=["low"])
    (tmp / "plan.json").write_text('{"claims": {}}')  # a power plan without its budget
    (tmp / "record.json").write_text('{"claims_sha256": "' + "a" * 64 + '", "date": "2026-11-26"}')
    (tmp / "cvdir").mkdir()
    (tmp / "cvdir" / "cv.yaml").write_text("mine\n")
    (tmp / "cvdir" / ".cv-build.mine").write_text("mine\n")

    places = {"{T}": str(tmp), "{N}": tmp.name}
    before = {p: p.stat().st_mtime_ns for p in tmp.rglob("*") if p.is_file()}
    code, err = run_cli([filled(a, places) for a in argv], capsys)
    assert_one_line_error(code, err, *[filled(n, places) for n in named], workdir=workdir)
    after = {p: p.stat().st_mtime_ns for p in tmp.rglob("*") if p.is_file()}
    assert after == before, "an input was changed or an output written next to the inputs"


def test_corpus_size() -> None:
    """At least 80 bad command lines in tests/errors/ (this file and test_cli_files.py)."""
    from tests.errors.test_cli_files import CASES as FILE_CASES

    n = len(REQUIRED_COMMANDS) + 2 * len(SPEC_COMMANDS) + len(CASES) + len(FILE_CASES)
    assert n >= 80, n


def test_paper_smoke_config_still_derives(tmp_path: Path, capsys) -> None:
    """The error checks do not change the output on the real paper config."""
    out = tmp_path / "smoke.yaml"
    code, err = run_cli(["paper-smoke-config", str(REPO / "config" / "paper.yaml"), "-o", str(out)], capsys)
    assert code == 0, err
    assert out.read_text().startswith("# Derived from") and json.dumps is not None
