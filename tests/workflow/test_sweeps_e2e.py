"""The sweeps stage end to end on the tiny .test config: real (2-epoch) generators and
classifier, every sweep's aggregate table with rows for the GAN and the autoencoder; then an
edit that adds grid points runs only them, one that removes points runs only the aggregates,
and after each the aggregates equal a clean run's."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from advgen.sweeps import registry
from advgen.sweeps.tables import ID_COLUMNS
from tests.conftest import scheduled, snakemake

CONFIG = ".test/config/sweeps.yaml"
SWEEPS = ("inversion", "inpainting", "interpolation", "truncation")


def small_config(workflow_dir) -> str:
    """The .test config with one grid point per generator and sweep (less compute): 8 sweep
    jobs and 4 aggregates after 4 upstream ones. The inpainting masks, the truncation psi and
    the inversion optimizer are lists (axes of one value), so that adding a value adds points."""
    config = yaml.safe_load((workflow_dir / CONFIG).read_text())
    sweeps = config["sweeps"]
    sweeps["inversion"].update(init="random", restarts=[3], optimizer=["adam"])
    sweeps["inpainting"]["mask"] = ["square"]
    sweeps["truncation"]["psi"] = [0.5]
    path = workflow_dir / ".test/config/sweeps_e2e.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path.relative_to(workflow_dir))


def edit(workflow_dir, config: str, change) -> None:
    """``change(sweeps)`` on the config, edited in place."""
    data = yaml.safe_load((workflow_dir / config).read_text())
    change(data["sweeps"])
    (workflow_dir / config).write_text(yaml.safe_dump(data, sort_keys=False))


def add_points(sweeps) -> None:
    """A mask after the square, a psi before 0.5, a restarts value after 3, an optimizer after adam."""
    sweeps["inpainting"]["mask"].append("pepper")
    sweeps["truncation"]["psi"].insert(0, 0.25)
    sweeps["inversion"]["restarts"].append(1)
    sweeps["inversion"]["optimizer"].append("sgd")


def remove_points(sweeps) -> None:
    """The first value of each of those axes."""
    sweeps["inpainting"]["mask"].remove("square")
    sweeps["truncation"]["psi"].remove(0.5)
    sweeps["inversion"]["restarts"].remove(3)
    sweeps["inversion"]["optimizer"].remove("adam")


EDITED = ("inversion", "inpainting", "truncation")


def assert_aggregates_equal_a_clean_run(workflow_dir, clean, config: str) -> None:
    """The edited sweeps' aggregates equal a copy's in which every point of them is recomputed."""
    shutil.copytree(workflow_dir, clean, symlinks=True)
    for sweep in EDITED:
        shutil.rmtree(clean / "results/sweeps" / sweep)
        (clean / f"results/sweeps/{sweep}.parquet").unlink()
    aggregates = [f"results/sweeps/{s}.parquet" for s in EDITED]
    dry = snakemake(clean, "-n", *aggregates, "--configfile", config).stdout
    assert {job.split("[")[0] for job in scheduled(dry)} == {
        "invert",
        "inpaint",
        "truncation",
        "aggregate_sweep",
    }
    snakemake(clean, "--cores", "2", *aggregates, "--configfile", config)
    for name in aggregates:
        ours, theirs = pd.read_parquet(workflow_dir / name), pd.read_parquet(clean / name)
        pd.testing.assert_frame_equal(ours, theirs, obj=name)


@pytest.mark.slow
def test_sweeps_run_end_to_end(workflow_dir, tmp_path):
    grids = [f"results/figures/sweeps/truncation_grid/{g}.png" for g in ("tiny_gan", "tiny_ae")]
    targets = [f"results/sweeps/{s}.parquet" for s in SWEEPS] + grids
    config = small_config(workflow_dir)
    snakemake(workflow_dir, "--cores", "2", *targets, "--configfile", config)
    tables = {s: pd.read_parquet(workflow_dir / f"results/sweeps/{s}.parquet") for s in SWEEPS}
    for sweep, table in tables.items():
        assert set(ID_COLUMNS) | set(registry.SWEEPS[sweep].metrics) <= set(table.columns), sweep
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
    # one folder per (generator, point), named by the point's axis values
    samples = sorted(workflow_dir.glob("results/sweeps/truncation/*/*/samples.npz"))
    assert [str(p.relative_to(workflow_dir / "results/sweeps/truncation")) for p in samples] == [
        "tiny_ae/psi-0.5/samples.npz",
        "tiny_gan/psi-0.5/samples.npz",
    ]
    # a no-op rerun schedules nothing
    dry = snakemake(workflow_dir, "-n", *targets, "--configfile", config).stdout
    assert "Nothing to be done" in dry or "Job stats" not in dry

    # adding a mask, a psi, a restarts value and an optimizer schedules the new points (the new
    # restarts value with either optimizer, sgd with either restarts value), the aggregates and the
    # grid figure
    edit(workflow_dir, config, add_points)
    dry = snakemake(workflow_dir, "-n", *targets, "--configfile", config).stdout
    generators = ("tiny_gan", "tiny_ae")
    assert scheduled(dry) == {
        *(f"inpaint[generator={g}, point=mask-pepper]" for g in generators),
        *(f"truncation[generator={g}, point=psi-0.25]" for g in generators),
        *(
            f"invert[generator={g}, point=optimizer-{opt}_restarts-{r}]"
            for g in generators
            for opt, r in (("adam", 1), ("sgd", 3), ("sgd", 1))
        ),
        *(f"aggregate_sweep[sweep={s}]" for s in EDITED),
        "plot_truncation_grid",
    }
    snakemake(workflow_dir, "--cores", "2", *targets, "--configfile", config)
    # the incremental aggregates equal a clean run's (every point of the three sweeps recomputed)
    assert_aggregates_equal_a_clean_run(workflow_dir, tmp_path / "clean_added", config)
    truncation = pd.read_parquet(workflow_dir / "results/sweeps/truncation.parquet")
    assert truncation["point"].tolist() == ["psi-0.25", "psi-0.5"] * 2  # config order per generator
    assert truncation["generator"].tolist() == ["tiny_gan"] * 2 + ["tiny_ae"] * 2

    # removing those axes' first values recomputes the aggregates (and the grid figure) alone
    edit(workflow_dir, config, remove_points)
    dry = snakemake(workflow_dir, "-n", *targets, "--configfile", config).stdout
    assert scheduled(dry) == {*(f"aggregate_sweep[sweep={s}]" for s in EDITED), "plot_truncation_grid"}
    snakemake(workflow_dir, "--cores", "2", *targets, "--configfile", config)
    assert_aggregates_equal_a_clean_run(workflow_dir, tmp_path / "clean_removed", config)
    assert (
        pd.read_parquet(workflow_dir / "results/sweeps/truncation.parquet")["point"].tolist()
        == ["psi-0.25"] * 2
    )
