"""The claims engine: statistics fixed before the data, verdicts on constructed tables, the page."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from advgen.claims import evaluate_all
from advgen.claims.measuring.measure import Context
from advgen.claims.reading.claims_file import read_claims_file
from advgen.claims.statistics import proportions, stats
from advgen.errors import AdvgenError

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "config" / "claims.yaml"
ROLES = {"std": "standard model", "rob": "robust model", "gan": "a GAN"}
#: a control that reads no rows ("not measured"): for tests about everything but the control
NO_CONTROL = {"kind": "null_input", "what": "none here", "a": {"table": "nowhere/none.parquet"}}
#: the margin check of a claim with two sides (its test on the sides made equal)
MADE_EQUAL = {"what": "made equal", "same": "b"}


def claims_file(tmp_path: Path, claims: list[dict], roles: dict | None = None, **top) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for source in ("001", "003"):
        (tmp_path / f"source_{source}.txt").write_text("the source says q and more", encoding="utf-8")
    path = tmp_path / "claims.yaml"
    sources = {"001": "source_001.txt", "003": "source_003.txt"}
    top.setdefault("families", {"f": "the data of the tests here"})
    data = {"sources": sources, "roles": roles or ROLES, **top, "claims": claims}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def reading(test: dict | None = None) -> dict:
    """A source claim's reading (docs/claims.md, the rubric): its sides agree with the test's direction."""
    if test is None:
        return {"proposition": "the source says so"}
    sides = "two_sided" if test["direction"] == "equivalent" else "one_sided"
    return {
        "proposition": "the source says so",
        "measures": "the sides' effect",
        "sides": sides,
        "scales": ["raw"],
        "control_guards": "a fault of the measurement",
    }


def claim(cid: str, test: dict, control: dict | None = None, **sides) -> dict:
    """A source claim of family ``f`` with its reading; its control reads no rows unless one is
    given, and a claim with two sides has the margin check of the sides made equal."""
    out = {
        "id": cid,
        "source": "003",
        "section": "s",
        "quote": "the source says",
        "statement": "st",
        "reading": reading(test),
        "test": test,
        **sides,
        "control": control or NO_CONTROL,
        "family": "f",
    }
    if "b" in sides:
        out["checks"] = [MADE_EQUAL]
    return out


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


def run(tmp_path: Path, claims: list[dict], roles: dict, produced: set[str] | None = None, **ctx) -> dict:
    parsed = read_claims_file(claims_file(tmp_path, claims))
    context = Context(tmp_path, roles, produced, **ctx)
    return {v.claim.id: v for v in evaluate_all(parsed.claims, context)}


# --- statistics


def test_clopper_pearson_matches_known_values() -> None:
    lo, hi = proportions.clopper_pearson(7, 10)  # the textbook example: 0.3475 to 0.9333
    assert lo == pytest.approx(0.3475, abs=1e-4) and hi == pytest.approx(0.9333, abs=1e-4)
    assert proportions.clopper_pearson(0, 20)[0] == 0.0 and proportions.clopper_pearson(20, 20)[1] == 1.0


def test_t_interval_over_seeds_and_the_examples_floor() -> None:
    """Seeds: the t-interval over the run means (k - 1 df); seeds that agree more closely than
    their own examples allow are floored at the examples' sampling error."""
    rng = np.random.default_rng(0)
    runs = tuple(rng.normal(loc, 1.0, 200) for loc in (0.0, 0.3, 0.6))
    est = stats.side_estimate(stats.Side(runs))
    means = np.array([r.mean() for r in runs])
    assert est.value == pytest.approx(means.mean()) and est.df == 2
    assert est.se == pytest.approx(means.std(ddof=1) / np.sqrt(3))
    lo, hi = stats.interval(est)
    assert hi - lo == pytest.approx(2 * 4.302653 * est.se, rel=1e-5)  # t(0.975, 2)
    same = tuple(r - r.mean() for r in runs)  # three seeds with identical means
    floored = stats.side_estimate(stats.Side(same))
    assert floored.se == pytest.approx(np.sqrt(np.mean([r.var(ddof=1) / 200 for r in same]) / 3))
    one = stats.side_estimate(stats.Side(runs[:1]))
    assert one.df == 199 and one.se == pytest.approx(runs[0].std(ddof=1) / np.sqrt(200))
    aggregate = stats.Side(tuple(np.array([m]) for m in means[:1]), level="aggregate")
    assert np.isnan(stats.side_estimate(aggregate).se)


def test_welch_and_the_log_scale() -> None:
    a, b = (
        stats.Side((np.array([2.0]), np.array([2.2]), np.array([2.4])), level="aggregate"),
        stats.Side((np.array([1.0]), np.array([1.5])), level="aggregate"),
    )
    est = stats.combine([(1.0, stats.side_estimate(a)), (-1.0, stats.side_estimate(b))])
    va, vb = 0.04 / 3, 0.125 / 2
    assert est.value == pytest.approx(2.2 - 1.25) and est.se == pytest.approx(np.sqrt(va + vb))
    assert est.df == pytest.approx((va + vb) ** 2 / (va**2 / 2 + vb**2 / 1))
    ratio = stats.combine([(1.0, stats.side_estimate(a, log=True)), (-1.0, stats.side_estimate(b, log=True))])
    assert np.exp(ratio.value) == pytest.approx(np.exp(np.log([2.0, 2.2, 2.4]).mean()) / np.sqrt(1.5))


def test_newcombe_matches_the_published_example() -> None:
    """Newcombe 1998, Table II, example (a): 56/70 - 48/80, 95 % interval 0.0524 to 0.3339."""
    lo, hi = proportions.newcombe(56, 70, 48, 80)
    assert lo == pytest.approx(0.0524, abs=1e-4) and hi == pytest.approx(0.3339, abs=1e-4)


@pytest.mark.parametrize(
    ("lo", "hi", "verdict"),
    [(0.85, 0.93, "holds"), (0.70, 0.78, "does not hold"), (0.78, 0.92, "inconclusive")],
)
def test_equivalence_reads_the_band(lo, hi, verdict) -> None:
    assert stats.decide(lo, hi, 0.894, "equivalent", 0.1) == verdict


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
    est = stats.Estimate(0.55, 0.05, 99.0)
    text = stats.settle(est, 0.05, 0.95, runs=100, unit="examples per run")
    assert re.fullmatch(r"about (\d+) examples per run \(now 100\)", text)
    assert 370 <= int(text.split()[1]) <= 410  # the half-width must halve: about four times the examples


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
    assert got["std_beats_rob"].method.startswith("Newcombe")  # two single-run proportions


def test_single_run_proportion_gets_the_exact_interval(tmp_path: Path) -> None:
    attacks(tmp_path, [("cnn", "fgsm", 0.3, 0.1, 50)])
    rows = [claim("fools", decl("value", "greater", 0.75), a=side("std", "fgsm", value="1 - robust_acc"))]
    v = run(tmp_path, rows, {"std": ["cnn"]})["fools"]
    assert v.method.startswith("Clopper-Pearson")
    assert (v.lo, v.hi) == pytest.approx(proportions.clopper_pearson(45, 50))
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
    assert "seeds per side" in v.settle and v.method.startswith("MOVER")  # rates: since 2026-11-29


def test_the_page_interval_is_the_simulated_method(tmp_path: Path) -> None:
    """The verdict's interval of a difference of two sides of rates is MOVER over the two rate
    intervals (since 2026-11-29; Welch's t before), the functions whose coverage
    test_claims_rate_difference.py simulates."""
    rates = {"r0": 0.30, "r1": 0.42, "r2": 0.35, "s0": 0.20, "s1": 0.26, "s2": 0.22}
    attacks(tmp_path, [(m, "pgd40", 0.3, r, 500) for m, r in rates.items()])
    v = run(
        tmp_path,
        [claim("d", decl("difference", "greater", 0.0), a=side("rob"), b=side("std"))],
        {"rob": ["r0", "r1", "r2"], "std": ["s0", "s1", "s2"]},
    )["d"]
    from advgen.claims.statistics.rates import difference_interval, rate_interval

    counts = {k: np.array([rates[f"{k}{i}"] * 500 for i in range(3)]) for k in "rs"}
    means = {k: float(c.mean() / 500) for k, c in counts.items()}
    _, bounds = difference_interval(
        *((means[k], lambda c, k=k: rate_interval(counts[k], 500, c)) for k in "rs")  # type: ignore[misc]
    )
    assert (v.lo, v.hi) == pytest.approx(bounds(0.95))


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
        "(aa_std) is 3.4 pt lower on 500 examples of p at eps 0.3; not checked against AutoAttack's standard "
        "budget (aa_std) at eps 0.3"  # the standard CNN's side: the standard budget ran on p only
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


def capacity_sweep(tmp_path: Path, sweep: pd.DataFrame, **term: object) -> dict:
    """``sweep`` written as the run's capacity sweep; the side reading its PGD-trained runs'
    robust accuracy, one value per run (``term``: more keys of the side)."""
    (tmp_path / "robustness" / "sweeps").mkdir(parents=True)
    sweep.to_parquet(tmp_path / "robustness" / "sweeps" / "capacity.parquet")
    return {
        "table": "robustness/sweeps/capacity.parquet",
        "query": "mode == 'pgd'",
        "value": "robust_acc",
        "per": "run",
        **term,
    }


def test_trend_and_range(tmp_path: Path) -> None:
    sweep = pd.DataFrame({"mode": "pgd", "width": [0.5, 1.0, 2.0, 4.0], "robust_acc": [0.1, 0.2, 0.3, 0.4]})
    term = capacity_sweep(tmp_path, sweep)
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
            "quote": "the source says",
            "statement": "st",
            "reading": reading(),
            "status": "not_testable",
            "reason": "x",
        },
    ]
    got = run(tmp_path, rows, {"std": ["m"]})
    assert got["p"].verdict == "holds"
    assert (got["q"].verdict, got["q"].note) == ("paper scale only", "big")
    assert got["n"].verdict == "not testable at this scale"


def test_two_roles_with_a_run_per_seed_pair_seed_by_seed_over_the_same_examples() -> None:
    """The AE's and the GAN's interpolation of the same image pairs, three seeds each: run k of
    one role pairs with run k of the other (by the ``_seed<k>`` name), then example by example."""
    from advgen.claims.measuring.measure import Measured, paired
    from advgen.claims.statistics.stats import Side

    def side(names: tuple[str, ...], offset: float) -> Measured:
        seeds = [int(n.rpartition("_seed")[2]) if "_seed" in n else 0 for n in names]
        runs = tuple(np.arange(4.0) + 10 * s + offset for s in seeds)
        ids = tuple(np.array([7, 3, 5, 9]) + 100 * s for s in seeds)  # each seed its own image pairs
        return Measured(Side(runs, names), rows=4 * len(names), ids=ids)

    ae = side(("ae", "ae_seed1", "ae_seed2"), 0.0)
    gan = side(("gan_seed2", "gan", "gan_seed1"), 0.5)  # another order: pairing goes by seed
    a, b = paired(ae, gan)
    assert a.names == ("ae", "ae_seed1", "ae_seed2")
    for ra, rb in zip(a.runs, b.runs, strict=True):
        assert np.allclose(rb - ra, 0.5)  # same seed, same examples: only the offset differs
    # a seed the other role lacks is left out, not paired with another seed's examples
    a, b = paired(side(("ae", "ae_seed1"), 0.0), side(("gan", "gan_seed5"), 0.5))
    assert a.names == ("ae",) and np.allclose(b.runs[0] - a.runs[0], 0.5)
