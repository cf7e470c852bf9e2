"""The repository's claims file: its quotes in the sources' text, a control for every test, the
sources' numbers tested, its claims and controls on synthetic tables; the page and the README."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen import paths
from advgen.claims import evaluate_all
from advgen.claims.measuring.measure import Context
from advgen.claims.page.counts import counts_text
from advgen.claims.page.readme import (
    SUMMARY_END,
    SUMMARY_HEADER,
    SUMMARY_PAGE,
    SUMMARY_ROW,
    SUMMARY_START,
    readme_summary,
    replace_summary,
    summary_page,
)
from advgen.claims.page.round_header import read_record, summary_header
from advgen.claims.page.table import COLUMNS, SUMMARY_COLUMNS, frame
from advgen.claims.page.views import html, markdown
from advgen.claims.reading.claims_file import read_claims_file
from advgen.io import read_table
from tests.unit.test_claims import attacks, claim, claims_file, decl, side

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "config" / "claims.yaml"
PARSED = read_claims_file(CLAIMS)


def test_every_quote_is_verbatim_in_the_repositorys_source_text() -> None:
    """Whitespace normalised; '...' marks an elision, the pieces in order (written out here
    apart from advgen.claims.reading.sources)."""
    assert set(PARSED.sources) == {"001", "003"}
    texts = {}
    for sid, rel in PARSED.sources.items():
        path = (CLAIMS.parent / rel).resolve()
        assert path.is_relative_to(ROOT) and path.parent == ROOT / "docs" / "sources", rel
        texts[sid] = " ".join(path.read_text(encoding="utf-8").split())
    for c in PARSED.claims:
        at = 0
        for piece in (p.strip() for p in " ".join(c.quote.split()).split("...")):
            if not piece.strip(" ."):
                continue
            found = texts[c.source].find(piece, at)
            assert found >= 0, (c.id, piece)
            at = found + len(piece)


def test_the_claims_file_points_inside_the_repository() -> None:
    text = CLAIMS.read_text(encoding="utf-8")
    assert "shared/seeds" not in text and "../shared" not in text
    for rel in re.findall(r"\.\./[^\s\"']+", text):
        assert (CLAIMS.parent / rel).resolve().is_relative_to(ROOT), rel


#: the testable source claims without a control, each with its reason on the page (at most 5)
NO_CONTROL = {
    "schmidt_cifar_gap_larger",  # paper scale only
    "ae_interpolation_similar_smoother",
    "madry_capacity_robustness",
}


def behaved(v) -> bool:  # noqa: ANN001 (a Verdict)
    """Whether a verdict's control behaved: a positive one holds, a negative one neither holds nor
    shows an effect on either side of no effect, and kind none has its reason."""
    from advgen.claims.reading.model import POSITIVE_KINDS

    kind = v.claim.control.kind
    if kind == "none":
        return v.control.startswith("none: ")
    if kind in POSITIVE_KINDS:
        return v.control.startswith("holds")
    return not v.control.startswith(("holds", "significant"))


def test_every_test_has_a_control_and_every_source_number_is_tested() -> None:
    """A testable source claim has a control of the first kind (never the sides made equal or
    swapped: those are margin checks), or says why none exists; a family; the source's number
    tested by equivalence."""
    from advgen.claims.reading.model import CONTROL_KINDS

    for c in PARSED.claims:
        if c.test is None:
            assert c.status != "measured" and c.reason, c.id
            continue
        if c.group == "source":
            assert c.control is not None and c.control.kind in CONTROL_KINDS, c.id
            assert c.family in PARSED.families, c.id
            if c.control.kind == "none":
                assert c.id in NO_CONTROL and c.control.reason, c.id
            else:
                assert c.control.what and c.control.terms and c.control.kind != "permuted", c.id
            if c.calibration is not None:  # the permuted halves: apart from the control
                assert c.calibration.kind == "permuted" and c.calibration.permute, c.id
        if c.test.margin_source == "source":
            assert c.paper_value, c.id  # the page shows the number it tests against
        if c.test.direction == "equivalent":
            assert c.test.margin_source == "source" and c.test.tolerance_note, c.id
    testable = [c for c in PARSED.claims if c.group == "source" and c.test is not None]
    assert {c.id for c in testable if c.control.kind == "none"} == NO_CONTROL and len(NO_CONTROL) <= 5
    by_id = {c.id: c for c in PARSED.claims}
    for cid, number in (
        ("goodfellow_fgsm_fools_standard", 0.894),
        ("goodfellow_adversarial_training", 0.179),
        ("goodfellow_confident_mistakes", 0.814),
        ("szegedy_lbfgs_fools_every_example", 1.0),
        ("parameters_m1", 675025),
        ("parameters_m3", 1460225),
    ):
        t = by_id[cid].test
        assert (t.direction, t.margin) == ("equivalent", pytest.approx(number)), cid
    assert "1.6% -> 1.2%" in by_id["szegedy_pool_training"].paper_value


def test_implementation_facts_and_as_expected_rows_are_checks() -> None:
    """Rows that can barely fail are implementation checks, listed apart and not counted."""
    by_id = {c.id: c for c in PARSED.claims}
    for cid in (
        "parameters_m1",
        "parameters_m3",
        "conv_gradient_input",
        "conv_gradient_filter",
        "ae_interpolation_moves_to_end",
        "lbfgs_smaller_than_fgsm",
        "su_one_pixel",
    ):
        assert by_id[cid].group == "check", cid
    assert "szegedy_lbfgs_transfer" not in by_id  # merged into szegedy_transfer_architectures


def test_every_changed_test_says_why() -> None:
    changed = {c.id for c in PARSED.claims if c.test and c.test.changes}
    for cid in (
        "ns_no_vanishing_gradient",
        "ae_interpolation_endpoints",
        "gan_interpolation_third_class",
        "ae_closer_to_data_than_gan",
        "szegedy_transfer_architectures",
        "szegedy_cross_model_error_varies",
        "szegedy_lbfgs_fools_every_example",
        "goodfellow_adversarial_training",
        "goodfellow_confident_mistakes",
        "madry_pgd_high_accuracy",
        "fgsm_training_not_pgd_robust",
        "madry_capacity_robustness",
        "schmidt_more_data_more_robust",
        "engstrom_spatial",
        "ilyas_robust_features",
        "truncation_diversity",
        "inversion_keeps_digit",
        "inversion_keeps_size",
        "ns_beats_cross_entropy",
        "ce_more_d_steps_attenuate",
        "goodfellow_fgsm_fools_standard",
        "schmidt_gap_shrinks_with_data",
        "su_one_pixel_28px",
        "truncation_quality",
        "parameters_m1",
        "ae_interpolation_moves_to_end",
        "lbfgs_smaller_than_fgsm",
    ):
        assert cid in changed, cid


def evaluate(ids: set[str], results: Path, roles: dict | None = None) -> dict:
    chosen = [c for c in PARSED.claims if c.id in ids]
    assert {c.id for c in chosen} == ids
    return {v.claim.id: v for v in evaluate_all(chosen, Context(results, roles or {}), str(CLAIMS))}


def test_seeded_robustness_claims_and_their_controls(tmp_path: Path) -> None:
    """The capacity / data-size sweeps and robust features carry a seed column (one per run of
    their base classifier): each seed is one run, the contrasts pair by seed, and no control
    holds on tables where every claim does."""
    seeds = (0, 1, 2)
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    widths, fractions = (0.25, 0.5, 1.0), (0.1, 0.5, 1.0)

    def sweep(column: str, values: tuple[float, ...], pgd: Callable, standard: Callable) -> pd.DataFrame:
        """Per seed and grid value, the PGD-trained run's row, then the standard one's
        (``pgd``, ``standard``: (grid value, seed) -> the row's measured columns)."""
        return pd.DataFrame(
            [
                {"mode": mode, column: v, "seed": s, **measured(v, s)}
                for s in seeds
                for v in values
                for mode, measured in (("pgd", pgd), ("standard", standard))
            ]
        )

    sweep(
        "width",
        widths,
        lambda w, s: {"robust_acc": 0.2 + 0.3 * w + 0.02 * s, "clean_acc": 0.97, "n_test": 500},
        lambda w, s: {"robust_acc": 0.0, "clean_acc": 0.95 + 0.02 * w, "n_test": 500},
    ).to_parquet(tmp_path / "robustness" / "sweeps" / "capacity.parquet")
    sweep(
        "train_fraction",
        fractions,
        lambda f, s: {
            "robust_acc": 0.3 + 0.4 * f + 0.01 * s,
            "train_robust_acc": 0.75 + 0.01 * f,
            "clean_acc": 1.0,  # every digit: a finite (empirical) logit all the same
            "train_clean_acc": 0.99,
            "n_test": 500,
        },
        lambda f, s: {
            "robust_acc": 0.0,
            "train_robust_acc": 0.0,
            "clean_acc": 0.9 + 0.05 * f + 0.002 * s,
            "train_clean_acc": 1.0,
            "n_test": 500,
        },
    ).to_parquet(tmp_path / "robustness" / "sweeps" / "data_size.parquet")
    pd.DataFrame(
        [
            {
                "dataset": d,
                "seed": s,
                "robust_acc": acc + 0.01 * s,
                "clean_acc": clean + 0.002 * s,
                "label_hit": hit,
            }
            for s in seeds
            for d, acc, clean, hit in (
                ("robust", 0.3, 0.90, 0.97),
                ("non_robust", 0.05, 0.93, 0.95),
                ("clean", 0.05, 0.95, np.nan),  # as robust as D_NR: the null of ilyas_robust_features
                ("relabelled", 0.01, 0.03, np.nan),
                ("adversarial_training", 0.7, 0.96, np.nan),
            )
        ]
    ).to_parquet(tmp_path / "robustness" / "robust_features.parquet")
    ids = {
        "madry_capacity_robustness",
        "schmidt_more_data_more_robust",
        "schmidt_gap_shrinks_with_data",
        "schmidt_mnist_generalises",
        "ilyas_robust_features",
        "ilyas_clean_roughly_same",
        "ilyas_robust_slight_drop",
        "ilyas_adv_training_more_effective",
    }
    got = evaluate(ids, tmp_path)
    for cid in ids:
        v = got[cid]
        assert v.seeds == 3 and np.isfinite(v.lo) and np.isfinite(v.hi), (cid, v.verdict, v.note)
        assert v.verdict == "holds", (cid, v.effect_text(), v.method)
        assert behaved(v), (cid, v.control)
        for _, measured in v.sides:
            assert measured.side.names == ("0", "1", "2"), cid
    assert "paired by run" in got["madry_capacity_robustness"].method


def test_a_d_nr_that_missed_its_labels_is_not_reproduced(tmp_path: Path) -> None:
    (tmp_path / "robustness").mkdir()
    pd.DataFrame(
        [
            {"dataset": d, "seed": s, "robust_acc": acc, "clean_acc": 0.9, "label_hit": hit}
            for s in (0, 1, 2)
            for d, acc, hit in (("robust", 0.3, 0.97), ("non_robust", 0.05, 0.31))
        ]
    ).to_parquet(tmp_path / "robustness" / "robust_features.parquet")
    v = evaluate({"ilyas_robust_features"}, tmp_path)["ilyas_robust_features"]
    assert v.verdict == "not reproduced" and v.validity.startswith("did not reproduce: D_NR's construction")


def test_a_d_r_without_robust_accuracy_above_chance_is_not_reproduced(tmp_path: Path) -> None:
    """Round 1's D_R met its label-hit check with a robust accuracy of 0.05, below chance: the
    precondition asks for chance (0.1) plus a declared margin of 0.1 in every seed, of every claim
    that reads D_R; its failure is a result, "not reproduced", said in words."""
    (tmp_path / "robustness").mkdir()
    pd.DataFrame(
        [
            {
                "dataset": d,
                "seed": s,
                "robust_acc": acc,
                "clean_acc": 0.9 - 0.5 * (d == "relabelled"),
                "label_hit": hit,
            }
            for s in (0, 1, 2)
            for d, acc, hit in (
                ("robust", 0.05 if s else 0.25, 0.97),
                ("non_robust", 0.02, 0.95),
                ("adversarial_training", 0.74, np.nan),
                ("clean", 0.01, np.nan),
                ("relabelled", 0.01, np.nan),
            )
        ]
    ).to_parquet(tmp_path / "robustness" / "robust_features.parquet")
    ids = {"ilyas_adv_training_more_effective", "ilyas_robust_slight_drop", "ilyas_robust_features",
           "ilyas_clean_roughly_same"}  # fmt: skip
    got = evaluate(ids, tmp_path)
    assert set(got) == ids
    for cid, v in got.items():
        assert v.verdict == "not reproduced" and v.would_be, (cid, v.verdict)
        assert v.validity.startswith("did not reproduce: the robust-feature data set D_R becomes robust"), (
            v.validity
        )
        assert v.validity.endswith(": 0.05 in 2 of 3 runs, below 0.2"), v.validity


# --- the page and the README summary


def verdict_table(tmp_path: Path) -> pd.DataFrame:
    attacks(tmp_path, [("m", "pgd40", 0.3, 0.9, 100), ("s", "pgd40", 0.3, 0.2, 100)])
    rows = [
        claim(
            "a_holds",
            decl(
                "difference",
                "greater",
                0.0,
                changes=[
                    {"date": "2026-11-20", "old": 0.1, "new": 0.0, "reason": "the source gives no number"}
                ],
            ),
            a=side("rob"),
            b=side("std"),
        ),
        {**claim("b_check", decl("value", "greater", 0.5), a=side("rob")), "group": "check"},
        claim("c_gone", decl("value", "greater", 0.5), a=side("gan")),
        {
            "id": "d_big",
            "source": "001",
            "section": "s",
            "quote": "the source says",
            "statement": "st <b>",
            "reading": {"proposition": "p"},
            "status": "not_testable",
            "reason": "x",
        },
    ]
    parsed = read_claims_file(claims_file(tmp_path, rows))
    return frame(evaluate_all(parsed.claims, Context(tmp_path, {"rob": ["m"], "std": ["s"]})))


def test_page_states_each_rows_interval_control_and_escapes_text(tmp_path: Path) -> None:
    table = verdict_table(tmp_path)
    header = {
        "datasets": [{"name": "d", "label": "MNIST", "resolution": "28×28 px", "train": 4000, "test": 1000}],
        "budgets": [{"what": "GANs", "ours": "1,575 iterations", "source": "125,000 iterations"}],
        "seeds": {"rob": {"m": 0}},
        "config": "c.yaml",
        "results": "results",
    }
    page = html(table, header)
    assert "4000 training / 1000 test images" in page and "rob: 1 (0)" in page
    assert "GANs: 1,575 iterations vs 125,000 iterations" in page
    assert "st &lt;b&gt;" in page and "<b>" not in page.split("<body>")[1].split("</main>")[0].replace(
        "<br>", ""
    )
    assert page.index("robustness review (003)") < page.index("Implementation checks")
    assert "0.7 [" in page and "1 seed × 100 examples" in page and "(95 %)" in page
    md = markdown(table)  # Markdown passes raw HTML through: the claims file's text is escaped
    assert "st \\<b>" in md and "st <b>" not in md
    history = page.split('<section id="changes">')[1]  # the changes log: once, at the end, linked
    assert "changed: 2026-11-20: 0.1 → 0 (the source gives no number)" in history
    assert "2026-11-20: 0.1 → 0" not in page.split('<section id="changes">')[0]
    assert '<a href="#changes-' in page
    assert "<dt>control: did it behave?</dt>" in page and "margin checks: made equal: inconclusive" in page
    assert "Phase: exploratory" in page
    assert counts_text(table) == (
        "3 exploratory source claims: 1 holds, 1 not measured, 1 not testable at this scale"
    )


def check_summary(block: list[str], ids: set[str]) -> None:
    """The format the generator writes: a counts line, the header, one row per source claim."""
    rows = [line for line in block if line.startswith("| `")]
    assert any(line.startswith(SUMMARY_HEADER) for line in block)
    assert rows and all(SUMMARY_ROW.match(r) for r in rows), [r for r in rows if not SUMMARY_ROW.match(r)]
    assert {r.split("`")[1] for r in rows} == ids
    counts = re.search(r"\*\*(\d+) (?:exploratory|confirmatory) source claims: ([^*]+)\*\*", "\n".join(block))
    assert counts and int(counts.group(1)) == len(rows)
    assert sum(int(n) for n in re.findall(r"(\d+) [a-z]", counts.group(2))) == len(rows)


def test_readme_summary_is_what_the_generator_writes(tmp_path: Path) -> None:
    table = verdict_table(tmp_path)
    page = summary_page(table)
    check_summary(page.splitlines(), set(table.loc[table["group"] == "source", "id"]))
    assert (
        "| `a_holds` (003) | the source says so | – | a − b > 0 (ours) | raw | 0.7 [" in page
    )  # its reading's proposition, the test, its margin, the scale its reading lists
    summary = readme_summary(table, page="docs/x.md")
    assert summary.splitlines()[0] == SUMMARY_START and summary.splitlines()[-1] == SUMMARY_END
    assert f"**{counts_text(table)}**" in summary and "[docs/x.md](docs/x.md)" in summary
    assert "| `" not in summary  # the rows are on the page, not in the README
    readme = f"intro\n{SUMMARY_START}\nold\n{SUMMARY_END}\nrest\n"
    assert replace_summary(readme, summary) == f"intro\n{summary.rstrip()}\nrest\n"


def test_the_page_sets_the_previous_rounds_verdict_beside_each_row(tmp_path: Path) -> None:
    """``--previous-round``: each row gets round 1's verdict (``round1_verdict``; "not in round 1"
    for a claim it did not have) in the page's last column and in ``--table-out``, and the page
    counts the source claims whose verdict the round re-obtained."""
    from advgen.claims.page.rounds import NOT_IN_PREVIOUS, PREVIOUS_COLUMN, with_previous_round
    from advgen.cli import main as cli_main
    from advgen.io import write_parquet

    (tmp_path / "tables").mkdir()
    table = verdict_table(tmp_path / "tables")
    write_parquet(table, tmp_path / "claims.parquet")
    sources = table[table["group"] == "source"]
    first, second = sources["id"].iloc[0], sources["id"].iloc[1]
    flipped = "does not hold" if sources["verdict"].iloc[0] != "does not hold" else "holds"
    previous = pd.DataFrame({"id": [first, second, "gone_claim"],
                             "verdict": [flipped, sources["verdict"].iloc[1], "holds"]})  # fmt: skip
    write_parquet(previous, tmp_path / "round1.parquet")
    page, out = tmp_path / "claims.md", tmp_path / "published.parquet"
    argv = ["claims", "--readme-summary", str(tmp_path / "claims.parquet"), "--summary-page", str(page),
            "--previous-round", str(tmp_path / "round1.parquet"), "--table-out", str(out)]  # fmt: skip
    assert cli_main(argv) == 0
    written = read_table(out, [*COLUMNS, PREVIOUS_COLUMN])
    by_id = dict(zip(written["id"], written[PREVIOUS_COLUMN], strict=True))
    assert by_id[first] == flipped and by_id[second] == sources["verdict"].iloc[1]
    assert {by_id[i] for i in set(written["id"]) - {first, second}} == {NOT_IN_PREVIOUS}
    text = page.read_text(encoding="utf-8")
    assert "1 of 2 source claims in both rounds got the same verdict" in text
    assert f"| {flipped} |" in next(line for line in text.splitlines() if line.startswith(f"| `{first}`"))
    check_summary(text.splitlines(), set(sources["id"]))
    assert text == summary_page(with_previous_round(table, previous), header=summary_header(table, None))


def test_readme_summary_command_writes_the_block_and_the_page(tmp_path: Path) -> None:
    from advgen.cli import main as cli_main
    from advgen.io import write_parquet

    (tmp_path / "tables").mkdir()
    write_parquet(verdict_table(tmp_path / "tables"), tmp_path / "claims.parquet")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{SUMMARY_START}\n{SUMMARY_END}\n", encoding="utf-8")
    page = tmp_path / "docs" / "run" / "claims.md"
    argv = ["claims", "--readme-summary", str(tmp_path / "claims.parquet"), "--readme", str(readme)]
    assert cli_main([*argv, "--summary-page", str(page)]) == 0
    assert "[docs/run/claims.md](docs/run/claims.md)" in readme.read_text(encoding="utf-8")
    table = read_table(tmp_path / "claims.parquet", COLUMNS)
    assert page.read_text(encoding="utf-8") == summary_page(table, header=summary_header(table, None))
    record = tmp_path / "freeze.json"
    record.write_text('{"claims_sha256": "ab", "date": "2026-11-28", "round": 2, "hardware": "one H200", '
                      '"numerics": {"report_gan": "bf16"}}', encoding="utf-8")  # fmt: skip
    assert cli_main([*argv, "--summary-page", str(page), "--freeze", str(record)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "**Round 2**: claims file sha256 ab, frozen on 2026-11-28; seeds " in text
    assert (
        "hardware: one H200; numerics: report_gan: bf16. Data: the digits are the sample both phases" in text
    )
    assert "**Round 2**" in readme.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["a folder", "a FIFO", "a device"])
def test_readme_summary_refuses_a_readme_that_is_not_a_regular_file(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--readme`` is read, then replaced: a FIFO would hang the read, a device never end it, a
    folder be replaced by a file. Each is one line, exit status 2, before anything is opened."""
    from advgen.io import write_parquet
    from tests.errors.conftest import assert_one_line_error, run_cli

    (tmp_path / "tables").mkdir()
    write_parquet(verdict_table(tmp_path / "tables"), tmp_path / "claims.parquet")
    readme = tmp_path / "README.md"
    if kind == "a folder":
        readme.mkdir()
    elif kind == "a FIFO":
        os.mkfifo(readme)
    else:
        readme.symlink_to(os.devnull)
    argv = ["claims", "--readme-summary", str(tmp_path / "claims.parquet"), "--readme", str(readme)]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(
        code, err, f"{readme}: is {kind}, not a regular file (refusing to rewrite it in place)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "claims.parquet", "tables"]


def readme_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(SUMMARY_START), readme.index(SUMMARY_END)
    return readme[start : end + len(SUMMARY_END)]


def recorded_run() -> Path | None:
    """The run's claims.parquet the README's summary comes from: $ADVGEN_CLAIMS, else the copy
    `make publish-default-run` keeps in docs/default_run/ (round 1's verdicts added), else this
    checkout's results/."""
    for p in (
        os.environ.get("ADVGEN_CLAIMS"),
        ROOT / "docs" / "default_run" / "claims.parquet",
        ROOT / paths.CLAIMS_PARQUET,
    ):
        if p and Path(p).exists():
            return Path(p)
    return None


def test_readme_summary_equals_the_runs_claims_parquet() -> None:
    """The README's numbers are the run's: the README's block and the per-claim page it links to
    are exactly what the generator writes from the run's claims.parquet (:func:`recorded_run`);
    with no run recorded, the block is empty (its two markers). The page lists every source claim
    of the run it records (the claims file's, once that run is of this file; the exploratory run
    of e853af2 predates the checks that left the source claims)."""
    found = recorded_run()
    if found is None:
        assert readme_block() == f"{SUMMARY_START}\n{SUMMARY_END}"
        return
    table = read_table(found, SUMMARY_COLUMNS)
    record = ROOT / "docs" / "default_run" / "freeze.json"  # the Makefile's --freeze
    header = summary_header(table, read_record(record) if record.exists() else None)
    assert readme_block() == readme_summary(table, header=header).rstrip("\n")
    page = (ROOT / SUMMARY_PAGE).read_text(encoding="utf-8")
    assert page == summary_page(table, header=header)
    check_summary(page.splitlines(), set(table.query("group == 'source'")["id"]))


def test_the_header_sets_the_studys_training_budget_beside_the_sources() -> None:
    from advgen.claims import budget_text
    from advgen.config_files import check_config_files
    from advgen.pipeline import build

    spec = build(check_config_files([str(ROOT / "config" / "config.yaml")])).claims.command_spec()
    assert set(spec.budgets) == set(PARSED.budgets)
    gans = spec.budgets["gans"]
    assert "125,000 iterations" in gans.source
    ours = budget_text(gans.runs, {"mnist": 4000})
    assert "mnist_ns," in ours and "100 epochs × 62 full batches of 64 (about 6,200 iterations)" in ours
    assert budget_text(gans.runs, {}).startswith("mnist_ns")  # no manifest: epochs and batch only


def test_szegedy_and_goodfellow_claims_and_their_controls(tmp_path: Path) -> None:
    """L-BFGS transfer between fully connected nets (another architecture: the run's name
    without its seed differs), the source's numbers by equivalence, on synthetic tables."""
    archs = ("mnist_fc10", "mnist_fc100_100", "mnist_fc200_200")
    nets = [f"{a}_seed{k}" for a in archs for k in range(3)]
    halves = {h: [f"mnist_fc100_100_half_{h}_seed{k}" for k in range(3)] for h in "ab"}
    rng = np.random.default_rng(0)
    rows = []
    for source in nets + halves["a"]:
        for target in nets + halves["b"]:
            if source == target:
                continue
            cross = source.rsplit("_seed", 1)[0] != target.rsplit("_seed", 1)[0]
            error = (0.2 if "half" in source else 0.3 + 0.5 * rng.random()) if cross else 0.6
            for kind, e in (("adversarial", error), ("gaussian", 0.03), ("other_image", 0.03)):
                rows.append(
                    {
                        "source": source,
                        "attack": "lbfgs",
                        "kind": kind,
                        "target": target,
                        "eps": np.inf,
                        "n": 500,
                        "error": e,
                    }
                )
    (tmp_path / "robustness").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "robustness" / "transfer.parquet")
    std, fgsm = [f"mnist_cnn_small_seed{k}" for k in range(3)], [f"mnist_cnn_fgsm_seed{k}" for k in range(3)]
    curves = []
    for k in range(3):
        for model, eps, robust, conf in (
            (std[k], 0.25, 0.11 - 0.01 * k, 0.9),
            (std[k], 0.0, 0.985, np.nan),
            (fgsm[k], 0.25, 0.82 + 0.01 * k, 0.80 + 0.01 * k),
        ):
            curves.append(
                {
                    "classifier": model,
                    "attack": "fgsm",
                    "eps": eps,
                    "n": 500,
                    "robust_acc": robust,
                    "clean_acc": 0.985,
                    "mean_adv_confidence": conf,
                }
            )
        for model in (std[k], fgsm[k]):  # FGSM's step without its gradient: the clean error, about
            curves.append(
                {
                    "classifier": model,
                    "attack": "random_sign",
                    "eps": 0.25,
                    "n": 500,
                    "robust_acc": 0.95,
                    "clean_acc": 0.985,
                    "mean_adv_confidence": np.nan,
                }
            )
        curves.append(
            {
                "classifier": fgsm[k],
                "attack": "pgd40",
                "eps": 0.3,
                "n": 500,
                "robust_acc": 0.05,
                "clean_acc": 0.985,
                "mean_adv_confidence": 0.45 + 0.02 * k,
            }
        )
    pd.DataFrame(curves).to_parquet(tmp_path / "robustness" / "attacks.parquet")
    ids = {
        "szegedy_transfer_architectures",
        "szegedy_cross_model_error_varies",
        "szegedy_transfer_halves",
        "szegedy_halves_less_effective",
        "goodfellow_fgsm_fools_standard",
        "goodfellow_adversarial_training",
        "goodfellow_confident_mistakes",
    }
    roles = {
        "fc_nets": nets,
        "fc_half_a": halves["a"],
        "fc_half_b": halves["b"],
        "standard_cnn": std,
        "fgsm_cnn": fgsm,
    }
    got = evaluate(ids, tmp_path, roles)
    for cid in ids:
        assert got[cid].verdict == "holds", (cid, got[cid].effect_text(), got[cid].method, got[cid].note)
        assert behaved(got[cid]), (cid, got[cid].control)
    for cid in ids - {"goodfellow_confident_mistakes"}:  # each new control reads its rows
        assert not got[cid].control.startswith("not measured"), (cid, got[cid].control)
    for cid in ("szegedy_transfer_architectures", "szegedy_transfer_halves", "szegedy_halves_less_effective"):
        assert got[cid].claim.control.kind == "other_image", cid
    assert got["szegedy_transfer_architectures"].n_text == "9 source models × 3000 examples"
    assert got["szegedy_cross_model_error_varies"].n_text.startswith("54 source-target pairs")
    assert got["szegedy_transfer_halves"].sides[0][1].rows == 9  # half a -> half b only
    assert "TOST" in got["goodfellow_fgsm_fools_standard"].method


#: the claims added on 2026-11-27 for sentences that had no row (measured on tables the default
#: study already made)
ADDED = {
    "sigmoid_gan_no_results",
    "mse_vanishing_fast",
    "inpainting_square_location",
    "ae_interpolation_similar_smoother",
    "ae_20_epochs_enough",
    "standard_confident_mistakes",
    "ilyas_det_generalises",
}


def _write(results: Path, rel: str, rows: list[dict] | dict) -> None:
    path = results / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)


def added_tables(results: Path, *, ae_still_falling: bool = False) -> dict[str, list[str]]:
    """Synthetic tables for :data:`ADDED` (3 runs per role) on which each claim holds; the roles.
    ``ae_still_falling``: the autoencoder's test error still falls 10 % an epoch over its last 5."""
    rng = np.random.default_rng(0)
    entries = {
        "ns_gan_sigmoid": "sig",
        "ns_gan_plain": "ns",
        "mse_gan_plain": "mse",
        "report_gan": "rep",
        "ae": "ae",
        "standard_cnn": "cnn",
        "ns_gan_saturating": "sat",
        "mse_gan_saturating": "msesat",
    }
    runs = {role: [f"{e}_seed{k}" for k in range(3)] for role, e in entries.items()}
    quality = [(m, 300.0 + k, 0.03 + 0.005 * k) for k, m in enumerate(runs["ns_gan_sigmoid"])]
    quality += [(m, 400.0 + k, 0.01 + 0.002 * k) for k, m in enumerate(runs["ns_gan_saturating"])]
    quality += [(m, 60.0 + 2 * k, 0.6 + 0.01 * k) for k, m in enumerate(runs["ns_gan_plain"])]
    _write(
        results,
        "sample_quality/summary.parquet",
        [{"model": m, "fid": f, "precision": p} for m, f, p in quality],
    )
    for role, norm, epochs in (
        ("mse_gan_plain", 1e-5, 10),
        ("ns_gan_plain", 0.3, 20),
        ("mse_gan_saturating", 1e-6, 10),
    ):
        for m in runs[role]:
            epoch = np.repeat(np.arange(1, epochs + 1), 5)
            g = np.where(np.arange(len(epoch)) < 3, 0.5, norm) * (1 + 0.1 * rng.random(len(epoch)))
            _write(results, f"gans/{m}/losses.parquet", {"epoch": epoch, "g_grad_norm": g})
    epoch = np.arange(1, 21)
    late = 0.9 ** (epoch - 15) if ae_still_falling else 1 - 0.002 * (epoch - 15)
    curve = np.where(epoch <= 15, 0.1 / epoch**0.5, 0.1 / 15**0.5 * late)
    for k, m in enumerate(runs["ae"]):
        _write(
            results, f"autoencoders/{m}/losses.parquet", {"epoch": epoch, "test_mse": curve * (1 + 0.01 * k)}
        )
    image = np.arange(30)
    centre = np.where(image < 10, 13.5, np.where(image < 20, 4.5, 22.5))  # middle, then border squares
    square = {"method": "masked_inversion", "mask": "square"}
    inpainted = [
        {
            "generator": g,
            "image": i,
            **square,
            "mask_row": c,
            "mask_col": c,
            "mse_hidden": 0.02 + 0.01 * rng.random(),
            "mse_known": 0.005 + 0.001 * rng.random(),
        }
        for g in runs["report_gan"]
        for i, c in zip(image, centre, strict=True)
    ]
    for row in inpainted:
        row["mse_hidden"] += 0.2 if row["mask_row"] == 13.5 else 0.0
    _write(results, "sweeps/inpainting.parquet", inpainted)
    sgd = {"optimizer": "sgd", "restarts": 5, "init": "random", "label_kept": True}
    _write(
        results,
        "sweeps/inversion.parquet",
        [{"generator": g, "image": i, **sgd} for g in runs["report_gan"] for i in image],
    )
    dist = np.where(image < 10, 9.0, np.where(image < 20, 10.3, 11.5))  # alike, middle, very different pairs
    paths = [
        {
            "generator": g,
            "start_image": i,
            "pair_l2": d,
            "max_step_ratio": 1.3 + 0.7 * (d > 10) + 0.1 * rng.random(),
        }
        for g in runs["ae"]
        for i, d in zip(image, dist, strict=True)
    ]
    _write(results, "sweeps/interpolation.parquet", paths)
    confidence = (("fgsm", 0.25, 0.9), ("pgd40", 0.3, 0.45))
    _write(
        results,
        "robustness/attacks.parquet",
        [
            {"classifier": m, "attack": a, "eps": e, "mean_adv_confidence": c + 0.01 * k}
            for k, m in enumerate(runs["standard_cnn"])
            for a, e, c in confidence
        ],
    )
    built = (("deterministic", 0.75, 0.95), ("relabelled", 0.02, 0.99))
    _write(
        results,
        "robustness/robust_features.parquet",
        [
            {"dataset": d, "seed": s, "clean_acc": acc + 0.02 * s, "label_hit": hit}
            for s in (0, 1, 2)
            for d, acc, hit in built
        ],
    )
    return runs


def test_the_added_claims_and_their_controls(tmp_path: Path) -> None:
    """Each claim added for a sentence that had no row reads the columns its job writes, holds on
    tables built to hold, and its control does not; each can fail: an autoencoder still improving
    over its last 5 epochs does not satisfy "20 epochs were enough"."""
    by_id = {c.id: c for c in PARSED.claims}
    for cid in ADDED:
        c = by_id[cid]
        assert c.group == "source" and c.control is not None, cid
        assert c.control.kind != "none" or cid in NO_CONTROL, cid
        assert any(ch.date == "2026-11-27" and "exploratory phase" in ch.reason for ch in c.test.changes), cid
    gaussian = by_id["schmidt_gaussian_linear"]
    assert gaussian.status == "not_testable" and "2026-11-27" in gaussian.reason
    roles = added_tables(tmp_path / "ok")
    got = evaluate(ADDED, tmp_path / "ok", roles)
    for cid in ADDED:
        v = got[cid]
        assert v.verdict == "holds", (cid, v.verdict, v.effect_text(), v.method, v.note, v.validity)
        assert v.seeds == 3 and behaved(v), (cid, v.control)
    assert got["inpainting_square_location"].sides[0][1].rows == 30  # 10 middle squares x 3 runs
    assert got["ae_interpolation_similar_smoother"].sides[1][1].rows == 30  # 10 far pairs x 3 runs
    falling = evaluate(
        {"ae_20_epochs_enough"},
        tmp_path / "falling",
        added_tables(tmp_path / "falling", ae_still_falling=True),
    )
    assert falling["ae_20_epochs_enough"].verdict == "does not hold"


def test_round_threes_published_table_has_the_columns_a_reader_needs(tmp_path: Path) -> None:
    """``make publish-default-run`` with round 3's freeze record: the table written by
    ``--table-out`` carries round 2's verdict (``round2_verdict``), the proposition and the scale
    beside each verdict, the fragility rule and the planned and ran sample sizes."""
    from advgen.cli import main as cli_main
    from advgen.io import write_parquet

    (tmp_path / "tables").mkdir()
    table = verdict_table(tmp_path / "tables")
    write_parquet(table, tmp_path / "claims.parquet")
    write_parquet(table[["id", "verdict"]].assign(verdict="inconclusive"), tmp_path / "round2.parquet")
    record = tmp_path / "freeze.json"
    record.write_text('{"claims_sha256": "ab", "date": "2026-11-30", "round": 3}', encoding="utf-8")
    out, page = tmp_path / "published.parquet", tmp_path / "claims.md"
    argv = ["claims", "--readme-summary", str(tmp_path / "claims.parquet"), "--summary-page", str(page),
            "--freeze", str(record), "--previous-round", str(tmp_path / "round2.parquet"),
            "--table-out", str(out)]  # fmt: skip
    assert cli_main(argv) == 0
    published = read_table(out, ["proposition", "scale", "round2_verdict", "fragile", "planned_n", "ran_n"])
    assert set(published["round2_verdict"]) == {"inconclusive"} and "round1_verdict" not in published.columns
    assert "Round 2's verdict beside each row (`round2_verdict`)" in page.read_text(encoding="utf-8")
    assert "| verdict | round 2 |" in page.read_text(encoding="utf-8")
