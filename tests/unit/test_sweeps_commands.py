"""The sweep commands end to end on tiny real-format checkpoints (no Snakemake)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen.cli import main as advgen
from advgen.config import SCHEMA_DIR, spec_json, validate_config
from advgen.io import load_torch, read_npz
from advgen.sweeps.grid import plan
from advgen.sweeps.tables import ID_COLUMNS, METRIC_COLUMNS
from tests.golden.command_outputs import CLASSES, SIDE, Z, make_inputs


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return make_inputs(tmp_path_factory.mktemp("sweeps"))


@pytest.fixture(scope="module")
def sweep_plan():
    sweeps = {
        "inversion": {"generators": ["g", "ae"], "classifier": "c", "num_images": 4, "steps": 6, "restarts": [1, 3],
                      "optimizer": "adam", "lr": 0.05, "init": ["random", "encoder"]},
        "inpainting": {"generators": ["g", "ae"], "classifier": "c", "num_images": 4, "steps": 6, "restarts": 2,
                       "mask": ["pepper", "square"]},
        "interpolation": {"generators": ["g", "ae"], "classifier": "c", "num_pairs": 3, "num_alphas": 5, "steps": 4, "restarts": 2},
        "truncation": {"generators": ["g", "ae"], "classifier": "c", "num_samples": 40, "psi": [0.5, None]},
    }  # fmt: skip
    sweeps = validate_config({"sweeps": sweeps}, SCHEMA_DIR / "config.schema.yaml")["sweeps"]
    config = {
        "seed": 0, "sweeps": sweeps, "gans": {"g": {"dataset": "blobs"}},
        "autoencoders": {"ae": {"dataset": "blobs"}}, "classifiers": {"c": {"dataset": "blobs"}},
    }  # fmt: skip
    return plan(config)


def _run(*argv) -> None:
    assert advgen(["--threads", "1", *map(str, argv)]) == 0


def _generator(files, point):
    return files["gan"] if point.kind == "gan" else files["ae"]


@pytest.mark.slow
def test_invert_writes_tables_latents_and_figure(files, sweep_plan, tmp_path):
    finals = []
    for point in sweep_plan.points("inversion"):
        out = tmp_path / point.generator / point.point
        _run("invert", "--spec", spec_json(point.spec("cpu")), "--generator", _generator(files, point),
             "--classifier", files["classifier"], "--images", files["test"], "--final", out / "final.parquet",
             "--steps", out / "steps.parquet", "--latents", out / "z.pt", "--figure", out / "losses.png")  # fmt: skip
        finals.append(out / "final.parquet")
        final = pd.read_parquet(out / "final.parquet")
        assert len(final) == 4 and set(METRIC_COLUMNS["inversion"]) <= set(final.columns)
        assert (final["restarts"] == point.params["restarts"]).all()
        r = point.params["restarts"]
        steps = pd.read_parquet(out / "steps.parquet")
        assert len(steps) == 7 * 4 * r and steps.groupby("image")["best"].sum().eq(7).all()
        last = steps[steps["step"] == 6].groupby("image")["loss"].min()
        assert last.to_numpy() == pytest.approx(final.set_index("image")["mse"].to_numpy(), rel=1e-6)
        z = load_torch(out / "z.pt", kind="inversion_latents")
        assert z["z"].shape == (4, Z) and z["z_all"].shape == (4, r, Z)
        assert (out / "losses.png").stat().st_size > 0
    agg = tmp_path / "inversion.parquet"
    _run("aggregate-sweep", "--sweep", "inversion", "--out", agg, *finals)
    table = pd.read_parquet(agg)
    assert len(table) == 4 * 6 and list(table.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    # restart 0 of a 3-restart run starts where the 1-restart run starts
    one = table[(table.restarts == 1) & (table.init == "random") & (table.generator == "g")].set_index("image")
    three = table[(table.restarts == 3) & (table.init == "random") & (table.generator == "g")].set_index("image")
    assert three["first_restart_mse"].to_numpy() == pytest.approx(one["mse"].to_numpy(), rel=1e-4)
    assert (three["mse"] <= three["first_restart_mse"] + 1e-9).all()


def test_inpaint_uses_the_stored_masks_for_every_generator(files, sweep_plan, tmp_path):
    for path, mask_spec in sweep_plan.masks().items():
        _run("sweep-masks", "--spec", spec_json(mask_spec), "--images", files["test"], "--out", tmp_path / path)
    for point in sweep_plan.points("inpainting"):
        out = tmp_path / point.generator / point.point
        _run("inpaint", "--spec", spec_json(point.spec("cpu")), "--generator", _generator(files, point),
             "--classifier", files["classifier"], "--images", files["test"], "--masks", tmp_path / point.mask_path(),
             "--out", out / "table.parquet", "--figure", out / "examples.png")  # fmt: skip
    tables = pd.concat(pd.read_parquet(p) for p in tmp_path.glob("*/*/table.parquet"))
    assert len(tables) == 2 * 2 * 4
    frac = tables.groupby("mask")["hidden_fraction"].unique()
    assert frac["pepper"] == pytest.approx([round(0.3 * SIDE * SIDE) / SIDE**2])
    assert frac["square"] == pytest.approx([round(8 * SIDE / 28) ** 2 / SIDE**2])
    # both generators were scored on the same images
    assert tables.groupby("mask")["image"].apply(lambda s: s.value_counts().eq(2).all()).all()
    assert tables["mse_hidden"].notna().all() and (tables["mse_hidden"] >= 0).all()


def test_interpolate_records_paths_and_frames(files, sweep_plan, tmp_path):
    for point in sweep_plan.points("interpolation"):
        out = tmp_path / point.generator
        _run("interpolate", "--spec", spec_json(point.spec("cpu")), "--generator", _generator(files, point),
             "--classifier", files["classifier"], "--images", files["test"], "--out", out / "paths.parquet",
             "--frames", out / "frames.parquet", "--figure", out / "strips.png")  # fmt: skip
        paths, frames = pd.read_parquet(out / "paths.parquet"), pd.read_parquet(out / "frames.parquet")
        assert len(paths) == 3 and len(frames) == 3 * 5
        assert (paths["start_label"] != paths["end_label"]).all()
        assert set(paths["latent"]) == {"encoder" if point.kind == "autoencoder" else "inversion"}
        assert paths["labels_path"].str.count("-").eq(4).all()
        assert (paths["path_length_ratio"] >= 1 - 1e-6).all()
        assert frames["alpha"].unique().tolist() == [0, 0.25, 0.5, 0.75, 1]
        assert (out / "strips.png").stat().st_size > 0


def test_truncation_scores_one_row_per_psi_and_writes_its_grid_row(files, sweep_plan, tmp_path):
    rows, grids = [], {}
    for point in sweep_plan.points("truncation"):
        out = tmp_path / f"{point.generator}_{point.point}.parquet"
        npz = out.with_suffix(".npz")
        _run("truncation", "--spec", spec_json(point.spec("cpu")), "--generator", _generator(files, point),
             "--classifier", files["classifier"], "--reference", files["train"], "--out", out, "--samples", npz)  # fmt: skip
        rows.append(pd.read_parquet(out))
        samples = read_npz(npz, required=("images", "psi"))
        assert samples["images"].dtype == np.uint8 and samples["images"].shape == (8, 1, SIDE, SIDE)
        assert float(samples["psi"]) == (math.inf if point.params["psi"] is None else point.params["psi"])
        grids.setdefault(point.generator, []).append(npz)
    table = pd.concat(rows)
    assert sorted(table["psi_value"].tolist()) == [0.5, 0.5, math.inf, math.inf]
    assert (table["num_samples"] == 40).all() and table["fid"].ge(0).all()
    assert table["modes"].between(1, CLASSES).all()
    # the plot family stacks a generator's rows into the truncation grid
    figure = tmp_path / "grid.svg"
    _run("plot", "--family", "truncation_grid", "--input", *grids["g"], "--out", figure, "--spec", '{"experiment": "g"}')
    text = figure.read_text()
    assert "ψ = 0.5" in text and "ψ = ∞" in text


def test_bad_masks_file_is_a_one_line_error(files, sweep_plan, tmp_path, capsys):
    point = next(p for p in sweep_plan.points("inpainting") if p.params["mask"] == "pepper")
    wrong = tmp_path / "wrong.pt"
    square = next(s for s in sweep_plan.masks().values() if s["mask"] == "square")
    _run("sweep-masks", "--spec", spec_json(square), "--images", files["test"], "--out", wrong)
    code = advgen(["inpaint", "--spec", spec_json(point.spec("cpu")), "--generator", str(files["gan"]),
                   "--classifier", str(files["classifier"]), "--images", str(files["test"]), "--masks", str(wrong),
                   "--out", str(tmp_path / "t.parquet"), "--figure", str(tmp_path / "f.png")])  # fmt: skip
    assert code == 2
    assert "wrong.pt: holds 'square' masks, the spec asks for 'pepper'" in capsys.readouterr().err
    assert not (tmp_path / "t.parquet").exists()


def test_inpaint_method_axis_runs_the_reports_masked_inversion(files, sweep_plan, tmp_path):
    """method: masked_inversion (the GAN report's) is dispatched through METHODS and labelled."""
    point = next(p for p in sweep_plan.points("inpainting") if p.params["mask"] == "pepper")
    masks = tmp_path / point.mask_path()
    _run("sweep-masks", "--spec", spec_json(point.mask_spec()), "--images", files["test"], "--out", masks)
    tables = {}
    for method in ("known_pixels", "masked_inversion"):
        spec = {**point.spec("cpu"), "method": method}
        out = tmp_path / method
        _run("inpaint", "--spec", spec_json(spec), "--generator", _generator(files, point),
             "--classifier", files["classifier"], "--images", files["test"], "--masks", masks,
             "--out", out / "table.parquet", "--figure", out / "examples.png")  # fmt: skip
        tables[method] = pd.read_parquet(out / "table.parquet")
        assert set(tables[method]["method"]) == {method}
    # same images and masks, different restorations
    assert (tables["known_pixels"]["image"].to_numpy() == tables["masked_inversion"]["image"].to_numpy()).all()
    assert not np.allclose(tables["known_pixels"]["mse_hidden"], tables["masked_inversion"]["mse_hidden"])
