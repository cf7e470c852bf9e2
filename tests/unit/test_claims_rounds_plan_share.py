"""``advgen claims fragility --plan`` (:mod:`advgen.commands._rounds.plan_share`): the fragile
share a power plan implies, from the plan's own power functions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scipy.stats import norm

from advgen import errors
from advgen.claims.statistics import power
from advgen.commands._rounds import plan_share as fragile_share
from tests.errors.conftest import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]


def printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines ``advgen ARGV`` prints (exit status 0)."""
    from advgen.cli import main

    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out.splitlines()


ALPHA = 0.025


def record(**over) -> dict:
    """A source claim planned on proportions (normal quantiles), one sample, unit spread, n 1."""
    base = {"group": "source", "plan": "planned", "design": "one sample (proportions, normal)",
            "alpha": ALPHA, "sd": 1.0, "n_run": 1, "n_planned": 1, "direction": "greater",
            "estimate": 1.0, "margin": 0.0, "tolerance": 0.0, "scale": "linear", "delta": 1.0}  # fmt: skip
    return {**base, **over}


def write(tmp_path: Path, claims: dict) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"claims": claims}))
    return path


def test_a_claim_at_ninety_percent_power_is_fragile_as_the_normal_law_says(tmp_path: Path) -> None:
    """delta = z(1 - alpha) + z(0.9) standard errors: it decides with probability 0.9, and within
    [alpha / 4, alpha) with 0.9 - P(Z > z(1 - alpha / 4) - delta); a claim far past its margin
    decides always and is never fragile; a claim no plan sized is left out."""
    delta = norm.ppf(1 - ALPHA) + norm.ppf(0.9)
    plan = write(tmp_path, {
        "at_plan": record(delta=delta),
        "far": record(delta=40.0),
        "unsized": record(plan="not planned"),
        "check": record(group="check"),
    })  # fmt: skip
    claims = fragile_share.read_plan(str(plan))
    assert [c.id for c in claims] == ["at_plan", "far"]
    decided, fragile = fragile_share.expected(claims, [1, 1])
    firm = norm.sf(norm.ppf(1 - ALPHA / 4) - delta)
    assert decided == pytest.approx(1.9, abs=1e-9)
    assert fragile == pytest.approx(0.9 - firm, abs=1e-9)


def test_an_equivalence_claim_inside_its_band_takes_both_tests(tmp_path: Path) -> None:
    """On the log scale a ratio of 1 in the band [0.5, 1.5] lies log 2 above the lower edge and
    log 1.5 below the upper: both one-sided tests must decide (spread 0.2, 4 units: se 0.1)."""
    plan = write(tmp_path, {"eq": record(direction="equivalent", estimate=1.0, margin=1.0, tolerance=0.5,
                                         scale="log", delta=0.0, sd=0.2)})  # fmt: skip
    (claim,) = fragile_share.read_plan(str(plan))
    z = norm.ppf(1 - ALPHA)
    low, high = norm.sf(z - math.log(2) / 0.1), norm.sf(z - math.log(1.5) / 0.1)
    assert 0.9 < claim.decided(4) == pytest.approx(low + high - 1, abs=1e-9)


def test_a_plan_for_more_power_expects_fewer_fragile_verdicts() -> None:
    """On the committed plan the fragile share falls as the planned power rises."""
    claims = fragile_share.read_plan(str(ROOT / "docs" / "default_run" / "power_plan.json"))
    shares = []
    for target in (0.9, 0.95, 0.99):
        sizes = [power.required_n(lambda n, c=c: c.decided(n), target) for c in claims]
        kept = [(c, n) for c, n in zip(claims, sizes, strict=True) if n is not None]
        decided, fragile = fragile_share.expected([c for c, _ in kept], [n for _, n in kept])
        shares.append(fragile / decided)
    assert shares[0] > shares[1] > shares[2]


@pytest.mark.parametrize(
    ("claims", "key"),
    [({"a": record(alpha="0.025")}, "claims.a.alpha"), ({"a": [1]}, "claims.a"), ([], "claims")],
)
def test_a_bad_plan_is_one_line_naming_the_file_and_key(
    tmp_path: Path, claims, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"claims": claims}))
    code, err = run_cli(["claims", "fragility", "--no-reruns", "--plan", str(plan)], capsys)
    assert_one_line_error(code, err, str(plan), key)


@pytest.mark.parametrize("text", ["{not json", '{"claims": {}, "claims": {}}'])
def test_a_plan_that_is_not_strict_json_is_one_line(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not JSON, or a key twice (read as the freeze reads a plan): one line naming the file."""
    plan = tmp_path / "plan.json"
    plan.write_text(text)
    code, err = run_cli(["claims", "fragility", "--no-reruns", "--plan", str(plan)], capsys)
    assert_one_line_error(code, err, str(plan))


def test_the_chance_of_a_share_within_the_bound_counts_every_outcome(tmp_path: Path) -> None:
    """Three claims, each undecided, decided firm or decided fragile: the programme's
    P(fragile <= bound x decided) equals the sum over the 27 outcomes."""
    import itertools

    plan = write(tmp_path, {"a": record(delta=2.0), "b": record(delta=3.5), "c": record(delta=2.8)})
    claims = fragile_share.read_plan(str(plan))
    sizes = [1, 2, 1]
    parts = [(1 - c.decided(n), c.decided(n) - c.fragile(n), c.fragile(n)) for c, n in zip(claims, sizes)]
    for bound in (0.0, 0.34, 0.5, 1.0):
        brute = 0.0
        for outcome in itertools.product(range(3), repeat=3):
            decided, fragile = sum(o > 0 for o in outcome), sum(o == 2 for o in outcome)
            if fragile <= bound * decided:
                brute += math.prod(p[o] for p, o in zip(parts, outcome))
        assert fragile_share.within(claims, sizes, bound) == pytest.approx(brute, abs=1e-12)
    assert fragile_share.within(claims, sizes, 1.0) == pytest.approx(1.0)


def test_the_sizes_a_round_ran_are_its_tables_seeds_or_examples(tmp_path: Path) -> None:
    """A claim planned in runs reads the table's seeds, one planned in examples per run its
    examples; a claim the table lacks is one line naming the file."""
    import pandas as pd

    plan = write(tmp_path, {"runs": record(unit="seeds"), "digits": record(unit="digits per run")})
    claims = fragile_share.read_plan(str(plan))
    table = tmp_path / "claims.parquet"
    pd.DataFrame({"id": ["runs", "digits"], "seeds": [8, 1], "examples": [500, 214]}).to_parquet(table)
    assert fragile_share.ran_sizes(str(table), claims) == {"runs": 8, "digits": 214}
    pd.DataFrame({"id": ["runs"], "seeds": [8], "examples": [500]}).to_parquet(table)
    with pytest.raises(errors.AdvgenError, match="no row for claim digits"):
        fragile_share.ran_sizes(str(table), claims)


def test_round_2_ran_most_claims_at_other_sizes_than_its_plans_n_run() -> None:
    """An entry serves several claims and runs the largest size any asks; a claim past the
    budget runs what its entries have: the table's sizes, not ``n_run``, are what ran."""
    claims = fragile_share.read_plan(str(ROOT / "docs" / "default_run" / "power_plan.json"))
    ran = fragile_share.ran_sizes(str(ROOT / "docs" / "default_run" / "claims.parquet"), claims)
    assert ran["unroll_fid"] == 4 < next(c.n_run for c in claims if c.id == "unroll_fid") == 10
    assert ran["engstrom_spatial"] == 8 > next(c.n_run for c in claims if c.id == "engstrom_spatial") == 3


def test_the_plans_table_is_printed_with_the_share_a_round_measured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``advgen claims fragility --plan --table``: the rows as the round ran them, at the plan's
    sizes and for more power, then the share the round's table measured (round 2: 4 of 34)."""
    plan, table = (
        ROOT / "docs" / "default_run" / "power_plan.json",
        ROOT / "docs" / "default_run" / "claims.parquet",
    )
    out = printed(["claims", "fragility", "--no-reruns", "--plan", str(plan), "--table", str(table),
                   "--power", "0.97"], capsys)  # fmt: skip
    assert out[-1] == f"| measured: {table} | 34 | 4 | 11.8 % | | |"
    assert any(
        line.startswith(f"| as the round ran them ({table}) | 36.5 | 3.2 | 8.6 % | 0.61 |") for line in out
    )
    assert any(line.startswith("| a plan for 97 % power | 46.3 | 4.4 | 9.5 % | 0.54 |") for line in out)
