"""The freeze covers what it records: each tamper case after ``advgen freeze`` is refused by
``advgen freeze --verify`` (one line, exit status 2, every part it checked listed) or makes the
claims page's rows post-hoc with the reason; a record missing a part is refused by its reader."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from advgen.claims.freeze import freeze_record as fr
from advgen.claims.freeze.freeze_reader import read_freeze
from advgen.claims.freeze.phase import CONFIRMATORY, post_hoc
from advgen.claims.reading.claims_file import read_claims_file
from advgen.cli import main as cli_main
from advgen.config_files import check_config_files
from advgen.errors import ConfigError
from tests.errors.conftest import assert_one_line_error, run_cli
from tests.unit.test_freeze import files, freeze

#: the lines ``--verify`` prints, one per part, in order (a format-3 record: the program first)
PROGRAM = ["program", "resolved config", "versions"]
PARTS_2 = [
    "claims file",
    "claim digests",
    "analysis code",
    "config file",
    "seed base",
    "roles, runs and seeds",
    "recipes",
    "numerics",
    "power plan",
    "plan",
    "hardware",
]
TWO_CLASSIFIERS = {
    "classifiers": {
        "c": {"dataset": "digits", "arch": "fc10"},
        "d": {"dataset": "digits", "arch": "fc100_100"},
    },
    "roles": {"ns_gan": "g", "standard_cnn": "c", "fgsm_cnn": "d"},
}
ROLES3 = {"ns_gan": "a GAN", "standard_cnn": "a CNN", "fgsm_cnn": "another CNN"}


def frozen(tmp_path: Path, **top) -> dict[str, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    f = files(tmp_path, seed_base=100, **top)
    if "roles" in top:  # the claims file declares the config's roles
        text = yaml.safe_load(f["claims.yaml"].read_text())
        text["roles"] = ROLES3
        f["claims.yaml"].write_text(yaml.safe_dump(text, sort_keys=False))
    assert freeze(f) == 0
    return f


def edit_config(f: dict[str, Path], change) -> None:
    data = yaml.safe_load(f["config.yaml"].read_text())
    change(data)
    f["config.yaml"].write_text(yaml.safe_dump(data, sort_keys=False))


def verify(f: dict[str, Path], capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli_main(["freeze", "--verify", str(f["freeze.json"])])
    out = capsys.readouterr()
    return code, out.out, out.err


def page_reason(f: dict[str, Path]) -> str:
    """What the claims page says of claim ``a`` for a run of the config as it is now (its parts
    as the workflow's claims spec carries them: the test below shows they are the same)."""
    from advgen.claims.freeze.phase import phase_of
    from advgen.commands.freeze import roles_of

    config = check_config_files([str(f["config.yaml"])])
    parsed = read_claims_file(f["claims.yaml"])
    run = fr.run_parts(config, roles_of(config, "c", parsed.roles))
    seeds = [s for runs in run["seeds"].values() for s in runs.values()]
    phase = phase_of(parsed, read_freeze(f["freeze.json"]), seeds, run, fr.analysis_digest())
    assert phase.phase == CONFIRMATORY
    return post_hoc(parsed.claims[0], phase)


def test_verify_names_every_part_it_checked(tmp_path: Path, capsys) -> None:
    f = frozen(tmp_path)
    code, out, err = verify(f, capsys)
    assert code == 0, err
    assert [line.split(":", 1)[0] for line in out.splitlines()] == PROGRAM + PARTS_2
    assert ": the same" in out and "program: advgen package and workflow as frozen" in out
    assert page_reason(f) == ""  # the run is the one frozen: confirmatory


def test_the_workflows_claims_spec_carries_the_parts_the_freeze_records() -> None:
    """The claims page compares the run's parts from its spec (ClaimsPageSpec.run_parts): for
    the study's config they are what ``advgen freeze`` records (its roles, seeds, recipes, numerics)."""
    from advgen.commands.freeze import roles_of
    from advgen.pipeline import build

    root = Path(__file__).resolve().parents[2]
    config = check_config_files([str(root / "config" / "config.yaml")])
    parsed = read_claims_file(root / "config" / "claims.yaml")
    spec = build(config).claims.command_spec()
    assert spec.run_parts() == fr.run_parts(config, roles_of(config, "c", parsed.roles))
    assert (
        spec.numerics["standard_cnn"] == "autocast: off; float32: ieee"
        and "mnist_report" in spec.recipes["gans"]
    )


def test_swapping_two_roles_after_the_freeze_is_caught(tmp_path: Path, capsys) -> None:
    f = frozen(tmp_path, **TWO_CLASSIFIERS)
    edit_config(f, lambda c: c["roles"].update(standard_cnn="d", fgsm_cnn="c"))
    code, out, err = verify(f, capsys)
    assert_one_line_error(
        code, err, "changed since the freeze: resolved config, config file, roles, runs and seeds"
    )
    assert "roles, runs and seeds: " in out and "fgsm_cnn.c: frozen absent, now 100" in out
    reason = page_reason(f)
    assert reason.startswith("not the frozen round of 2026-11-26 (roles, runs and seeds: ")


@pytest.mark.parametrize(
    ("edit", "parts", "in_out", "in_page"),
    [
        pytest.param(
            lambda c: c["gans"]["g"].update(epochs=7),
            "config file, recipes",
            ("recipes: ", "gans.g.spec.epochs: frozen 50, now 7"),
            "gans.g.spec.epochs: frozen 50, now 7",
            id="gan_epochs",
        ),
        pytest.param(
            lambda c: c.update(seed_base=300),  # still fresh, but not the seeds frozen
            "seed base, roles, runs and seeds, recipes",
            ("seed base: 100 now 300", "ns_gan.g: frozen 100, now 300"),
            "ns_gan.g: frozen 100, now 300",
            id="seeds",
        ),
        pytest.param(
            lambda c: c["gans"]["g"].update(speed={"autocast": "bf16"}),
            "recipes, numerics",
            (
                "numerics: ",
                "ns_gan: frozen 'autocast: off; float32: ieee', now 'autocast: bf16; float32: ieee'",
            ),
            "numerics: ns_gan",
            id="numerics",
        ),
    ],
)
def test_a_config_edit_after_the_freeze_is_caught(
    tmp_path: Path, capsys, edit, parts: str, in_out: tuple[str, ...], in_page: str
) -> None:
    """An edit of the config after the freeze: one line naming the parts that changed, each
    change in the report and on the page."""
    f = frozen(tmp_path)
    edit_config(f, edit)
    code, out, err = verify(f, capsys)
    assert_one_line_error(code, err, parts)
    assert all(text in out for text in in_out), out
    assert in_page in page_reason(f)


def test_changing_the_analysis_code_after_the_freeze_is_caught(tmp_path: Path, capsys, monkeypatch) -> None:
    f = frozen(tmp_path)
    monkeypatch.setattr(fr, "analysis_digest", lambda: "0" * 64)
    code, out, err = verify(f, capsys)
    assert_one_line_error(code, err, "changed since the freeze: analysis code")
    assert "analysis code: advgen.claims: sha256" in out and "now 000000000000" in out
    assert "the analysis code (advgen.claims) differs" in page_reason(f)


def test_an_edited_plan_in_the_record_is_caught(tmp_path: Path, capsys) -> None:
    f = frozen(tmp_path)
    _tampered(f, lambda r: r["plan"]["a"].update(n=50))
    code, out, err = verify(f, capsys)
    assert_one_line_error(code, err, "changed since the freeze: plan")
    assert "a.n: frozen 50, now 1" in out  # the config runs 1 of the 5 seeds planned


def test_another_host_fails_the_verify_and_is_reported_as_now(tmp_path: Path, capsys, monkeypatch) -> None:
    """A format-3 record's host is a part of the round (two CPUs of one model name run different
    kernels where their flags differ): another one fails --verify, and the line says what it is now."""
    f = frozen(tmp_path)
    other = {
        "cpu": "Another CPU",
        "cpu_flags": "avx2 avx512f",
        "gpu": "NVIDIA H200",
        "torch": "9.9",
        "cuda": "12.9",
    }
    monkeypatch.setattr(fr, "this_host", lambda: other)
    code, out, err = verify(f, capsys)
    assert_one_line_error(code, err, "changed since the freeze: hardware")
    assert "this host: Another CPU (avx2 avx512f), GPU NVIDIA H200, torch 9.9, CUDA 12.9: differs" in out
    same_name = (
        {**fr.this_host.__wrapped__(), "cpu_flags": "avx2"} if hasattr(fr.this_host, "__wrapped__") else None
    )
    assert same_name is None  # (this_host is the monkeypatched lambda here)


def _tampered(f: dict[str, Path], change) -> Path:
    rec = json.loads(f["freeze.json"].read_text())
    change(rec)
    f["freeze.json"].write_text(json.dumps(rec))
    return f["freeze.json"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: r.pop("claims"), "claims: missing"),
        (lambda r: r.update(claims={}), "claims: must map each claim id to its sha256 (none recorded)"),
        (lambda r: r.pop("power_plan"), "power_plan: missing"),
        (lambda r: r.pop("analysis"), "analysis: missing"),
        (lambda r: r.pop("hardware"), "hardware: missing"),
        (lambda r: r.pop("numerics"), "numerics: missing"),
        (lambda r: r.pop("seeds"), "seeds: missing"),
        (lambda r: r.update(date="9999-99-99"), "date: must be a date YYYY-MM-DD, got '9999-99-99'"),
        (lambda r: r.update(date="2026-02-30"), "date: must be a date"),
        (lambda r: r.update(reruns=[{"date": "2026-13-01", "reason": "x"}]), "reruns: must be"),
        (lambda r: r.update(format=4), "format: must be 1 to 3"),
        (lambda r: r.pop("program"), "program: missing"),
        (lambda r: r.pop("versions"), "versions: missing"),
        (lambda r: r.pop("resolved_config"), "resolved_config: missing"),
        (lambda r: r["program"].update(package="x"), "program.package: must be a sha256"),
        (lambda r: r.update(commit=""), "commit: a format-3 record names the commit"),
        (lambda r: r["hardware"].pop("cpu_flags"), "hardware: missing cpu_flags"),
        (lambda r: r.update(extra=1), "extra: unknown key"),
        (lambda r: r["recipes"].pop("classifiers"), "recipes: must have the sections"),
        (lambda r: r["hardware"].pop("gpu"), "hardware: missing gpu"),
    ],
)
def test_a_record_missing_a_part_is_refused(tmp_path: Path, capsys, change, named: str) -> None:
    path = _tampered(frozen(tmp_path), change)
    with pytest.raises(ConfigError) as info:
        read_freeze(path)
    assert str(info.value).startswith(str(path)) and named in str(info.value)
    code, err = run_cli(["freeze", "--verify", str(path)], capsys)
    assert_one_line_error(code, err, named)


def test_a_duplicate_key_is_refused_not_last_wins(tmp_path: Path, capsys) -> None:
    f = frozen(tmp_path)
    text = f["freeze.json"].read_text()
    first = text.index('"date"')
    f["freeze.json"].write_text(text[:first] + '"date": "2026-12-31",\n  ' + text[first:])
    code, err = run_cli(["freeze", "--verify", str(f["freeze.json"])], capsys)
    assert_one_line_error(code, err, str(f["freeze.json"]), "duplicate key 'date'")
    claims = json.loads(f["freeze.json"].read_text())["claims"]
    nested = text.replace('"claims": {', '"claims": {"a": "' + "0" * 64 + '", ', 1)
    assert len(claims) == 1
    f["freeze.json"].write_text(nested)
    code, err = run_cli(["freeze", "--verify", str(f["freeze.json"])], capsys)
    assert_one_line_error(code, err, "claims: duplicate key 'a'")


def test_round_ones_record_is_read() -> None:
    """Round 1's record (format 1, 2026-11-27; docs/rounds/round1/freeze.json, committed at
    docs/default_run/ until round 2's freeze) is read: it has every part round 1 recorded; the run
    is compared on its roles' seeds and the generators' recipes (docs/claims.md)."""
    root = Path(__file__).resolve().parents[2]
    rec = read_freeze(root / "docs" / "rounds" / "round1" / "freeze.json")
    assert rec is not None and rec.format == 1 and len(rec.claims) == 68 and rec.power_plan is not None
    assert rec.run_parts().keys() == {"seeds", "recipes"} and rec.round == 1


def test_round_twos_record_is_the_default_runs() -> None:
    """docs/default_run/freeze.json is round 2's (format 2): round 2, seeds from 2000, the
    hardware and numerics it states."""
    root = Path(__file__).resolve().parents[2]
    rec = read_freeze(root / "docs" / "default_run" / "freeze.json")
    assert rec is not None and rec.format == 2 and rec.round == 2 and rec.seed_base == 2000
    assert min(s for runs in rec.seeds.values() for s in runs.values()) >= 2000
    assert rec.hardware.keys() == {"cpu", "gpu", "torch", "cuda"} and rec.numerics


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
@pytest.mark.parametrize("where", ["--claims", "--power-plan", "--configfile", "--verify", "in the record"])
def test_special_files_are_refused_with_one_line(tmp_path: Path, capsys, kind: str, where: str) -> None:
    """A FIFO was read forever and /dev/zero until memory ran out: refused before reading."""
    f = frozen(tmp_path)
    if kind == "fifo":
        special = tmp_path / "special"
        os.mkfifo(special)
    elif kind == "folder":
        special = tmp_path / "folder"
        special.mkdir()
    else:
        special = Path("/dev/zero")
    argv = {
        "--claims": str(f["claims.yaml"]),
        "--configfile": str(f["config.yaml"]),
        "--power-plan": str(f["plan.json"]),
    }
    if where == "--verify":
        command = ["freeze", "--verify", str(special)]
    elif where == "in the record":
        rec = json.loads(f["freeze.json"].read_text())
        rec["power_plan"]["path"] = str(special)
        f["freeze.json"].write_text(json.dumps(rec))
        command = ["freeze", "--verify", str(f["freeze.json"])]
    else:
        argv[where] = str(special)
        out = tmp_path / "new.json"
        command = ["freeze", *(x for k, v in argv.items() for x in (k, v)), "--out", str(out)]
        command += ["--date", "2026-11-26"]
    code, err = run_cli(command, capsys)
    assert_one_line_error(code, err, str(special))
    assert not (tmp_path / "new.json").exists()


def test_an_output_may_not_be_an_input(tmp_path: Path, capsys) -> None:
    """``advgen freeze --out config/claims.yaml`` replaced the claims file with the record."""
    f = files(tmp_path, seed_base=100)
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    base = ["freeze", "--claims", str(f["claims.yaml"]), "--configfile", str(f["config.yaml"])]
    base += ["--power-plan", str(f["plan.json"]), "--date", "2026-11-26"]
    for target, named in (
        (f["claims.yaml"], "is also the input --claims"),
        (f["config.yaml"], "is also the input --configfile"),
        (f["plan.json"], "is also the input --power-plan"),
        (tmp_path / "source_003.txt", "is also the input --claims (a source text)"),
    ):
        code, err = run_cli([*base, "--out", str(target)], capsys)
        assert_one_line_error(code, err, f"--out {target}", named)
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_the_power_plan_may_not_overwrite_its_table(tmp_path: Path, capsys) -> None:
    table = tmp_path / "T.parquet"
    table.write_bytes(b"PAR1 not really\n")
    for argv, named in (
        (["--markdown", str(table), "--json", str(tmp_path / "p.json")], "--markdown"),
        (["--markdown", str(tmp_path / "p.md"), "--json", str(table)], "--json"),
        (["--markdown", str(tmp_path / "p.md"), "--json", str(tmp_path / "p.md")], "another output"),
    ):
        code, err = run_cli(["power-plan", str(table), *argv], capsys)
        assert_one_line_error(code, err, named)
    assert table.read_bytes() == b"PAR1 not really\n" and sorted(os.listdir(tmp_path)) == ["T.parquet"]


@pytest.mark.parametrize(
    ("strip", "named"),
    [
        # the parts format 2 added, deleted; then those format 3 added too: format 1 has no round
        (("format", "analysis", "numerics", "hardware"), "round: a format-1 record has no round"),
        # and those too: a format-1 record has no round
        (
            ("format", "analysis", "numerics", "hardware", "program", "versions", "resolved_config"),
            "round: a format-1 record has no round",
        ),
    ],
)
def test_a_format_downgraded_record_is_refused(tmp_path: Path, capsys, strip, named: str) -> None:
    """Deleting ``format``, ``analysis``, ``numerics``, ``hardware`` and ``recipes.classifiers`` (the
    parts format 2 added) does not turn a newer record into an acceptable format-1 one, nor deleting
    the program's parts as well: the reader refuses it, one line."""

    def downgrade(rec: dict) -> None:
        for key in strip:
            rec.pop(key)
        rec["recipes"].pop("classifiers")

    f = frozen(tmp_path)
    path = _tampered(f, downgrade)
    with pytest.raises(ConfigError, match=named):
        read_freeze(path)
    code, err = run_cli(["freeze", "--verify", str(path)], capsys)
    assert_one_line_error(code, err, named)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: r.update(round=2, format=1), "round: a format-1 record has no round"),
        (lambda r: r.update(round=3, format=2), "format: round 3's record has format 3 or later, not 2"),
        (lambda r: r.update(date="2026-11-27"), "format 2 was first written on 2026-11-28"),
        (
            lambda r: r.pop("round"),
            "format: round 1's record has format",
        ),  # round 1 needs format 1: fine; see below
    ],
)
def test_a_records_round_date_and_format_agree(change, named: str, tmp_path: Path) -> None:
    """Round 2's record (format 2, 2026-11-28), edited: a round asks at least its own format, and a
    format was not written before it existed."""
    root = Path(__file__).resolve().parents[2]
    rec = json.loads((root / "docs" / "default_run" / "freeze.json").read_text())
    change(rec)
    path = tmp_path / "freeze.json"
    path.write_text(json.dumps(rec))
    if rec.get("round", 1) == 1 and rec.get("format") == 2:
        assert read_freeze(path).round == 1  # a format-2 record may freeze round 1: nothing to refuse
        return
    with pytest.raises(ConfigError, match=named):
        read_freeze(path)


def test_round_ones_genuine_record_stays_format_1_and_later_dates_are_refused(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    rec = json.loads((root / "docs" / "rounds" / "round1" / "freeze.json").read_text())
    assert read_freeze(root / "docs" / "rounds" / "round1" / "freeze.json").format == 1
    path = tmp_path / "freeze.json"
    path.write_text(json.dumps({**rec, "date": "2026-11-28"}))
    with pytest.raises(ConfigError, match="format 1 was written until 2026-11-27"):
        read_freeze(path)


@pytest.mark.parametrize(
    "changed",
    [
        "src/advgen/gan/losses.py",  # the program, outside the analysis
        "src/advgen/cli.py",
        "src/advgen/schemas/config.schema.yaml",  # package data
        "src/advgen/claims/statistics/rates.py",  # the analysis too
        "Snakefile",
        "workflow/envs/advgen.yaml",
    ],
)
def test_a_one_line_change_to_the_program_fails_verify(
    tmp_path: Path, capsys, monkeypatch, changed: str
) -> None:
    """The freeze covers the program: a copy of the advgen package and of the workflow is frozen,
    then one line of one of its files is changed; --verify fails naming the program (one line,
    exit 2), and the claims page of a run of that program is not the frozen round."""
    import shutil

    from advgen.claims.freeze.phase import phase_of

    root = Path(__file__).resolve().parents[2]
    copy = tmp_path / "checkout"
    shutil.copytree(
        root / "src" / "advgen", copy / "src" / "advgen", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(root / "workflow", copy / "workflow")
    shutil.copy2(root / "Snakefile", copy / "Snakefile")
    monkeypatch.setattr(fr, "ADVGEN_ROOT", copy / "src" / "advgen")
    monkeypatch.setattr(fr, "workflow_root", lambda: copy)
    f = frozen(tmp_path / "study")
    code, out, err = verify(f, capsys)
    assert code == 0, err
    target = copy / changed
    target.write_text(target.read_text(encoding="utf-8") + "\n# one line more\n", encoding="utf-8")
    code, out, err = verify(f, capsys)
    assert_one_line_error(code, err, "changed since the freeze: program")
    part = "workflow" if not changed.startswith("src/") else "package"
    assert f"program: advgen package and workflow differ: {part}: sha256 " in out
    parsed = read_claims_file(f["claims.yaml"])
    config = check_config_files([str(f["config.yaml"])])
    from advgen.commands.freeze import roles_of

    run = fr.run_parts(config, roles_of(config, "c", parsed.roles))
    seeds = [s for runs in run["seeds"].values() for s in runs.values()]
    phase = phase_of(
        parsed, read_freeze(f["freeze.json"]), seeds, run, fr.analysis_digest(), fr.program(), fr.versions()
    )
    assert phase.mismatch.startswith(
        ("the advgen package differs", "the workflow (Snakefile, workflow/) differs")
    )
