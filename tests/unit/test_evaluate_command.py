"""``advgen evaluate`` end to end on the CPU: a model defined in a user's file
(tests/data/evaluate/tiny_model.py), its state_dict written here, the shipped MNIST sample or a
``.pt`` file of tensors; bad input is one line naming the argument, exit status 2, no output."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import torch
from torch import nn

from advgen.cli import main
from advgen.robustness.evaluate_model import COLUMNS, FILES, evaluate, sample_data

pytestmark = pytest.mark.usefixtures("one_thread")

MODEL_FILE = Path(__file__).parents[1] / "data" / "evaluate" / "tiny_model.py"
#: small sizes: AutoAttack's iterations and queries, the checks' steps
FAST = ["--param", "n_iter=5", "--param", "n_queries=20"]
FAST_CHECKS = [
    *("--check", "pgd_steps=3", "--check", "long_steps=3", "--check", "long_restarts=1"),
    *("--check", "unbounded_steps=3", "--check", "n_queries=10"),
]


def _user_model() -> nn.Module:
    spec = importlib.util.spec_from_file_location("tiny_model_for_test", MODEL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TinyCNN()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nn.Module]:
    """The user's TinyCNN fitted for a few steps to 200 MNIST-sample digits; its state_dict."""
    torch.manual_seed(0)
    model = _user_model()
    (x, y), _ = sample_data("mnist_sample", max_train=200)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(30):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    torch.save(model.state_dict(), path)
    return path, model.eval()


def test_cli_writes_the_table_and_report_of_the_python_evaluation(trained, tmp_path: Path) -> None:
    ckpt, model = trained
    out = tmp_path / "eval"
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(ckpt)]
    argv += ["--data", "mnist_sample", "--max-examples", "20", "--eps", "0.05", "0.1", "--out", str(out)]
    assert main([*argv, *FAST, *FAST_CHECKS, "--device", "cpu"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES.values())
    table = pd.read_parquet(out / FILES["table"])
    assert list(table.columns) == COLUMNS and list(table["eps"]) == [0.05, 0.1]
    assert (table["classifier"] == "TinyCNN").all() and (table["attack"] == "AutoAttack-standard").all()
    _, (x, y) = sample_data("mnist_sample", max_test=20)
    again = evaluate(model, x, y, eps=[0.05, 0.1], params={"n_iter": 5, "n_queries": 20}, checks=False)
    assert list(table["robust_acc"]) == list(again.table["robust_acc"])
    assert table["clean_acc"].iloc[0] > 0.3  # the checkpoint's weights, not a fresh model's
    assert len(pd.read_parquet(out / FILES["masking"])) == 6
    assert "TinyCNN" in (out / FILES["html"]).read_text()


def test_factory_and_pt_data(trained, tmp_path: Path) -> None:
    ckpt, model = trained
    _, (x, y) = sample_data("mnist_sample", max_test=10)
    data = tmp_path / "data.pt"
    torch.save({"x": x, "y": y}, data)
    argv = ["evaluate", "--model", f"{MODEL_FILE}:make_model", "--checkpoint", str(ckpt), "--data", str(data)]
    argv += [
        "--attack",
        "PGD",
        "--param",
        "steps=3",
        "--norm",
        "l2",
        "--eps",
        "1.0",
        "linf=0.1",
        "--seeds",
        "0",
        "1",
    ]
    assert main([*argv, "--no-checks", "--out", str(tmp_path / "o"), "--device", "cpu"]) == 0
    table = pd.read_parquet(tmp_path / "o" / FILES["table"])
    assert sorted(zip(table["norm"], table["eps"], table["seed"], strict=True)) == [
        ("l2", 1.0, 0),
        ("l2", 1.0, 1),
        ("linf", 0.1, 0),
        ("linf", 0.1, 1),
    ]
    assert (table["n"] == 10).all() and (table["classifier"] == "make_model").all()


def _bad_inputs(tmp: Path, ckpt: Path) -> dict[str, tuple[list[str], str]]:
    torch.save({"x": torch.rand(4, 1, 8, 8), "y": torch.zeros(4, dtype=torch.long)}, tmp / "small.pt")
    torch.save({"weight": torch.zeros(3)}, tmp / "other.pt")
    good = ["--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(ckpt)]
    return {
        "missing model file": (["--model", str(tmp / "none.py") + ":Net"], "--model"),
        "class not found": (["--model", f"{MODEL_FILE}:Nope"], "--model"),
        "no NAME": (["--model", str(MODEL_FILE)], "--model"),
        "missing checkpoint": ([*good[:2], "--checkpoint", str(tmp / "none.pt")], "--checkpoint"),
        "checkpoint of another model": ([*good[:2], "--checkpoint", str(tmp / "other.pt")], "--checkpoint"),
        "input shape mismatch": ([*good, "--data", str(tmp / "small.pt")], "--data"),
        "unknown data set": ([*good, "--data", "cifar10"], "--data"),
        "eps out of range": ([*good, "--eps", "1.5"], "--eps"),
        "eps not a number": ([*good, "--eps", "big"], "--eps"),
        "unknown attack": ([*good, "--attack", "Nope"], "--attack"),
        "unknown parameter": ([*good, "--param", "stepz=3"], "--param"),
        "bad parameter value": ([*good, "--param", "version=fast"], "--param"),
        "norm the attack lacks": ([*good, "--attack", "FGSM", "--norm", "l2"], "--norm"),
        "unknown check size": ([*good, "--check", "pgd_stepz=3"], "--check"),
        "image size too small": ([*good, "--image-size", "4"], "--image-size"),
        "batch size 0": ([*good, "--batch-size", "0"], "--batch-size"),
    }


BAD_CASES = [
    "missing model file",
    "class not found",
    "no NAME",
    "missing checkpoint",
    "checkpoint of another model",
    "input shape mismatch",
    "unknown data set",
    "eps out of range",
    "eps not a number",
    "unknown attack",
    "unknown parameter",
    "bad parameter value",
    "norm the attack lacks",
    "unknown check size",
    "image size too small",
    "batch size 0",
]


def test_cuda_without_a_device_is_one_line(
    trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--data", "digits", "--device", "cuda"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().startswith("advgen evaluate: error: --device cuda: no CUDA device")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_one_line_naming_the_argument(
    case: str, trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _bad_inputs(tmp_path, trained[0])
    assert sorted(cases) == sorted(BAD_CASES)
    args, option = cases[case]
    out = tmp_path / "out"
    data = [] if "--data" in args else ["--data", "digits"]  # the 8x8 digits resized to 28x28: fast
    code = main(["evaluate", *args, *data, "--max-examples", "10", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"advgen evaluate: error: {option}"), err
    assert not out.exists()
