"""The claims engine: config checks, generic comparisons, verdicts on constructed tables."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest
import yaml

from advgen.claims import evaluate_all, frame, load_claims, markdown, tables_read
from advgen.cli import main as cli_main
from advgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "config" / "claims.yaml"


def write_claims(tmp_path: Path, claims: list[dict], defaults: dict | None = None) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"defaults": defaults or {}, "claims": claims}))
    return path


def claim(id_: str, kind: str, **extra) -> dict:
    return {
        "id": id_,
        "source": "003",
        "section": "s",
        "quote": "q",
        "statement": "st",
        "kind": kind,
        **extra,
    }


def attacks_table(results: Path, rows: list[tuple[str, str, float, float]]) -> None:
    """robustness/attacks.parquet with (classifier, attack, eps, robust_acc) rows."""
    df = pd.DataFrame(rows, columns=["classifier", "attack", "eps", "robust_acc"]).assign(clean_acc=0.98)
    (results / "robustness").mkdir(parents=True, exist_ok=True)
    df.to_parquet(results / "robustness" / "attacks.parquet", index=False)


def term(name: str, attack: str = "pgd40") -> dict:
    return {
        "table": "robustness/attacks.parquet",
        "over": "classifier",
        "query": f"classifier.str.fullmatch('{name}(_s[0-9]+)?') and attack == '{attack}' and eps == 0.2",
        "value": "robust_acc",
    }


def verdicts(tmp_path: Path, claims: list[dict], results: Path, **defaults) -> dict:
    out = evaluate_all(load_claims(write_claims(tmp_path, claims, defaults)), str(results))
    return {v.claim.id: v for v in out}


def test_contradicted_claim_does_not_hold(tmp_path: Path) -> None:
    # the data say the standard model is MORE robust than the PGD-trained one
    attacks_table(tmp_path, [("cnn_pgd", "pgd40", 0.2, 0.05), ("cnn_std", "pgd40", 0.2, 0.70)])
    got = verdicts(
        tmp_path, [claim("pgd_beats_std", "greater", a=term("cnn_pgd"), b=term("cnn_std"))], tmp_path
    )
    v = got["pgd_beats_std"]
    assert v.verdict == "does not hold"
    assert "0.05" in v.measured and "0.7" in v.measured
    assert v.difference == pytest.approx(0.05 - 0.70)


def test_supported_claim_holds_and_order_chain(tmp_path: Path) -> None:
    attacks_table(
        tmp_path,
        [
            ("std", "pgd40", 0.2, 0.0),
            ("fgsm", "pgd40", 0.2, 0.2),
            ("pgd", "pgd40", 0.2, 0.8),
            ("fgsm", "fgsm", 0.2, 0.9),
        ],
    )
    claims = [
        claim("order", "order", direction="increasing", terms=[term("std"), term("fgsm"), term("pgd")]),
        claim("wrong_order", "order", direction="decreasing", terms=[term("std"), term("fgsm"), term("pgd")]),
        claim("gap", "greater", margin=0.1, a=term("fgsm", "fgsm"), b=term("fgsm")),
        claim("thr", "threshold", op=">", value=0.5, a=term("pgd")),
        claim("thr_no", "threshold", op="<", value=0.5, a=term("pgd")),
    ]
    got = verdicts(tmp_path, claims, tmp_path)
    assert got["order"].verdict == "holds"
    assert got["wrong_order"].verdict == "does not hold"
    assert got["gap"].verdict == "holds"
    assert got["thr"].verdict == "holds" and got["thr_no"].verdict == "does not hold"


def test_missing_table_rows_or_columns_are_not_measured(tmp_path: Path) -> None:
    results = tmp_path / "results"
    claims = [
        claim("no_table", "greater", a=term("a"), b=term("b")),
        claim(
            "no_col",
            "threshold",
            op=">",
            value=0.1,
            a={"table": "robustness/attacks.parquet", "value": "mean_adv_confidence"},
        ),
        claim("no_rows", "threshold", op=">", value=0.1, a=term("nobody")),
        claim(
            "no_query_col",
            "threshold",
            op=">",
            value=0.1,
            a={"table": "robustness/attacks.parquet", "query": "method == 'x'", "value": "robust_acc"},
        ),
        claim(
            "no_grid", "trend", by="width", a={"table": "robustness/attacks.parquet", "value": "robust_acc"}
        ),
    ]
    got = verdicts(tmp_path, claims, results)
    assert (
        got["no_table"].verdict == "not measured"
        and "robustness/attacks.parquet missing" in got["no_table"].note
    )
    attacks_table(results, [("a", "pgd40", 0.2, 0.5)])
    got = verdicts(tmp_path, claims, results)
    assert {k: v.verdict for k, v in got.items()} == dict.fromkeys(got, "not measured")
    assert "mean_adv_confidence" in got["no_col"].note and "no rows match" in got["no_rows"].note
    assert "'width'" in got["no_grid"].note
    # a corrupt table is not measured either, never a crash
    (results / "robustness" / "attacks.parquet").write_bytes(b"not parquet")
    assert verdicts(tmp_path, claims, results)["no_col"].verdict == "not measured"


def test_noise_level_differences_are_inconclusive(tmp_path: Path) -> None:
    # three seeds each; the means differ by less than the seeds' spread
    rows = [(f"a_s{i}", "pgd40", 0.2, v) for i, v in enumerate([0.50, 0.56, 0.47])]
    rows += [(f"b_s{i}", "pgd40", 0.2, v) for i, v in enumerate([0.49, 0.53, 0.44])]
    attacks_table(tmp_path, rows)
    v = verdicts(tmp_path, [claim("close", "greater", noisy=True, a=term("a"), b=term("b"))], tmp_path)[
        "close"
    ]
    assert v.verdict == "inconclusive"
    assert "±" in v.measured and "3 replicates" in v.measured
    assert v.difference < v.spread
    # the same means with a tight spread: holds
    rows = [(f"a_s{i}", "pgd40", 0.2, v) for i, v in enumerate([0.60, 0.61, 0.62])]
    rows += [(f"b_s{i}", "pgd40", 0.2, v) for i, v in enumerate([0.40, 0.41, 0.42])]
    attacks_table(tmp_path, rows)
    assert (
        verdicts(tmp_path, [claim("close", "greater", noisy=True, a=term("a"), b=term("b"))], tmp_path)[
            "close"
        ].verdict
        == "holds"
    )


def test_single_run_drift_is_inconclusive_and_noisy_needs_seeds(tmp_path: Path) -> None:
    # 0.0138 vs 0.0134 (issue 15): within the relative tolerance of one run
    attacks_table(tmp_path, [("a", "pgd40", 0.2, 0.0138), ("b", "pgd40", 0.2, 0.0134)])
    got = verdicts(
        tmp_path, [claim("drift", "greater", a=term("a"), b=term("b"))], tmp_path, rel_tolerance=0.05
    )
    assert got["drift"].verdict == "inconclusive"
    # a large difference, but a noisy claim with one seed cannot be decided
    attacks_table(tmp_path, [("a", "pgd40", 0.2, 0.9), ("b", "pgd40", 0.2, 0.1)])
    claims = [
        claim("noisy", "greater", noisy=True, a=term("a"), b=term("b")),
        claim("clear", "greater", a=term("a"), b=term("b")),
    ]
    got = verdicts(tmp_path, claims, tmp_path)
    assert got["noisy"].verdict == "inconclusive" and "needs 3" in got["noisy"].note
    assert got["clear"].verdict == "holds"


def test_trend_uses_endpoints_and_seed_column(tmp_path: Path) -> None:
    rows = []
    for seed in range(3):
        for frac, gap in [(0.1, 0.30), (0.5, 0.20), (1.0, 0.10)]:
            rows.append(
                {
                    "seed": seed,
                    "mode": "pgd",
                    "train_fraction": frac,
                    "train_robust_acc": 0.9,
                    "robust_acc": 0.9 - gap - 0.01 * seed,
                }
            )
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(tmp_path / "robustness" / "sweeps" / "data_size.parquet")
    gap = {
        "table": "robustness/sweeps/data_size.parquet",
        "query": "mode == 'pgd'",
        "value": "train_robust_acc - robust_acc",
    }
    claims = [
        claim("shrinks", "trend", by="train_fraction", direction="decreasing", noisy=True, a=gap),
        claim("grows", "trend", by="train_fraction", direction="increasing", noisy=True, a=gap),
    ]
    got = verdicts(tmp_path, claims, tmp_path)
    assert got["shrinks"].verdict == "holds" and got["grows"].verdict == "does not hold"
    assert "train_fraction=0.1" in got["shrinks"].measured and "3 replicates" in got["shrinks"].measured


def test_last_aggregate_and_expressions(tmp_path: Path) -> None:
    for name, kurt in (("forced", [9.0, 3.2]), ("plain", [9.0, 6.0])):
        folder = tmp_path / "autoencoders" / name
        folder.mkdir(parents=True)
        pd.DataFrame({"iteration": [2, 1][::-1], "z_kurtosis": kurt}).to_parquet(folder / "losses.parquet")

    def t(n: str) -> dict:
        return {
            "table": f"autoencoders/{n}/losses.parquet",
            "value": "abs(z_kurtosis - 3)",
            "agg": "last",
            "order_by": "iteration",
        }

    v = verdicts(tmp_path, [claim("k", "less", a=t("forced"), b=t("plain"))], tmp_path)["k"]
    assert v.verdict == "holds" and v.sides[0][1].mean == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ({"kind": "bigger"}, "claims[x].kind"),
        ({"source": "002"}, "claims[x].source"),
        ({"a": {"table": "/abs.parquet", "value": "v"}}, "claims[x].a.table"),
        ({"a": {"table": "t.parquet", "value": "v", "agg": "mode"}}, "claims[x].a.agg"),
        ({"a": {"table": "t.parquet", "value": "v", "query": "a ==== b"}}, "claims[x].a.query"),
        ({"a": {"table": "t.parquet", "value": "v", "colour": 1}}, "claims[x].a.colour"),
        ({"b": None}, "claims[x].b"),
        ({"margin": "big"}, "claims[x].margin"),
        ({"noisy": "yes"}, "claims[x].noisy"),
        ({"extra": 1}, "claims[x].extra"),
    ],
)
def test_bad_claims_file_names_the_key(tmp_path: Path, edit: dict, key: str) -> None:
    base = claim(
        "x", "greater", a={"table": "t.parquet", "value": "v"}, b={"table": "t.parquet", "value": "v"}
    )
    base.update(edit)
    base = {k: v for k, v in base.items() if v is not None}
    with pytest.raises(ConfigError, match=r"claims\.yaml: " + key.replace("[", r"\[").replace("]", r"\]")):
        load_claims(write_claims(tmp_path, [base]))


def test_duplicate_ids_and_empty_file(tmp_path: Path) -> None:
    c = claim("x", "threshold", op=">", value=1, a={"table": "t.parquet", "value": "v"})
    with pytest.raises(ConfigError, match=r"claims\[x\]\.id: duplicate"):
        load_claims(write_claims(tmp_path, [c, c]))
    (tmp_path / "e.yaml").write_text("claims: []\n")
    with pytest.raises(ConfigError, match="claims: must be a non-empty list"):
        load_claims(tmp_path / "e.yaml")


def test_command_writes_both_outputs_and_fails_in_one_line(tmp_path: Path, capsys) -> None:
    attacks_table(tmp_path / "res", [("cnn_pgd", "pgd40", 0.2, 0.05), ("cnn_std", "pgd40", 0.2, 0.70)])
    path = write_claims(tmp_path, [claim("c", "greater", a=term("cnn_pgd"), b=term("cnn_std"))])
    out, pq = tmp_path / "t" / "claims.md", tmp_path / "t" / "claims.parquet"
    assert (
        cli_main(
            [
                "claims",
                "--config",
                str(path),
                "--results",
                str(tmp_path / "res"),
                "-o",
                str(out),
                "--parquet",
                str(pq),
            ]
        )
        == 0
    )
    assert "**does not hold**" in out.read_text()
    table = pd.read_parquet(pq)
    assert table.loc[0, "verdict"] == "does not hold" and table.loc[0, "replicates"] == 1
    bad = write_claims(tmp_path, [claim("c", "greater", a=term("cnn_pgd"))])
    out.unlink()
    assert cli_main(["claims", "--config", str(bad), "--results", str(tmp_path), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claims[c].b: missing" in err[0] and not out.exists()


def test_repository_claims_file_loads_and_covers_both_seeds(tmp_path: Path) -> None:
    claims = load_claims(CLAIMS)
    assert len(claims) >= 20
    assert {c.source for c in claims} == {"001", "003"}
    assert sum(c.source == "001" for c in claims) >= 8 and sum(c.source == "003" for c in claims) >= 8
    # an empty results folder: everything not measured, nothing crashes
    out = evaluate_all(claims, str(tmp_path))
    assert {v.verdict for v in out} == {"not measured"}
    page = markdown(out)
    assert page.count("\n| **") == len(claims) and "GAN report (001)" in page
    assert len(frame(out)) == len(claims)
    tables = tables_read(claims)
    assert "robustness/attacks.parquet" in tables and tables == sorted(set(tables))


def _names(expr: str) -> set[str]:
    """Column names an expression reads (function names and `.str` methods excluded)."""
    tree = ast.parse(expr, mode="eval")
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called


def _writer_columns() -> dict[str, set[str]]:
    """Columns of the tables claims.yaml reads, from the code that writes them."""
    from advgen.ae.train import COLUMNS as AE
    from advgen.gan.train import COLUMNS as GAN
    from advgen.robustness import evaluate, sweeps, transfer
    from advgen.sweeps.tables import ID_COLUMNS, METRIC_COLUMNS

    sweep_cols = {s: set(ID_COLUMNS) | set(m) for s, m in METRIC_COLUMNS.items()}
    return {
        "robustness/attacks.parquet": set(evaluate.COLUMNS),
        "robustness/transfer.parquet": set(transfer.COLUMNS),
        "robustness/sweeps/capacity.parquet": set(sweeps.COLUMNS),
        "robustness/sweeps/data_size.parquet": set(sweeps.COLUMNS),
        "gans/digits_ns/losses.parquet": set(GAN),
        "gans/digits_ce/losses.parquet": set(GAN),
        "autoencoders/digits_ae/losses.parquet": set(AE),
        "autoencoders/digits_ae_forced/losses.parquet": set(AE),
        "sweeps/inversion.parquet": sweep_cols["inversion"] | {"restarts", "init", "optimizer"},
        "sweeps/inpainting.parquet": sweep_cols["inpainting"] | {"method"},
        "sweeps/interpolation.parquet": sweep_cols["interpolation"],
        "sweeps/truncation.parquet": sweep_cols["truncation"],
    }


def test_claims_read_columns_their_writers_produce() -> None:
    known = _writer_columns()
    checked = 0
    for c in load_claims(CLAIMS):
        for t in c.terms:
            if t.table not in known:
                continue
            used = (
                _names(t.value)
                | (_names(t.query) if t.query else set())
                | {x for x in (t.over, t.order_by, c.by) if x}
            )
            missing = used - known[t.table]
            assert not missing, f"{c.id}: {t.table} has no column(s) {sorted(missing)}"
            checked += 1
    assert checked >= 30


def test_rst_page_lists_every_claim_with_its_verdict(tmp_path: Path) -> None:
    """The report's landing page includes the claims as a reStructuredText list-table."""
    from docutils.core import publish_parts

    from advgen.claims import rst

    attacks_table(tmp_path, [("cnn_pgd", "pgd40", 0.2, 0.05), ("cnn_std", "pgd40", 0.2, 0.70)])
    claims = [
        claim("pgd_beats_std", "greater", a=term("cnn_pgd"), b=term("cnn_std")),
        claim("missing_*_rows", "greater", a=term("nope"), b=term("cnn_std")),
    ]
    out = evaluate_all(load_claims(write_claims(tmp_path, claims)), str(tmp_path))
    text = rst(out, results="results")
    html = publish_parts(text, writer_name="html", settings_overrides={"halt_level": 2, "report_level": 5})[
        "html_body"
    ]
    assert "pgd_beats_std" in html and "does not hold" in html and "not measured" in html
    assert "missing_*_rows" in html  # escaped, not emphasis


@pytest.mark.parametrize(
    ("robust", "non_robust", "expected"),
    [
        (0.003, 0.0, "inconclusive"),
        (0.019, 0.0, "inconclusive"),
        (0.25, 0.0, "holds"),
        (0.0, 0.25, "does not hold"),
    ],
)
def test_ilyas_claim_needs_more_than_its_tolerance(
    tmp_path: Path, robust: float, non_robust: float, expected: str
) -> None:
    """The repository's D_R vs D_NR claim: 0.003 vs 0 (one digit of the test split; "neither
    model is robust") is below the claim's 2-point tolerance floor and stays inconclusive."""
    (ilyas,) = [c for c in load_claims(CLAIMS) if c.id == "ilyas_robust_features"]
    assert ilyas.tolerance == 0.02
    (tmp_path / "robustness").mkdir()
    rows = [("robust", 0.9, robust), ("non_robust", 0.8, non_robust), ("standard", 0.98, 0.0)]
    table = pd.DataFrame(rows, columns=["dataset", "clean_acc", "robust_acc"])
    table.to_parquet(tmp_path / "robustness" / "robust_features.parquet", index=False)
    (v,) = evaluate_all([ilyas], str(tmp_path))
    assert v.verdict == expected
    assert v.spread == pytest.approx(0.02) and v.difference == pytest.approx(robust - non_robust)
