"""The classifier zoo: shapes, features, checkpoints, subsets and the three training modes."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from advgen.classifiers.checkpoint import load_classifier, save_classifier
from advgen.classifiers.spec import ClassifierSpec, classifier_config
from advgen.classifiers.subsets import select_subset
from advgen.classifiers.training import epsilon_at, train_classifier
from advgen.classifiers.zoo import CLASSIFIERS, build_classifier
from advgen.errors import CheckpointError, ConfigError
from advgen.specs import typed_spec
from advgen.training.resume import ResumeState, TrainingStopped
from tests.unit.robust_helpers import blob_split

pytestmark = pytest.mark.usefixtures("one_thread")


def entry(**overrides: object) -> dict:
    """A classifier spec's JSON object (a config entry with its defaults, seed and device)."""
    base = {
        "dataset": "blobs",
        "arch": "fc100_100",
        "width": 0.25,
        "mode": "standard",
        "epochs": 3,
        "batch_size": 32,
        "optimizer": "adam",
        "lr": 0.01,
        "momentum": 0.9,
        "weight_decay": 0.0,
        "eps": 0.2,
        "fgsm_alpha": 0.5,
        "pgd_steps": 3,
        "pgd_step_factor": 2.5,
        "eps_warmup_epochs": 1,
        "train_subset": "all",
        "train_fraction": 1.0,
        "subset_seed": 0,
        "seed": 0,
        "device": "cpu",
    }
    base.update(overrides)
    return base


def spec(**overrides: object) -> ClassifierSpec:
    """The typed spec of :func:`entry`."""
    return typed_spec(ClassifierSpec, entry(**overrides))


@pytest.mark.parametrize("arch", sorted(CLASSIFIERS))
def test_every_architecture_gives_logits_and_features(arch: str) -> None:
    model = build_classifier(arch, (1, 28, 28), 10, width=0.5).eval()
    x = torch.rand(4, 1, 28, 28)
    logits = model(x)
    assert logits.shape == (4, 10)
    feats = model.forward_features(x)
    assert feats.shape == (4, model.feature_dim)
    assert torch.allclose(model.head(feats), logits)
    assert torch.equal(model.features(x), feats)


def test_width_scales_capacity_and_unknown_arch_is_named() -> None:
    small = build_classifier("cnn_madry", (1, 28, 28), 10, width=0.5)
    big = build_classifier("cnn_madry", (1, 28, 28), 10, width=2)
    assert sum(p.numel() for p in big.parameters()) > 4 * sum(p.numel() for p in small.parameters())
    with pytest.raises(KeyError, match="cnn_tiny.*known: cnn_madry"):
        build_classifier("cnn_tiny", (1, 28, 28), 10)


def test_halves_are_disjoint_and_cover_and_fractions_nest() -> None:
    labels = torch.arange(101) % 10
    a, b = select_subset(labels, "half_a"), select_subset(labels, "half_b")
    assert set(a.tolist()).isdisjoint(b.tolist())
    assert sorted(a.tolist() + b.tolist()) == list(range(101))
    quarter, half = select_subset(labels, "all", 0.25), select_subset(labels, "all", 0.5)
    assert set(quarter.tolist()) < set(half.tolist())
    assert torch.bincount(labels[quarter], minlength=10).min() >= 2  # stratified
    with pytest.raises(ConfigError, match="train_subset"):
        select_subset(labels, "half_c")


@pytest.mark.parametrize("mode", ["standard", "fgsm_mix", "pgd"])
def test_training_modes_learn_and_record_history(mode: str) -> None:
    train, test = blob_split(90), blob_split(60, seed=1, split="test")
    ckpt, history = train_classifier(spec(mode=mode), train, test, name="t")
    assert list(history["epoch"]) == [1, 2, 3]
    assert history["test_clean_acc"].iloc[-1] > 0.9
    if mode == "standard":
        assert history["train_robust_acc"].isna().all()
    else:
        assert history["train_robust_acc"].notna().all()
        assert history["eps"].iloc[-1] == pytest.approx(0.2)
    assert ckpt["kind"] == "classifier" and ckpt["config"]["mode"] == mode


def test_pgd_warmup_ramps_epsilon() -> None:
    s = spec(mode="pgd", eps_warmup_epochs=2)
    assert epsilon_at(s, 0, 10) == pytest.approx(0.01)
    assert epsilon_at(s, 9, 10) == pytest.approx(0.1)
    assert epsilon_at(s, 25, 10) == pytest.approx(0.2)
    assert epsilon_at(spec(mode="fgsm_mix"), 0, 10) == pytest.approx(0.2)


def test_checkpoint_round_trip(tmp_path) -> None:
    train = blob_split(60)
    ckpt, _ = train_classifier(spec(arch="cnn_small", epochs=1), train, train, name="t")
    save_classifier(tmp_path / "model.pt", ckpt)
    model = load_classifier(tmp_path / "model.pt")
    assert not model.training
    x = train.images[:5]
    reference = build_classifier("cnn_small", (1, 8, 8), 3, width=0.25)
    reference.load_state_dict(ckpt["state_dict"])
    assert torch.equal(model(x), reference.eval()(x))
    torch.save({"kind": "gan"}, tmp_path / "gan.pt")
    with pytest.raises(CheckpointError, match="gan.pt: expected a 'classifier'"):
        load_classifier(tmp_path / "gan.pt")


def test_resume_continues_to_the_same_result(tmp_path) -> None:
    train, test = blob_split(60), blob_split(30, seed=1, split="test")
    full, full_hist = train_classifier(spec(mode="pgd"), train, test, name="t")
    resume = ResumeState(tmp_path / "resume" / "last.pt", classifier_config(spec(mode="pgd")))
    with pytest.raises(TrainingStopped):
        train_classifier(spec(mode="pgd"), train, test, name="t", resume=resume, stop_after_epochs=2)
    assert resume.path.exists()
    resumed, hist = train_classifier(spec(mode="pgd"), train, test, name="t", resume=resume)
    for key, value in full["state_dict"].items():
        assert torch.equal(resumed["state_dict"][key], value), key
    pd.testing.assert_frame_equal(
        hist.drop(columns="seconds"), full_hist.drop(columns="seconds"), check_exact=True
    )


def test_the_spec_has_one_field_per_schema_key_and_the_checkpoint_keeps_the_json() -> None:
    import dataclasses

    from advgen.config import SCHEMA_DIR, load_yaml

    schema = load_yaml(SCHEMA_DIR / "robustness.schema.yaml")["$defs"]["classifier"]
    # the run's entry: its replication keys expanded away, the job's seed and device filled in
    job_keys = {"seed", "device"}
    keys = set(schema["properties"]) - {"seeds", "replicates", "replicate_of"} | job_keys
    assert {f.name for f in dataclasses.fields(ClassifierSpec)} == keys
    # optional keys without a schema default (the pool's) are the fields that may be unset
    optional = {f.name for f in dataclasses.fields(ClassifierSpec) if f.default is None}
    unfilled = {k for k, v in schema["properties"].items() if "default" not in v} - set(schema["required"])
    assert optional == unfilled & keys - job_keys
    train = blob_split(40)
    for json_entry in (
        entry(epochs=1),
        entry(mode="pool", epochs=1, pool_size=16),
        entry(mode="pool", epochs=1, pool_size=16, pool_refresh=2, pool_attack="fgsm", pool_mix=0.5),
    ):
        ckpt, _ = train_classifier(typed_spec(ClassifierSpec, json_entry), train, train, name="t")
        assert ckpt["config"] == json_entry and classifier_config(spec(**json_entry)) == json_entry


def test_a_bad_spec_field_is_one_line_naming_it(tmp_path, capsys) -> None:
    import json

    from advgen.cli import main as cli_main

    argv = ["train-classifier", "--input", "train=t.pt", "test=t.pt"]
    argv += ["--output", f"model={tmp_path / 'm.pt'}", f"history={tmp_path / 'h.parquet'}"]
    base = entry()
    for bad, message in (
        ({**base, "replicate_of": "c"}, "--spec: classifier.replicate_of: unknown key 'replicate_of'"),
        (
            {k: v for k, v in base.items() if k != "epochs"},
            "--spec: classifier.epochs: missing required key 'epochs'",
        ),
        ({**base, "epochs": "ten"}, "--spec: classifier.epochs: expected integer"),
    ):
        assert cli_main([*argv, "--spec", json.dumps({"name": "c", "classifier": bad})]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
    assert not any(tmp_path.iterdir())
