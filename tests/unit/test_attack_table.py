"""``advgen attack-table`` on one curve table per (classifier, attack): each classifier's table
and the aggregate equal those made from one table per classifier (the former ``attack`` jobs).
A bad ``classifiers`` output is one line and writes nothing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from advgen.cli import main as advgen
from advgen.robustness.tables import CURVE_COLUMNS
from tests.jobs import job_argv

#: (classifier, attack, attack_type, eps grid) in the workflow's input order: classifiers sorted,
#: attacks in config order (not name order)
CURVES = [
    ("cnn", "pgd", "PGD", [0.0, 0.2]),
    ("cnn", "fgsm", "FGSM", [0.0, 0.1, 0.2]),
    ("fc", "pgd", "PGD", [0.0, 0.2]),
    ("fc", "fgsm", "FGSM", [0.0, 0.1, 0.2]),
    ("fc", "deepfool", "DeepFool", [0.0, 1.0, math.inf]),
]


def curve(classifier: str, attack: str, attack_type: str, grid: list[float]) -> pd.DataFrame:
    """A curve table in ``advgen attack``'s format (numbers made up, deterministic)."""
    rows = []
    for i, eps in enumerate(grid):
        acc = 0.9 / (1 + i + len(attack))
        rows.append(
            {
                "classifier": classifier,
                "attack": attack,
                "attack_type": attack_type,
                "eps": eps,
                "norm": "l2" if attack_type == "DeepFool" else "linf",
                "n": 30,
                "clean_acc": 0.9,
                "robust_acc": acc,
                "success_rate": 1 - acc / 0.9,
                "mean_l2": 0.5 + i,
                "median_l2": 0.4 + i,
                "mean_linf": 0.1 * i,
                "median_linf": 0.1 * i,
                "mean_norm": 0.5 + i,
                "rho_adv": 0.05 * (1 + i),
                "mean_adv_confidence": math.nan if i == 0 else 0.6,
                "seconds": 1.5,
                "params": json.dumps({"steps": 3} if attack_type == "PGD" else {}),
            }
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


@pytest.fixture
def per_attack(tmp_path: Path) -> list[str]:
    paths = []
    for classifier, attack, attack_type, grid in CURVES:
        path = tmp_path / "attacks" / classifier / f"{attack}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        curve(classifier, attack, attack_type, grid).to_parquet(path, index=False)
        paths.append(str(path))
    return paths


def table_args(
    tmp_path: Path, folder: str, curves: list[str], classifiers: dict[str, str] | None = None
) -> list[str]:
    """``advgen attack-table`` on ``curves``, its outputs in ``tmp_path/folder``; ``classifiers``:
    name -> the path of that classifier's table (the spec's classifiers, in this order)."""
    out = tmp_path / folder
    classifiers = classifiers or {}
    return job_argv(
        "attack-table",
        {"classifiers": list(classifiers)},
        {"curves": curves},
        {
            "curves": out / "curves.parquet",
            "minimal": out / "minimal.parquet",
            "classifiers": list(classifiers.values()),
        },
    )


def test_per_attack_tables_give_the_per_classifier_tables_and_the_same_aggregate(
    tmp_path: Path, per_attack: list[str]
) -> None:
    outputs = {c: tmp_path / "new" / f"{c}.parquet" for c in ("cnn", "fc")}
    assert advgen(table_args(tmp_path, "new", per_attack, {c: str(p) for c, p in outputs.items()})) == 0
    # each classifier's table: its attacks' rows in input (config) order, as one job wrote them
    for classifier, path in outputs.items():
        expected = pd.concat(
            [curve(c, a, t, g) for c, a, t, g in CURVES if c == classifier], ignore_index=True
        )
        pd.testing.assert_frame_equal(pd.read_parquet(path), expected)
    # the aggregate made from the per-classifier tables (the former workflow) is the same
    assert advgen(table_args(tmp_path, "old", list(map(str, outputs.values())))) == 0
    for name in ("curves.parquet", "minimal.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "new" / name), pd.read_parquet(tmp_path / "old" / name)
        )
    minimal = pd.read_parquet(tmp_path / "new" / "minimal.parquet")
    assert set(minimal["attack"]) == {"deepfool"}


@pytest.mark.parametrize(
    ("spec", "tables", "message"),
    [
        (["cnn"], ["classifiers={out}/cnn.parquet"], "classifier 'fc' has no classifiers output"),
        (["cnn"], ["{out}/cnn.parquet"], "--output: expected NAME=PATH"),
        (
            ["cnn"],
            ["classifiers={out}/a.parquet", "classifiers={out}/b.parquet"],
            "--output: 2 classifiers=PATH for 1 in the spec (cnn)",
        ),
        (
            ["cnn", "fc", "mlp"],
            [
                "classifiers={out}/cnn.parquet",
                "classifiers={out}/fc.parquet",
                "classifiers={out}/mlp.parquet",
            ],
            "no input rows for classifier(s) mlp",
        ),
    ],
    ids=["unmapped-classifier", "not-a-pair", "twice", "no-rows"],
)
def test_bad_classifier_tables_are_one_line_and_write_nothing(
    tmp_path: Path, per_attack: list[str], spec: list[str], tables: list[str], message: str, capsys
) -> None:
    out = tmp_path / "out"
    argv = [*table_args(tmp_path, "out", per_attack), *(t.format(out=out) for t in tables)]
    argv[argv.index("--spec") + 1] = json.dumps({"classifiers": spec})
    assert advgen(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())
