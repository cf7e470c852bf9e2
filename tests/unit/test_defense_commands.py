"""The defense commands end to end on tiny real-format checkpoints: Parquet schemas, the
aggregate and the figures drawn from it (no Snakemake)."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.checkpoints import save_torch
from advgen.classifiers.checkpoint import checkpoint_dict, save_classifier
from advgen.classifiers.zoo import build_classifier
from advgen.cli import main as advgen
from advgen.config import SCHEMA_DIR, validate_config
from advgen.data.prepared import save_prepared
from advgen.defense import plan
from advgen.defense.tables import FLIP_COLUMNS, FLIP_SUMMARY_COLUMNS, PURIFY_COLUMNS
from advgen.io import read_parquet
from advgen.probe.columns import COLUMNS as PROBE_COLUMNS
from tests.golden.command_outputs import CLASSES, SIDE, Z, blob_split
from tests.jobs import job_argv, plot_argv
from tests.unit.gen_helpers import write_conv_autoencoder
from tests.unit.plots_data import assert_figure

pytestmark = pytest.mark.slow  # about a minute: every command runs once on tiny checkpoints

TINY_BUDGET = (
    '{"steps": 2, "restarts": 1, "eot_samples": 2, "rand_samples": 2, "short_unroll": 1, '
    '"unroll_restarts": 1, "latent_steps": 2}'
)
CONFIG = {
    "seed": 0,
    "device": "cpu",
    "datasets": {"blobs": {"source": "digits", "image_size": SIDE}},
    "gans": {
        "g": {
            "dataset": "blobs",
            "generator": "mlp_small",
            "discriminator": "mlp_small",
            "z_dim": Z,
            "batch_size": 8,
            "epochs": 1,
            "grid_size": 4,
            "loss": "mse",
            "unroll_k": 2,
        }
    },
    "autoencoders": {"ae": {"dataset": "blobs", "z_dim": Z, "width": 4}},
    "classifiers": {"c": {"dataset": "blobs", "arch": "fc10"}},
    "defense": {
        "purify": {
            "classifier": "c",
            "num_images": 9,
            "eps": [0.1, 0.3],
            "pgd_steps": 3,
            "adaptive_steps": 2,
            "eot_samples": 2,
            "purifiers": {
                "gan": {
                    "generator": "g",
                    "steps": 4,
                    "restarts": 2,
                    "tradeoff": {"steps": [2], "restarts": [1, 2]},
                },
                "recon": {"generator": "ae", "method": "reconstruct"},
                "aeproj": {"generator": "ae", "steps": 3, "restarts": 1},
            },
        },
        "probe": {
            "gans": ["g"],
            "classifiers": ["c"],
            "controls": ["g"],
            "num_images": 12,
            "eps": [0.1, 0.3],
            "pgd_steps": 3,
            "max_iter": 20,
            "flip": {"num_images": 12, "eps_max": 0.5, "search_steps": 3, "pgd_steps": 3},
        },
    },
}


def _run(*argv) -> None:
    assert advgen(["--threads", "1", *map(str, argv)]) == 0


@pytest.fixture(scope="module")
def cfg() -> dict:
    import copy

    return validate_config(copy.deepcopy(CONFIG), SCHEMA_DIR / "config.schema.yaml", source="test")


@pytest.fixture(scope="module")
def files(tmp_path_factory, cfg) -> dict[str, Path]:
    from advgen.gan.spec import GanSpec
    from advgen.gan.train import GanRun
    from advgen.specs import typed_spec

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("defense")
    paths = {
        k: root / v
        for k, v in {"train": "train.pt", "test": "test.pt", "g": "g.pt", "ae": "ae.pt", "c": "c.pt"}.items()
    }
    for name, n, seed in (("train", 30, 0), ("test", 24, 1)):
        save_prepared(
            blob_split(n, seed), paths[name], dataset="blobs", name=name, num_classes=CLASSES, spec={}
        )
    gan = typed_spec(GanSpec, dict(cfg["gans"]["g"], seed=0))
    save_torch(GanRun(gan, str(paths["train"])).state_dict(with_log=False), paths["g"])
    shape = [1, SIDE, SIDE]
    write_conv_autoencoder(paths["ae"], shape, Z)
    torch.manual_seed(0)
    clf = build_classifier("fc10", shape, CLASSES)
    opt = torch.optim.Adam(clf.parameters(), lr=0.05)
    data = blob_split(30, 0)
    for _ in range(40):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(clf(data.images), data.labels).backward()
        opt.step()
    kwargs = {"in_shape": shape, "num_classes": CLASSES, "width": 1.0}
    save_classifier(
        paths["c"],
        checkpoint_dict(clf, name="c", arch="fc10", arch_kwargs=kwargs, config={}, epoch=1, rng=None),
    )
    yield paths
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def tables(files, cfg, tmp_path_factory) -> dict[str, Path]:
    from advgen.defense.purify_job import purify_job
    from advgen.io import write_parquet

    out = tmp_path_factory.mktemp("tables")
    defense = plan.of(cfg, "test")
    purify = []
    for name, points in defense.purify_jobs().items():
        for point, job in points.items():
            path = out / f"purify_{name}_{point}.parquet"
            inputs = {"classifier": files["c"], "images": files["test"]}
            if job.generator is not None:
                inputs["generator"] = files[job.generator]
            if name == "aeproj":
                # the original behaviour (the spec's attacks, its own budget) is the library's option
                # alone; the job's command line adds every adaptive attack, here at a tiny budget
                table = purify_job(
                    dataclasses.replace(job, device="cpu"),
                    classifier=str(inputs["classifier"]),
                    images=str(inputs["images"]),
                    generator=str(inputs["generator"]),
                    adaptive="spec",
                    budget="spec",
                )
                write_parquet(table, path)
            else:
                spec = dataclasses.replace(job, device="cpu", budget=json.loads(TINY_BUDGET))
                _run(*job_argv("purify", spec, inputs, {"table": path}))
            purify.append(path)
    result = {k: out / f"{k}.parquet" for k in ("purify", "probe", "flip_examples", "flip")}
    probe = dataclasses.replace(defense.probe_job(), device="cpu")
    inputs = {
        "gans": [files["g"]],
        "classifiers": [files["c"]],
        "train": files["train"],
        "test": files["test"],
    }
    _run(*job_argv("probe-discriminator", probe, inputs, {"table": result["probe"]}))
    flip = dataclasses.replace(defense.flip_job(), device="cpu")
    outputs = {"examples": result["flip_examples"], "summary": result["flip"]}
    _run(*job_argv("flip-discriminator", flip, {"gans": [files["g"]], "images": files["test"]}, outputs))
    _run(*job_argv("purify-table", {}, {"tables": purify}, {"table": result["purify"]}))
    return result


def test_purify_table(tables):
    df = read_parquet(tables["purify"])
    assert list(df.columns) == PURIFY_COLUMNS
    jobs = set(zip(df["defense"], df["point"]))
    assert jobs == {
        ("none", "bare"),
        ("gan", "L2_R1"),
        ("gan", "L2_R2"),
        ("gan", "L4_R2"),
        ("recon", "recon"),
        ("aeproj", "L3_R1"),
    }
    op = df[(df["defense"] == "gan") & df["operating"]]
    heads = {"strongest_adaptive", "strongest_greybox"}
    assert (
        set(op["attack"])
        == {"none", "fgsm", "pgd", "bpda", "eot", "unroll_short", "unroll", "latent", "eot_rand"} | heads
    )
    assert (op["point"] == "L4_R2").all()
    assert (
        set(df.loc[df["defense"] == "recon", "attack"])
        == {"none", "fgsm", "pgd", "bpda", "exact", "latent"} | heads
    )
    assert set(df.loc[df["defense"] == "aeproj", "attack"]) == {"none", "fgsm", "pgd", "bpda", "eot"} | heads
    assert (df.loc[df["attack"] == "bpda", "attack_steps"] == 2).all()  # adaptive_steps / the tiny budget
    assert set(df.loc[df["point"] == "L2_R1", "attack"]) == {"none", "pgd", "strongest_greybox"}
    assert set(df.loc[df["attack"] == "strongest_adaptive", "best_attack"]) <= set(df["attack"])
    assert (df["n"] == 9).all() and df["robust_acc"].between(0, 1).all()
    assert df["seconds_per_image"].gt(0).all()
    assert df.dtypes["eps"] == np.float64 and df.dtypes["operating"] == np.dtype(bool)


def _without_timing(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in df.columns if "seconds" in c.split("_")]).reset_index(drop=True)


def test_an_entry_in_a_job_is_seeded_as_a_job_of_its_own(files, cfg, tables, tmp_path):
    """A probe source: the same rows alone as after the job's other entries."""
    probe = plan.of(cfg, "test").probe_job()
    alone = dataclasses.replace(
        probe, sources=tuple(s for s in probe.sources if s.family == "classifier"), device="cpu"
    )
    inputs = {"classifiers": [files["c"]], "train": files["train"], "test": files["test"]}
    _run(*job_argv("probe-discriminator", alone, inputs, {"table": tmp_path / "q.parquet"}))
    full, measured = (
        read_parquet(tables["probe"]),
        [
            "source",
            "eps",
            "feature_dim",
            "train_acc",
            "clean_acc",
            "robust_acc",
            "mean_linf",
            "mean_adv_confidence",
        ],
    )
    pd.testing.assert_frame_equal(
        read_parquet(tmp_path / "q.parquet")[measured],
        full.loc[full["family"] == "classifier", measured].reset_index(drop=True),
    )


def test_probe_table(tables):
    df = read_parquet(tables["probe"])
    assert list(df.columns) == PROBE_COLUMNS
    assert sorted(set(zip(df["family"], df["source"]))) == [
        ("classifier", "c"),
        ("control", "g"),
        ("gan", "g"),
    ]
    assert df.groupby("source")["eps"].apply(list).map(lambda e: e[:1] == [0.0]).all()
    gan = df[df["family"] == "gan"]
    assert (gan["loss"] == "mse").all() and (gan["unroll_k"] == 2).all() and (gan["feature_dim"] == 128).all()
    assert (df["n"] == 12).all() and df["train_acc"].between(0, 1).all()


def test_flip_tables(tables):
    examples, summary = read_parquet(tables["flip_examples"]), read_parquet(tables["flip"])
    assert list(examples.columns) == FLIP_COLUMNS and list(summary.columns) == FLIP_SUMMARY_COLUMNS
    assert len(examples) == 12 and len(summary) == 1
    real = examples[examples["initially_real"]]
    assert (examples.loc[~examples["initially_real"], "flip_eps"] == 0).all()
    assert (real["flipped"] == np.isfinite(real["flip_eps"])).all()
    assert (real.loc[real["flipped"], "adv_score"] <= 0.5).all()
    row = summary.iloc[0]
    assert row["gan"] == "g" and row["loss"] == "mse" and row["unroll_k"] == 2
    assert row["share_real"] == pytest.approx(examples["initially_real"].mean())
    if len(real):
        assert row["median_eps"] == pytest.approx(float(np.median(real["flip_eps"]))) or math.isinf(
            row["median_eps"]
        )


@pytest.mark.parametrize(
    ("family", "table"),
    [
        ("defense_purify_eps", "purify"),
        ("defense_purify_cost", "purify"),
        ("defense_probe", "probe"),
        ("defense_flip", "flip_examples"),
    ],
)
def test_figures_from_the_tables(tables, tmp_path, family, table):
    outs = [tmp_path / f"{family}.png", tmp_path / f"{family}.svg"]
    _run(*plot_argv(family, [tables[table]], outs, {"dpi": 60}))
    for path in outs:
        assert_figure(path)


def test_aggregate_rejects_a_foreign_table(tables, tmp_path):
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(bad)
    assert advgen(job_argv("purify-table", {}, {"tables": [bad]}, {"table": tmp_path / "o.parquet"})) == 2
    assert not (tmp_path / "o.parquet").exists()
