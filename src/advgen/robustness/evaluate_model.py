"""Robust accuracy of a user's own model: ``advgen.evaluate`` and ``advgen evaluate``.

What AutoAttack's ``run_standard_evaluation`` (Croce & Hein 2020), torchattacks and
RobustBench do for any PyTorch classifier, with the pipeline's own parts: any attack of the
registry (:mod:`advgen.attacks.registry`; default AutoAttack standard) at the given norms and
eps, each seed on its own (:func:`advgen.robustness.evaluate.run_sweep`, the rows of the
robustness curves, :data:`advgen.robustness.tables.CURVE_COLUMNS`), a Wilson score interval
(Wilson 1927) on each robust accuracy, AutoAttack's robust accuracy after each of its attacks
(:meth:`advgen.attacks.autoattack.AutoAttackResult.robust_after`), and the gradient-masking
checks of Carlini et al. 2019 (:func:`advgen.robustness.masking.masking_rows`, Linf PGD, so run
where a Linf budget is evaluated) at a level of
:data:`advgen.robustness.masking_spec.CHECK_LEVELS`; the arguments are checked first
(:mod:`advgen.robustness.evaluate_inputs`). Each attack run and each
check is a stage (:mod:`advgen.robustness.stages`): a progress line when it ends (logger
``advgen.evaluate``, INFO) and a row of the stage times. :meth:`Evaluation.write` writes the
tables as Parquet (the run's facts, :mod:`advgen.robustness.run_facts`, in their metadata) and
the report as Markdown and HTML from one formatter (:mod:`advgen.robustness.evaluation_report`).

The model maps [0, 1] inputs to logits (normalise inside it, as RobustBench's models do).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import torch
from torch import nn

from advgen.attacks.autoattack import LABELS as AUTOATTACK_LABELS
from advgen.attacks.autoattack import AutoAttack
from advgen.attacks.base import Attack
from advgen.attacks.registry import REGISTRY, listing
from advgen.columns import MASKING_COLUMNS
from advgen.errors import ConfigError
from advgen.robustness.evaluate import make_attack, run_sweep, sweep_tables
from advgen.robustness.evaluate_inputs import (
    as_tensors,
    attack_name,
    attack_params,
    budgets,
    check_data,
    check_device,
    check_inputs,
    check_level,
    check_seeds,
    check_weights,
)
from advgen.robustness.evaluation_table import BREAKDOWN, COLUMNS, CONFIDENCE, FILES, STAGE_COLUMNS
from advgen.robustness.masking import masking_rows
from advgen.robustness.masking_spec import DEFAULT_CHECKS, MaskingSettings
from advgen.robustness.spec import CurveAttackSpec
from advgen.robustness.stages import Stage, Stages, attack_work, check_work, working_share
from advgen.robustness.tables import MASKING_CHECKS as CHECKS

if TYPE_CHECKING:
    import numpy.typing as npt

log = logging.getLogger("advgen.evaluate")

#: the default attack: the reference evaluation of Croce & Hein 2020
DEFAULT_ATTACK = "AutoAttack"


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval for ``k`` of ``n`` (Wilson 1927), through scipy's binomtest."""
    from scipy.stats import binomtest

    if n <= 0:
        return math.nan, math.nan
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass
class Evaluation:
    """What :func:`evaluate` measured: ``table`` (:data:`COLUMNS`: one row per norm, eps and
    seed), ``masking`` (the gradient-masking checks' rows, ``advgen.columns.MASKING_COLUMNS``;
    empty when they did not run), ``notes`` (lines for the report), ``stages`` (the stage
    times, :data:`STAGE_COLUMNS`), ``facts`` (:mod:`advgen.robustness.run_facts`) and
    ``checks_text`` (the checks' level and sizes, one line).

    In a notebook it shows as its report (``_repr_markdown_``, ``_repr_html_``)."""

    table: pd.DataFrame
    masking: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    stages: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STAGE_COLUMNS))
    facts: dict[str, str] = field(default_factory=dict)
    checks_text: str = ""

    @property
    def robust_accuracy(self) -> dict[tuple[str, float], float]:
        """(norm, eps) -> the worst robust accuracy over the seeds."""
        worst = self.table.groupby(["norm", "eps"], sort=False)["robust_acc"].min()
        return {(str(n), float(e)): float(a) for (n, e), a in worst.items()}

    def markdown(self) -> str:
        """The report: robust accuracies with their intervals, AutoAttack's breakdown, the
        checks, the stage times, the run's facts and the notes."""
        from advgen.robustness.evaluation_report import markdown, report_blocks

        return markdown(report_blocks(self))

    def html(self) -> str:
        """The report as one self-contained HTML page (the blocks of :meth:`markdown`)."""
        from advgen.robustness.evaluation_report import html, report_blocks

        return html(report_blocks(self))

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_html_(self) -> str:
        from advgen.robustness.evaluation_report import html_fragment, report_blocks

        return html_fragment(report_blocks(self))

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write :data:`FILES` into ``folder``, together (:mod:`advgen.output_set`: the folder holds
        all the old files or all the new ones; the facts and stage times in the Parquet files'
        key-value metadata); returns what -> path."""
        from advgen.io import write_parquet, write_text
        from advgen.output_set import output_set
        from advgen.robustness.run_facts import parquet_metadata

        folder = Path(folder)
        paths = {what: folder / name for what, name in FILES.items()}
        meta = parquet_metadata(self.facts, self.stages.to_dict("records"))
        with output_set():
            write_parquet(self.table, paths["table"], meta)
            write_parquet(self.masking, paths["masking"], meta)
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


def test_subset_seed(source: str) -> int:
    """The seed of the class-balanced test subset :func:`sample_data` draws from ``source``
    (the data set's ``split_seed`` + 1: :func:`advgen.data.registry.load_source`)."""
    from advgen.config import dataset_spec
    from advgen.data.registry import SOURCES

    spec = dataset_spec({"source": source, "image_size": SOURCES[source].default_size}, "data")
    return int(spec.split_seed) + 1


def evaluate(
    model: nn.Module,
    x: torch.Tensor | npt.ArrayLike,
    y: torch.Tensor | npt.ArrayLike,
    *,
    eps: float | Sequence[float] | Mapping[str, float | Sequence[float]] = 0.3,
    norm: str | Sequence[str] = "linf",
    attack: str = DEFAULT_ATTACK,
    params: Mapping[str, Any] | None = None,
    seeds: Sequence[int] = (0,),
    checks: str | bool | Mapping[str, Any] = DEFAULT_CHECKS,
    name: str = "model",
    batch_size: int | None = None,
    device: str | torch.device | None = None,
    out: str | Path | None = None,
    facts: Mapping[str, str] | None = None,
) -> Evaluation:
    """Robust accuracy of ``model`` on (x, y) under ``attack`` at each norm, eps and seed, with
    the gradient-masking checks of Carlini et al. 2019.

    Arguments:
        model: [0, 1] inputs -> logits; it is put in eval mode while attacked.
        x, y: float inputs (N, C, H, W) in [0, 1] and integer labels (N,): tensors, or NumPy
            arrays (converted: float32 inputs, int64 labels).
        eps: the budgets: one or several (at each norm of ``norm``), or norm -> budgets
            (``{"linf": [8/255], "l2": [0.5]}``).
        norm: the norm(s) of ``eps`` when it is not a mapping.
        attack: a name of :data:`advgen.attacks.registry.REGISTRY`, case aside (default
            AutoAttack, standard: Croce & Hein 2020).
        params: the attack's constructor arguments (``{"version": "plus"}``; the registry's
            defaults otherwise: AutoAttack's are the paper's).
        seeds: each seed runs the attack once (one row per norm, eps and seed).
        checks: the gradient-masking checks' level
            (:data:`~advgen.robustness.masking_spec.CHECK_LEVELS`: ``"quick"``, the
            default, ``"full"``, ``"none"``; True: the default, False: none), or a mapping of
            their sizes (:class:`~advgen.robustness.masking_spec.MaskingSettings`' fields) over
            the level its ``"level"`` key names (default quick). They use Linf PGD at the
            largest Linf eps (grid: 0 and the Linf eps), on the first seed.
        name: the model's name in the tables (their ``classifier`` and ``model`` columns).
        batch_size: inputs attacked per chunk (default: all at once).
        device: ``cpu``, ``cuda`` or ``cuda:N`` (default: where the model's parameters are).
        out: a folder to write the tables and the report into (:meth:`Evaluation.write`).
        facts: the run's facts the caller knows (data source, checkpoint, command:
            :mod:`advgen.robustness.run_facts`), added to the versions, device and times.

    Returns:
        An :class:`Evaluation`. Each attack run and each check logs a line as it ends (logger
        ``advgen.evaluate``, INFO: its time, the time so far and the time left).

    Raises:
        ConfigError: one line naming the argument, before any attack runs: an eps out of
            range, an unknown attack, norm, parameter, check level or device, data of another
            shape or type, non-finite pixels, weights or logits, labels the model lacks.
    """
    from advgen.robustness import run_facts

    t_start, started = time.perf_counter(), run_facts.now()
    run = _checked(model, x, y, eps, norm, attack, params, seeds, checks, batch_size, device)
    label, runs, attacks = _attack_runs(run, batch_size)
    stages = _stages(run, label, runs, attacks)
    _log_plan(run, name, label, stages)
    table = _attack_table(run, name, label, runs, attacks, stages, batch_size)
    masking, notes, checks_text = _masking(run, name, checks, stages)
    all_facts = {
        **run_facts.base_facts(run.device),
        "checks": run.level if run.settings is not None else "none",
        "command": "advgen.evaluate (Python)",
        **(facts or {}),
        "started": started,
        "seconds": f"{time.perf_counter() - t_start:.1f}",
    }
    stage_table = pd.DataFrame(stages.rows(), columns=STAGE_COLUMNS)
    result = Evaluation(table, masking, notes, stage_table, run_facts.ordered(all_facts), checks_text)
    log.info("done in %s", _seconds(time.perf_counter() - t_start))
    if out is not None:
        result.write(out)
    return result


@dataclass(frozen=True)
class _Checked:
    """:func:`evaluate`'s arguments, checked, and the model and data on their device."""

    grids: dict[str, tuple[float, ...]]
    attack: str
    specs: dict[str, dict[str, Any]]
    seeds: list[int]
    level: str
    settings: MaskingSettings | None
    device: torch.device
    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor


def _checked(
    model: nn.Module,
    x: torch.Tensor | npt.ArrayLike,
    y: torch.Tensor | npt.ArrayLike,
    eps: float | Sequence[float] | Mapping[str, float | Sequence[float]],
    norm: str | Sequence[str],
    attack: str,
    params: Mapping[str, Any] | None,
    seeds: Sequence[int],
    checks: str | bool | Mapping[str, Any],
    batch_size: int | None,
    device: str | torch.device | None,
) -> _Checked:
    """Every argument checked (one ``ConfigError`` line naming the first bad one, before any
    attack runs), and the model and data moved to the device."""
    grids = budgets(eps, norm)
    attack = attack_name(attack)
    specs = {n: attack_params(attack, n, params) for n in grids}
    seeds = check_seeds(seeds)
    level, settings = _check_settings(checks, grids)
    dev = (
        check_device(device)
        if device is not None
        else next((p.device for p in model.parameters()), torch.device("cpu"))
    )
    x, y = as_tensors(x, y)
    check_data(x, y)
    check_weights(model)
    model = model.to(dev)
    x, y = x.to(dev), y.to(dev).long()
    check_inputs(model, x, y, batch_size=batch_size)
    import scipy.stats  # noqa: F401  (the intervals' import, seconds when cold: not a stage's time)

    return _Checked(grids, attack, specs, list(seeds), level, settings, dev, model, x, y)


def _attack_runs(
    run: _Checked, batch_size: int | None
) -> tuple[str, list[tuple[str, int, CurveAttackSpec]], dict[tuple[str, int], Attack]]:
    """The attack's label in the tables, its runs (norm, seed, spec) and each run's attack."""
    attack, specs, grids = run.attack, run.specs, run.grids
    label = (
        f"{attack}-{specs[next(iter(grids))].get('version', 'standard')}"
        if REGISTRY[attack].reference
        else attack
    )
    runs = [
        (n, seed, CurveAttackSpec(attack=attack, params=specs[n], seed=seed, eps=grids[n]))
        for n in grids
        for seed in run.seeds
    ]
    attacks = {
        (n, seed): make_attack(spec, run.model, batch_size=batch_size, evaluation=True)
        for n, seed, spec in runs
    }
    return label, runs, attacks


def _stages(
    run: _Checked,
    label: str,
    runs: Sequence[tuple[str, int, CurveAttackSpec]],
    attacks: Mapping[tuple[str, int], Attack],
) -> Stages:
    """A stage per attack run (its work: the attack's per eps) and per gradient-masking check."""
    settings = run.settings
    return Stages(
        [
            Stage(
                f"{label} {n} seed {seed}",
                "attack",
                attack_work(attacks[n, seed]) * len(run.grids[n]),
                key=f"{label} {n}",
            )
            for n, seed, _ in runs
        ]
        + [Stage(f"check {c}", "check", check_work(c, settings), key=c) for c in (CHECKS if settings else ())]
    )


def _log_plan(run: _Checked, name: str, label: str, stages: Stages) -> None:
    """The evaluation's plan: a line at INFO, each stage's most work at DEBUG."""
    log.info(
        "evaluating %s on %d inputs (%s): %s at %s, seed%s %s; gradient-masking checks: %s; %d stages",
        name,
        len(run.x),
        run.device,
        label,
        "; ".join(f"{n} eps {', '.join(f'{e:g}' for e in g)}" for n, g in run.grids.items()),
        "s" if len(run.seeds) > 1 else "",
        ", ".join(map(str, run.seeds)),
        run.level if run.settings is not None else "none",
        len(stages.stages),
    )
    for stage in stages.stages:
        log.debug("%s: at most %.0f input-gradient evaluations per input", stage.name, stage.work)


def _attack_table(
    run: _Checked,
    name: str,
    label: str,
    runs: Sequence[tuple[str, int, CurveAttackSpec]],
    attacks: Mapping[tuple[str, int], Attack],
    stages: Stages,
    batch_size: int | None,
) -> pd.DataFrame:
    """Each attack run, a stage: its rows (one per eps, with their intervals and breakdown)."""
    model, x, y, settings = run.model, run.x, run.y, run.settings
    rows = []
    for n, seed, spec in runs:
        with stages.run(f"{label} {n} seed {seed}") as stage:
            atk = attacks[n, seed]
            hook = _ComponentProgress(stage.name)
            if isinstance(atk, AutoAttack):
                atk.progress = hook
            sweep = run_sweep(model, x, y, spec, batch_size=batch_size, attack=atk)
            table, _ = sweep_tables(
                model, x, sweep, spec, classifier=name, attack=label, batch_size=batch_size
            )
            table = _with_intervals(table.assign(seed=seed, **_breakdown(sweep.results)))
            if hook.attacked:  # the work done, not the most it could have been: the estimate's rate
                parts = dict(atk.components())
                stage.work = sum(attack_work(parts[c]) * k for c, k in hook.attacked.items()) / len(x)
            stage.parts = _component_seconds(sweep.results)
            stage.summary = "robust accuracy " + ", ".join(
                f"{row.robust_acc:.3f} at eps {row.eps:g}{_breakdown_text(res)}"
                for row, res in zip(table.itertuples(), sweep.results, strict=True)
            )
            rows.append(table)
            if settings is not None:  # how many inputs the checks' attacks will keep: their estimate
                _price_checks(stages, settings, pd.concat(rows))
    return pd.concat(rows, ignore_index=True)[COLUMNS]


def _masking(
    run: _Checked, name: str, checks: str | bool | Mapping[str, Any], stages: Stages
) -> tuple[pd.DataFrame, list[str], str]:
    """The gradient-masking checks, each a stage (on the first seed): their table, the report's
    notes (checks not run, or flagged) and the text of their settings."""
    settings, notes, checks_text = run.settings, [], ""
    if settings is not None:
        checks_text = _checks_text(run.level, settings)
        found = masking_rows(run.model, run.x, run.y, name=name, settings=settings, seed=run.seeds[0])
        masks = []
        for check in CHECKS:
            with stages.run(f"check {check}") as stage:
                row = next(found)
                stage.summary = f"{'pass' if row['passed'] else 'FLAG'}: {row['detail']}"
                masks.append(row)
        masking = pd.DataFrame(masks, columns=MASKING_COLUMNS)
    else:
        masking = pd.DataFrame({c: [] for c in MASKING_COLUMNS}, columns=MASKING_COLUMNS)
        why = (
            f"checks={checks!r}"
            if "linf" in run.grids
            else "no Linf budget was evaluated (the checks use Linf PGD)"
        )
        notes.append(f"The gradient-masking checks did not run: {why}.")
    flagged = masking.loc[~masking["passed"].astype(bool), "check"].tolist() if len(masking) else []
    if flagged:
        notes.append(
            f"Flagged: {', '.join(flagged)}: a sign of gradient masking or of too weak an attack "
            "(docs/robustness_checks.md); robust accuracy may be overestimated."
        )
    return masking, notes, checks_text


def _seconds(value: float) -> str:
    from advgen.robustness.stages import seconds

    return seconds(value)


class _ComponentProgress:
    """An AutoAttack ``progress`` hook: a line per component at INFO (``-v`` not needed), and
    the inputs each component attacked (``attacked``)."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.attacked: dict[str, int] = {}

    def __call__(self, component: str, fooled: int, attacked: int, secs: float) -> None:
        self.attacked[component] = self.attacked.get(component, 0) + attacked
        label = AUTOATTACK_LABELS.get(component, component)
        log.info(
            "  %s: %s fooled %d of the %d inputs still robust (%s)",
            self.stage,
            label,
            fooled,
            attacked,
            _seconds(secs),
        )


def _price_checks(stages: Stages, settings: MaskingSettings, table: pd.DataFrame) -> None:
    """The checks' work (:func:`~advgen.robustness.stages.check_work`) from the attack rows so
    far at the checks' eps: the share of inputs the checks' attacks will keep working on."""
    at = table[(table["norm"] == "linf") & (table["eps"] == settings.eps)]
    if len(at):
        share = working_share(float(at["clean_acc"].mean()), float(at["robust_acc"].min()))
        for check in CHECKS:
            stages[f"check {check}"].work = check_work(check, settings, share)


def _with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the Wilson interval (Wilson 1927) of each row's robust accuracy."""
    correct = (table["robust_acc"] * table["n"]).round().astype(int)
    bounds = [wilson(int(k), int(n)) for k, n in zip(correct, table["n"], strict=True)]
    return table.assign(robust_acc_low=[lo for lo, _ in bounds], robust_acc_high=[hi for _, hi in bounds])


def _breakdown(results: Sequence[Any]) -> dict[str, list[float]]:
    """:data:`BREAKDOWN`'s columns for one sweep's results (NaN where a component did not run)."""
    after = [r.robust_after() if hasattr(r, "robust_after") else {} for r in results]
    return {col: [a.get(c, math.nan) for a in after] for c, col in BREAKDOWN.items()}


def _breakdown_text(result: Any) -> str:
    """`` (after APGD-CE 0.120, APGD-T 0.100, ...)`` in the order the components ran ("" for another attack)."""
    after = result.robust_after() if hasattr(result, "robust_after") else {}
    parts = [f"{AUTOATTACK_LABELS.get(c, c)} {acc:.3f}" for c, acc in after.items()]
    return f" (after {', '.join(parts)})" if parts else ""


def _component_seconds(results: Sequence[Any]) -> dict[str, float]:
    """AutoAttack's seconds per component, summed over the sweep's budgets (none for another attack)."""
    out: dict[str, float] = {}
    for r in results:
        for c, secs in getattr(r, "seconds", {}).items():
            out[AUTOATTACK_LABELS.get(c, c)] = out.get(AUTOATTACK_LABELS.get(c, c), 0.0) + float(secs)
    return out


def _checks_text(level: str, s: MaskingSettings) -> str:
    grid = ", ".join(f"{e:g}" for e in s.eps_grid)
    pgd = "stops early on the inputs it fooled" if s.early_stop else "runs every step"
    return (
        f"Level {level}: Linf PGD-{s.pgd_steps} at eps {s.eps:g} (grid {grid}), PGD-{s.long_steps} x "
        f"{s.long_restarts} restarts, PGD-{s.unbounded_steps} at eps 1, a black-box attack with "
        f"{s.n_queries:,} queries; PGD {pgd}."
    )


def _check_settings(
    checks: str | bool | Mapping[str, Any], grids: Mapping[str, Sequence[float]]
) -> tuple[str, MaskingSettings | None]:
    """The checks' level and sizes at the largest Linf eps (None: they do not run)."""
    level, sizes = check_level(checks)
    if sizes is None or "linf" not in grids:
        return level, None
    linf = sorted(set(grids["linf"]))
    values = dict(sizes)
    values.setdefault("eps", max(linf))
    values.setdefault("eps_grid", sorted({0.0, *linf}))
    return level, MaskingSettings.from_mapping(values, "checks")
