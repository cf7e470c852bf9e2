"""The arguments of an evaluation (:func:`advgen.robustness.evaluate_model.evaluate`), checked
before any attack runs: the budgets, the attack and its parameters, the seeds, the level of the
gradient-masking checks, the device, the data (NumPy arrays converted) and the model's weights and
logits on them. Each problem is a one-line :class:`~advgen.errors.ConfigError` naming the
argument (``eps:``, ``attack:``, ``x:``, ``model:``, ...) and, where there is one, the fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from advgen.attacks.registry import REGISTRY, listing
from advgen.errors import ConfigError
from advgen.robustness.masking_spec import CHECK_LEVELS, DEFAULT_CHECKS
from advgen.seed_base import MAX_SEED

#: the devices an evaluation runs on (``cuda:N`` included)
DEVICE_TYPES = ("cpu", "cuda")


def budgets(
    eps: float | Sequence[float] | Mapping[str, float | Sequence[float]], norm: str | Sequence[str]
) -> dict[str, tuple[float, ...]]:
    """norm -> its eps grid: ``eps`` a mapping norm -> eps (one or several), or eps for every
    norm of ``norm``. An eps outside [0, 1] in Linf, or below 0, infinite or NaN, is a ConfigError."""
    if isinstance(eps, Mapping):
        grids = {str(k): v for k, v in eps.items()}
    else:
        norms = [norm] if isinstance(norm, str) else list(norm)
        grids = {n: eps for n in norms}
    out: dict[str, tuple[float, ...]] = {}
    for name, values in grids.items():
        grid = (values,) if isinstance(values, int | float) else tuple(values)
        if not grid:
            raise ConfigError(f"eps: no budget given for norm {name}")
        for value in grid:
            top = 1.0 if name == "linf" else math.inf
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 <= float(value) <= top or math.isinf(value):
                bound = "[0, 1]" if name == "linf" else "a finite number >= 0"
                raise ConfigError(f"eps: {value!r} is out of range for norm {name} (expected {bound})")
        out[name] = tuple(float(v) for v in grid)
    return out


def attack_name(attack: str) -> str:
    """The registry's name of ``attack``, case aside (``autoattack``, ``pgd``); a ConfigError otherwise."""
    if attack in REGISTRY:
        return attack
    found = [name for name in REGISTRY if name.lower() == str(attack).lower()]
    if not found:
        raise ConfigError(f"attack: unknown attack {attack!r} (known: {listing(list(REGISTRY))})")
    return found[0]


def attack_params(attack: str, norm: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The registry attack's constructor ``params`` at ``norm`` (checked against the registry's
    attacks, their norms and their parameters: one-line ConfigErrors)."""
    info = REGISTRY[attack_name(attack)]
    if norm not in info.norms:
        raise ConfigError(f"norm: {info.name} takes {listing(list(info.norms))}, not {norm!r}")
    known = tuple(info.defaults)
    unknown = [k for k in params or {} if k not in known or k == "norm"]
    if unknown:
        allowed = listing([k for k in known if k != "norm"]) if len(known) > 1 else "none"
        raise ConfigError(
            f"params: {info.name} has no parameter {', '.join(unknown)} (its parameters: {allowed})"
        )
    out = dict(params or {})
    if "norm" in known:
        out["norm"] = norm
    info.checked(out)  # each value against its range and choices (the registry's dataclass)
    return out


def check_seeds(seeds: Sequence[int]) -> list[int]:
    """``seeds`` as a list; none, or one that is not an integer in 0..MAX_SEED, is a ConfigError."""
    values = list(seeds) if not isinstance(seeds, int | str) else [seeds]
    bad = [s for s in values if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= MAX_SEED]
    if not values or bad:
        shown = repr(bad[0]) if bad else "none"
        raise ConfigError(f"seeds: expected integers in 0..{MAX_SEED}, got {shown[:40]}")
    return [int(s) for s in values]


def check_level(checks: str | bool | Mapping[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """(level, sizes over MaskingSettings') of ``checks`` (:func:`evaluate`); None: not run."""
    if checks is True or checks is False:
        level = DEFAULT_CHECKS if checks else "none"
        sizes: Mapping[str, Any] = {}
    elif isinstance(checks, str):
        level, sizes = checks, {}
    elif isinstance(checks, Mapping):
        sizes = dict(checks)
        level = str(sizes.pop("level", DEFAULT_CHECKS))
    else:
        raise ConfigError(
            f"checks: expected {listing(list(CHECK_LEVELS))} or a mapping of sizes, got {checks!r}"
        )
    if level not in CHECK_LEVELS:
        raise ConfigError(f"checks: unknown level {level!r} (expected {listing(list(CHECK_LEVELS))})")
    base = CHECK_LEVELS[level]
    if base is None:
        if sizes:
            raise ConfigError(f"checks: sizes given ({', '.join(sizes)}) but the level is none")
        return level, None
    return level, {**base, **sizes}


def check_device(device: str | torch.device) -> torch.device:
    """``device`` as a torch device of :data:`DEVICE_TYPES` that is present; a ConfigError otherwise."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        dev = None
    if dev is None or dev.type not in DEVICE_TYPES:
        raise ConfigError(f"device: {device}: expected cpu, cuda or cuda:N")
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device: {device}: no CUDA device here (cpu runs on the CPU)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ConfigError(f"device: {device}: this host has {torch.cuda.device_count()} CUDA device(s)")
    return dev


def as_tensors(x: Any, y: Any, what: str = "x") -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` and ``y`` as tensors: NumPy arrays (or nested lists) are converted, float inputs to
    float32 and integer labels to int64; anything else is a one-line ConfigError naming the fix."""
    import numpy as np

    out = []
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, np.ndarray | list | tuple):
            array = np.asarray(value)
            if array.dtype.kind == "f":
                value = torch.from_numpy(
                    np.ascontiguousarray(array, dtype=np.float32 if name == "x" else None)
                )
            elif array.dtype.kind in "iub":
                value = torch.from_numpy(np.ascontiguousarray(array))
            else:
                raise ConfigError(
                    f"{what}: {name} is a NumPy array of {array.dtype}: give numbers (float x, integer y)"
                )
        if not isinstance(value, torch.Tensor):
            raise ConfigError(
                f"{what}: {name} must be a torch tensor or a NumPy array, got {type(value).__name__} "
                f"(torch.as_tensor({name}) converts most array types)"
            )
        out.append(value)
    return out[0], out[1]


def check_data(x: torch.Tensor, y: torch.Tensor, what: str = "x") -> None:
    """``x`` (N, C, H, W) finite floats in [0, 1] and ``y`` (N,) integer labels: one-line
    ConfigErrors naming ``what`` and the fix otherwise."""
    if x.ndim != 4:
        fix = " (a grey-scale batch (N, H, W): add the channel axis, x[:, None])" if x.ndim == 3 else ""
        raise ConfigError(f"{what}: x must be (N, C, H, W), got shape {tuple(x.shape)}{fix}")
    if len(x) == 0:
        raise ConfigError(f"{what}: no examples (x has shape {tuple(x.shape)})")
    if y.shape != (len(x),):
        raise ConfigError(
            f"{what}: y must be (N,) = ({len(x)},) labels, one per input, got shape {tuple(y.shape)}"
        )
    if y.dtype == torch.bool or y.is_floating_point() or y.is_complex():
        raise ConfigError(f"{what}: y must be integer class labels (int64), got {y.dtype}")
    if not x.is_floating_point():
        hint = " (images of 0..255: x / 255)" if x.dtype == torch.uint8 else ""
        raise ConfigError(f"{what}: x must be floats in [0, 1], got {x.dtype}{hint}")
    bad = int((~torch.isfinite(x)).sum())
    if bad:
        raise ConfigError(
            f"{what}: x holds {bad} non-finite values (NaN or inf); the pixels must lie in [0, 1]"
        )
    if float(x.min()) < 0 or float(x.max()) > 1:
        raise ConfigError(
            f"{what}: x must lie in [0, 1], got [{float(x.min()):.3g}, {float(x.max()):.3g}] "
            "(normalise inside the model)"
        )
    if int(y.min()) < 0:
        raise ConfigError(f"{what}: labels must be 0 or more, got {int(y.min())}")


def check_weights(model: nn.Module, what: str = "model") -> None:
    """Every parameter and buffer of ``model`` finite: a one-line ConfigError naming the first
    that is not (a robust accuracy computed from NaN weights is no robust accuracy)."""
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.is_floating_point() or tensor.is_complex():
            bad = int((~torch.isfinite(tensor.detach())).sum())
            if bad:
                raise ConfigError(f"{what}: {name} holds {bad} non-finite values (NaN or inf)")


@torch.no_grad()
def check_inputs(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, what: str = "x", batch_size: int | None = None
) -> None:
    """The data (:func:`check_data`), and the model's logits on it: (N, C) finite numbers with
    C above every label; one-line ConfigErrors naming ``what`` (or ``model``) otherwise."""
    check_data(x, y, what)
    was = model.training
    try:
        model.eval()
        try:
            logits = model(x[:1])
        except Exception as exc:  # the user's forward on the user's shape: one line
            why = " ".join(str(exc).split())[:200]
            raise ConfigError(
                f"{what}: the model does not take inputs of shape {tuple(x[:1].shape)} ({type(exc).__name__}: {why})"
            ) from None
        if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[0] != 1:
            shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
            raise ConfigError(f"{what}: the model must return logits (N, classes), got {shape}")
        if int(y.max()) >= logits.shape[1]:
            raise ConfigError(f"{what}: labels must lie in 0..{logits.shape[1] - 1} (the model's classes)")
        step = batch_size or len(x)
        bad = sum(int((~torch.isfinite(model(x[i : i + step]))).any(1).sum()) for i in range(0, len(x), step))
        if bad:
            raise ConfigError(f"model: its logits are not finite (NaN or inf) on {bad} of {len(x)} inputs")
    finally:
        model.train(was)
