"""The report's main numbers (advgen.findings) on small tables whose values are checked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from advgen.findings import findings_job
from advgen.findings.tables import (
    FindingsSpec,
    accuracy_interval,
    common_eps,
    generators_table,
    robustness_table,
    verdict_counts,
)
from advgen.findings.text import Findings, markdown, rst
from advgen.jobfiles import Files

T2 = 4.302652729749462  # t(0.975, 2 df)
T1 = 12.706204736174694  # t(0.975, 1 df)
REPLICATES = {"std_seed1": "std", "std_seed2": "std", "gan_seed1": "gan"}


def attack_rows() -> pd.DataFrame:
    rows = []
    clean = {"std": 0.99, "std_seed1": 0.98, "std_seed2": 0.97, "fc": 0.95}
    for run, acc in clean.items():
        for eps, fgsm, pgd in ((0.0, acc, acc), (0.1, 0.5, 0.4), (0.3, 0.2, 0.1)):
            rows.append((run, "fgsm", "FGSM", eps, "linf", 100, acc, fgsm))
            rows.append((run, "pgd40", "PGD", eps, "linf", 100, acc, pgd))
        rows.append((run, "spatial", "Spatial", 1.0, "spatial", 100, acc, 0.0))  # not an L-inf attack
    for run, robust in (("std", 0.03), ("std_seed1", 0.06), ("std_seed2", 0.09)):
        rows.append((run, "autoattack", "AutoAttack", 0.3, "linf", 100, clean[run], robust))
        rows.append((run, "pgd40", "PGD", 0.5, "linf", 100, clean[run], 0.0))  # only std has 0.5
    # the standard-budget AutoAttack on one seed only: not the table's attack for a three-seed entry
    rows.append(("std", "autoattack_standard", "AutoAttack", 0.3, "linf", 100, 0.99, 0.0))
    columns = ["classifier", "attack", "attack_type", "eps", "norm", "n", "clean_acc", "robust_acc"]
    return pd.DataFrame(rows, columns=columns)


def test_common_eps_is_the_largest_linf_eps_every_classifier_has() -> None:
    assert common_eps(attack_rows()) == 0.3
    assert common_eps(attack_rows().query("norm != 'linf'")) is None


def test_robustness_table_means_seeds_with_a_t_interval_and_prefers_autoattack() -> None:
    table = robustness_table(attack_rows(), REPLICATES).set_index("classifier")
    std = table.loc["std"]
    assert (std["attack"], std["attack_type"], bool(std["reference"])) == ("autoattack", "AutoAttack", True)
    assert std["seeds"] == 3 and std["eps"] == 0.3 and std["examples"] == 100
    assert std["robust"] == pytest.approx(0.06) and std["clean"] == pytest.approx(0.98)
    half = T2 * 0.03 / math.sqrt(3)  # sd of 0.03, 0.06, 0.09 is 0.03; 0.06 - half < 0 is cut at 0
    assert (std["robust_lo"], std["robust_hi"]) == pytest.approx((0.0, 0.06 + half))
    half = T2 * 0.01 / math.sqrt(3)  # clean: 0.99, 0.98, 0.97; 0.98 + half > 1 is cut at 1
    assert (std["clean_lo"], std["clean_hi"]) == pytest.approx((0.98 - half, 1.0))
    fc = table.loc["fc"]  # no AutoAttack: the strongest attack it has, one seed, no interval
    assert (fc["attack"], bool(fc["reference"]), fc["seeds"]) == ("pgd40", False, 1)
    assert fc["robust"] == pytest.approx(0.1) and math.isnan(fc["robust_lo"])


def test_accuracy_intervals_are_cut_at_zero_and_one() -> None:
    """Two seeds at 90 % and 100 %: the t-interval 95 +- 63.5 % is cut at 100 %."""
    mean, lo, hi = accuracy_interval([0.9, 1.0])
    assert mean == pytest.approx(0.95) and lo == pytest.approx(0.95 - T1 * 0.05) and hi == 1.0
    assert accuracy_interval([0.1, 0.0])[1] == 0.0
    assert math.isnan(accuracy_interval([0.5])[1])


def quality_rows() -> pd.DataFrame:
    columns = ["model", "family", "dataset", "fid", "modes", "num_classes", "mean_max_prob", "gate"]
    rows = [
        ("digits", "real", "digits", 0.5, 10, 10, 0.95, ""),
        ("gan", "gan", "digits", 10.0, 8, 10, 0.7, "pass"),
        ("gan_seed1", "gan", "digits", 20.0, 9, 10, 0.8, "fail"),
        ("ae", "autoencoder", "digits", 30.0, 10, 10, 0.9, "pass"),
        ("broken", "gan", "digits", math.nan, 0, 10, math.nan, ""),  # its scoring did not run
    ]
    return pd.DataFrame(rows, columns=columns)


def test_generators_table_means_seeds_and_puts_the_real_data_last() -> None:
    table = generators_table(quality_rows(), REPLICATES)
    assert list(table["model"]) == ["gan", "ae", "digits"]
    gan = table.iloc[0]
    assert gan["fid"] == 15.0 and gan["seeds"] == 2 and gan["classes"] == 8.5
    assert (gan["fid_lo"], gan["fid_hi"]) == pytest.approx((15 - T1 * 5, 15 + T1 * 5))
    assert gan["mean_max_prob"] == pytest.approx(0.75)
    assert gan["gate"] == "fail (1 of 2 seeds)" and table.iloc[1]["gate"] == "pass"


def claims_rows() -> pd.DataFrame:
    rows = [
        ("a", "source", "holds", "exploratory"),
        ("b", "source", "holds", "exploratory"),
        ("c", "source", "not valid", "exploratory"),
        ("d", "source", "holds", "post-hoc"),  # changed after the freeze: not counted
        ("e", "check", "holds", "exploratory"),
        ("f", "check", "inconclusive", "exploratory"),
    ]
    return pd.DataFrame(rows, columns=["id", "group", "verdict", "phase"])


def test_verdict_counts_count_source_claims_and_checks_apart() -> None:
    counts = verdict_counts(claims_rows())
    assert counts.values.tolist() == [["holds", 2, 1], ["inconclusive", 0, 1], ["not valid", 1, 0]]


def test_the_landing_text_is_valid_rst_and_links_the_claims_category() -> None:
    from docutils.core import publish_parts

    found = Findings(
        robustness_table(attack_rows(), REPLICATES),
        generators_table(quality_rows(), REPLICATES),
        verdict_counts(claims_rows()),
    )
    text = rst(found)
    assert text.index("AutoAttack (autoattack)") < text.index("gan") < text.index("holds")
    assert "`Claims`_" in text and "6.0 % [" in text and "std\\_seed" not in text
    # the report appends the categories' link targets (javascript:app.showCategory) to the text
    html = publish_parts(
        text + "\n.. _Claims: https://example.invalid/claims\n",
        writer="html",
        settings_overrides={"report_level": 2, "halt_level": 2},
    )["body"]
    assert html.count("<table") == 3 and 'href="https://example.invalid/claims"' in html
    assert "fc" in html and "PGD (pgd40), strongest the run has" in html
    md = markdown(found)
    assert md.count("| classifier | clean accuracy | robust accuracy |") == 1


def test_the_job_writes_both_texts_from_the_tables_it_is_given(tmp_path: Path) -> None:
    attacks, quality = tmp_path / "attacks.parquet", tmp_path / "quality.parquet"
    attack_rows().to_parquet(attacks)
    quality_rows().to_parquet(quality)
    out = {"rst": str(tmp_path / "findings.rst"), "md": str(tmp_path / "findings.md")}
    findings_job(
        Files.of({"attacks": str(attacks), "quality": str(quality)}),
        Files.of(out, "--output"),
        FindingsSpec(REPLICATES),
    )
    text = Path(out["rst"]).read_text(encoding="utf-8")
    assert (
        "Robustness at L-infinity eps 0.3" in text and "Generators" in text and "verdict counts" not in text
    )
    findings_job(Files.of({}), Files.of(out, "--output"), FindingsSpec())
    assert "no attack, sample-quality or claims table" in Path(out["md"]).read_text(encoding="utf-8")
