"""Negative controls, equivalence tests, preconditions, the generators' quality gate and the
scale marking, on constructed tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen.claims import Context, evaluate_all, read_claims_file
from advgen.errors import AdvgenError, ConfigError
from tests.unit.test_claims import attacks, claim, claims_file, decl, run, side


def test_a_control_that_holds_is_an_error_naming_the_claim(tmp_path: Path) -> None:
    """A margin below zero lets 'a - b > margin' hold when the sides are equal: the control
    catches the test that could not have failed."""
    attacks(tmp_path, [("p", "pgd40", 0.3, 0.50, 400), ("s", "pgd40", 0.3, 0.50, 400)])
    loose = claim("loose", decl("difference", "greater", -0.2), a=side("rob"), b=side("std"))
    path = claims_file(tmp_path, [loose])
    ctx = Context(tmp_path, {"rob": ["p"], "std": ["s"]})
    with pytest.raises(ConfigError) as info:
        evaluate_all(read_claims_file(path).claims, ctx, str(path))
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}:")
    assert "claims[loose].control: the test holds on its negative control (made equal" in message


def test_each_kind_of_control_and_its_outcome(tmp_path: Path) -> None:
    attacks(tmp_path, [("p", "pgd40", 0.3, 0.60, 400), ("s", "pgd40", 0.3, 0.10, 400)])
    roles = {"rob": ["p"], "std": ["s"]}
    rows = [
        claim("same", decl("difference", "greater", 0.0), a=side("rob"), b=side("std")),
        claim(
            "swap",
            decl("difference", "greater", 0.0),
            {"what": "swapped", "swap": True},
            a=side("rob"),
            b=side("std"),
        ),
        claim(
            "other",
            decl("value", "greater", 0.5),
            {"what": "the standard model", "a": {"models": {"classifier": "std"}}},
            a=side("rob"),
        ),
    ]
    got = run(tmp_path, rows, roles)
    assert {v.verdict for v in got.values()} == {"holds"}
    assert got["same"].control.startswith("inconclusive: 0 [-")
    assert got["swap"].control.startswith("does not hold: -0.5")
    assert got["other"].control.startswith("does not hold: 0.1")


def test_equivalence_against_the_sources_number(tmp_path: Path) -> None:
    """TOST: the 90 % interval inside paper +- tolerance holds; outside it does not."""
    attacks(tmp_path, [(f"m{k}", "fgsm", 0.25, 0.11 + 0.01 * k, 500) for k in range(3)])
    attacks_ = tmp_path / "robustness" / "attacks.parquet"
    frame = pd.read_parquet(attacks_)
    clean = frame.assign(eps=0.0, robust_acc=0.98)
    pd.concat([frame, clean]).to_parquet(attacks_, index=False)
    eq = {"tolerance": {"value": 0.1, "reason": "r"}, "margin_source": {"source": "89.4 %"}}
    fgsm = side("std", "fgsm", value="1 - robust_acc", query="attack == 'fgsm' and eps == 0.25")
    control = {"what": "clean error", "a": {"query": "attack == 'fgsm' and eps == 0.0"}}
    rows = [
        claim("near", {**decl("value", "equivalent", 0.894), **eq}, control, a=fgsm),
        claim("far", {**decl("value", "equivalent", 0.5), **eq}, control, a=fgsm),
    ]
    got = run(tmp_path, rows, {"std": ["m0", "m1", "m2"]})
    assert got["near"].verdict == "holds" and got["near"].confidence == 0.9
    assert "TOST" in got["near"].method and got["near"].control.startswith("does not hold")
    assert got["far"].verdict == "does not hold"


def test_a_failed_precondition_gives_no_verdict(tmp_path: Path) -> None:
    (tmp_path / "robustness").mkdir()
    pd.DataFrame(
        [
            {"dataset": d, "seed": s, "robust_acc": acc + 0.01 * s, "label_hit": hit}
            for s in range(3)
            for d, acc, hit in (("robust", 0.3, 0.95), ("non_robust", 0.05, 0.3))
        ]
    ).to_parquet(tmp_path / "robustness" / "robust_features.parquet")
    rf = {
        "table": "robustness/robust_features.parquet",
        "value": "robust_acc",
        "per": "run",
        "unit": ["seed"],
    }
    row = claim(
        "r",
        decl("difference", "greater", 0.0),
        a={**rf, "query": "dataset == 'robust'"},
        b={**rf, "query": "dataset == 'non_robust'"},
    )
    row["requires"] = [
        {
            "what": "D_NR built",
            "table": rf["table"],
            "query": "dataset == 'non_robust'",
            "value": "label_hit",
            "at_least": 0.9,
        }
    ]
    v = run(tmp_path, [row], {})["r"]
    assert v.verdict == "not valid" and v.validity == "D_NR built: 0.3, 0.3, 0.3 < 0.9"
    assert v.estimate == pytest.approx(0.25)  # measured and shown, but no verdict


def quality(results: Path, gate: list[str] | None) -> None:
    rows = {"model": ["g0", "g1", "real"], "family": ["gan", "gan", "real"], "fid": [20.0, 22.0, 1.0]}
    if gate is not None:
        rows |= {
            "gate": [*gate, ""],
            "gate_failures": ["fid 20 > 10" if g == "fail" else "" for g in gate] + [""],
        }
    (results / "sample_quality").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(results / "sample_quality" / "summary.parquet", index=False)


@pytest.mark.parametrize(
    ("gate", "verdict", "validity"),
    [
        (None, "holds", "quality not gated"),
        (["pass", "pass"], "holds", ""),
        (["pass", "fail"], "not valid", "generator below its quality bar: g1 (fid 20 > 10)"),
        (["pass", ""], "holds", "no quality bar declared for g1"),
    ],
)
def test_the_generators_quality_gate(tmp_path: Path, gate, verdict, validity) -> None:
    quality(tmp_path, gate)
    fid = {"table": "sample_quality/summary.parquet", "value": "fid", "per": "run"}
    row = claim(
        "g",
        decl("ratio", "greater", 2.0),
        {"what": "real / real", "same": "b"},
        a={**fid, "models": {"model": "gan"}},
        b={**fid, "query": "family == 'real'"},
    )
    v = run(tmp_path, [row], {"gan": ["g0", "g1"]}, generators=frozenset({"gan"}))["g"]
    assert (v.verdict, v.validity) == (verdict, validity)


def test_a_check_keeps_its_verdict_and_an_exempt_role_is_not_gated(tmp_path: Path) -> None:
    quality(tmp_path, ["fail", "fail"])
    fid = {"table": "sample_quality/summary.parquet", "value": "fid", "per": "run"}
    sides = {"a": {**fid, "models": {"model": "gan"}}, "b": {**fid, "query": "family == 'real'"}}
    check = {**claim("c", decl("ratio", "greater", 2.0), **sides), "group": "check"}
    exempt = {
        **claim("e", decl("ratio", "greater", 2.0), **sides),
        "quality_gate": {"exempt": ["gan"], "reason": "the claim is that it fails"},
    }
    got = run(tmp_path, [check, exempt], {"gan": ["g0", "g1"]}, generators=frozenset({"gan"}))
    assert got["c"].verdict == "holds" and got["c"].validity.startswith("generator below its quality bar")
    assert got["e"].verdict == "holds" and got["e"].validity == ""


def test_does_not_hold_at_this_scale_needs_its_evidence(tmp_path: Path) -> None:
    attacks(tmp_path, [(f"m{k}", "pgd40", 0.3, 0.2 + 0.01 * k, 500) for k in range(3)])
    losses = pd.DataFrame(
        [{"epoch": e, "loss": 1.0 / e + 0.01 * k, "model": f"m{k}"} for k in range(3) for e in (1, 2, 3)]
    )
    (tmp_path / "logs").mkdir()
    losses.to_parquet(tmp_path / "logs" / "l.parquet")
    budget = {"b": {"what": "CNNs", "roles": ["std"], "source": "100,000 iterations"}}
    row = claim("s", decl("value", "greater", 0.5), a=side("std"))
    still_learning = {
        "what": "the loss still falls",
        "test": decl("trend", "less", 0.0, by="epoch"),
        "a": {"table": "logs/l.parquet", "models": {"model": "std"}, "value": "loss", "per": "run"},
    }
    rows = [
        {**row, "scale": {"budget": "b", "evidence": still_learning}},
        {**row, "id": "t", "scale": {"budget": "b"}},
    ]
    path = claims_file(tmp_path, rows, budgets=budget)
    ctx = Context(
        tmp_path,
        {"std": ["m0", "m1", "m2"]},
        budgets={"b": {"ours": "480 iterations", "source": "100,000 iterations"}},
    )
    got = {v.claim.id: v for v in evaluate_all(read_claims_file(path).claims, ctx)}
    assert got["s"].verdict == "does not hold at this scale"
    assert got["s"].scale == "budget 480 iterations vs 100,000 iterations"
    assert "scale evidence (the loss still falls): holds" in got["s"].note
    assert (
        got["t"].verdict == "does not hold"
        and "no evidence that the study's scale explains it" in got["t"].note
    )


def test_a_value_column_all_nan_is_an_error_naming_the_table(tmp_path: Path) -> None:
    attacks(tmp_path, [("m", "pgd40", 0.3, float("nan"), 100)])
    with pytest.raises(
        AdvgenError, match=r"attacks.parquet: claim c: value 'robust_acc' is NaN in all 1 matching rows"
    ):
        run(tmp_path, [claim("c", decl("value", "greater", 0.5), a=side("std"))], {"std": ["m"]})


def test_exact_values_have_a_point_interval(tmp_path: Path) -> None:
    (tmp_path / "claims").mkdir()
    pd.DataFrame({"fact": ["p", "q"], "measured": [675025.0, 1460225.0]}).to_parquet(
        tmp_path / "claims" / "facts.parquet"
    )
    fact = {"table": "claims/facts.parquet", "value": "measured", "per": "exact", "runs": "models"}
    eq = {"tolerance": {"value": 0, "reason": "exact"}, "margin_source": {"source": "675025"}}
    row = claim(
        "p",
        {**decl("value", "equivalent", 675025), **eq},
        {"what": "the other count", "a": {"query": "fact == 'q'"}},
        a={**fact, "query": "fact == 'p'"},
    )
    v = run(tmp_path, [row], {})["p"]
    assert (v.verdict, v.lo, v.hi) == ("holds", 675025.0, 675025.0)
    assert v.control.startswith("does not hold") and v.n_text == "1 model (aggregate per model)"
    assert np.isfinite(v.estimate)
