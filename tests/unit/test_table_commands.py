"""The table-concatenating commands share one convention: --out first, input tables last."""

from __future__ import annotations

import pandas as pd

from advgen.cli import main as advgen


def rows(tmp_path):
    paths = []
    for i, (family, model) in enumerate([("gan", "g"), ("real", "digits"), ("autoencoder", "a")]):
        path = tmp_path / f"r{i}.parquet"
        pd.DataFrame(
            {"dataset": ["digits"], "family": [family], "model": [model], "fid": [float(i)]}
        ).to_parquet(path)
        paths.append(str(path))
    return paths


def test_sample_quality_table_takes_positional_inputs(tmp_path):
    out, old = tmp_path / "out.parquet", tmp_path / "old.parquet"
    assert advgen(["sample-quality-table", "--out", str(out), *rows(tmp_path)]) == 0
    table = pd.read_parquet(out)
    assert table["family"].tolist() == ["real", "gan", "autoencoder"]
    # the former --inputs spelling still gives the same table
    assert advgen(["sample-quality-table", "--out", str(old), "--inputs", *rows(tmp_path)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(old), table)


def test_no_input_table_is_exit_2(tmp_path):
    assert advgen(["sample-quality-table", "--out", str(tmp_path / "o.parquet")]) == 2
    assert not (tmp_path / "o.parquet").exists()
