"""``advgen evaluate``'s bad inputs: each is one line naming the option or file, exit status 2,
no output folder, never a traceback, never an evaluation of nonsense.

The corpus: wrong shapes and types of data (N, H, W images, channel counts, boolean or float
labels, uint8 pixels, NaN pixels, pixels outside [0, 1]), model files that fail to import (with
an exception, ``KeyboardInterrupt`` or ``sys.exit``) or build something else, checkpoints that
are whole pickled models, belong to another model (every mismatched key named) or hold NaN
weights, a model whose logits are NaN, no ``--checkpoint`` without ``--untrained``, and the
options' values: budgets (out of range, NaN, not numbers), attack names, norms, parameters
(unknown, out of range, of another type, nested thousands deep, NaN, overflowing), check levels
and sizes, seeds (negative, beyond 64 bits), devices (``meta``, ``cuda`` without one, nonsense),
batch sizes. The budgets, attack, parameters and checks are checked before the model file is
imported or the data read (:func:`test_the_options_are_checked_before_the_model_and_data`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from advgen.cli import build_parser
from tests.errors.conftest import assert_one_line_error, run_cli

pytestmark = pytest.mark.usefixtures("one_thread")

MODEL_FILE = Path(__file__).parents[1] / "data" / "evaluate" / "tiny_model.py"

#: model files that break (their text) -> what the line names
MODEL_FILES = {
    "raises": "raise ValueError('no such layer')\n",
    "interrupts": "raise KeyboardInterrupt\n",
    "exits": "import sys\nsys.exit(3)\n",
    "syntax": "class Net(:\n",
    "not_a_module": "def Net():\n    return 42\n",
    "nan_logits": (
        "import torch\nfrom torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.w = nn.Linear(784, 10)\n"
        "    def forward(self, x):\n        return self.w(x.flatten(1)) * float('nan')\n"
    ),
    "nan_weights": (
        "import torch\nfrom torch import nn\n"
        "def Net():\n    m = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"
        "    with torch.no_grad():\n        m[1].weight[0, 0] = float('nan')\n    return m\n"
    ),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model's state_dict, broken checkpoints and data files, broken model files."""
    import importlib.util

    folder = tmp_path_factory.mktemp("evaluate_inputs")
    spec = importlib.util.spec_from_file_location("tiny_model_inputs", MODEL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    model = module.TinyCNN()
    torch.save(model.state_dict(), folder / "tiny.pt")
    sys.modules[spec.name] = module  # importable while pickled
    try:
        torch.save(model, folder / "whole.pt")  # a pickled module: "save model.state_dict()"
    finally:
        del sys.modules[spec.name]
    nan = model.state_dict()
    nan["head.weight"] = nan["head.weight"].clone()
    nan["head.weight"][0, 0] = float("nan")
    torch.save(nan, folder / "nan_weights.pt")
    other = {f"layer{i}.weight": torch.zeros(3) for i in range(12)}  # every key named, none cut
    torch.save(other, folder / "other.pt")
    reshaped = dict(model.state_dict(), **{"head.weight": torch.zeros(10, 100)})
    torch.save(reshaped, folder / "reshaped.pt")
    x, y = torch.rand(8, 1, 28, 28), torch.arange(8) % 10
    data = {
        "nhw": {"x": x[:, 0], "y": y},
        "channels": {"x": torch.rand(8, 3, 28, 28), "y": y},
        "bool_labels": {"x": x, "y": y > 4},
        "float_labels": {"x": x, "y": y.float()},
        "uint8": {"x": (x * 255).to(torch.uint8), "y": y},
        "nan_pixels": {"x": x.clone().index_fill_(0, torch.tensor([2]), float("nan")), "y": y},
        "range": {"x": x * 2, "y": y},
        "labels_beyond": {"x": x, "y": y + 10},
        "mismatched": {"x": x, "y": y[:5]},
        "empty": {"x": x[:0], "y": y[:0]},
    }
    for name, payload in data.items():
        torch.save(payload, folder / f"{name}.pt")
    for name, text in MODEL_FILES.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


#: case -> (arguments after the good model and checkpoint, what the line names); {F}: the files
CASES: dict[str, tuple[list[str], list[str]]] = {
    # the data
    "images without a channel axis": (["--data", "{F}/nhw.pt"], ["--data", "(N, C, H, W)", "x[:, None]"]),
    "three channels for a one-channel model": (["--data", "{F}/channels.pt"], ["--data", "(1, 3, 28, 28)"]),
    "boolean labels": (["--data", "{F}/bool_labels.pt"], ["--data", "integer class labels", "torch.bool"]),
    "float labels": (["--data", "{F}/float_labels.pt"], ["--data", "integer class labels"]),
    "uint8 pixels": (["--data", "{F}/uint8.pt"], ["--data", "x / 255"]),
    "NaN pixels": (["--data", "{F}/nan_pixels.pt"], ["--data", "non-finite"]),
    "pixels outside [0, 1]": (["--data", "{F}/range.pt"], ["--data", "[0, 1]"]),
    "labels beyond the classes": (["--data", "{F}/labels_beyond.pt"], ["--data", "0..9"]),
    "fewer labels than inputs": (["--data", "{F}/mismatched.pt"], ["--data", "(N,)"]),
    "no examples": (["--data", "{F}/empty.pt"], ["--data", "no examples"]),
    "unknown data set": (["--data", "cifar10"], ["--data cifar10"]),
    "missing data file": (["--data", "{F}/none.pt"], ["--data", "not found"]),
    "image size too small": (["--image-size", "4"], ["--image-size 4"]),
    # the checkpoint
    "a whole pickled model": (["--checkpoint", "{F}/whole.pt"], ["--checkpoint", "save model.state_dict()"]),
    "another model's keys": (
        ["--checkpoint", "{F}/other.pt"],
        ["--checkpoint", "layer11.weight", "head.bias"],
    ),
    "a layer of another shape": (
        ["--checkpoint", "{F}/reshaped.pt"],
        ["--checkpoint", "head.weight (10, 100)"],
    ),
    "NaN weights": (["--checkpoint", "{F}/nan_weights.pt"], ["--checkpoint", "head.weight", "non-finite"]),
    "missing checkpoint file": (["--checkpoint", "{F}/none.pt"], ["--checkpoint", "not found"]),
    # the options
    "eps out of range": (["--eps", "1.5"], ["--eps", "[0, 1]"]),
    "eps NaN": (["--eps", "nan"], ["--eps"]),
    "eps not a number": (["--eps", "big"], ["--eps big"]),
    "eps over zero": (["--eps", "8/0"], ["--eps 8/0"]),
    "unknown attack": (["--attack", "Nope"], ["--attack", "Nope"]),
    "norm the attack lacks": (["--attack", "FGSM", "--norm", "l2"], ["--norm", "l2"]),
    "unknown parameter": (["--param", "stepz=3"], ["--param", "stepz"]),
    "parameter out of range": (["--param", "n_iter=0"], ["--param", "n_iter"]),
    "parameter of another type": (["--param", "n_iter=[1]"], ["--param", "n_iter"]),
    "parameter nested 5,000 deep": (["--param", f"n_iter={_nested(5000)}"], ["--param n_iter", "nested"]),
    "parameter NaN": (["--param", "n_iter=NaN"], ["--param n_iter", "NaN"]),
    "parameter overflowing": (["--param", "n_iter=1e400"], ["--param n_iter", "out of range"]),
    "parameter without a value": (["--param", "n_iter"], ["--param n_iter", "KEY=VALUE"]),
    "bad version": (["--param", "version=fast"], ["--param", "fast"]),
    "unknown check level": (["--checks", "thorough"], ["--checks", "thorough"]),
    "unknown check size": (["--check", "pgd_stepz=3"], ["--check", "pgd_stepz"]),
    "negative check size": (["--check", "pgd_steps=-1"], ["--check", "pgd_steps"]),
    "check sizes with no checks": (["--checks", "none", "--check", "pgd_steps=3"], ["--checks", "none"]),
    "seed beyond 64 bits": (["--seeds", str(2**70)], ["--seeds", str(2**70)]),
    "negative seed": (["--seeds", "-1"], ["--seeds"]),
    "meta device": (["--device", "meta"], ["--device meta"]),
    "nonsense device": (["--device", "gpu7"], ["--device gpu7"]),
    "batch size 0": (["--batch-size", "0"], ["--batch-size"]),
    "negative max examples": (["--max-examples", "-3"], ["--max-examples -3"]),
}
#: cases with a model file of :data:`MODEL_FILES` (no checkpoint: --untrained) -> what the line names
MODEL_CASES: dict[str, list[str]] = {
    "raises": ["--model", "importing", "ValueError: no such layer"],
    "interrupts": ["--model", "importing", "KeyboardInterrupt"],
    "exits": ["--model", "importing", "SystemExit: 3"],
    "syntax": ["--model", "importing", "SyntaxError"],
    "not_a_module": ["--model", "not a torch nn.Module"],
    "nan_logits": ["--model", "logits are not finite", "8 of 8"],
    "nan_weights": ["--model", "1.weight", "non-finite"],
}


def _argv(args: list[str], files: Path, out: Path) -> list[str]:
    filled = [a.replace("{F}", str(files)) for a in args]
    good = ["--model", f"{MODEL_FILE}:TinyCNN", "--checkpoint", str(files / "tiny.pt")]
    if "--checkpoint" in filled:
        good = good[:2]
    data = [] if "--data" in filled else ["--data", "digits"]
    return ["evaluate", *good, *data, "--max-examples", "8", *filled, "--out", str(out)]


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_input_is_one_line_naming_it(case: str, files: Path, workdir: Path, capsys) -> None:
    args, named = CASES[case]
    out = workdir / "out"
    code, err = run_cli(_argv(args, files, out), capsys)
    assert_one_line_error(code, err, "advgen evaluate: error:", *named)
    assert not out.exists()


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_a_broken_model_file_is_one_line_naming_it(case: str, files: Path, workdir: Path, capsys) -> None:
    out = workdir / "out"
    argv = ["evaluate", "--model", f"{files / case}.py:Net", "--untrained", "--data", "digits"]
    code, err = run_cli([*argv, "--max-examples", "8", "--out", str(out)], capsys)
    assert_one_line_error(code, err, "advgen evaluate: error:", *MODEL_CASES[case])
    assert not out.exists()


def test_no_checkpoint_is_refused_unless_untrained(files: Path, workdir: Path, capsys) -> None:
    out = workdir / "out"
    argv = ["evaluate", "--model", f"{MODEL_FILE}:TinyCNN", "--data", "digits", "--max-examples", "8"]
    code, err = run_cli([*argv, "--out", str(out)], capsys)
    assert_one_line_error(code, err, "--checkpoint", "--untrained", "model.state_dict()")
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--eps", "2"),
        ("--attack", "Nope"),
        ("--param", "stepz=1"),
        ("--checks", "thorough"),
        ("--device", "meta"),
    ],
)
def test_the_options_are_checked_before_the_model_and_data(
    option: str, value: str, files: Path, workdir: Path, capsys
) -> None:
    """A model file that would fail to import and data that do not exist: the option is named."""
    argv = [
        "evaluate",
        "--model",
        f"{files / 'raises'}.py:Net",
        "--untrained",
        "--data",
        str(files / "none.pt"),
    ]
    code, err = run_cli([*argv, option, value, "--out", str(workdir / "out")], capsys)
    assert_one_line_error(code, err, option)


#: values no option of ``evaluate`` should turn into a traceback: empty, signs, NaN and infinity,
#: overflowing and 64-bit-overflowing numbers, JSON nested 5,000 deep, a device torch knows but
#: the evaluation does not, a division by zero, very long text
HOSTILE = ["", "-", "nan", "-inf", "1e400", str(2**70), _nested(5000), "meta", "8/0", "{}", "x" * 5000]


def _options() -> list[str]:
    import argparse

    parser = build_parser("evaluate").commands["evaluate"]
    return [
        a.option_strings[-1]
        for a in parser._actions
        if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction)
    ]


@pytest.mark.parametrize("option", _options())
def test_every_option_takes_hostile_values_without_a_traceback(
    option: str, files: Path, workdir: Path, capsys
) -> None:
    """Each option given each :data:`HOSTILE` value (``KEY=VALUE`` options as ``n_iter=VALUE``),
    with data that do not exist: whatever the value, one line and exit status 2 (the value's own
    error, or the missing data's), no output."""
    for value in HOSTILE:
        text = f"n_iter={value}" if option in ("--param", "--check") else value
        given = {"--model": f"{MODEL_FILE}:TinyCNN", "--checkpoint": str(files / "tiny.pt")}
        given["--data"] = str(files / "none.pt")
        given[option] = text
        argv = ["evaluate", *(w for k, v in given.items() for w in (k, v))]
        if option != "--out":
            argv += ["--out", str(workdir / "out")]
        code, err = run_cli(argv, capsys)
        assert_one_line_error(code, err, "advgen evaluate: error:")
        assert not (workdir / "out").exists(), (option, value[:20])
