"""The sweeps stage end to end on the tiny .test config: real (2-epoch) generators and
classifier, every sweep's aggregate table with rows for the GAN and the autoencoder."""

from __future__ import annotations

import pandas as pd
import pytest

from advgen.sweeps.tables import ID_COLUMNS, METRIC_COLUMNS
from tests.conftest import snakemake

CONFIG = ".test/config/sweeps.yaml"
SWEEPS = ("inversion", "inpainting", "interpolation", "truncation")


@pytest.mark.slow
def test_sweeps_run_end_to_end(workflow_dir):
    targets = [f"results/sweeps/{s}.parquet" for s in SWEEPS]
    snakemake(workflow_dir, "--cores", "2", *targets, "--configfile", CONFIG)
    tables = {s: pd.read_parquet(workflow_dir / f"results/sweeps/{s}.parquet") for s in SWEEPS}
    for sweep, table in tables.items():
        assert set(ID_COLUMNS) | set(METRIC_COLUMNS[sweep]) <= set(table.columns), sweep
        assert set(table["generator_kind"]) == {"gan", "autoencoder"}, sweep
    inv = tables["inversion"]
    assert len(inv) == 6 * 4  # 6 points x 4 images
    assert (inv.loc[inv.restarts == 5, "mse"].to_numpy() <= inv.loc[inv.restarts == 5, "first_restart_mse"].to_numpy() + 1e-9).all()
    inp = tables["inpainting"]
    assert sorted(inp["mask"].unique()) == ["crosswalk", "pepper", "square"] and len(inp) == 2 * 3 * 4
    # the GAN and the AE were scored on the same images and masks
    assert inp.groupby(["mask", "image"])["hidden_fraction"].nunique().eq(1).all()
    assert len(tables["interpolation"]) == 2 * 3
    assert sorted(tables["truncation"]["psi_value"]) == [0.5, 0.5, float("inf"), float("inf")]
    # a no-op rerun schedules nothing
    dry = snakemake(workflow_dir, "-n", *targets, "--configfile", CONFIG).stdout
    assert "Nothing to be done" in dry or "Job stats" not in dry
