"""``advgen evaluate`` end to end on the CPU: a model defined in a user's file
(tests/data/evaluate/tiny_model.py), its state_dict written here, the shipped MNIST sample or a
``.pt`` file of tensors; its progress lines, its run facts. Bad input (one line naming the
argument, exit status 2, no output): tests/errors/test_evaluate_inputs.py."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import torch
from torch import nn

import advgen
from advgen.cli import main
from advgen.robustness.evaluate_model import evaluate, sample_data
from advgen.robustness.evaluation_table import COLUMNS, FILES

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
    assert main([*argv, "--checks", "none", "--out", str(tmp_path / "o"), "--device", "cpu"]) == 0
    table = pd.read_parquet(tmp_path / "o" / FILES["table"])
    assert sorted(zip(table["norm"], table["eps"], table["seed"], strict=True)) == [
        ("l2", 1.0, 0),
        ("l2", 1.0, 1),
        ("linf", 0.1, 0),
        ("linf", 0.1, 1),
    ]
    assert (table["n"] == 10).all() and (table["classifier"] == "make_model").all()


def test_cuda_without_a_device_is_one_line(
    trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    argv = [
        "evaluate",
        "--model",
        f"{MODEL_FILE}:TinyCNN",
        "--untrained",
        "--data",
        "digits",
        "--device",
        "cuda",
    ]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().startswith("advgen evaluate: error: --device cuda: no CUDA device")
    assert not (tmp_path / "out").exists()


def test_the_report_and_tables_carry_the_runs_facts(
    trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Versions, device, data and subset seed, checkpoint sha256, the command, start and total
    time: in report.md, report.html and each Parquet file's key-value metadata; the command
    prints the robust accuracy and AutoAttack's breakdown at its end. ``--eps 8/255`` and a
    lower-case attack name are taken."""
    ckpt, _ = trained
    out = tmp_path / "eval"
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(ckpt), "--data", "digits"]
    argv += ["--max-examples", "12", "--attack", "autoattack", "--eps", "8/255", "--out", str(out)]
    assert main([*argv, *FAST, *FAST_CHECKS, "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "| AutoAttack-standard | linf | 0.03137 |" in printed and "APGD-CE" in printed
    table = pd.read_parquet(out / FILES["table"])
    assert table["eps"].tolist() == [8 / 255]
    digest = hashlib.sha256(ckpt.read_bytes()).hexdigest()
    for name in (FILES["table"], FILES["masking"]):
        meta = pq.read_schema(out / name).metadata
        assert meta[b"advgen.evaluate.checkpoint_sha256"] == digest.encode()
        assert meta[b"advgen.evaluate.command"].decode().startswith("advgen evaluate --model ")
        assert b"digits: its test split, 12 examples" in meta[b"advgen.evaluate.data"]
        assert meta[b"advgen.evaluate.subset_seed"].startswith(b"1 (")
        assert float(meta[b"advgen.evaluate.seconds"]) > 0 and meta[b"advgen.evaluate.started"].endswith(
            b"+00:00"
        )
    md, page = (out / FILES["markdown"]).read_text(), (out / FILES["html"]).read_text()
    for text in (md, page):
        for fact in ("checkpoint sha256", digest, "torch", torch.__version__, "subset seed", "Stage times"):
            assert fact in text, fact
        assert "AutoAttack breakdown" in text


def test_each_stage_prints_a_line_unless_quiet(
    trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without -v: a line per attack run and seed and per check; -q: none, only the result; -v:
    debug lines besides (each stage's planned work)."""
    from tests.errors.conftest import run_cli

    ckpt, _ = trained
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(ckpt), "--data", "digits"]
    argv += ["--max-examples", "10", "--seeds", "0", "1", *FAST, *FAST_CHECKS, "--device", "cpu"]
    code, err = run_cli([*argv, "--out", str(tmp_path / "a")], capsys)
    assert code == 0
    stages = re.findall(r"\[(\d+)/8\] ([^:]+):", err)
    assert [int(k) for k, _ in stages] == list(range(1, 9))
    assert [name for _, name in stages][:2] == [
        "AutoAttack-standard linf seed 0",
        "AutoAttack-standard linf seed 1",
    ]
    assert all(name.startswith("check ") for _, name in stages[2:])
    code = main(["-q", *argv, "--out", str(tmp_path / "b")])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == "" and "robust acc" in captured.out
    quick = [
        "--attack",
        "FGSM",
        "--eps",
        "0.1",
        "--checks",
        "none",
        "--max-examples",
        "10",
        "--device",
        "cpu",
    ]
    proc = subprocess.run(  # a fresh process: the command's own logging set-up
        [sys.executable, "-m", "advgen", "-v", *argv[:7], *quick, "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(advgen.__file__).parents[1])},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert " DEBUG advgen.evaluate: FGSM linf seed 0: at most 1 input-gradient" in proc.stderr
    assert " INFO advgen.evaluate: [1/1] FGSM linf seed 0: " in proc.stderr


def test_untrained_evaluates_the_fresh_weights(tmp_path: Path) -> None:
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--untrained", "--data", "digits"]
    argv += ["--max-examples", "10", "--attack", "FGSM", "--eps", "0.1", "--checks", "none"]
    assert main([*argv, "--out", str(tmp_path / "o"), "--device", "cpu"]) == 0
    report = (tmp_path / "o" / FILES["markdown"]).read_text()
    assert "none: the fresh weights (--untrained)" in report
