"""Per-point tables carry the point's identity and settings; the aggregate checks its schema."""

from __future__ import annotations

import pandas as pd
import pytest

from advgen.errors import AdvgenError
from advgen.io import write_parquet
from advgen.specs import typed_spec
from advgen.sweeps.registry import SWEEPS
from advgen.sweeps.spec import InversionPoint
from advgen.sweeps.summary import summary_table
from advgen.sweeps.tables import ID_COLUMNS, aggregate, point_frame


def spec(point: str, restarts: int, generator: str = "g") -> InversionPoint:
    return typed_spec(
        InversionPoint,
        {
            "sweep": "inversion",
            "point": point,
            "generator": generator,
            "generator_kind": "gan",
            "dataset": "digits",
            "classifier": "c",
            "seed": 0,
            "device": "cpu",
            "restarts": restarts,
            "steps": 10,
            "lr": 0.1,
            "optimizer": "sgd",
            "clip": None,
            "init": "random",
            "prior_weight": 0.0,
            "num_images": 2,
        },
    )


def metrics(mse: float) -> dict:
    return {
        "image": [3, 8],
        "label": [1, 2],
        "mse": [mse, mse / 2],
        "psnr": [20.0, 23.0],
        "best_restart": [0, 1],
        "first_restart_mse": [mse, mse],
        "mean_restart_mse": [mse, mse],
        "independent_start_mse": [mse, mse],
        "pred_target": [1, 2],
        "pred_recon": [1, 3],
        "label_kept": [True, False],
        "other_image": [5, 0],
        "pred_other": [2, 1],
        "initial_mse": [4 * mse, 4 * mse],
        "ink_target": [0.2, 0.1],
        "ink_recon": [0.18, 0.12],
        "ink_other": [0.1, 0.2],
        "ink_other2": [0.15, 0.05],
    }


def test_point_frame_has_identity_settings_and_metrics(tmp_path):
    frame = point_frame(spec("aaaaaaaaaa", 5), metrics(0.1))
    assert list(frame.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    assert {"restarts", "steps", "lr", "optimizer"} <= set(frame.columns)
    assert "device" not in frame.columns
    assert str(frame["label_kept"].dtype) == "bool" and str(frame["point"].dtype) == "string"
    assert len(frame) == 2 and (frame["restarts"] == 5).all()


def test_aggregate_concatenates_points_with_the_declared_dtypes(tmp_path):
    paths = []
    for i, (point, restarts) in enumerate([("aaaaaaaaaa", 1), ("bbbbbbbbbb", 5)]):
        paths.append(tmp_path / f"{i}.parquet")
        write_parquet(point_frame(spec(point, restarts), metrics(0.1 * (i + 1))), paths[-1])
    table = aggregate("inversion", SWEEPS["inversion"].metrics, paths)
    assert len(table) == 4 and table["point"].tolist() == ["aaaaaaaaaa"] * 2 + ["bbbbbbbbbb"] * 2
    for column, dtype in {**ID_COLUMNS, **SWEEPS["inversion"].metrics}.items():
        assert str(table[column].dtype) == dtype, column
    summary = summary_table("inversion", table)
    assert summary.loc[("g", "random", "5"), "mse"] == pytest.approx(0.15)


def test_aggregate_rejects_tables_of_the_wrong_shape(tmp_path):
    good = tmp_path / "good.parquet"
    write_parquet(point_frame(spec("aaaaaaaaaa", 1), metrics(0.1)), good)
    bad = tmp_path / "bad.parquet"
    write_parquet(pd.read_parquet(good).drop(columns=["psnr"]), bad)
    with pytest.raises(
        AdvgenError, match=r"bad\.parquet: not a table of the inversion sweep, missing column\(s\) psnr"
    ):
        aggregate("inversion", SWEEPS["inversion"].metrics, [good, bad])
    typed = tmp_path / "typed.parquet"
    write_parquet(pd.read_parquet(good).assign(mse="high"), typed)
    with pytest.raises(
        AdvgenError, match=r"typed\.parquet: column 'mse' holds str values \('high'\), expected numbers"
    ):
        aggregate("inversion", SWEEPS["inversion"].metrics, [typed])
    with pytest.raises(AdvgenError, match="missing column"):
        aggregate("inpainting", SWEEPS["inpainting"].metrics, [good])
    with pytest.raises(AdvgenError, match="table not found"):
        aggregate("inversion", SWEEPS["inversion"].metrics, [tmp_path / "absent.parquet"])
