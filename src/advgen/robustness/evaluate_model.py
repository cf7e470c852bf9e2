"""Robust accuracy of a user's own model: ``advgen.evaluate`` and ``advgen evaluate``.

What AutoAttack's ``run_standard_evaluation`` (Croce & Hein 2020), torchattacks and
RobustBench do for any PyTorch classifier, with the pipeline's own parts: any attack of the
registry (:mod:`advgen.attacks.registry`; default AutoAttack standard) at the given norms and
eps, each seed on its own (:func:`advgen.robustness.evaluate.attack_sweep`, the rows of the
robustness curves, :data:`advgen.robustness.tables.CURVE_COLUMNS`), a Wilson score interval
(Wilson 1927) on each robust accuracy, and the gradient-masking checks of Carlini et al. 2019
(:func:`advgen.robustness.masking.masking_checks`, Linf PGD, so run where a Linf budget is
evaluated). :meth:`Evaluation.write` writes the tables as Parquet and a short Markdown and
HTML report.

The model maps [0, 1] inputs to logits (normalise inside it, as RobustBench's models do).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.registry import REGISTRY, listing
from advgen.columns import MASKING_COLUMNS
from advgen.errors import ConfigError
from advgen.robustness.evaluate import attack_sweep
from advgen.robustness.masking import masking_checks
from advgen.robustness.masking_spec import MaskingSettings
from advgen.robustness.spec import CurveAttackSpec
from advgen.robustness.tables import CURVE_COLUMNS, masking_markdown

#: the default attack: the reference evaluation of Croce & Hein 2020
DEFAULT_ATTACK = "AutoAttack"
#: the confidence of the intervals on robust accuracy
CONFIDENCE = 0.95
#: the table's columns: the robustness curves' and, per row, the attack's seed and the Wilson
#: interval of ``robust_acc`` over the ``n`` examples
COLUMNS = [*CURVE_COLUMNS, "seed", "robust_acc_low", "robust_acc_high"]
#: what :meth:`Evaluation.write` writes into its folder
FILES = {
    "table": "robustness.parquet",
    "masking": "masking.parquet",
    "markdown": "report.md",
    "html": "report.html",
}


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for ``k`` of ``n`` (Wilson 1927), through scipy's binomtest."""
    from scipy.stats import binomtest

    if n <= 0:
        return math.nan, math.nan
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def budgets(
    eps: float | Sequence[float] | Mapping[str, float | Sequence[float]], norm: str | Sequence[str]
) -> dict[str, tuple[float, ...]]:
    """norm -> its eps grid: ``eps`` a mapping norm -> eps (one or several), or eps for every
    norm of ``norm``. An eps outside [0, 1] in Linf, or below 0 or infinite, is a ConfigError."""
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
            if not isinstance(value, int | float) or not 0 <= float(value) <= top or math.isinf(value):
                bound = "[0, 1]" if name == "linf" else "a finite number >= 0"
                raise ConfigError(f"eps: {value!r} is out of range for norm {name} (expected {bound})")
        out[name] = tuple(float(v) for v in grid)
    return out


def attack_params(attack: str, norm: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The registry attack's constructor ``params`` at ``norm`` (checked against the registry's
    attacks, their norms and their parameters: one-line ConfigErrors)."""
    if attack not in REGISTRY:
        raise ConfigError(f"attack: unknown attack {attack!r} (known: {listing(list(REGISTRY))})")
    info = REGISTRY[attack]
    if norm not in info.norms:
        raise ConfigError(f"norm: {attack} takes {listing(list(info.norms))}, not {norm!r}")
    known = tuple(info.defaults)
    unknown = [k for k in params or {} if k not in known or k == "norm"]
    if unknown:
        allowed = listing([k for k in known if k != "norm"]) if len(known) > 1 else "none"
        raise ConfigError(
            f"params: {attack} has no parameter {', '.join(unknown)} (its parameters: {allowed})"
        )
    out = dict(params or {})
    if "norm" in known:
        out["norm"] = norm
    info.checked(out)  # each value against its range and choices (the registry's dataclass)
    return out


@dataclass
class Evaluation:
    """What :func:`evaluate` measured: ``table`` (:data:`COLUMNS`: one row per norm, eps and
    seed), ``masking`` (the gradient-masking checks' rows, ``advgen.columns.MASKING_COLUMNS``;
    empty when they did not run) and ``notes`` (lines for the report)."""

    table: pd.DataFrame
    masking: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def robust_accuracy(self) -> dict[tuple[str, float], float]:
        """(norm, eps) -> the worst robust accuracy over the seeds."""
        worst = self.table.groupby(["norm", "eps"], sort=False)["robust_acc"].min()
        return {(str(n), float(e)): float(a) for (n, e), a in worst.items()}

    def markdown(self) -> str:
        """The short report: the robust accuracies with their intervals, the checks, the notes."""
        t = self.table
        lines = [f"# Robust accuracy of {t['classifier'].iloc[0] if len(t) else 'the model'}", ""]
        lines += [
            f"| attack | norm | eps | seed | n | clean acc | robust acc | {CONFIDENCE:.0%} interval |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in t.itertuples():
            lines.append(
                f"| {r.attack} | {r.norm} | {r.eps:g} | {r.seed} | {r.n} | {r.clean_acc:.3f} | "
                f"{r.robust_acc:.3f} | [{r.robust_acc_low:.3f}, {r.robust_acc_high:.3f}] |"
            )
        lines += ["", "Interval: Wilson score (Wilson 1927) over the n examples, per seed.", ""]
        lines += ["## Gradient-masking checks (Carlini et al. 2019)", ""]
        lines += [masking_markdown(self.masking) if len(self.masking) else "Not run.\n"]
        if self.notes:
            lines += ["## Notes", "", *[f"- {note}" for note in self.notes], ""]
        return "\n".join(lines)

    def html(self) -> str:
        """The report as one self-contained HTML page (the same content as :meth:`markdown`)."""
        low, high = self.table["robust_acc_low"], self.table["robust_acc_high"]
        t = self.table.assign(interval=[f"[{lo:.3f}, {hi:.3f}]" for lo, hi in zip(low, high, strict=True)])
        shown = t[["attack", "norm", "eps", "seed", "n", "clean_acc", "robust_acc", "interval"]]
        name = html.escape(str(self.table["classifier"].iloc[0])) if len(self.table) else "the model"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>Robust accuracy of {name}</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}</style>",
            f"</head><body><h1>Robust accuracy of {name}</h1>",
            shown.to_html(index=False, float_format=lambda v: f"{v:.3g}"),
            "<p>Interval: Wilson score (Wilson 1927) over the n examples, per seed.</p>",
            "<h2>Gradient-masking checks (Carlini et al. 2019)</h2>",
        ]
        if len(self.masking):
            checks = self.masking[["check", "passed", "value", "reference", "eps", "detail"]]
            parts.append(checks.to_html(index=False, float_format=lambda v: f"{v:.3f}"))
        else:
            parts.append("<p>Not run.</p>")
        if self.notes:
            parts.append(
                "<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>"
            )
        parts.append("</body></html>\n")
        return "\n".join(parts)

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write :data:`FILES` into ``folder``, together (:mod:`advgen.output_set`: the folder holds
        all the old files or all the new ones); returns what -> path."""
        from advgen.io import write_parquet, write_text
        from advgen.output_set import output_set

        folder = Path(folder)
        paths = {what: folder / name for what, name in FILES.items()}
        with output_set():
            write_parquet(self.table, paths["table"])
            write_parquet(self.masking, paths["masking"])
            write_text(paths["markdown"], self.markdown())
            write_text(paths["html"], self.html())
        return paths


def sample_data(
    source: str,
    *,
    max_train: int | None = None,
    max_test: int | None = None,
    image_size: int | None = None,
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """``(x_train, y_train), (x_test, y_test)`` of an offline data set
    (:data:`advgen.data.sources.BUNDLED_SOURCES`: the 5,000-digit MNIST sample, scikit-learn's
    digits) with the pipeline's split and resizing (``image_size``: default the source's, 28);
    ``max_train`` / ``max_test``: seeded class-balanced subsets, as a config's ``datasets`` entry."""
    from advgen.config import dataset_spec
    from advgen.data.registry import SOURCES, load_source
    from advgen.data.sources import BUNDLED_SOURCES

    if source not in BUNDLED_SOURCES:
        raise ConfigError(
            f"data: unknown data set {source!r} (offline ones: {listing(list(BUNDLED_SOURCES))})"
        )
    entry = {
        "source": source,
        "image_size": image_size or SOURCES[source].default_size,
        "max_train": max_train,
        "max_test": max_test,
    }
    train, test = load_source(dataset_spec(entry, "data"), download=False)
    return (train.images, train.labels), (test.images, test.labels)


def check_inputs(model: nn.Module, x: torch.Tensor, y: torch.Tensor, what: str = "x") -> None:
    """``x`` (N, ...) in [0, 1], ``y`` (N,) integer labels, and ``model(x[:1])`` logits (1, C)
    with C above every label: one-line ConfigErrors naming ``what`` otherwise."""
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ConfigError(f"{what}: x and y must be tensors")
    if x.ndim < 2 or len(x) == 0 or y.shape != (len(x),):
        raise ConfigError(
            f"{what}: x (N, ...) and y (N,) expected, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if not x.is_floating_point() or y.is_floating_point() or y.dtype == torch.bool:
        raise ConfigError(f"{what}: x must be float and y integer labels, got {x.dtype} and {y.dtype}")
    if float(x.min()) < 0 or float(x.max()) > 1:
        raise ConfigError(f"{what}: x must lie in [0, 1] (normalise inside the model)")
    was = model.training
    try:
        model.eval()
        with torch.no_grad():
            logits = model(x[:1])
    except Exception as exc:  # the user's forward on the user's shape: one line
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(
            f"{what}: the model does not take inputs of shape {tuple(x[:1].shape)} ({type(exc).__name__}: {why})"
        ) from None
    finally:
        model.train(was)
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[0] != 1:
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ConfigError(f"{what}: the model must return logits (N, classes), got {shape}")
    if int(y.min()) < 0 or int(y.max()) >= logits.shape[1]:
        raise ConfigError(f"{what}: labels must lie in 0..{logits.shape[1] - 1} (the model's classes)")


def evaluate(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float | Sequence[float] | Mapping[str, float | Sequence[float]] = 0.3,
    norm: str | Sequence[str] = "linf",
    attack: str = DEFAULT_ATTACK,
    params: Mapping[str, Any] | None = None,
    seeds: Sequence[int] = (0,),
    checks: bool | Mapping[str, Any] = True,
    name: str = "model",
    batch_size: int | None = None,
    device: str | torch.device | None = None,
    out: str | Path | None = None,
) -> Evaluation:
    """Robust accuracy of ``model`` on (x, y) under ``attack`` at each norm and eps and seed.

    Arguments:
        model: [0, 1] inputs -> logits; it is put in eval mode while attacked.
        x, y: float inputs (N, C, H, W) in [0, 1] and int64 labels (N,).
        eps: the budgets: one or several (at each norm of ``norm``), or norm -> budgets
            (``{"linf": [8/255], "l2": [0.5]}``).
        norm: the norm(s) of ``eps`` when it is not a mapping.
        attack: a name of :data:`advgen.attacks.registry.REGISTRY` (default AutoAttack, standard).
        params: the attack's constructor arguments (``{"version": "plus"}``; the registry's
            defaults otherwise: AutoAttack's are the paper's).
        seeds: each seed runs the attack once (one row per norm, eps and seed).
        checks: run the gradient-masking checks (True: their default sizes; a mapping: sizes
            of :class:`advgen.robustness.masking_spec.MaskingSettings`; False: skip). They use
            Linf PGD at the largest Linf eps (grid: 0 and the Linf eps), on the first seed.
        name: the model's name in the tables (their ``classifier`` and ``model`` columns).
        device: where to run (default: where the model's parameters are).
        out: a folder to write the tables and the report into (:meth:`Evaluation.write`).
    """
    grids = budgets(eps, norm)
    specs = {n: attack_params(attack, n, params) for n in grids}
    if not seeds or any(not isinstance(s, int) or s < 0 for s in seeds):
        raise ConfigError(f"seeds: expected non-negative integers, got {list(seeds)!r}")
    settings = _check_settings(checks, grids)
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    model = model.to(device)
    x, y = x.to(device), y.to(device)
    check_inputs(model, x, y)
    y = y.long()
    rows = []
    for norm_name, grid in grids.items():
        for seed in seeds:
            spec = CurveAttackSpec(attack=attack, params=specs[norm_name], seed=int(seed), eps=grid)
            label = (
                f"{attack}-{specs[norm_name].get('version', 'standard')}"
                if REGISTRY[attack].reference
                else attack
            )
            table, _ = attack_sweep(model, x, y, spec, classifier=name, attack=label, batch_size=batch_size)
            table = table.assign(seed=int(seed))
            rows.append(table)
    table = pd.concat(rows, ignore_index=True)
    correct = (table["robust_acc"] * table["n"]).round().astype(int)
    bounds = [wilson(int(k), int(n)) for k, n in zip(correct, table["n"], strict=True)]
    table["robust_acc_low"] = [lo for lo, _ in bounds]
    table["robust_acc_high"] = [hi for _, hi in bounds]
    table = table[COLUMNS]
    notes: list[str] = []
    if settings is not None:
        masking = masking_checks(model, x, y, name=name, settings=settings, seed=int(seeds[0]))
    else:
        masking = pd.DataFrame({c: [] for c in MASKING_COLUMNS}, columns=MASKING_COLUMNS)
        why = "checks=False" if checks is False else "no Linf budget was evaluated (the checks use Linf PGD)"
        notes.append(f"The gradient-masking checks did not run: {why}.")
    result = Evaluation(table, masking, notes)
    if out is not None:
        result.write(out)
    return result


def _check_settings(
    checks: bool | Mapping[str, Any], grids: Mapping[str, Sequence[float]]
) -> MaskingSettings | None:
    """The checks' sizes at the largest Linf eps (None: they do not run)."""
    if checks is False or "linf" not in grids:
        return None
    linf = sorted(set(grids["linf"]))
    values = dict(checks) if isinstance(checks, Mapping) else {}
    values.setdefault("eps", max(linf))
    values.setdefault("eps_grid", sorted({0.0, *linf}))
    return MaskingSettings.from_mapping(values, "checks")
