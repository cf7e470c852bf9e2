"""The sweep commands end to end on tiny real-format checkpoints (no Snakemake): one run per
(sweep, generator, grid point), as the workflow runs them; its spec is the point's
(advgen.sweeps.spec), seeded from its own seed once its job has loaded the models."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen.checkpoints import load_torch
from advgen.cli import main as advgen
from advgen.config import spec_json
from advgen.io import read_npz
from advgen.specs import typed_spec
from advgen.sweeps.grid import GridPoint
from advgen.sweeps.registry import SWEEPS
from advgen.sweeps.spec import InversionPoint
from advgen.sweeps.tables import ID_COLUMNS
from tests.golden.command_outputs import (
    CLASSES,
    SIDE,
    TINY_INTERPOLATION,
    TINY_POINTS,
    Z,
    blob_sweep_plan,
    make_inputs,
)
from tests.jobs import job_argv, plot_argv


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return make_inputs(tmp_path_factory.mktemp("sweeps"))


@pytest.fixture(scope="module")
def sweep_plan():
    both = ["g", "ae"]
    sweeps = {
        "inversion": {
            "generators": both,
            **TINY_POINTS,
            "restarts": [1, 3],
            "optimizer": "adam",
            "lr": 0.05,
            "init": ["random", "encoder"],
        },
        "inpainting": {"generators": both, **TINY_POINTS, "restarts": 2, "mask": ["pepper", "square"]},
        "interpolation": {"generators": both, **TINY_INTERPOLATION},
        "truncation": {"generators": both, "classifier": "c", "num_samples": 40, "psi": [0.5, None]},
    }
    return blob_sweep_plan(sweeps)


def _run(*argv) -> None:
    assert advgen(["--threads", "1", *map(str, argv)]) == 0


def _generator(files, generator):
    return files["gan"] if generator == "g" else files["ae"]


def _spec(point: GridPoint) -> str:
    """A sweep job's spec: its grid point's, as the workflow passes it."""
    return spec_json(point.spec("cpu"))


def _argv(command: str, spec: str, generator: Path, files, outputs: dict, images: str = "test") -> list[str]:
    """One sweep job's command line: ``spec`` on ``generator``, the classifier and the ``images`` split."""
    inputs = {"generator": generator, "classifier": files["classifier"], "images": files[images]}
    return job_argv(command, spec, inputs, outputs)


@pytest.mark.slow
def test_invert_writes_tables_latents_and_figure(files, sweep_plan, tmp_path):
    finals = []
    for generator in sweep_plan.generators("inversion"):
        points = sweep_plan.points("inversion", generator)
        for point in points:
            out = tmp_path / generator / point.label
            outputs = {
                "final": out / "final.parquet",
                "steps": out / "steps.parquet",
                "latents": out / "z.pt",
                "figure": out / "reconstructions.png",
            }
            _run(*_argv("invert", _spec(point), _generator(files, generator), files, outputs))
            finals.append(out / "final.parquet")
            part, curves = pd.read_parquet(out / "final.parquet"), pd.read_parquet(out / "steps.parquet")
            z = load_torch(out / "z.pt", kind="inversion_latents")
            assert part["point"].unique().tolist() == curves["point"].unique().tolist() == [point.label]
            assert list(z["points"]) == [point.label]
            assert len(part) == 4 and set(SWEEPS["inversion"].metrics) <= set(part.columns)
            assert (part["restarts"] == point.params["restarts"]).all() and (
                part["init"] == point.params["init"]
            ).all()
            r = point.params["restarts"]
            assert len(curves) == 7 * 4 * r and curves.groupby("image")["best"].sum().eq(7).all()
            last = curves[curves["step"] == 6].groupby("image")["loss"].min()
            assert last.to_numpy() == pytest.approx(part.set_index("image")["mse"].to_numpy(), rel=1e-6)
            latents = z["points"][point.label]
            assert latents["z"].shape == (4, Z) and latents["z_all"].shape == (4, r, Z)
            assert latents["config"]["point"] == point.label
            assert latents["config"] == point.spec("cpu")  # the spec's JSON, as the workflow passed it
            assert (out / "reconstructions.png").stat().st_size > 0
    agg = tmp_path / "inversion.parquet"
    _run(*job_argv("aggregate-sweep", {"sweep": "inversion"}, {"tables": finals}, {"table": agg}))
    table = pd.read_parquet(agg)
    assert len(table) == 4 * 6 and list(table.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    # restart 0 of a 3-restart run starts where the 1-restart run starts
    one = table[(table.restarts == 1) & (table.init == "random") & (table.generator == "g")].set_index(
        "image"
    )
    three = table[(table.restarts == 3) & (table.init == "random") & (table.generator == "g")].set_index(
        "image"
    )
    assert three["first_restart_mse"].to_numpy() == pytest.approx(one["mse"].to_numpy(), rel=1e-4)
    assert (three["mse"] <= three["first_restart_mse"] + 1e-9).all()


def test_a_point_gives_the_same_numbers_after_other_points_as_alone(files, sweep_plan):
    """Each point is seeded from its own seed once its models are loaded: running it after
    others in one process, global random draws in between, changes nothing."""
    import torch

    from advgen.sweeps import generator_job, jobs

    *others, last = [typed_spec(InversionPoint, p.spec("cpu")) for p in sweep_plan.points("inversion", "ae")]
    job = jobs.load_job(last, files["ae"], files["classifier"], files["test"], "cpu")
    alone = generator_job.run_inversion(last, job)
    for spec in others:
        generator_job.run_inversion(spec, job)
    torch.rand(7)
    after = generator_job.run_inversion(last, job)
    assert others and alone.final["point"].tolist() == [last.point] * 4
    pd.testing.assert_frame_equal(alone.final, after.final, check_exact=True)
    pd.testing.assert_frame_equal(alone.steps, after.steps, check_exact=True)


def test_inpaint_scores_every_generator_on_the_same_masks(files, sweep_plan, tmp_path):
    for point in sweep_plan.points("inpainting"):
        out = tmp_path / point.generator / point.label
        outputs = {"table": out / "table.parquet", "figure": out / "examples.png"}
        _run(*_argv("inpaint", _spec(point), _generator(files, point.generator), files, outputs))
        assert (out / "examples.png").stat().st_size > 0
        assert set(pd.read_parquet(out / "table.parquet")["point"]) == {point.label}
    tables = pd.concat(pd.read_parquet(p) for p in tmp_path.glob("*/*/table.parquet"))
    assert len(tables) == 2 * 2 * 4
    assert set(tables["point"]) == {"mask-pepper", "mask-square"}
    frac = tables.groupby("mask")["hidden_fraction"].unique()
    assert frac["pepper"] == pytest.approx([round(0.3 * SIDE * SIDE) / SIDE**2])
    assert frac["square"] == pytest.approx([round(8 * SIDE / 28) ** 2 / SIDE**2])
    # both generators were scored on the same images
    assert tables.groupby("mask")["image"].apply(lambda s: s.value_counts().eq(2).all()).all()
    assert tables["mse_hidden"].notna().all() and (tables["mse_hidden"] >= 0).all()


def test_interpolate_records_paths_and_frames(files, sweep_plan, tmp_path):
    for generator in sweep_plan.generators("interpolation"):
        (point,) = sweep_plan.points("interpolation", generator)
        out = tmp_path / generator
        outputs = {
            "paths": out / "paths.parquet",
            "frames": out / "frames.parquet",
            "figure": out / "strips.png",
        }
        _run(*_argv("interpolate", _spec(point), _generator(files, generator), files, outputs))
        paths, frames = pd.read_parquet(out / "paths.parquet"), pd.read_parquet(out / "frames.parquet")
        assert len(paths) == 3 and len(frames) == 3 * 5
        assert set(paths["point"]) == set(frames["point"]) == {point.label}
        assert (paths["start_label"] != paths["end_label"]).all()
        assert set(paths["latent"]) == {"encoder" if point.kind == "autoencoder" else "inversion"}
        assert paths["labels_path"].str.count("-").eq(4).all()
        assert (paths["path_length_ratio"] >= 1 - 1e-6).all()
        assert frames["alpha"].unique().tolist() == [0, 0.25, 0.5, 0.75, 1]
        assert (out / "strips.png").stat().st_size > 0


def test_truncation_scores_one_row_per_psi_and_writes_its_grid_rows(files, sweep_plan, tmp_path):
    rows, grids, psis = [], {}, {}
    for point in sweep_plan.points("truncation"):
        out = tmp_path / point.generator / f"{point.label}.parquet"
        npz = out.with_suffix(".npz")
        outputs = {"table": out, "samples": npz}
        _run(*_argv("truncation", _spec(point), _generator(files, point.generator), files, outputs, "train"))
        rows.append(pd.read_parquet(out))
        samples = read_npz(npz, required=("images", "psi"))
        assert samples["images"].dtype == np.uint8 and samples["images"].shape == (1, 8, 1, SIDE, SIDE)
        psis.setdefault(point.generator, []).extend(samples["psi"].tolist())
        grids.setdefault(point.generator, []).append(npz)
    assert psis == {"g": [0.5, math.inf], "ae": [0.5, math.inf]}  # config order
    table = pd.concat(rows)
    assert table["psi_value"].tolist() == [0.5, math.inf, 0.5, math.inf]
    assert table["point"].tolist() == ["psi-0.5", "default"] * 2  # psi null: no axis value
    assert (table["num_samples"] == 40).all() and table["fid"].ge(0).all()
    assert table["modes"].between(1, CLASSES).all()
    # the plot family draws a generator's rows as the truncation grid
    figure = tmp_path / "grid.svg"
    _run(*plot_argv("truncation_grid", grids["g"], [figure], {"experiment": "g"}))
    text = figure.read_text()
    assert "ψ = 0.5" in text and "ψ = ∞" in text


def test_a_spec_that_is_not_a_point_of_the_jobs_sweep_is_a_one_line_error(
    files, sweep_plan, tmp_path, capsys
):
    for spec, words in (
        (
            sweep_plan.points("inversion", "g")[0].spec("cpu"),
            "--spec: mask: missing required key 'mask'",
        ),
        (
            {**sweep_plan.points("inpainting", "g")[0].spec("cpu"), "sweep": "inversion"},
            "--spec: sweep: 'inversion' is not this job's sweep ('inpainting')",
        ),
        (
            {"device": "cpu", "points": [p.spec("cpu") for p in sweep_plan.points("inpainting", "g")]},
            "--spec: points: unknown key 'points'",
        ),
    ):
        outputs = {"table": tmp_path / "t.parquet", "figure": tmp_path / "f.png"}
        code = advgen(_argv("inpaint", spec_json(spec), files["gan"], files, outputs))
        assert code == 2
        assert words in capsys.readouterr().err
        assert not (tmp_path / "t.parquet").exists()


def test_inpaint_method_axis_runs_the_reports_masked_inversion(files, sweep_plan, tmp_path):
    """method: masked_inversion (the GAN report's) is dispatched through METHODS and labelled."""
    point = next(p for p in sweep_plan.points("inpainting", "g") if p.params["mask"] == "pepper")
    for method in ("known_pixels", "masked_inversion"):
        spec = spec_json({**point.spec("cpu"), "method": method, "point": method})
        outputs = {"table": tmp_path / method / "table.parquet", "figure": tmp_path / method / "examples.png"}
        _run(*_argv("inpaint", spec, files["gan"], files, outputs))
    table = pd.concat(
        pd.read_parquet(tmp_path / m / "table.parquet") for m in ("known_pixels", "masked_inversion")
    )
    tables = {method: part for method, part in table.groupby("method")}
    assert all(set(part["point"]) == {method} for method, part in tables.items())
    # same images and masks, different restorations
    assert (
        tables["known_pixels"]["image"].to_numpy() == tables["masked_inversion"]["image"].to_numpy()
    ).all()
    assert not np.allclose(tables["known_pixels"]["mse_hidden"], tables["masked_inversion"]["mse_hidden"])
