"""The claims engine: statistics fixed before the data, verdicts on constructed tables, the page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from advgen.claims import (
    Context,
    evaluate_all,
    frame,
    html,
    read_claims_file,
    readme_summary,
    replace_summary,
    stats,
)
from advgen.claims.report import (
    COLUMNS,
    SUMMARY_END,
    SUMMARY_HEADER,
    SUMMARY_ROW,
    SUMMARY_START,
    counts_text,
)
from advgen.errors import AdvgenError
from advgen.io import read_table
from advgen.pipeline import paths

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "config" / "claims.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
ROLES = {"std": "standard model", "rob": "robust model", "gan": "a GAN"}


def claims_file(tmp_path: Path, claims: list[dict], roles: dict | None = None) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"roles": roles or ROLES, "claims": claims}, sort_keys=False))
    return path


def claim(cid: str, test: dict, **sides) -> dict:
    return {
        "id": cid,
        "source": "003",
        "section": "s",
        "quote": "q",
        "statement": "st",
        "test": test,
        **sides,
    }


def decl(effect: str, direction: str, margin: float, **extra) -> dict:
    return {
        "effect": effect,
        "direction": direction,
        "margin": margin,
        "margin_source": {"ours": "r"},
        **extra,
    }


def attacks(results: Path, rows: list[tuple[str, str, float, float, int]]) -> None:
    """robustness/attacks.parquet with (classifier, attack, eps, robust_acc, n) rows."""
    df = pd.DataFrame(rows, columns=["classifier", "attack", "eps", "robust_acc", "n"]).assign(clean_acc=0.98)
    (results / "robustness").mkdir(parents=True, exist_ok=True)
    df.to_parquet(results / "robustness" / "attacks.parquet", index=False)


def side(role: str, attack: str = "pgd40", **extra) -> dict:
    return {
        "table": "robustness/attacks.parquet",
        "models": {"classifier": role},
        "query": f"attack == '{attack}' and eps == 0.3",
        "value": "robust_acc",
        "per": "proportion",
        "count": "n",
        **extra,
    }


def run(tmp_path: Path, claims: list[dict], roles: dict, produced: set[str] | None = None) -> dict:
    parsed = read_claims_file(claims_file(tmp_path, claims))
    ctx = Context(tmp_path, roles, produced)
    return {v.claim.id: v for v in evaluate_all(parsed.claims, ctx)}


# --- statistics


def test_clopper_pearson_matches_known_values() -> None:
    lo, hi = stats.clopper_pearson(7, 10)  # the textbook example: 0.3475 to 0.9333
    assert lo == pytest.approx(0.3475, abs=1e-4) and hi == pytest.approx(0.9333, abs=1e-4)
    assert stats.clopper_pearson(0, 20)[0] == 0.0 and stats.clopper_pearson(20, 20)[1] == 1.0


def test_bootstrap_is_seeded_and_counts_both_levels() -> None:
    rng = np.random.default_rng(0)
    runs = tuple(rng.normal(loc, 1.0, 200) for loc in (0.0, 0.1, 0.2))
    one = stats.Side(runs[:1])
    three = stats.Side(runs)
    a = stats.bootstrap([three], lambda m: m, key="k")
    assert a == stats.bootstrap([three], lambda m: m, key="k")  # deterministic
    assert a != stats.bootstrap([three], lambda m: m, key="other")
    # the seed level widens the interval beyond the examples' sampling error of one run
    width_one = np.diff(stats.bootstrap([one], lambda m: m, key="k"))[0]
    aggregate = stats.Side(tuple(np.array([r.mean()]) for r in runs), level="aggregate")
    assert np.diff(a)[0] > 0 and width_one > 0
    assert np.isfinite(stats.bootstrap([aggregate], lambda m: m, key="k")).all()
    assert np.isnan(
        stats.bootstrap([stats.Side(aggregate.runs[:1], level="aggregate")], lambda m: m, key="k")
    ).all()


@pytest.mark.parametrize(
    ("lo", "hi", "direction", "verdict"),
    [
        (0.2, 0.4, "greater", "holds"),
        (-0.4, -0.1, "greater", "does not hold"),
        (0.05, 0.09, "greater", "does not hold"),  # right side of zero, below the claimed margin
        (-0.1, 0.3, "greater", "inconclusive"),
        (-0.4, -0.2, "less", "holds"),
        (0.2, 0.4, "less", "does not hold"),
    ],
)
def test_decide_against_the_margin(lo, hi, direction, verdict) -> None:
    margin = 0.1 if direction == "greater" and hi < 0.1 else 0.0
    assert stats.decide(lo, hi, margin, direction) == verdict


def test_settle_names_the_level_and_size() -> None:
    side_ = stats.side_from_proportions([0.55], [100])
    text = stats.settle(0.55, 0.45, 0.65, 0.5, [side_])
    assert re.fullmatch(r"about (\d+) examples per run \(now 100\)", text)
    assert int(text.split()[1]) == 400  # half-width 0.1 must shrink to 0.05: four times the examples


# --- verdicts on constructed tables


def test_contradicted_claim_does_not_hold_and_supported_holds(tmp_path: Path) -> None:
    attacks(tmp_path, [("cnn_pgd", "pgd40", 0.3, 0.05, 360), ("cnn_std", "pgd40", 0.3, 0.70, 360)])
    got = run(
        tmp_path,
        [
            claim("rob_beats_std", decl("difference", "greater", 0.0), a=side("rob"), b=side("std")),
            claim("std_beats_rob", decl("difference", "greater", 0.0), a=side("std"), b=side("rob")),
        ],
        {"std": ["cnn_std"], "rob": ["cnn_pgd"]},
    )
    assert got["rob_beats_std"].verdict == "does not hold"
    assert got["rob_beats_std"].estimate == pytest.approx(-0.65)
    assert got["std_beats_rob"].verdict == "holds"
    assert got["std_beats_rob"].lo > 0 and got["std_beats_rob"].n_text == "1 seed × 360 examples"


def test_single_run_proportion_gets_the_exact_interval(tmp_path: Path) -> None:
    attacks(tmp_path, [("cnn", "fgsm", 0.3, 0.1, 50)])
    rows = [claim("fools", decl("value", "greater", 0.75), a=side("std", "fgsm", value="1 - robust_acc"))]
    v = run(tmp_path, rows, {"std": ["cnn"]})["fools"]
    assert v.method.startswith("Clopper-Pearson")
    assert (v.lo, v.hi) == pytest.approx(stats.clopper_pearson(45, 50))
    assert v.verdict == "holds"


def test_small_samples_are_inconclusive_with_the_size_that_would_settle(tmp_path: Path) -> None:
    attacks(tmp_path, [("a", "pgd40", 0.3, 0.50, 20), ("b", "pgd40", 0.3, 0.45, 20)])
    v = run(
        tmp_path,
        [claim("close", decl("difference", "greater", 0.0), a=side("std"), b=side("rob"))],
        {"std": ["a"], "rob": ["b"]},
    )["close"]
    assert v.verdict == "inconclusive" and v.lo < 0 < v.hi
    assert re.fullmatch(r"about \d+ examples per run \(now 20\)", v.settle)


def test_seeds_are_the_upper_level(tmp_path: Path) -> None:
    # three seeds whose spread dwarfs each run's sampling error: the interval must show it
    attacks(
        tmp_path,
        [("r0", "pgd40", 0.3, 0.2, 2000), ("r1", "pgd40", 0.3, 0.5, 2000), ("r2", "pgd40", 0.3, 0.8, 2000)]
        + [("s", "pgd40", 0.3, 0.45, 2000)],
    )
    v = run(
        tmp_path,
        [claim("seeds", decl("difference", "greater", 0.0), a=side("rob"), b=side("std"))],
        {"rob": ["r0", "r1", "r2"], "std": ["s"]},
    )["seeds"]
    assert v.seeds == 1 and v.verdict == "inconclusive"
    assert v.hi - v.lo > 0.3  # the seed level, not the 2,000 examples, sets the width
    assert "seeds per side" in v.settle


def test_worst_case_sides_name_the_attacks_once_and_the_gap(tmp_path: Path) -> None:
    """Both sides read the worst-case table: the page says over which attacks once, and the
    measured gap to AutoAttack's standard budget (an upper bound beyond 0.5 pt)."""
    cols = {"attacks": "pgd40, autoattack", "clean_acc": 0.98, "standard_attack": "aa_std"}
    rows = [  # classifier, robust_acc, n, standard_n, gap
        ("p", 0.30, 500, 500, 3.4),
        ("s", 0.01, 500, 0, float("nan")),
    ]
    df = pd.DataFrame(rows, columns=["classifier", "robust_acc", "n", "standard_n", "gap"]).assign(
        eps=0.3, **cols
    )
    (tmp_path / "robustness").mkdir()
    df.to_parquet(tmp_path / "robustness" / "worst_case.parquet", index=False)
    wc = {
        "table": "robustness/worst_case.parquet",
        "query": "eps == 0.3",
        "value": "robust_acc",
        "per": "proportion",
        "count": "n",
    }
    rows_ = [
        claim(
            "w",
            decl("difference", "greater", 0.0),
            a={**wc, "models": {"classifier": "rob"}},
            b={**wc, "models": {"classifier": "std"}},
        )
    ]
    v = run(tmp_path, rows_, {"rob": ["p"], "std": ["s"]})["w"]
    assert v.estimate == pytest.approx(0.29) and v.verdict == "holds"
    assert v.note == (
        "worst case per example over pgd40, autoattack; an upper bound: AutoAttack's standard budget "
        "(aa_std) is 3.4 pt lower on 500 examples of p at eps 0.3"
    )


def paired_table(results: Path, a: list[float], b: list[float]) -> None:
    n = len(a)
    df = pd.DataFrame(
        {
            "generator": ["g"] * (2 * n),
            "restarts": [5] * n + [1] * n,
            "image": list(range(n)) * 2,
            "mse": a + b,
        }
    )
    (results / "sweeps").mkdir(parents=True, exist_ok=True)
    df.to_parquet(results / "sweeps" / "inversion.parquet", index=False)


def test_paired_comparison_uses_the_pairs(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    base = list(rng.uniform(0.1, 1.0, 40))
    paired_table(tmp_path, [x * 0.9 for x in base], base)  # 10 % better on every image, images vary 10x
    term = {
        "table": "sweeps/inversion.parquet",
        "models": {"generator": "gan"},
        "value": "mse",
        "example": "image",
    }
    rows = [
        claim(
            "p",
            decl("ratio", "less", 1.0, paired=True),
            a={**term, "query": "restarts == 5"},
            b={**term, "query": "restarts == 1"},
        ),
        claim(
            "u",
            decl("ratio", "less", 1.0),
            a={**term, "query": "restarts == 5"},
            b={**term, "query": "restarts == 1"},
        ),
    ]
    got = run(tmp_path, rows, {"gan": ["g"]})
    assert got["p"].verdict == "holds" and got["p"].estimate == pytest.approx(0.9)
    assert got["u"].verdict == "inconclusive"  # unpaired, the image-to-image spread hides it


def test_trend_and_range(tmp_path: Path) -> None:
    sweep = pd.DataFrame({"mode": "pgd", "width": [0.5, 1.0, 2.0, 4.0], "robust_acc": [0.1, 0.2, 0.3, 0.4]})
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    sweep.to_parquet(tmp_path / "robustness" / "sweeps" / "capacity.parquet")
    term = {
        "table": "robustness/sweeps/capacity.parquet",
        "query": "mode == 'pgd'",
        "value": "robust_acc",
        "per": "run",
    }
    transfer = pd.DataFrame(
        {
            "source": ["x", "x", "y"],
            "target": ["y", "z", "z"],
            "kind": "adversarial",
            "n": 400,
            "error": [0.05, 0.5, 0.9],
        }
    )
    transfer.to_parquet(tmp_path / "robustness" / "transfer.parquet")
    spread = {
        "table": "robustness/transfer.parquet",
        "models": {"source": "std"},
        "value": "error",
        "per": "proportion",
        "count": "n",
        "unit": ["source", "target"],
    }
    got = run(
        tmp_path,
        [
            claim("t", decl("trend", "greater", 0.0, by="width"), a=term),
            claim("r", decl("range", "greater", 0.25), a=spread),
        ],
        {"std": ["x", "y"]},
    )
    assert got["t"].estimate == pytest.approx(0.3) and got["t"].verdict == "inconclusive"  # one run per width
    assert got["r"].estimate == pytest.approx(0.85) and got["r"].verdict == "holds"


def test_seeded_robustness_tables_make_one_run_per_seed(tmp_path: Path) -> None:
    """The capacity / data-size sweeps, the capacity transfer matrix and robust features carry a
    seed column (one per run of their base classifier): the repository's claims on them take
    each seed as one run, so three seeds give a seed-level interval."""
    seeds = (0, 1, 2)
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    widths = (0.25, 0.5, 1.0)
    pd.DataFrame(
        [
            {"mode": "pgd", "width": w, "seed": s, "robust_acc": 0.2 + 0.3 * w + 0.02 * s}
            for s in seeds
            for w in widths
        ]
    ).to_parquet(tmp_path / "robustness" / "sweeps" / "capacity.parquet")
    fractions = (0.1, 0.5, 1.0)
    pd.DataFrame(
        [
            {
                "mode": "pgd",
                "train_fraction": f,
                "seed": s,
                "robust_acc": 0.3 + 0.4 * f + 0.01 * s,
                "train_robust_acc": 0.9 - 0.1 * f,
            }
            for s in seeds
            for f in fractions
        ]
    ).to_parquet(tmp_path / "robustness" / "sweeps" / "data_size.parquet")
    rows = []
    for s in seeds:
        for source in widths:
            for target in widths:
                for kind, error in (("adversarial", 0.8 - 0.4 * target), ("gaussian", 0.1)):
                    rows.append(
                        {
                            "source": f"w{source}_seed{s}",
                            "target": f"w{target}_seed{s}",
                            "kind": kind,
                            "target_mode": "standard",
                            "target_width": target,
                            "n": 200,
                            "error": error,
                            "seed": s,
                        }
                    )
    pd.DataFrame(rows).to_parquet(tmp_path / "robustness" / "transfer_capacity.parquet")
    pd.DataFrame(
        [
            {"dataset": d, "seed": s, "robust_acc": acc + 0.01 * s, "clean_acc": 0.9}
            for s in seeds
            for d, acc in (("robust", 0.3), ("non_robust", 0.05), ("adversarial_training", 0.7))
        ]
    ).to_parquet(tmp_path / "robustness" / "robust_features.parquet")
    ids = {
        "madry_capacity_robustness",
        "madry_capacity_transfer_standard",
        "schmidt_more_data_more_robust",
        "schmidt_gap_shrinks_with_data",
        "ilyas_robust_features",
        "ilyas_clean_roughly_same",
        "ilyas_adv_training_more_effective",
    }
    chosen = [c for c in read_claims_file(CLAIMS).claims if c.id in ids]
    assert {c.id for c in chosen} == ids
    got = {v.claim.id: v for v in evaluate_all(chosen, Context(tmp_path, {}))}
    for cid in ids:
        v = got[cid]
        assert v.seeds == 3, (cid, v.verdict, v.note)
        assert np.isfinite(v.lo) and np.isfinite(v.hi), cid
        for _, measured in v.sides:
            assert measured.side.names == ("0", "1", "2"), cid
    assert got["madry_capacity_robustness"].verdict == "holds"
    assert got["madry_capacity_transfer_standard"].verdict == "holds"
    assert got["ilyas_robust_features"].verdict == "holds"


def test_not_produced_is_not_measured_but_broken_is_an_error(tmp_path: Path) -> None:
    rows = [claim("c", decl("value", "greater", 0.5), a=side("std"))]
    assert run(tmp_path, rows, {"std": ["m"]}, produced=set())["c"].verdict == "not measured"
    assert run(tmp_path, rows, {}, produced=None)["c"].note == "this config declares no role 'std'"
    produced = {"robustness/attacks.parquet"}
    with pytest.raises(AdvgenError, match="missing"):
        run(tmp_path, rows, {"std": ["m"]}, produced=produced)
    (tmp_path / "robustness").mkdir()
    (tmp_path / "robustness" / "attacks.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(AdvgenError, match="attacks.parquet"):
        run(tmp_path, rows, {"std": ["m"]}, produced=produced)
    attacks(tmp_path, [("m", "pgd40", 0.3, 0.9, 100)])
    bad = [claim("c", decl("value", "greater", 0.5), a=side("std", query="no_such_column > 1"))]
    with pytest.raises(AdvgenError, match="claim c: query"):
        run(tmp_path, bad, {"std": ["m"]}, produced=produced)


def test_paper_only_claims_are_measured_where_the_config_produces_them(tmp_path: Path) -> None:
    attacks(tmp_path, [("m", "pgd40", 0.3, 0.9, 100)])
    rows = [
        {**claim("p", decl("value", "greater", 0.5), a=side("std")), "status": "paper_only", "reason": "big"},
        {**claim("q", decl("value", "greater", 0.5), a=side("rob")), "status": "paper_only", "reason": "big"},
        {
            "id": "n",
            "source": "001",
            "section": "s",
            "quote": "q",
            "statement": "st",
            "status": "not_testable",
            "reason": "x",
        },
    ]
    got = run(tmp_path, rows, {"std": ["m"]})
    assert got["p"].verdict == "holds"
    assert (got["q"].verdict, got["q"].note) == ("paper scale only", "big")
    assert got["n"].verdict == "not testable at this scale"


# --- the repository's claims file


def test_repository_claims_file_cites_its_sources() -> None:
    parsed = read_claims_file(CLAIMS)
    assert {c.source for c in parsed.claims} == {"001", "003"}
    assert {c.group for c in parsed.claims} == {"source", "check"}
    texts = {
        s: " ".join(
            p.read_text(encoding="utf-8")
            .replace("**", "")
            .replace("$", "")
            .replace("k \\geq 2", "k >= 2")
            .split()
        )
        for s, pattern in (("001", "001_*"), ("003", "003_*"))
        for p in SEEDS.glob(pattern)
    }
    if len(texts) < 2:
        pytest.skip(f"source documents not found under {SEEDS}")
    for c in parsed.claims:
        for piece in c.quote.split("..."):
            piece = piece.strip(" .")
            assert piece in texts[c.source], (c.id, piece)
        if c.test is not None and c.test.margin_source == "source":
            assert c.paper_value or "'" in c.test.margin_note or "%" in c.test.margin_note, c.id


def test_paper_numbers_are_shown_beside_ours() -> None:
    by_id = {c.id: c for c in read_claims_file(CLAIMS).claims}
    assert "89.4%" in by_id["goodfellow_fgsm_fools_standard"].paper_value
    assert "17.9%" in by_id["goodfellow_adversarial_training"].paper_value
    assert "81.4%" in by_id["goodfellow_confident_mistakes"].paper_value
    assert "1.6% -> 1.2%" in by_id["szegedy_pool_training"].paper_value
    assert by_id["goodfellow_fgsm_fools_standard"].test.margin == pytest.approx(0.894)
    assert by_id["goodfellow_adversarial_training"].test.margin == pytest.approx(0.2)


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
            "quote": "q <b>",
            "statement": "st",
            "status": "not_testable",
            "reason": "x",
        },
    ]
    parsed = read_claims_file(claims_file(tmp_path, rows))
    return frame(evaluate_all(parsed.claims, Context(tmp_path, {"rob": ["m"], "std": ["s"]})))


def test_page_states_each_rows_interval_and_escapes_text(tmp_path: Path) -> None:
    table = verdict_table(tmp_path)
    page = html(
        table,
        {
            "datasets": [
                {"name": "d", "label": "MNIST", "resolution": "28×28 px", "train": 4000, "test": 1000}
            ],
            "seeds": {"rob": {"m": 0}},
            "config": "c.yaml",
            "results": "results",
        },
    )
    assert "4000 training / 1000 test images" in page and "rob: 1 (0)" in page
    assert "q &lt;b&gt;" in page and "<b>" not in page.split("<body>")[1].split("</main>")[0].replace(
        "<br>", ""
    )
    assert page.index("robustness review (003)") < page.index("Implementation checks")
    assert "0.7 [" in page and "1 seed × 100 examples" in page
    assert "changed: 2026-11-20: 0.1 → 0 (the source gives no number)" in page  # the changes log
    assert counts_text(table) == "3 source claims: 1 holds, 1 not measured, 1 not testable at this scale"


def check_summary(block: list[str], ids: set[str]) -> None:
    """The format the generator writes: markers, counts line, header, one row per source claim."""
    assert block[0] == SUMMARY_START and block[-1] == SUMMARY_END
    rows = [line for line in block if line.startswith("| `")]
    if len(block) == 2:
        return  # no run recorded yet: the generator fills the block from a run's claims.parquet
    assert SUMMARY_HEADER in block
    assert rows and all(SUMMARY_ROW.match(r) for r in rows), [r for r in rows if not SUMMARY_ROW.match(r)]
    assert {r.split("`")[1] for r in rows} == ids
    counts = re.search(r"\*\*(\d+) source claims: ([^*]+)\*\*", "\n".join(block))
    assert counts and int(counts.group(1)) == len(rows)
    assert sum(int(n) for n in re.findall(r"(\d+) [a-z]", counts.group(2))) == len(rows)


def test_readme_summary_is_what_the_generator_writes(tmp_path: Path) -> None:
    table = verdict_table(tmp_path)
    summary = readme_summary(table)
    check_summary(summary.splitlines(), set(table.loc[table["group"] == "source", "id"]))
    readme = f"intro\n{SUMMARY_START}\nold\n{SUMMARY_END}\nrest\n"
    assert replace_summary(readme, summary) == f"intro\n{summary.rstrip()}\nrest\n"


def test_readme_section_has_the_generators_format() -> None:
    """The README's claims summary is generated (`advgen claims --readme-summary`), never typed in."""
    block = [line for line in readme_block().splitlines() if line]
    check_summary(
        [SUMMARY_START, *[b for b in block[1:-1]], SUMMARY_END],
        {c.id for c in read_claims_file(CLAIMS).claims if c.group == "source"},
    )


def readme_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(SUMMARY_START), readme.index(SUMMARY_END)
    return readme[start : end + len(SUMMARY_END)]


def test_readme_summary_equals_the_runs_claims_parquet() -> None:
    """The README's numbers are the run's: the README's block is exactly what the generator writes
    from the run's claims.parquet ($ADVGEN_CLAIMS, else this checkout's results/, else the copy
    `make run` keeps in docs/default_run/ beside the README it rewrites)."""
    table = Path(
        os.environ.get("ADVGEN_CLAIMS")
        or next(
            p
            for p in (ROOT / paths.CLAIMS_PARQUET, ROOT / "docs" / "default_run" / "claims.parquet")
            if p.exists()
        )
    )
    assert readme_block() == readme_summary(read_table(table, COLUMNS)).rstrip("\n")


def gan_bar(tmp_path: Path, gans: list[tuple[int, float, float]], real: tuple[int, float, float]) -> dict:
    """The repository's three report-GAN checks on a sample-quality table of three GAN seeds
    (modes, mean max-probability, FID each) and the real test digits' row."""
    rows = [
        {"model": f"g_seed{k}", "family": "gan", "modes": m, "mean_max_prob": p, "fid": f}
        for k, (m, p, f) in enumerate(gans)
    ]
    rows.append(
        {"model": "real", "family": "real", "modes": real[0], "mean_max_prob": real[1], "fid": real[2]}
    )
    (tmp_path / "sample_quality").mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(tmp_path / "sample_quality" / "summary.parquet", index=False)
    ids = {"report_gan_covers_classes", "report_gan_confident_like_real", "report_gan_fid_near_real"}
    parsed = [c for c in read_claims_file(CLAIMS).claims if c.id in ids]
    assert len(parsed) == 3 and all(c.group == "check" for c in parsed)
    ctx = Context(tmp_path, {"report_gan": ["g_seed0", "g_seed1", "g_seed2"]})
    return {v.claim.id: v.verdict for v in evaluate_all(parsed, ctx)}


def test_the_report_gan_bar(tmp_path: Path) -> None:
    """At least 9 of 10 classes, mean max-probability within 0.05 of the real digits', FID at
    most 3x theirs: a GAN that draws digits passes, a collapsed blurry one fails all three."""
    good = gan_bar(tmp_path / "good", [(10, 0.95, 9.0), (10, 0.96, 10.0), (9, 0.94, 11.0)], (10, 0.97, 4.2))
    assert set(good.values()) == {stats.HOLDS}
    bad = gan_bar(tmp_path / "bad", [(6, 0.70, 30.0), (7, 0.72, 28.0), (5, 0.69, 35.0)], (10, 0.97, 4.2))
    assert set(bad.values()) == {stats.FAILS}
