"""Ilyas et al. 2019's robust (D_R) and non-robust (D_NR) datasets on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from advgen.attacks import PGD
from advgen.classifiers.checkpoint import save_classifier
from advgen.classifiers.training import train_classifier
from advgen.classifiers.zoo import build_classifier
from advgen.cli import main as cli_main
from advgen.errors import ConfigError
from advgen.robustness import robust_features as rf
from advgen.robustness.robust_features_spec import NonRobustParams, RobustFeaturesSpec
from advgen.specs import typed_spec
from tests.unit.gen_helpers import tiny_split  # noqa: F401  (fixture)
from tests.unit.robust_helpers import blob_split
from tests.unit.test_classifiers import entry, spec

pytestmark = pytest.mark.usefixtures("one_thread")


TRAIN = blob_split(60, size=8)


def targeted(*, eps: float, step_size: float, steps: int) -> NonRobustParams:
    """D_NR by Sec. 3.2's targeted L2 PGD towards a random target."""
    return NonRobustParams(method="targeted", eps=eps, step_size=step_size, steps=steps, target="random")


def features(*, steps: int, step_size: float) -> NonRobustParams:
    """D_NR by Sec. 3.1's feature matching."""
    return NonRobustParams(method="features", eps=0.5, step_size=step_size, steps=steps, target="random")


@pytest.fixture(scope="module")
def checkpoints():
    torch.manual_seed(0)
    std, _ = train_classifier(spec(epochs=3), TRAIN, TRAIN, name="s")
    pgd, _ = train_classifier(spec(mode="pgd", epochs=3), TRAIN, TRAIN, name="p")
    return {"std": std, "pgd": pgd}


@pytest.fixture(scope="module")
def models(checkpoints):
    out = {}
    for name, ckpt in checkpoints.items():
        kw = ckpt["arch_kwargs"]
        m = build_classifier(ckpt["arch"], kw["in_shape"], kw["num_classes"], kw["width"])
        m.load_state_dict(ckpt["state_dict"])
        out[name] = m.eval()
    return out


def test_robust_inputs_match_the_features_they_were_built_for(models) -> None:
    model = models["pgd"]
    x = TRAIN.images[:12]
    start = TRAIN.images[torch.randperm(60, generator=torch.Generator().manual_seed(1))[:12]]
    before = rf.feature_distance(model, start, x)
    xr = rf.robust_inputs(model, x, start, steps=60, step_size=0.05)
    after = rf.feature_distance(model, xr, x)
    assert after < 0.5 * before
    assert float(xr.min()) >= 0.0 and float(xr.max()) <= 1.0


def targeted_l2(model, x, t, *, eps, step_size, steps):
    """The targeted L2 PGD of Ilyas et al.'s D_NR written out: normalised-gradient steps down the
    target's cross-entropy, projected onto the eps-ball and [0, 1], no random start."""
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        (grad,) = torch.autograd.grad(torch.nn.functional.cross_entropy(model(adv), t, reduction="sum"), adv)
        grad = grad / grad.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
        delta = adv.detach() - step_size * grad - x
        norm = delta.flatten(1).norm(dim=1).clamp_min(1e-12)
        adv = (x + delta * (eps / norm).clamp(max=1.0).view(-1, 1, 1, 1)).clamp(0.0, 1.0)
    return adv.detach()


def test_d_nr_attack_is_the_targeted_l2_pgd_written_out(models) -> None:
    model = models["std"]
    x, y = TRAIN.images, TRAIN.labels
    t = rf.targets_for(y, 3, "random", seed=0)
    split, _ = rf.non_robust_split(model, TRAIN, targeted(eps=2.0, step_size=0.25, steps=30), seed=0)
    assert torch.equal(split.images, targeted_l2(model, x, t, eps=2.0, step_size=0.25, steps=30))
    assert torch.equal(split.labels, t)


def test_targeted_l2_moves_towards_the_target_within_eps(models) -> None:
    model = models["std"]
    x, y = TRAIN.images[:30], TRAIN.labels[:30]
    t = rf.targets_for(y, 3, "random", seed=0)
    assert bool((t != y).all())
    assert torch.equal(rf.targets_for(y, 3, "next", 0), (y + 1) % 3)
    attack = PGD(model, 2.0, alpha=0.25, steps=30, norm="l2", random_start=False, targeted=True)
    adv = attack.generate(x, t)
    assert float((adv - x).flatten(1).norm(dim=1).max()) <= 2.0 + 1e-4
    with torch.no_grad():
        hit_adv = float((model(adv).argmax(1) == t).float().mean())
        hit_clean = float((model(x).argmax(1) == t).float().mean())
    assert hit_adv > hit_clean + 0.3
    with pytest.raises(ValueError, match="target rule"):
        rf.targets_for(y, 3, "least_likely", 0)


def test_non_robust_split_relabels_as_the_target(models) -> None:
    split, hit = rf.non_robust_split(
        models["std"], TRAIN, targeted(eps=2.0, step_size=0.25, steps=20), seed=0
    )
    assert len(split) == len(TRAIN) and split.split == "non_robust"
    assert bool((split.labels != TRAIN.labels).all()) and 0.0 <= hit <= 1.0


def test_section_3_1_non_robust_set_matches_the_standard_models_features(models) -> None:
    """Ilyas et al. Sec. 3.1: D_NR is D_R's construction on the standard model, labels kept;
    its success is the share the standard model labels as the set is labelled."""
    model = models["std"]
    split, hit = rf.non_robust_split(model, TRAIN, features(steps=60, step_size=0.05), seed=0)
    assert torch.equal(split.labels, TRAIN.labels) and split.split == "non_robust"
    assert hit == rf.label_hit(model, split.images, split.labels)
    start = TRAIN.images[torch.randperm(60, generator=torch.Generator().manual_seed(1))]
    assert rf.feature_distance(model, split.images, TRAIN.images) < 0.5 * rf.feature_distance(
        model, start, TRAIN.images
    )
    before = rf.label_hit(model, start, TRAIN.labels)
    assert hit > before
    with pytest.raises(ValueError, match="method"):
        rf.non_robust_split(model, TRAIN, NonRobustParams("other", 0.5, 0.1, 1, "random"), seed=0)


def job_inputs(checkpoints: dict, folder: Path) -> dict[str, str]:
    """The job's input files, written in ``folder``: the two classifiers' checkpoints and
    :data:`TRAIN` as both prepared splits (keyword: path, as ``robust_features_job`` takes them)."""
    from advgen.data.prepared import save_prepared
    from advgen.data.split import Split

    for name, ckpt in checkpoints.items():
        save_classifier(folder / f"{name}.pt", ckpt)
    for split in ("train", "test"):
        raw = Split(TRAIN.images, TRAIN.labels, torch.arange(len(TRAIN)))
        save_prepared(raw, folder / f"{split}.pt", dataset="blobs", name=split, num_classes=3, spec={})
    paths = dict(robust_model=str(folder / "pgd.pt"), standard_model=str(folder / "std.pt"))
    return {**paths, "train": str(folder / "train.pt"), "test": str(folder / "test.pt")}


def job_spec(*, steps: int, **extra: object) -> dict:
    """A robust-features job's spec: FGSM at eps 0.2 over 30 examples, the robust and the
    non-robust sets built in ``steps`` steps of 0.1, with ``extra`` keys."""
    return {
        "classifier": entry(epochs=1),
        "attack": {"attack": "FGSM", "params": {}, "seed": 0},
        "eps": 0.2,
        "robust": {"steps": steps, "step_size": 0.1},
        "non_robust": {
            "method": "features",
            "eps": 0.5,
            "steps": steps,
            "step_size": 0.1,
            "target": "random",
        },
        **extra,
        "max_train": None,
        "max_examples": 30,
        "batch_size": 500,
        "seed": 0,
        "device": "cpu",
    }


def test_the_job_builds_both_datasets_and_one_row_per_training_set(checkpoints, tmp_path: Path) -> None:
    job = job_spec(steps=3)
    paths = job_inputs(checkpoints, tmp_path)
    table, datasets = rf.robust_features_job(typed_spec(RobustFeaturesSpec, job), **paths)
    assert list(table.columns) == rf.COLUMNS
    assert list(table["dataset"]) == ["robust", "non_robust", "clean", "adversarial_training", "standard"]
    assert (table["attack"] == "FGSM").all() and (table["n_train"] == len(TRAIN)).all()
    assert datasets["robust"].shape == TRAIN.images.shape and datasets["spec"] == job
    assert torch.equal(datasets["non_robust_labels"], TRAIN.labels)  # Sec. 3.1: labels kept
    built = table.set_index("dataset")["label_hit"]
    assert built[["robust", "non_robust"]].between(0, 1).all() and built[["clean", "standard"]].isna().all()
    assert (table["seed"] == 0).all()
    again, _ = rf.robust_features_job(typed_spec(RobustFeaturesSpec, job), **paths)
    pd.testing.assert_frame_equal(table, again)
    # another seed pair (its own job): its rows name the seed, the table joins them in order
    other, _ = rf.robust_features_job(typed_spec(RobustFeaturesSpec, dict(job, seed=1)), **paths)
    assert (other["seed"] == 1).all()
    for seed, frame in ((0, table), (1, other)):
        frame.to_parquet(tmp_path / f"seed{seed}.parquet")
    out = tmp_path / "robust_features.parquet"
    args = [
        "robust-features-table",
        "--spec",
        "{}",
        "--input",
        *(f"tables={tmp_path / f'seed{k}.parquet'}" for k in (0, 1)),
        "--output",
        f"table={out}",
    ]
    assert cli_main(args) == 0
    joined = pd.read_parquet(out)
    assert list(joined.columns) == rf.COLUMNS and list(joined["seed"]) == [0] * 5 + [1] * 5
    pd.testing.assert_frame_equal(joined[joined["seed"] == 0], table)
    table.drop(columns="seed").to_parquet(tmp_path / "old.parquet")
    old = [*args[:4], f"tables={tmp_path / 'old.parquet'}", *args[-2:]]
    assert cli_main(old) == 2
    with pytest.raises(ConfigError, match="^--spec: missing field 'eps'"):
        typed_spec(RobustFeaturesSpec, {k: v for k, v in job.items() if k != "eps"})


@pytest.mark.slow
def test_command_writes_one_row_per_training_set(tiny_split: Path, tmp_path: Path) -> None:  # noqa: F811
    from advgen.data.prepared import load_prepared

    train = load_prepared(tiny_split / "train.pt")
    paths = {}
    for mode in ("standard", "pgd"):
        ckpt, _ = train_classifier(
            spec(arch="fc100_100", mode=mode, epochs=2, width=0.25), train, train, name=mode
        )
        paths[mode] = tmp_path / f"{mode}.pt"
        save_classifier(paths[mode], ckpt)
    job = {
        "classifier": entry(arch="fc100_100", epochs=2, width=0.25),
        "attack": {"attack": "PGD", "params": {"steps": 5}, "seed": 0},
        "eps": 0.2,
        "robust": {"steps": 10, "step_size": 0.1},
        "non_robust": {"method": "features", "eps": 2.0, "steps": 10, "step_size": 0.25, "target": "random"},
        "max_train": 60,
        "max_examples": 30,
        "batch_size": 500,
        "seed": 0,
        "device": "cpu",
    }
    out = tmp_path / "rf.parquet"
    argv = [
        "robust-features",
        "--spec",
        json.dumps(job),
        "--input",
        f"robust={paths['pgd']}",
        f"standard={paths['standard']}",
        f"train={tiny_split / 'train.pt'}",
        f"test={tiny_split / 'test.pt'}",
        "--output",
        f"table={out}",
        f"datasets={tmp_path / 'd.pt'}",
    ]
    assert cli_main(argv) == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == rf.COLUMNS
    assert list(table["dataset"]) == ["robust", "non_robust", "clean", "adversarial_training", "standard"]
    assert table["clean_acc"].between(0, 1).all() and (table["robust_acc"] <= table["clean_acc"] + 1e-9).all()
    assert torch.load(tmp_path / "d.pt", weights_only=False)["spec"] == job
    bad = {k: v for k, v in job.items() if k != "attack"}
    assert cli_main([*argv[:2], json.dumps(bad), *argv[3:]]) == 2


def test_the_job_takes_one_file_per_input(tmp_path: Path) -> None:
    """``advgen robust-features`` reads one robust and one standard model and one split of each
    kind: a missing or doubled input is one line naming it, and nothing is written."""
    from advgen.errors import AdvgenError
    from advgen.robustness.robust_features_jobs import robust_features

    outputs = {"table": str(tmp_path / "t.parquet"), "datasets": str(tmp_path / "d.pt")}
    inputs = {"robust": ["r.pt"], "standard": ["s.pt", "s2.pt"], "train": ["a.pt"], "test": ["b.pt"]}
    with pytest.raises(AdvgenError, match=r"^robust-features: expected one input standard=PATH, got 2$"):
        robust_features(inputs, outputs, None)  # type: ignore[arg-type]
    with pytest.raises(AdvgenError, match=r"expected one input test=PATH, got 0$"):
        robust_features({**inputs, "standard": ["s.pt"], "test": []}, outputs, None)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_d_det_looks_mislabelled_and_its_control_holds_no_feature_of_the_new_label(
    checkpoints, models, tmp_path: Path
) -> None:
    """Sec. 3.2's D_det (the review's Fig. 4b): images moved towards y + 1 and relabelled so; the
    control is the unperturbed images relabelled y + 1. The job adds a row for each, with the
    share of D_det its standard model assigns to the new labels."""
    from advgen.robustness.robust_features_spec import DeterministicParams

    params = DeterministicParams(eps=2.0, step_size=0.25, steps=20)
    d_det, relabelled, hit = rf.deterministic_split(models["std"], TRAIN, params)
    assert torch.equal(d_det.labels, (TRAIN.labels + 1) % 3) and torch.equal(relabelled.labels, d_det.labels)
    assert torch.equal(relabelled.images, TRAIN.images) and not torch.equal(d_det.images, TRAIN.images)
    assert (d_det.images - TRAIN.images).flatten(1).norm(dim=1).max() <= 2.0 + 1e-5
    assert hit == rf.label_hit(models["std"], d_det.images, d_det.labels)
    assert rf.label_hit(models["std"], relabelled.images, relabelled.labels) < hit
    job = job_spec(steps=2, deterministic={"eps": 2.0, "step_size": 0.25, "steps": 20})
    paths = job_inputs(checkpoints, tmp_path)
    table, _ = rf.robust_features_job(typed_spec(RobustFeaturesSpec, job), **paths)
    assert list(table["dataset"]) == [
        "robust", "non_robust", "clean", "deterministic", "relabelled", "adversarial_training", "standard",
    ]  # fmt: skip
    rows = table.set_index("dataset")
    assert rows.loc["deterministic", "label_hit"] == pytest.approx(hit)
    # without `deterministic` the spec (and so the job's JSON) is as before
    from advgen.specs import spec_dict

    plain = {k: v for k, v in job.items() if k != "deterministic"}
    assert spec_dict(typed_spec(RobustFeaturesSpec, plain)) == plain
