"""``advgen evaluate``: robust accuracy of your own PyTorch model (docs/evaluate.md).

    advgen evaluate --model my_net.py:Net --checkpoint net.pt --data mnist_sample --eps 0.1 0.3 --out eval

``--model FILE.py:NAME`` names a class (called without arguments) or a function returning the
``nn.Module``; the file is imported, so it runs: it is your code. The checkpoint is data, never
code: a state_dict (or a dict holding one under ``state_dict`` or ``model``) read with
``torch.load(weights_only=True)`` (:func:`advgen.checkpoints.load_torch`). ``--data`` is an offline data
set's test split (the MNIST sample, scikit-learn's digits) or a ``.pt`` file of ``x`` (N, C, H, W)
in [0, 1] and ``y`` (N,) tensors. The attack, norms, eps, seeds and checks are those of
:func:`advgen.robustness.evaluate_model.evaluate`; ``--out`` gets its tables and report. Bad
input (a missing file, a name the file lacks, a checkpoint that does not fit, an eps out of
range, an unknown attack or parameter) is one line naming the argument, exit status 2, before
anything is written.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from advgen.commands._args import add_input, add_output, refuse_overwrite

HELP = "robust accuracy of your own model (a FILE.py:NAME and a state_dict) under AutoAttack or any attack"

log = logging.getLogger(__name__)

#: the offline data sets ``--data`` names (advgen.data.sources.BUNDLED_SOURCES)
DATA_SETS = ("mnist_sample", "digits")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, metavar="FILE.py:NAME", help="your model: a class or a factory")
    add_input(p, "--checkpoint", default=None, help="its state_dict (torch.save; loaded weights-only)")
    p.add_argument(
        "--data",
        default="mnist_sample",
        metavar="NAME|FILE.pt",
        help=f"{' or '.join(DATA_SETS)} (its test split), or a .pt file of x, y tensors",
    )
    p.add_argument("--image-size", type=int, default=None, help="resize an offline data set (default 28)")
    p.add_argument("--max-examples", type=int, default=1000, help="a seeded class-balanced subset (0: all)")
    p.add_argument("--attack", default="AutoAttack", help="a registry attack (default AutoAttack standard)")
    p.add_argument("--norm", nargs="+", default=["linf"], help="the norm(s) of --eps values without one")
    p.add_argument(
        "--eps", nargs="+", default=["0.3"], metavar="[NORM=]EPS", help="budgets: 0.3, or l2=1.5 for one norm"
    )
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="an attack parameter")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one attack run per seed")
    p.add_argument("--no-checks", action="store_true", help="skip the gradient-masking checks")
    p.add_argument("--check", action="append", default=[], metavar="KEY=VALUE", help="a size of the checks")
    p.add_argument("--name", default=None, help="the model's name in the tables (default NAME)")
    p.add_argument("--batch-size", type=int, default=None, help="inputs attacked per chunk")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:1")
    add_output(
        p, "--out", default="evaluation", help="folder for robustness.parquet, masking.parquet, report.*"
    )


def _values(items: list[str], option: str) -> dict[str, Any]:
    """``KEY=VALUE`` items as a dict, each VALUE read as JSON where it parses (else a string)."""
    from advgen.errors import ConfigError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{option} {item}: expected KEY=VALUE")
        try:
            out[key] = json.loads(text)
        except ValueError:
            out[key] = text
    return out


def parse_eps(items: list[str], norms: list[str]) -> dict[str, list[float]]:
    """``--eps`` items (``0.3``, ``l2=1.5``) as norm -> budgets; a bare one counts for each ``--norm``."""
    from advgen.errors import ConfigError

    grids: dict[str, list[float]] = {}
    for item in items:
        norm, sep, text = item.rpartition("=")
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(f"--eps {item}: expected a number or NORM=NUMBER") from None
        for name in [norm] if sep else norms:
            grids.setdefault(name, []).append(value)
    return grids


def load_model(target: str, checkpoint: str | None) -> Any:
    """The ``nn.Module`` that ``FILE.py:NAME`` builds, with ``checkpoint``'s state_dict."""
    import importlib.util

    from torch import nn

    from advgen.checkpoints import load_torch
    from advgen.errors import AdvgenError, ConfigError

    path_text, sep, name = target.rpartition(":")
    if not sep or not name or not path_text:
        raise ConfigError(f"--model {target}: expected FILE.py:NAME (a class or a function in FILE.py)")
    path = Path(path_text)
    if not path.is_file():
        raise ConfigError(f"--model {target}: file {path} not found")
    spec = importlib.util.spec_from_file_location(f"advgen_user_model_{path.stem}", path)
    if spec is None or spec.loader is None or path.suffix != ".py":
        raise ConfigError(f"--model {target}: {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)  # the user's own file, named on the command line
    except Exception as exc:
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(
            f"--model {target}: importing {path} failed ({type(exc).__name__}: {why})"
        ) from None
    if not hasattr(module, name):
        defined = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        raise ConfigError(
            f"--model {target}: {path} defines no {name} (it defines {', '.join(defined) or 'nothing'})"
        )
    try:
        model = getattr(module, name)()
    except Exception as exc:
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(f"--model {target}: {name}() failed ({type(exc).__name__}: {why})") from None
    if not isinstance(model, nn.Module):
        raise ConfigError(
            f"--model {target}: {name}() returned a {type(model).__name__}, not a torch nn.Module"
        )
    if checkpoint is not None:
        try:
            state = load_torch(checkpoint)
        except AdvgenError as exc:
            raise ConfigError(f"--checkpoint {exc}") from None
        for key in ("state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
        try:
            model.load_state_dict(state)
        except Exception as exc:  # missing / unexpected keys, size mismatches: torch's own words
            why = " ".join(str(exc).split())[:300]
            raise ConfigError(f"--checkpoint {checkpoint}: does not fit {name} ({why})") from None
    return model


def load_data(data: str, image_size: int | None, max_examples: int | None) -> tuple[Any, Any]:
    """(x, y): an offline data set's test split, or a ``.pt`` file's ``x`` and ``y``."""
    import torch

    from advgen.checkpoints import load_torch
    from advgen.data.registry import subsample
    from advgen.data.split import Split
    from advgen.errors import AdvgenError, ConfigError
    from advgen.robustness.evaluate_model import sample_data

    if data in DATA_SETS:
        if image_size is not None and image_size < 8:
            raise ConfigError(f"--image-size {image_size}: expected 8 or more")
        return sample_data(data, max_test=max_examples, image_size=image_size)[1]
    if not data.endswith(".pt"):
        raise ConfigError(f"--data {data}: expected {', '.join(DATA_SETS)} or a .pt file of x, y tensors")
    try:
        obj = load_torch(data, required=("x", "y"))
    except AdvgenError as exc:
        raise ConfigError(f"--data {exc}") from None
    x, y = obj["x"], obj["y"]
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ConfigError(f"--data {data}: x and y must be tensors")
    if x.ndim < 2 or y.shape != (len(x),):
        raise ConfigError(
            f"--data {data}: x (N, ...) and y (N,) expected, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    part = subsample(Split(x, y, torch.arange(len(y))), max_examples, 0)
    return part.images, part.labels


def main(args: argparse.Namespace) -> None:
    import torch

    from advgen.errors import ConfigError
    from advgen.robustness.evaluate_model import evaluate

    reads = {"--model": [args.model.rpartition(":")[0]], "--data": [args.data]}
    refuse_overwrite(args, {k: [p for p in v if p.endswith((".py", ".pt"))] for k, v in reads.items()})
    if args.max_examples < 0:
        raise ConfigError(f"--max-examples {args.max_examples}: expected 0 (all) or more")
    if args.batch_size is not None and args.batch_size < 1:
        raise ConfigError(f"--batch-size {args.batch_size}: expected 1 or more")
    if args.device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    else:
        try:
            device = str(torch.device(args.device))
        except RuntimeError:
            raise ConfigError(f"--device {args.device}: expected auto, cpu, cuda or cuda:N") from None
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ConfigError(f"--device {args.device}: no CUDA device here (auto or cpu runs on the CPU)")
    from advgen.precision import ieee_float32

    ieee_float32()  # IEEE float32 on every backend, as every job of the workflow (advgen.precision)
    eps = parse_eps(args.eps, args.norm)
    params = _values(args.param, "--param")
    checks: bool | dict[str, Any] = False if args.no_checks else (_values(args.check, "--check") or True)
    model = load_model(args.model, args.checkpoint.path if args.checkpoint else None)
    x, y = load_data(args.data, args.image_size, args.max_examples or None)
    name = args.name or args.model.rpartition(":")[2]
    try:
        result = evaluate(
            model,
            x,
            y,
            eps=eps,
            attack=args.attack,
            params=params,
            seeds=args.seeds,
            checks=checks,
            name=name,
            batch_size=args.batch_size,
            device=device,
        )
    except ConfigError as exc:  # name the argument the bad value came from
        raise ConfigError(_argument(str(exc), args.attack)) from None
    paths = result.write(args.out.path)
    for (norm, value), acc in result.robust_accuracy.items():
        log.info("%s %s eps=%g: robust accuracy %.3f", name, norm, value, acc)
    log.info("wrote %s", ", ".join(str(p) for p in paths.values()))


#: the evaluation's keys -> the arguments that set them
_ARGUMENTS = {
    "attack:": "--attack",
    "norm:": "--norm",
    "eps:": "--eps",
    "params:": "--param",
    "seeds:": "--seeds",
    "checks.": "--check ",
    "checks:": "--check",
    "x:": "--data",
}


def _argument(message: str, attack: str) -> str:
    """``message`` with its leading key (``eps:``) as the argument that set it (``--eps:``); an
    attack constructor's own error (``AutoAttack: unknown version``) is a ``--param``'s."""
    for key, option in _ARGUMENTS.items():
        if message.startswith(key):
            return option + message[len(key) - 1 :]
    if message.startswith(f"{attack}:"):
        return f"--param {message}"
    return message
