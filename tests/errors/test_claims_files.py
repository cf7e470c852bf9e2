"""Bad claims files, bad roles and broken results: one line naming the file and key, exit 2.

The same check runs when the config is built (``advgen.pipeline.build``: the workflow and
``advgen check-config``) and in ``advgen claims``; each case goes through both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from advgen.config_files import check_config_files
from advgen.errors import ConfigError
from advgen.pipeline import build
from tests.errors.conftest import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".test" / "config" / "robustness.yaml"

GOOD = """\
sources: {"001": source_001.txt, "003": source_003.txt}
roles:
  fc_100_100: a 100-100 net
  fc_nets: fully connected nets
  fc_half_a: half a
  fc_half_b: half b
  pgd_cnn: PGD-trained CNN
families:
  f: the attack curves of the nets here
claims:
  - id: c
    source: "003"
    section: s
    quote: the source says
    statement: st
    reading: {proposition: p, measures: m, sides: one_sided, scales: [probability], control_guards: g}
    test:
      effect: value
      direction: greater
      margin: 0.5
      margin_source: {ours: reason}
    a: {table: robustness/attacks.parquet, models: {classifier: fc_100_100}, query: "attack == 'fgsm'",
        value: robust_acc, per: proportion, count: n}
    control: {kind: null_input, what: another attack, a: {query: "attack == 'pgd40'"}}
    family: f
"""
#: the text of both sources in the scratch folder (every quote of GOOD is in it)
SOURCE_TEXT = "the source says q, and more"

# (name, claims file text (or bytes), text the one line must contain)
CASES = [
    (
        "empty_list",
        'sources: {"001": source_001.txt, "003": source_003.txt}\nroles: {fc_100_100: x}\nclaims: []\n',
        ":3: claims: [] should be non-empty",
    ),
    ("top_level_list", "- a\n- b\n", "must be a mapping with roles, sources and claims"),
    (
        "no_roles",
        GOOD.split("roles:", 1)[0] + "claims:" + GOOD.split("claims:", 1)[1],
        "roles: missing required key 'roles'",
    ),
    ("duplicate_id", GOOD + GOOD.split("claims:\n", 1)[1], "claims[c].id: duplicate id"),
    ("not_utf8", GOOD.encode("utf-8").replace(b"st\n", b"\xff\n"), "not valid UTF-8"),
    ("no_sources", GOOD.split("\n", 1)[1], "sources: missing required key 'sources'"),
]
#: the cases that are one edit of GOOD: a text replaced or appended (name, edit, named)
EDITS = ROOT / "tests" / "data" / "claims" / "bad_edits.yaml"


def edited(edit: dict) -> str:
    """GOOD with one edit of :data:`EDITS` applied: each ``replace`` pair in turn (its old text
    must be there, so no edit leaves the file as it was), then ``append``."""
    text = GOOD
    for old, new in edit.get("replace", ()):
        assert old in text, f"{EDITS}: {edit['name']}: {old!r} is not in the claims file"
        text = text.replace(old, new)
    return text + edit.get("append", "")


CASES += [(e["name"], edited(e), e["named"]) for e in yaml.safe_load(EDITS.read_text(encoding="utf-8"))]


def config_with(claims: Path | str) -> dict:
    config = check_config_files([str(CONFIG)])
    config["claims"] = str(claims)
    return config


def write(tmp_path: Path, text: str | bytes) -> Path:
    for source in ("001", "003"):
        (tmp_path / f"source_{source}.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    path = tmp_path / "claims.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def run_claims(capsys, claims: Path, *, configfile: Path = CONFIG, **options: Path) -> tuple[int, str]:
    """``advgen claims --config CLAIMS --configfile CONFIGFILE`` with each of ``options``
    (``results``, ``html``, ``parquet``) as ``--OPTION PATH``: its exit status and stderr."""
    argv = ["claims", "--config", str(claims), "--configfile", str(configfile)]
    for option, path in options.items():
        argv += [f"--{option}", str(path)]
    return run_cli(argv, capsys)


def test_the_good_file_builds(tmp_path: Path) -> None:
    build(config_with(write(tmp_path, GOOD)))


@pytest.mark.parametrize(("name", "text", "named"), CASES, ids=[c[0] for c in CASES])
def test_bad_claims_file(tmp_path: Path, capsys, name: str, text: str | bytes, named: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        build(config_with(path))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert named in message, message
    # the same line from the command (which builds the config's plans first)
    code, err = run_claims(capsys, path, results=tmp_path, html=tmp_path / "c.html")
    assert_one_line_error(code, err, str(path), named)
    assert not (tmp_path / "c.html").exists()


def test_missing_claims_file(tmp_path: Path, capsys) -> None:
    with pytest.raises(ConfigError, match=r"claims file not found"):
        build(config_with(tmp_path / "nope.yaml"))
    code, err = run_claims(capsys, tmp_path / "nope.yaml", html=tmp_path / "c.html")
    assert_one_line_error(code, err, "nope.yaml", "claims file not found")


@pytest.mark.parametrize(
    ("roles", "named"),
    [
        ({"best_cnn": "tiny_fc"}, "roles.best_cnn: unknown role"),
        ({"pgd_cnn": "tiny_cnn_pgd_x"}, "roles.pgd_cnn: 'tiny_cnn_pgd_x' names no entry"),
        ({"fc_nets": ["tiny_fc", "nope"]}, "roles.fc_nets: 'nope' names no entry"),
    ],
)
def test_bad_roles_in_the_config(tmp_path: Path, capsys, roles: dict, named: str) -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["roles"] = roles
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(named)):
        build(check_config_files([str(path)]), source=str(path))
    code, err = run_claims(capsys, ROOT / "config" / "claims.yaml", configfile=path, html=tmp_path / "c.html")
    assert_one_line_error(code, err, str(path), named)


@pytest.mark.parametrize(
    ("role", "entry", "named"),
    [
        ("standard_cnn", "tiny_gan", "roles.standard_cnn: 'tiny_gan' is an entry of gans, but "),
        ("ns_gan", "tiny_fc", "roles.ns_gan: 'tiny_fc' is an entry of classifiers, but "),
        ("ae_forced", "tiny_gan", "roles.ae_forced: 'tiny_gan' is an entry of gans, but "),
    ],
)
def test_a_role_naming_an_entry_of_another_kind(
    tmp_path: Path, capsys, role: str, entry: str, named: str
) -> None:
    """A classifier role naming a GAN would match no row: a config error, not "not measured"."""
    source = ROOT / ".test" / "config" / "plots.yaml"
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    config["roles"][role] = entry
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(named)) as info:
        build(check_config_files([str(path)]), source=str(path))
    assert "claims.yaml:" in str(info.value) and "reads it as one of" in str(info.value)
    code, err = run_cli(["check-config", str(path)], capsys)
    assert_one_line_error(code, err, str(path), named)


def results_with(tmp_path: Path, table: pd.DataFrame | bytes | None) -> Path:
    results = tmp_path / "results"
    (results / "robustness").mkdir(parents=True)
    if isinstance(table, bytes):
        (results / "robustness" / "attacks.parquet").write_bytes(table)
    elif table is not None:
        table.to_parquet(results / "robustness" / "attacks.parquet")
    return results


ATTACKS = pd.DataFrame(
    {
        "classifier": ["tiny_fc"],
        "attack": ["fgsm"],
        "eps": [0.1],
        "robust_acc": [0.4],
        "n": [30],
        "params": ["x"],
    }
).astype({"robust_acc": "float64", "params": "string[pyarrow]"})


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ("no_results", "results folder not found"),
        ("corrupt", "attacks.parquet"),
        ("missing_table", "attacks.parquet: missing"),
        ("query_fails", "claim c: query"),
        ("value_fails", "claim c: value"),
        (
            "abs_fails",
            "claim c: value 'abs(params)' failed (ExpressionError: cannot be computed on this table",
        ),
        (
            "division_fails",
            "value 'params / params' failed (ExpressionError: cannot be computed on this table (NotImplementedError",
        ),
        ("all_nan", "attacks.parquet: claim c: value 'robust_acc' is NaN in all 1 matching rows"),
        ("no_rows", "attacks.parquet: the table has no rows"),
        ("check_holds", "claims[c].checks: the test holds on its margin check (made equal"),
    ],
)
def test_broken_results_are_errors_not_unmeasured(tmp_path: Path, capsys, case: str, named: str) -> None:
    text = GOOD
    # params: a column of free text, of no known type, so these pass check-config and fail on the table
    if case == "query_fails":
        text = GOOD.replace("attack == 'fgsm'", "params > 1")
    if case == "value_fails":
        text = GOOD.replace("value: robust_acc", "value: params")
    if case in ("abs_fails", "division_fails"):  # pyarrow's and pandas' NotImplementedError
        value = "abs(params)" if case == "abs_fails" else "params / params"
        text = GOOD.replace("value: robust_acc", f'value: "{value}"')
    if case == "check_holds":  # 'a - b > -0.5' holds on the sides made equal
        text = GOOD.replace("effect: value", "effect: difference").replace("margin: 0.5", "margin: -0.5")
        text += (
            "    b: {table: robustness/attacks.parquet, models: {classifier: fc_100_100}, "
            "query: \"attack == 'fgsm'\", value: robust_acc, per: proportion, count: n}\n"
            "    checks: [{what: made equal, same: b}]\n"
        )
    claims = write(tmp_path, text)
    table = {"corrupt": b"PAR1 garbage", "missing_table": None}.get(case, ATTACKS)
    if case == "division_fails":  # true/false values in a column of no known type
        table = ATTACKS.assign(params=True)
    if case == "all_nan":
        table = ATTACKS.assign(robust_acc=float("nan"))
    if case == "no_rows":  # the job ran and wrote an empty table: broken, not "not measured"
        table = ATTACKS.iloc[:0]
    results = tmp_path / "nowhere" if case == "no_results" else results_with(tmp_path, table)
    out = tmp_path / "out"
    code, err = run_claims(
        capsys, claims, results=results, html=out / "claims.html", parquet=out / "claims.parquet"
    )
    assert_one_line_error(code, err, named)
    assert not out.exists() or not any(out.iterdir())


def test_not_produced_is_not_measured(tmp_path: Path, capsys) -> None:
    """A table this config's DAG does not make is "not measured", exit 0."""
    claims = write(
        tmp_path,
        GOOD.replace("robustness/attacks.parquet", "robustness/robust_features.parquet")
        .replace("attack == 'fgsm'", "dataset == 'robust'")
        .replace(", count: n", ", count: n_train"),
    )
    results = results_with(tmp_path, None)
    code, err = run_claims(capsys, claims, results=results, parquet=tmp_path / "c.parquet")
    assert code == 0, err
    row = pd.read_parquet(tmp_path / "c.parquet").iloc[0]
    assert (
        row["verdict"] == "not measured"
        and "does not produce robustness/robust_features.parquet" in row["note"]
    )


@pytest.mark.parametrize(
    ("edit", "note"),
    [
        (
            ("attack == 'fgsm'", "attack == 'pgd7'"),
            "robustness/attacks.parquet: the query \"attack == 'pgd7'\" matched none of the 1 rows of role "
            "fc_100_100's runs",
        ),
        (
            ("{classifier: fc_100_100}", "{classifier: fc_half_a}"),
            "robustness/attacks.parquet: none of its 1 rows has classifier one of role fc_half_a's runs "
            "(tiny_fc_half_a)",
        ),
    ],
    ids=["query", "roles"],
)
def test_a_side_matching_no_row_says_which_filter(
    tmp_path: Path, capsys, edit: tuple[str, str], note: str
) -> None:
    """ "Not measured" for a side whose rows a filter removed names that filter (the query, or the
    roles' runs), not just the table."""
    claims = write(tmp_path, GOOD.replace(*edit, 1))
    results = results_with(tmp_path, ATTACKS)
    code, err = run_claims(capsys, claims, results=results, parquet=tmp_path / "c.parquet")
    assert code == 0, err
    row = pd.read_parquet(tmp_path / "c.parquet").iloc[0]
    assert row["verdict"] == "not measured" and note in row["note"], row["note"]
