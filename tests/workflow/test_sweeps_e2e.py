"""The sweeps stage end to end on the tiny .test config: real (2-epoch) generators and
classifier, every sweep's aggregate table with rows for the GAN and the autoencoder."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from advgen.sweeps.tables import ID_COLUMNS, METRIC_COLUMNS
from tests.conftest import snakemake

CONFIG = ".test/config/sweeps.yaml"
SWEEPS = ("inversion", "inpainting", "interpolation", "truncation")


def small_config(workflow_dir) -> str:
    """The .test config with one grid point per generator and sweep (less compute; the job
    count is one per sweep and generator anyway): 8 sweep jobs and 4 aggregates after 4
    upstream ones."""
    config = yaml.safe_load((workflow_dir / CONFIG).read_text())
    sweeps = config["sweeps"]
    sweeps["inversion"].update(init="random", restarts=3)
    sweeps["inpainting"]["mask"] = ["square"]
    sweeps["truncation"]["psi"] = 0.5
    path = workflow_dir / ".test/config/sweeps_e2e.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path.relative_to(workflow_dir))


@pytest.mark.slow
def test_sweeps_run_end_to_end(workflow_dir):
    grids = [f"results/figures/sweeps/truncation_grid/{g}.png" for g in ("tiny_gan", "tiny_ae")]
    targets = [f"results/sweeps/{s}.parquet" for s in SWEEPS] + grids
    config = small_config(workflow_dir)
    snakemake(workflow_dir, "--cores", "2", *targets, "--configfile", config)
    tables = {s: pd.read_parquet(workflow_dir / f"results/sweeps/{s}.parquet") for s in SWEEPS}
    for sweep, table in tables.items():
        assert set(ID_COLUMNS) | set(METRIC_COLUMNS[sweep]) <= set(table.columns), sweep
        assert set(table["generator_kind"]) == {"gan", "autoencoder"}, sweep
    inv = tables["inversion"]
    assert len(inv) == 2 * 4 and (inv["restarts"] == 3).all()  # (gan, ae) x 4 images
    assert (inv["mse"] <= inv["first_restart_mse"] + 1e-9).all()
    inp = tables["inpainting"]
    assert set(inp["mask"]) == {"square"} and len(inp) == 2 * 4
    # the GAN and the AE were scored on the same images and masks
    assert (
        inp.groupby("image")["hidden_fraction"].nunique().eq(1).all()
        and inp["image"].value_counts().eq(2).all()
    )
    assert len(tables["interpolation"]) == 2 * 3
    assert tables["truncation"]["psi_value"].tolist() == [0.5, 0.5]
    assert all((workflow_dir / g).stat().st_size > 0 for g in grids)
    assert (
        len(list(workflow_dir.glob("results/sweeps/truncation/*/samples.npz"))) == 2
    )  # one per generator job
    # a no-op rerun schedules nothing
    dry = snakemake(workflow_dir, "-n", *targets, "--configfile", config).stdout
    assert "Nothing to be done" in dry or "Job stats" not in dry
