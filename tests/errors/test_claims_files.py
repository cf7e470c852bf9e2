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
    ("yaml_error", GOOD.replace("    quote: the source says\n", "    quote: [q\n"), "YAML syntax error"),
    (
        "duplicate_key",
        GOOD.replace("    quote: the source says\n", "    quote: the source says\n    quote: r\n"),
        ":15: duplicate key 'quote'",
    ),
    (
        "empty_list",
        'sources: {"001": source_001.txt, "003": source_003.txt}\nroles: {fc_100_100: x}\nclaims: []\n',
        ":3: claims: [] should be non-empty",
    ),
    ("top_level_list", "- a\n- b\n", "must be a mapping with roles, sources and claims"),
    ("unknown_top_key", GOOD + "extra: 1\n", ":25: extra: unknown key 'extra'"),
    (
        "no_roles",
        GOOD.split("roles:", 1)[0] + "claims:" + GOOD.split("claims:", 1)[1],
        "roles: missing required key 'roles'",
    ),
    (
        "unknown_effect",
        GOOD.replace("effect: value", "effect: median"),
        "claims[c].test.effect: 'median' is not one of",
    ),
    ("unknown_direction", GOOD.replace("direction: greater", "direction: up"), "claims[c].test.direction"),
    ("missing_margin", GOOD.replace("      margin: 0.5\n", ""), "claims[c].test.margin: missing"),
    (
        "margin_not_number",
        GOOD.replace("margin: 0.5", "margin: high"),
        "claims[c].test.margin: expected number, got str 'high'",
    ),
    (
        "no_margin_source",
        GOOD.replace("      margin_source: {ours: reason}\n", ""),
        "claims[c].test.margin_source",
    ),
    ("margin_source_kind", GOOD.replace("{ours: reason}", "{paper: reason}"), "claims[c].test.margin_source"),
    ("missing_test", GOOD.replace("    test:\n", "    tst:\n"), "claims[c].tst: unknown key"),
    ("missing_side", GOOD.replace("    a: {", "    x: {"), "claims[c].x: unknown key"),
    (
        "side_b_for_value",
        GOOD + "    b: {table: robustness/attacks.parquet, value: n}\n",
        "claims[c].b: effect value",
    ),
    ("difference_without_b", GOOD.replace("effect: value", "effect: difference"), "claims[c].b: missing"),
    (
        "bad_query",
        GOOD.replace("\"attack == 'fgsm'\"", '"attack =="'),
        "claims[c].a.query: not a valid expression",
    ),
    (
        "bad_value",
        GOOD.replace("value: robust_acc", "value: 'robust_acc +'"),
        "claims[c].a.value: not a valid",
    ),
    (
        "wrong_table_type",
        GOOD.replace("robustness/attacks.parquet", "robustness/attacks.csv"),
        "claims[c].a.table",
    ),
    ("absolute_table", GOOD.replace("robustness/attacks.parquet", "/tmp/a.parquet"), "claims[c].a.table"),
    (
        "unknown_table",
        GOOD.replace("robustness/attacks.parquet", "robustness/atacks.parquet"),
        "unknown table",
    ),
    (
        "unknown_column",
        GOOD.replace("value: robust_acc", "value: robust_accuracy"),
        "unknown column 'robust_accuracy'",
    ),
    (
        "unknown_column_in_query",
        GOOD.replace("attack == 'fgsm'", "atack == 'fgsm'"),
        "unknown column 'atack'",
    ),
    (
        "unknown_role",
        GOOD.replace("{classifier: fc_100_100}", "{classifier: fc_1000}"),
        "unknown role 'fc_1000'",
    ),
    (
        "unknown_table_role",
        GOOD.replace("table: robustness/attacks.parquet", 'table: "gans/{best}/losses.parquet"'),
        "unknown role 'best'",
    ),
    ("unknown_per", GOOD.replace("per: proportion", "per: image"), "claims[c].a.per"),
    ("proportion_without_count", GOOD.replace(", count: n", ""), "claims[c].a.count: required"),
    (
        "unknown_side_key",
        GOOD.replace("value: robust_acc", "value: robust_acc, agg: mean"),
        "claims[c].a.agg: unknown key",
    ),
    ("trend_without_by", GOOD.replace("effect: value", "effect: trend"), "claims[c].test.by: required"),
    (
        "paired_value",
        GOOD.replace("      margin: 0.5\n", "      margin: 0.5\n      paired: true\n"),
        "test.paired",
    ),
    (
        "unknown_source",
        GOOD.replace('source: "003"', 'source: "002"'),
        "claims[c].source: '002' is not one of",
    ),
    (
        "unknown_status",
        GOOD.replace("    section: s\n", "    section: s\n    status: maybe\n"),
        "claims[c].status",
    ),
    (
        "status_without_reason",
        GOOD.replace("    section: s\n", "    section: s\n    status: paper_only\n"),
        "reason",
    ),
    ("missing_quote", GOOD.replace("    quote: the source says\n", ""), "claims[c].quote: missing"),
    ("bad_id", GOOD.replace("- id: c", "- id: 1c"), "claims[0].id"),
    ("duplicate_id", GOOD + GOOD.split("claims:\n", 1)[1], "claims[c].id: duplicate id"),
    (
        "change_not_matching",
        GOOD.replace(
            "      margin_source: {ours: reason}\n",
            "      margin_source: {ours: reason}\n      changes: [{date: 2026-11-25, old: 0.4, new: 0.6, reason: r}]\n",
        ),
        "claims[c].test.changes: the last change sets 0.6 but the margin is 0.5",
    ),
    (
        "change_bad_date",
        GOOD.replace(
            "      margin_source: {ours: reason}\n",
            "      margin_source: {ours: reason}\n      changes: [{date: yesterday, old: 0.4, new: 0.5, reason: r}]\n",
        ),
        "changes[0].date",
    ),
    ("not_utf8", GOOD.encode("utf-8").replace(b"st\n", b"\xff\n"), "not valid UTF-8"),
    (
        "no_control",
        GOOD.replace(
            "    control: {kind: null_input, what: another attack, a: {query: \"attack == 'pgd40'\"}}\n", ""
        ),
        "claims[c].control: missing: every source claim with a test declares a control of the first kind",
    ),
    ("control_without_what", GOOD.replace("what: another attack, ", ""), "claims[c].control.what: missing"),
    (
        "control_without_kind",
        GOOD.replace("kind: null_input, ", ""),
        "claims[c].control.kind: missing required key 'kind'",
    ),
    (
        "control_unknown_kind",
        GOOD.replace("kind: null_input", "kind: straw_man"),
        "claims[c].control.kind: 'straw_man'",
    ),
    (
        "control_made_equal",
        GOOD.replace("a: {query: \"attack == 'pgd40'\"}", "same: b"),
        "claims[c].control.same: the sides made equal or swapped are margin checks, not controls",
    ),
    (
        "control_swapped",
        GOOD.replace("a: {query: \"attack == 'pgd40'\"}", "swap: true"),
        "claims[c].control.swap: the sides made equal or swapped are margin checks",
    ),
    (
        "control_none_without_reason",
        GOOD.replace(
            "{kind: null_input, what: another attack, a: {query: \"attack == 'pgd40'\"}}", "{kind: none}"
        ),
        "claims[c].control.reason: missing",
    ),
    (
        "control_permuted",
        GOOD.replace("a: {query: \"attack == 'pgd40'\"}", "permute: a").replace("null_input", "permuted"),
        "claims[c].control.permute: the permuted halves check the interval's calibration, not the measurement",
    ),
    (
        "calibration_permute_a_value",
        GOOD.replace("    family: f", "    calibration: {what: halves, permute: a}\n    family: f"),
        "claims[c].calibration.permute: a or b (a side of a difference or ratio",
    ),
    (
        "calibration_unknown_key",
        GOOD.replace(
            "    family: f", "    calibration: {what: halves, permute: a, kind: permuted}\n    family: f"
        ),
        "claims[c].calibration.kind: unknown key",
    ),
    (
        "control_of_a_missing_side",
        GOOD.replace("a: {query: \"attack == 'pgd40'\"}", "b: {query: \"attack == 'pgd40'\"}"),
        "claims[c].control.b: the claim has no such side",
    ),
    (
        "quote_ellipsis",
        GOOD.replace("    quote: the source says\n", '    quote: "..."\n'),
        "claims[c].quote: has no words",
    ),
    (
        "quote_dot",
        GOOD.replace("    quote: the source says\n", '    quote: "."\n'),
        "claims[c].quote: has no words",
    ),
    (
        "quote_punctuation",
        GOOD.replace("    quote: the source says\n", '    quote: "- ... ,"\n'),
        "claims[c].quote: has no words",
    ),
    (
        "quote_one_word",
        GOOD.replace("    quote: the source says\n", "    quote: q\n"),
        "claims[c].quote: 'q' has 1 word, fewer than 3: a quote that short is found in almost any text",
    ),
    (
        "quote_short_piece",
        GOOD.replace("    quote: the source says\n", '    quote: "the source says ... and"\n'),
        "claims[c].quote: 'and' has 1 word, fewer than 2: a piece between ... elisions that short",
    ),
    (
        "value_attribute",
        GOOD.replace("value: robust_acc", "value: 'robust_acc.__class__'"),
        "claims[c].a.value: not allowed in a claims expression: attribute access (.__class__)",
    ),
    (
        "query_call",
        GOOD.replace("\"attack == 'fgsm'\"", "\"attack == open('x').read()\""),
        "claims[c].a.query: not allowed in a claims expression: attribute access (.read)",
    ),
    (
        "control_query_unknown_function",
        GOOD.replace("\"attack == 'pgd40'\"", "\"eval('1') == 1\""),
        "claims[c].control.a.query: not allowed in a claims expression: calling eval",
    ),
    (
        "value_abs_of_a_name",
        GOOD.replace("value: robust_acc", "value: 'abs(attack)'"),
        "claims[c].a.value: abs() of a string ('attack'), expected a number",
    ),
    (
        "value_division_of_conditions",
        GOOD.replace("value: robust_acc", "value: '(eps > 0) / (eps > 0)'"),
        "claims[c].a.value: arithmetic (/) on two true/false values",
    ),
    (
        "value_power_of_conditions",
        GOOD.replace("value: robust_acc", "value: '(eps > 0) ** (eps > 0)'"),
        "claims[c].a.value: arithmetic (**) on two true/false values",
    ),
    (
        "value_arithmetic_on_a_name",
        GOOD.replace("value: robust_acc", "value: 'attack ** 2'"),
        "claims[c].a.value: arithmetic (**) on a string",
    ),
    (
        "value_a_name",
        GOOD.replace("value: robust_acc", "value: 'entry(classifier)'"),
        "claims[c].a.value: not a number (its values are strings)",
    ),
    (
        "query_not_a_condition",
        GOOD.replace("\"attack == 'fgsm'\"", '"eps * 2"'),
        "claims[c].a.query: not a condition (its values are numbers",
    ),
    (
        "query_name_ordered_against_number",
        GOOD.replace("\"attack == 'fgsm'\"", '"attack > 1"'),
        "claims[c].a.query: a string ordered against a number ('attack > 1')",
    ),
    (
        "query_and_of_numbers",
        GOOD.replace("\"attack == 'fgsm'\"", '"eps and n"'),
        "claims[c].a.query: and of a number ('eps'), not a condition",
    ),
    (
        "count_of_a_name",
        GOOD.replace("count: n}", "count: 'n * attack'}"),
        "claims[c].a.count: arithmetic (*) on a string",
    ),
    (
        "check_of_one_side",
        GOOD + "    checks: [{what: swapped, swap: true}]\n",
        "claims[c].checks[0]: only for a claim with sides a and b",
    ),
    (
        "no_family",
        GOOD.replace("    family: f\n", ""),
        "claims[c].family: missing: every source claim with a test names its family",
    ),
    (
        "unknown_family",
        GOOD.replace("    family: f\n", "    family: g\n"),
        "claims[c].family: 'g' is not one of the claims file's families (f)",
    ),
    (
        "bad_families",
        GOOD.replace("  f: the attack curves of the nets here", "  F: x"),
        "families: 'F' does not match",
    ),
    ("bad_freeze", GOOD + "freeze: /tmp/freeze.json\n", ":25: freeze: '/tmp/freeze.json' does not match"),
    (
        "success_rate_over_all_digits",
        GOOD.replace("value: robust_acc", "value: success_rate"),
        "claims[c].a.count: success_rate is a share of the correctly classified digits: its count is 'n * clean_acc'",
    ),
    (
        "gate_bar_unknown_role",
        GOOD + "    quality_gate: {bar: best_gan}\n",
        "claims[c].quality_gate.bar: 'best_gan' is not a role of the claims file",
    ),
    (
        "requirement_each",
        GOOD
        + "    requires: [{what: built, table: robustness/attacks.parquet, value: n, each: seed, at_least: 1}]\n",
        "claims[c].requires[0].each: 'seed' is not one of ['row', 'run']",
    ),
    (
        "quote_not_in_source",
        GOOD.replace("    quote: the source says\n", "    quote: words the source never wrote\n"),
        "claims[c].quote: not in the source text of 003 (verbatim)",
    ),
    ("no_sources", GOOD.split("\n", 1)[1], "sources: missing required key 'sources'"),
    ("source_text_missing", GOOD.replace("source_003.txt", "nowhere.txt"), "sources.003: "),
    (
        "equivalent_without_tolerance",
        GOOD.replace("direction: greater", "direction: equivalent").replace(
            "{ours: reason}", "{source: '50 %'}"
        ),
        "claims[c].test.tolerance: required with direction equivalent",
    ),
    (
        "equivalence_against_our_number",
        GOOD.replace("direction: greater", "direction: equivalent").replace(
            "margin: 0.5\n", "margin: 0.5\n      tolerance: {value: 0.1, reason: r}\n"
        ),
        "an equivalence test is against the source's number",
    ),
    (
        "requirement_without_bound",
        GOOD + "    requires: [{what: built, table: robustness/attacks.parquet, value: n}]\n",
        "claims[c].requires[0]: needs exactly one of at_least, at_most",
    ),
    (
        "control_kind_permuted",
        GOOD.replace("kind: null_input", "kind: permuted"),
        ":23: claims[c].control.kind: the permuted halves check the interval's calibration",
    ),
    (
        "margin_out_of_bounds",
        GOOD.replace("margin: 0.5", "margin: 1.0e+13"),
        ":19: claims[c].test.margin: 10000000000000.0 is greater than the maximum",
    ),
    (
        "gate_exempt_without_reason",
        GOOD + "    quality_gate: {exempt: [pgd_cnn]}\n",
        ":25: claims[c].quality_gate: 'reason' is a dependency of 'exempt'",
    ),
]


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
