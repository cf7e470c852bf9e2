"""The purifiers end to end on the tiny defense .test config, with the real advgen: a purifier
point added runs only its jobs and the table, one removed runs only the table, and after each
the table equals a clean run's (every point recomputed). test_defense_dag checks the same
schedules on stand-in jobs; this test checks the numbers."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from tests.compare_outputs import is_timing
from tests.conftest import scheduled, snakemake

CONFIG = ".test/config/defense.yaml"
TABLE = "results/defense/purify.parquet"


def edit(workflow_dir, change) -> None:
    """``change(tradeoff)`` on the GAN purifier's trade-off grid, edited in place."""
    data = yaml.safe_load((workflow_dir / CONFIG).read_text())
    change(data["defense"]["purify"]["purifiers"]["gan"]["tradeoff"])
    (workflow_dir / CONFIG).write_text(yaml.safe_dump(data, sort_keys=False))


def measured(table: pd.DataFrame) -> pd.DataFrame:
    """The table without its wall-clock columns, which no two runs share."""
    return table.drop(columns=[c for c in table.columns if is_timing(c)])


def assert_table_equals_a_clean_run(workflow_dir, clean) -> None:
    """The incremental table equals a copy's in which every purifier point is recomputed (the
    trained checkpoints are kept: training is deterministic and tested elsewhere)."""
    shutil.copytree(workflow_dir, clean, symlinks=True)
    shutil.rmtree(clean / "results/defense")
    dry = snakemake(clean, "-n", TABLE, "--configfile", CONFIG).stdout
    assert {job.split("[")[0] for job in scheduled(dry)} == {"purify", "purify_table"}
    snakemake(clean, "--cores", "2", TABLE, "--configfile", CONFIG)
    ours, theirs = (pd.read_parquet(folder / TABLE) for folder in (workflow_dir, clean))
    pd.testing.assert_frame_equal(measured(ours), measured(theirs), obj=TABLE)


@pytest.mark.slow
def test_purifier_points_end_to_end(workflow_dir, tmp_path):
    snakemake(workflow_dir, "--cores", "2", TABLE, "--configfile", CONFIG)
    table = pd.read_parquet(workflow_dir / TABLE)
    gan_points = ["L2_R1", "L2_R2", "L4_R1", "L4_R2"]
    assert sorted(set(table.loc[table["defense"] == "gan", "point"])) == gan_points

    # a steps value added: its two points (one per restarts value) and the table
    edit(workflow_dir, lambda t: t["steps"].append(8))
    dry = snakemake(workflow_dir, "-n", TABLE, "--configfile", CONFIG).stdout
    assert scheduled(dry) == {
        "purify[purifier=gan, point=L8_R1]",
        "purify[purifier=gan, point=L8_R2]",
        "purify_table",
    }
    snakemake(workflow_dir, "--cores", "2", TABLE, "--configfile", CONFIG)
    assert set(pd.read_parquet(workflow_dir / TABLE)["point"]) >= {"L8_R1", "L8_R2"}
    assert_table_equals_a_clean_run(workflow_dir, tmp_path / "clean_added")

    # the first steps value removed: the table alone
    edit(workflow_dir, lambda t: t["steps"].remove(2))
    dry = snakemake(workflow_dir, "-n", TABLE, "--configfile", CONFIG).stdout
    assert scheduled(dry) == {"purify_table"}
    snakemake(workflow_dir, "--cores", "2", TABLE, "--configfile", CONFIG)
    gan = pd.read_parquet(workflow_dir / TABLE).query("defense == 'gan'")
    assert sorted(set(gan["point"])) == ["L4_R1", "L4_R2", "L8_R1", "L8_R2"]
    assert_table_equals_a_clean_run(workflow_dir, tmp_path / "clean_removed")
