"""``advgen evaluate``: robust accuracy of your own PyTorch model (docs/evaluate.md).

    advgen evaluate --model my_net.py:Net --checkpoint net.pt --data mnist_sample --eps 0.1 0.3 --out eval

``--model FILE.py:NAME`` names a class (called without arguments) or a function returning the
``nn.Module``; the file is imported, so it runs: it is your code. The checkpoint is data, never
code: a state_dict (or a dict holding one under ``state_dict`` or ``model``) read with
``torch.load(weights_only=True)`` (:func:`advgen.checkpoints.load_torch`); without one the
command refuses to run unless ``--untrained`` says the fresh weights are meant. ``--data`` is an
offline data set's test split (the MNIST sample, scikit-learn's digits) or a ``.pt`` file of
``x`` (N, C, H, W) in [0, 1] and ``y`` (N,) tensors. The attack, norms, eps, seeds and checks are
those of :func:`advgen.robustness.evaluate_model.evaluate`; ``--out`` gets its tables and
report. Each attack run and each check prints a line as it ends (``-q``: none; ``-v``: more).

Bad input is one line naming the argument, exit status 2, before anything is written: the
budgets, attack, norms, parameters, seeds, checks and device are checked before the model file
is imported or the data read; then the model file (one that fails to import, even with a
``KeyboardInterrupt`` or ``SystemExit`` of its own), the checkpoint (a whole pickled model, keys
or shapes that do not fit, non-finite weights) and the data (shape, dtype, non-finite pixels,
range, labels), and the model's logits on it.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advgen.commands._files import add_input, add_output, refuse_overwrite

HELP = "robust accuracy of your own model (a FILE.py:NAME and a state_dict) under AutoAttack or any attack"

log = logging.getLogger("advgen.evaluate")

#: the offline data sets ``--data`` names (advgen.data.sources.BUNDLED_SOURCES)
DATA_SETS = ("mnist_sample", "digits")
#: the seed of the subset a .pt file's examples are drawn with (--max-examples)
PT_SUBSET_SEED = 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = "docs/evaluate.md: the options, the outputs, what each level of checks costs."
    p.add_argument("--model", required=True, metavar="FILE.py:NAME", help="your model: a class or a factory")
    add_input(p, "--checkpoint", default=None, help="its state_dict (torch.save; loaded weights-only)")
    p.add_argument("--untrained", action="store_true", help="no --checkpoint: evaluate the fresh weights")
    p.add_argument(
        "--data",
        default="mnist_sample",
        metavar="NAME|FILE.pt",
        help=f"{' or '.join(DATA_SETS)} (its test split), or a .pt file of x, y tensors",
    )
    p.add_argument("--image-size", type=int, default=None, help="resize an offline data set (its own: 28)")
    p.add_argument("--max-examples", type=int, default=1000, help="a seeded class-balanced subset (0: all)")
    p.add_argument(
        "--attack", default="AutoAttack", help="a registry attack, case aside (AutoAttack: standard)"
    )
    p.add_argument("--norm", nargs="+", default=["linf"], help="the norm(s) of --eps values without one")
    p.add_argument(
        "--eps",
        nargs="+",
        default=["0.3"],
        metavar="[NORM=]EPS",
        help="budgets: 0.3, 8/255, or l2=1.5 for one norm",
    )
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="an attack parameter")
    p.add_argument("--seeds", type=_seed, nargs="+", default=[0], help="one attack run per seed")
    from advgen.robustness.masking_spec import CHECK_LEVELS, DEFAULT_CHECKS

    p.add_argument(
        "--checks",
        choices=tuple(CHECK_LEVELS),
        default=DEFAULT_CHECKS,
        help="the gradient-masking checks: quick (costs at most the attack at the docs' sizes), "
        "full (Carlini et al. 2019's sizes, the workflow's) or none",
    )
    p.add_argument("--no-checks", action="store_true", help="the same as --checks none")
    p.add_argument("--check", action="append", default=[], metavar="KEY=VALUE", help="a size of the checks")
    p.add_argument("--name", default=None, help="the model's name in the tables (default: NAME)")
    p.add_argument(
        "--batch-size", type=_positive, default=None, help="inputs attacked per chunk (default: all)"
    )
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda or cuda:N")
    add_output(
        p, "--out", default="evaluation", help="folder for robustness.parquet, masking.parquet, report.*"
    )


def _seed(text: str) -> int:
    from advgen.seed_base import MAX_SEED

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: expected an integer in 0..{MAX_SEED}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text[:40]}: expected an integer in 0..{MAX_SEED}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: expected an integer, 1 or more") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text[:40]}: expected 1 or more")
    return value


def _value(text: str, what: str) -> Any:
    """A VALUE: strict JSON where it is JSON (no NaN, no 1e400, nesting up to a limit:
    :func:`advgen.strict_json.loads`), else the text itself (``version=plus``)."""
    from advgen.strict_json import MAX_DEPTH, depth, loads

    if depth(text) > MAX_DEPTH:
        raise _error(f"{what}: nested {depth(text)} levels deep, more than the limit of {MAX_DEPTH}")
    try:
        json.loads(text)
    except ValueError:
        return text
    return loads(text, what)


def _error(message: str) -> Exception:
    from advgen.errors import ConfigError

    return ConfigError(message)


def _values(items: list[str], option: str) -> dict[str, Any]:
    """``KEY=VALUE`` items as a dict, each VALUE read by :func:`_value`."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise _error(f"{option} {item[:60]}: expected KEY=VALUE")
        out[key] = _value(text, f"{option} {key}")
    return out


def parse_eps(items: list[str], norms: list[str]) -> dict[str, list[float]]:
    """``--eps`` items (``0.3``, ``8/255``, ``l2=1.5``) as norm -> budgets; a bare one counts for each ``--norm``."""
    grids: dict[str, list[float]] = {}
    for item in items:
        norm, sep, text = item.rpartition("=")
        value = _number(text)
        if value is None:
            raise _error(f"--eps {item[:60]}: expected a number, a fraction (8/255) or NORM=NUMBER")
        for name in [norm] if sep else norms:
            grids.setdefault(name, []).append(value)
    return grids


def _number(text: str) -> float | None:
    """``0.3``, ``8/255`` as a float; None for anything else (a zero denominator included)."""
    top, sep, bottom = text.partition("/")
    try:
        value = float(top) / float(bottom) if sep else float(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return value


def import_model(target: str) -> Any:
    """The ``nn.Module`` that ``FILE.py:NAME`` builds (the file imported: the user's code)."""
    import importlib.util

    from torch import nn

    from advgen.errors import ConfigError

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
    loader = spec.loader
    _run_user_code(lambda: loader.exec_module(module), f"--model {target}: importing {path} failed")
    if not hasattr(module, name):
        defined = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        raise ConfigError(
            f"--model {target}: {path} defines no {name} (it defines {', '.join(defined) or 'nothing'})"
        )
    model = _run_user_code(getattr(module, name), f"--model {target}: {name}() failed")
    if not isinstance(model, nn.Module):
        raise ConfigError(
            f"--model {target}: {name}() returned a {type(model).__name__}, not a torch nn.Module"
        )
    return model


def _run_user_code(call: Any, failed: str) -> Any:
    """``call()``; whatever it raises, ``BaseException`` included (a file that raises
    ``KeyboardInterrupt`` or calls ``sys.exit``), is one line ``FAILED (Type: why)``. A SIGINT or
    SIGTERM that arrived meanwhile still ends the command (:mod:`advgen.termination`)."""
    from advgen.errors import ConfigError
    from advgen.termination import exit_status

    try:
        return call()
    except BaseException as exc:
        if exit_status() is not None:  # a real signal: the command ends with 128 + it
            raise
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(f"{failed} ({type(exc).__name__}{': ' + why if why else ''})") from None


def load_checkpoint(model: Any, checkpoint: str, name: str) -> None:
    """``checkpoint``'s state_dict into ``model``; every mismatch named in one line."""
    import torch

    from advgen.checkpoints import load_torch
    from advgen.errors import AdvgenError, ConfigError, UnsafeCheckpointError

    try:
        state = load_torch(checkpoint)
    except UnsafeCheckpointError as exc:
        found = str(exc).rpartition("refusing to unpickle ")[2].split(",")[0]
        raise ConfigError(
            f"--checkpoint {checkpoint}: holds a pickled object ({found}), not a state_dict; it is not "
            "unpickled (that would run code): save model.state_dict(), as torch.save(model.state_dict(), PATH)"
        ) from None
    except AdvgenError as exc:
        raise ConfigError(f"--checkpoint {exc}") from None
    for key in ("state_dict", "model"):
        if isinstance(state.get(key), Mapping):
            state = dict(state[key])
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if len(tensors) != len(state):
        other = sorted(k for k in state if k not in tensors)
        raise ConfigError(
            f"--checkpoint {checkpoint}: not a state_dict: {', '.join(map(str, other[:5]))} hold no tensors"
        )
    problem = state_dict_mismatch(model.state_dict(), tensors)
    if problem:
        raise ConfigError(f"--checkpoint {checkpoint}: does not fit {name}: {problem}")
    for key, value in tensors.items():
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            bad = int((~torch.isfinite(value)).sum())
            raise ConfigError(f"--checkpoint {checkpoint}: {key} holds {bad} non-finite values (NaN or inf)")
    model.load_state_dict(tensors)


def state_dict_mismatch(expected: Mapping[str, Any], given: Mapping[str, Any]) -> str:
    """Every key ``given`` lacks or adds, and every shape that differs, in one line ("" if none)."""
    missing = [k for k in expected if k not in given]
    unexpected = [k for k in given if k not in expected]
    shapes = [
        f"{k} {tuple(given[k].shape)} where the model has {tuple(v.shape)}"
        for k, v in expected.items()
        if k in given and tuple(given[k].shape) != tuple(v.shape)
    ]
    parts = []
    if missing:
        parts.append(f"missing {len(missing)} key(s): {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected {len(unexpected)} key(s): {', '.join(unexpected)}")
    if shapes:
        parts.append(f"{len(shapes)} shape(s) differ: {'; '.join(shapes)}")
    return "; ".join(parts)


def load_data(data: str, image_size: int | None, max_examples: int | None) -> tuple[Any, Any, dict[str, str]]:
    """(x, y, facts): an offline data set's test split, or a ``.pt`` file's ``x`` and ``y``;
    ``facts``: where they came from and the subset's seed (:mod:`advgen.robustness.run_facts`)."""
    import torch

    from advgen.checkpoints import load_torch
    from advgen.data.registry import subsample
    from advgen.data.split import Split
    from advgen.errors import AdvgenError, ConfigError
    from advgen.robustness.evaluate_inputs import as_tensors, check_data
    from advgen.robustness.evaluate_model import sample_data, test_subset_seed
    from advgen.robustness.run_facts import sha256

    if data in DATA_SETS:
        if image_size is not None and image_size < 8:
            raise ConfigError(f"--image-size {image_size}: expected 8 or more")
        x, y = sample_data(data, max_test=max_examples, image_size=image_size)[1]
        seed = test_subset_seed(data)
        facts = {"data": f"{data}: its test split, {len(y):,} examples at {x.shape[-1]} px"}
        if max_examples is not None:
            facts["subset_seed"] = f"{seed} (a class-balanced subset of at most {max_examples:,})"
        return x, y, facts
    if not data.endswith(".pt"):
        raise ConfigError(f"--data {data}: expected {', '.join(DATA_SETS)} or a .pt file of x, y tensors")
    try:
        obj = load_torch(data, required=("x", "y"))
    except AdvgenError as exc:
        raise ConfigError(f"--data {exc}") from None
    x, y = as_tensors(obj["x"], obj["y"], f"--data {data}")
    check_data(x, y, f"--data {data}")
    n = len(y)
    part = subsample(Split(x, y, torch.arange(n)), max_examples, PT_SUBSET_SEED)
    facts = {"data": f"{data} (sha256 {sha256(data)}): {len(part.labels):,} of its {n:,} examples"}
    if max_examples is not None and max_examples < n:
        facts["subset_seed"] = f"{PT_SUBSET_SEED} (a class-balanced subset of {max_examples:,})"
    return part.images, part.labels, facts


def _device(text: str) -> str:
    import torch

    from advgen.errors import AdvgenError, ConfigError
    from advgen.robustness.evaluate_inputs import check_device

    if text == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        return str(check_device(text))
    except AdvgenError as exc:
        raise ConfigError(f"--device {str(exc).partition(': ')[2]}") from None


def main(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    from advgen.errors import ConfigError
    from advgen.robustness import run_facts
    from advgen.robustness.evaluate_inputs import (
        attack_name,
        attack_params,
        budgets,
        check_level,
        check_weights,
    )
    from advgen.robustness.evaluate_model import evaluate

    started = run_facts.now()
    reads = {"--model": [args.model.rpartition(":")[0]], "--data": [args.data]}
    refuse_overwrite(args, {k: [p for p in v if p.endswith((".py", ".pt"))] for k, v in reads.items()})
    if args.max_examples < 0:
        raise ConfigError(f"--max-examples {args.max_examples}: expected 0 (all) or more")
    if args.checkpoint is None and not args.untrained:
        raise ConfigError(
            "--checkpoint: none given: name the model's state_dict (torch.save(model.state_dict(), PATH)), "
            "or say --untrained to evaluate the freshly built weights"
        )
    level = "none" if args.no_checks else args.checks
    checks: str | dict[str, Any] = level
    sizes = _values(args.check, "--check")
    if sizes:
        checks = {"level": level, **sizes}
    params = _values(args.param, "--param")
    try:  # everything about the attack and the checks, before the model is imported or data read
        grids = budgets(parse_eps(args.eps, args.norm), args.norm)
        attack = attack_name(args.attack)
        for norm in grids:
            attack_params(attack, norm, params)
        check_level(checks)
    except ConfigError as exc:
        raise ConfigError(_argument(str(exc), args.attack)) from None
    device = _device(args.device)
    from advgen.precision import ieee_float32

    ieee_float32()  # IEEE float32 on every backend, as every job of the workflow (advgen.precision)
    name = args.name or args.model.rpartition(":")[2]
    model = import_model(args.model)
    facts: dict[str, str] = {"command": "advgen " + shlex.join(getattr(args, "argv", []) or ["evaluate"])}
    if args.checkpoint is not None:
        load_checkpoint(model, args.checkpoint.path, name)
        facts["checkpoint"] = str(args.checkpoint.path)
        facts["checkpoint_sha256"] = run_facts.sha256(args.checkpoint.path)
    else:
        facts["checkpoint"] = "none: the fresh weights (--untrained)"
        check_weights(model, f"--model {args.model}")
    x, y, data_facts = load_data(args.data, args.image_size, args.max_examples or None)
    facts.update(data_facts)
    try:
        result = evaluate(
            model,
            x,
            y,
            eps=grids,
            attack=attack,
            params=params,
            seeds=args.seeds,
            checks=checks,
            name=name,
            batch_size=args.batch_size,
            device=device,
            facts=facts,
        )
    except ConfigError as exc:  # name the argument the bad value came from
        source = (
            f"--checkpoint {args.checkpoint.path}" if args.checkpoint is not None else f"--model {args.model}"
        )
        raise ConfigError(_argument(str(exc), args.attack, source, args.data)) from None
    result.facts.update(started=started, seconds=f"{time.perf_counter() - t0:.1f}")
    paths = result.write(args.out.path)
    from advgen.robustness.evaluation_report import summary

    print(summary(result))
    log.info("wrote %s", ", ".join(str(p) for p in paths.values()))


#: the evaluation's keys -> the arguments that set them, each replacing its key (``checks.KEY``: a
#: size, ``--check KEY``)
_ARGUMENTS = {
    "attack:": "--attack:",
    "norm:": "--norm:",
    "eps:": "--eps:",
    "params:": "--param:",
    "seeds:": "--seeds:",
    "checks.": "--check ",
    "checks: unknown key": "--check: unknown key",
    "checks:": "--checks:",
    "device:": "--device:",
}


def _argument(message: str, attack: str, model: str = "--model", data: str = "") -> str:
    """``message`` with its leading key (``eps:``) as the argument that set it (``--eps:``); an
    attack constructor's own error (``AutoAttack: unknown version``) is a ``--param``'s, the
    model's weights or logits (``model:``) ``model``'s (``--checkpoint FILE`` or ``--model
    FILE.py:NAME``), the inputs (``x:``) ``--data``'s."""
    arguments = {**_ARGUMENTS, "model:": f"{model}:", "x:": f"--data {data}:" if data else "--data:"}
    for key, option in arguments.items():
        if message.startswith(key):
            return option + message[len(key) :]
    if message.lower().startswith(f"{attack.lower()}:") or message.split(":")[0] in _attack_names():
        return f"--param {message}"
    return message


def _attack_names() -> set[str]:
    from advgen.attacks.registry import REGISTRY

    return set(REGISTRY)
