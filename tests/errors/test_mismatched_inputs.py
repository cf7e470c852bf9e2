"""Inputs that are each valid but do not fit together: one line naming the files, exit status 2,
nothing written. Data of another image size or channel count than the model (torch's ``addmm``
or convolution error), a label beyond the model's classes (an ``IndexError`` deep in an attack),
a sample-quality row whose ``info`` is missing or not a JSON object, a checkpoint whose
weights do not fit its architecture (torch's message spans lines: it is put on one), a transfer
source that is not one of its targets, a transfer table given for another source, with no
rows, or with a target that is not a source of the matrix, and a sweep point's row given for
another point or sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from advgen.columns import SWEEP_JOB_COLUMNS
from advgen.config import dataset_spec
from advgen.specs import spec_dict
from tests.errors.conftest import assert_one_line_error, filled, run_cli
from tests.errors.test_cli_files import TRANSFER_SPEC, attack, invert
from tests.jobs import job_argv


@pytest.fixture(scope="module")
def mismatched(good_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Splits of other shapes and labels than ``good_files``' 28 px, 10-class classifier, and
    checkpoints whose weights do not fit their architecture."""
    folder = tmp_path_factory.mktemp("mismatched")
    split = torch.load(good_files / "test.pt", weights_only=True)
    torch.save({**split, "images": split["images"][:, :, ::2, ::2].contiguous()}, folder / "small.pt")
    torch.save({**split, "images": split["images"].repeat(1, 3, 1, 1)}, folder / "rgb.pt")
    labels = split["labels"].clone()
    labels[0] = 12
    torch.save({**split, "labels": labels}, folder / "label12.pt")
    torch.save({**split, "labels": labels, "num_classes": 13}, folder / "classes13.pt")
    clf = torch.load(good_files / "clf.pt", weights_only=False)
    torch.save(
        {**clf, "arch_kwargs": {**clf["arch_kwargs"], "in_shape": [1, 14, 14]}}, folder / "clf_resized.pt"
    )
    torch.save({**split, "labels": split["labels"][:-1]}, folder / "labels_short.pt")
    (folder / "info.json").write_text("{not json", encoding="utf-8")
    (folder / "info_folder.json").mkdir()
    (folder / "info_list.json").write_text("[1, 2]", encoding="utf-8")
    rows = {"attack": "fgsm", "kind": "adversarial", "eps": 0.2, "n": 8, "error": 0.5}
    pd.DataFrame([{"source": "a", "target": t, **rows} for t in "ab"]).to_parquet(
        folder / "transfer_a.parquet"
    )
    pd.DataFrame([{"source": "b", "target": t, **rows} for t in "bz"]).to_parquet(
        folder / "transfer_bz.parquet"
    )
    pd.read_parquet(folder / "transfer_a.parquet").iloc[:0].to_parquet(folder / "transfer_empty.parquet")
    point = {**dict.fromkeys(SWEEP_JOB_COLUMNS, 0.5), "mode": "pgd", "seed": 0, "n_train": 8, "n_test": 8}
    for name in "ab":
        pd.DataFrame([{**point, "sweep": "capacity", "classifier": name}]).to_parquet(
            folder / f"sweep_{name}.parquet"
        )
    pd.DataFrame([{**point, "sweep": "data_size", "classifier": "b"}]).to_parquet(
        folder / "sweep_data_b.parquet"
    )
    return folder


CASES = [
    (
        "attack-smaller-images",
        attack("{G}/clf.pt", "{M}/small.pt"),
        ["{M}/small.pt: images of 1x14x14", "{G}/clf.pt"],
    ),
    (
        "attack-colour-images",
        attack("{G}/clf.pt", "{M}/rgb.pt"),
        ["{M}/rgb.pt: images of 3x28x28", "which takes 1x28x28"],
    ),
    (
        "attack-label-out-of-range",
        attack("{G}/clf.pt", "{M}/label12.pt"),
        ["{M}/label12.pt: label 12 is out of range"],
    ),
    (
        "attack-a-label-missing",
        attack("{G}/clf.pt", "{M}/labels_short.pt"),
        ["{M}/labels_short.pt: 'labels' must be a tensor of one label per image"],
    ),
    (
        "attack-label-beyond-the-models-classes",
        attack("{G}/clf.pt", "{M}/classes13.pt"),
        ["{M}/classes13.pt: label 12 is out of range for the classifier {G}/clf.pt (10 classes)"],
    ),
    (
        "attack-weights-do-not-fit",
        attack("{M}/clf_resized.pt", "{M}/small.pt"),
        ["{M}/clf_resized.pt: cannot rebuild classifier 'fc10'", "size mismatch"],
    ),
    (
        "invert-images-do-not-fit-the-generator",
        [a.replace("{G}/test.pt", "{M}/small.pt") for a in invert("{G}/gan/checkpoint.pt")],
        ["{M}/small.pt: images of 1x14x14 do not fit the generator {G}/gan/checkpoint.pt"],
    ),
]


def sample_quality(info: str, model: object = "{G}/gan/checkpoint.pt") -> list[str]:
    """``advgen sample-quality`` scoring the good GAN with the run info ``info`` (its model: ``model``)."""
    from advgen.config import complete_entry

    settings = complete_entry(
        {"classifier": "c", "n_samples": 16, "seed": 0}, "generative.schema.yaml", "sample_quality"
    )
    row = {"name": "g", "dataset": "digits", "classifier_name": "c", "real": False}
    spec = {"settings": settings, "rows": [row], "device": "cpu"}
    inputs = {"classifiers": "{G}/clf.pt", "references": "{G}/train.pt", "models": model, "infos": info}
    return job_argv("sample-quality", json.dumps(spec), inputs, {"summary": "results/q.parquet"})


CASES += [
    (
        "sample-quality-info-missing",
        sample_quality("{M}/missing.json"),
        ["{M}/missing.json: file not found (the run's status.json / metrics.json)"],
    ),
    (
        "sample-quality-info-not-json",
        sample_quality("{M}/info.json"),
        ["{M}/info.json: not valid JSON"],
    ),
    (
        "sample-quality-info-a-folder",
        sample_quality("{M}/info_folder.json"),
        ["{M}/info_folder.json: cannot read"],
    ),
    (
        "sample-quality-row-path-empty",
        sample_quality("{M}/info.json", model=""),
        ["--input: expected NAME=PATH entries"],
    ),
    (
        "sample-quality-info-not-an-object",
        sample_quality("{M}/info_list.json"),
        ["{M}/info_list.json: expected a JSON object"],
    ),
]


def transfer_table(*tables: str) -> list[str]:
    """``advgen transfer`` of the sources a and b from ``tables``."""
    spec = json.dumps({"sources": ["a", "b"]})
    return job_argv("transfer", spec, {"tables": list(tables)}, {"table": "results/t.parquet"})


def transfer_source(source: str) -> list[str]:
    """``advgen transfer-source`` of ``source`` on the targets a and b."""
    spec = {**TRANSFER_SPEC, "source": source}
    inputs = {"models": ["{G}/clf.pt", "{G}/clf.pt"], "test": "{G}/test.pt"}
    return job_argv("transfer-source", json.dumps(spec), inputs, {"table": "results/t.parquet"})


def sweep_table(*tables: str) -> list[str]:
    """``advgen robustness-sweep`` of the capacity sweep's points a and b from ``tables``."""
    spec = json.dumps({"sweep": "capacity", "points": ["a", "b"]})
    return job_argv("robustness-sweep", spec, {"tables": list(tables)}, {"table": "results/t.parquet"})


CASES += [
    (
        "sweep-table-of-another-point",
        sweep_table("{M}/sweep_a.parquet", "{M}/sweep_a.parquet"),
        ["{M}/sweep_a.parquet: expected the one row of point capacity/b, found capacity/a"],
    ),
    (
        "sweep-table-of-another-sweep",
        sweep_table("{M}/sweep_a.parquet", "{M}/sweep_data_b.parquet"),
        ["{M}/sweep_data_b.parquet: expected the one row of point capacity/b, found data_size/b"],
    ),
    (
        "transfer-source-not-a-target",
        transfer_source("c"),
        ["--spec: source: 'c' is not one of the targets (a, b)"],
    ),
    (
        "transfer-table-of-another-source",
        transfer_table("{M}/transfer_a.parquet", "{M}/transfer_a.parquet"),
        ["{M}/transfer_a.parquet: expected the rows of source 'b', found 'a'"],
    ),
    (
        "transfer-table-without-rows",
        transfer_table("{M}/transfer_a.parquet", "{M}/transfer_empty.parquet"),
        ["{M}/transfer_empty.parquet: expected the rows of source 'b', found no rows"],
    ),
    (
        "transfer-table-target-not-a-source",
        transfer_table("{M}/transfer_a.parquet", "{M}/transfer_bz.parquet"),
        ["{M}/transfer_bz.parquet: target(s) z are not sources of the matrix"],
    ),
    (
        "transfer-table-missing",
        transfer_table("{M}/transfer_a.parquet"),
        ["--input: 1 tables=PATH for 2 in the spec (a, b)"],
    ),
]


@pytest.mark.parametrize(("argv", "named"), [pytest.param(a, n, id=i) for i, a, n in CASES])
def test_inputs_that_do_not_fit_together_are_one_line(
    argv: list[str], named: list[str], good_files: Path, mismatched: Path, workdir: Path, capsys
) -> None:
    folders = {"{G}": good_files, "{M}": mismatched}
    code, err = run_cli([filled(a, folders) for a in argv], capsys)
    assert_one_line_error(code, err, *[filled(n, folders) for n in named], workdir=workdir)


def _manifest(spec: dict, train: Path, test: Path) -> list[str]:
    return job_argv(
        "data-manifest",
        json.dumps(spec),
        {"train": str(train), "test": str(test)},
        {"manifest": "results/m.parquet"},
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {"image_size": 16},
            "test.pt: the test split was prepared with image_size=16, this manifest's spec has image_size=28",
        ),
        ({"split_seed": 3}, "test.pt: the test split was prepared with split_seed=3"),
        ({"dataset": "other"}, "test.pt: a split of dataset 'other', but"),
        ({"split": "train"}, "test.pt: holds the train split, given as test"),
    ],
    ids=["other-size", "other-split-seed", "other-dataset-name", "train-as-test"],
)
def test_a_manifest_of_splits_of_two_datasets_is_one_line(
    change: dict, named: str, good_files: Path, workdir: Path, capsys
) -> None:
    """The train split of one dataset and the test split of another made a manifest, exit 0."""
    split = torch.load(good_files / "test.pt", weights_only=True)
    entry = dict(split["spec"])
    spec = spec_dict(dataset_spec(entry))
    if "dataset" in change or "split" in change:
        split = {**split, **change}
    else:
        split = {**split, "spec": {**entry, **change}}
    (workdir / "other").mkdir()
    torch.save(split, workdir / "other" / "test.pt")
    code, err = run_cli(_manifest(spec, good_files / "train.pt", workdir / "other" / "test.pt"), capsys)
    assert_one_line_error(code, err, named, workdir=workdir)
    code, err = run_cli(_manifest(spec, good_files / "train.pt", good_files / "test.pt"), capsys)
    assert code == 0, err
