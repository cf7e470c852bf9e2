"""An evaluation's stages, timed as they run: a progress line at the end of each one, with
the time so far and an estimate of the time left, and the table of stage times the report shows.

A stage is one unit of ``advgen evaluate``'s work: one attack run (an attack at one norm and
seed, over its eps grid) or one gradient-masking check. Each has ``work``, the input-gradient
evaluations per input it would take at most (:func:`attack_work`, :func:`check_work`; a query
of a black-box attack counts half, a forward pass without the backward). A stage not yet run is
expected to take the mean time of the finished stages with its ``key`` (another seed of the
same attack and budgets), else its work at the rate of the finished stages of its ``group``
(attacks, checks), else at the rate of every finished stage. Attacks stop early on the inputs
they fooled, so ``work`` is an upper bound and the first estimates are too.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.time_left import time_left

log = logging.getLogger("advgen.evaluate")

#: the work of a forward pass relative to a forward and backward one (a black-box query)
QUERY = 0.5


@dataclass
class Stage:
    """One stage: its ``name`` in the lines and the report, its ``group`` ("attack" or
    "check"), ``key`` (stages of one key cost alike), ``work`` (see the module docstring),
    and, once it ran, its ``seconds``, ``summary`` (what it found, one line) and ``parts``
    (part -> seconds: AutoAttack's components)."""

    name: str
    group: str
    work: float
    key: str = ""
    seconds: float | None = None
    summary: str = ""
    parts: dict[str, float] = field(default_factory=dict)


class Stages:
    """The stages of one evaluation, run in order through :meth:`run` (``clock``: seconds)."""

    def __init__(self, stages: list[Stage], clock: Callable[[], float] = time.perf_counter) -> None:
        self.stages = stages
        self.clock = clock
        self.started = clock()

    def __getitem__(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    @contextlib.contextmanager
    def run(self, name: str) -> Iterator[Stage]:
        """Time the stage ``name``; at its end, log its line (:meth:`line`) at INFO."""
        stage = self[name]
        t0 = self.clock()
        yield stage
        stage.seconds = self.clock() - t0
        log.info(self.line(stage))

    def elapsed(self) -> float:
        return self.clock() - self.started

    def expected(self, stage: Stage) -> float | None:
        """The seconds ``stage`` is expected to take (module docstring); None before any ran."""
        done = [s for s in self.stages if s.seconds is not None]
        same = [s.seconds for s in done if s.key and s.key == stage.key and s.seconds is not None]
        if same:
            return sum(same) / len(same)
        for pool in ([s for s in done if s.group == stage.group], done):
            work = sum(s.work for s in pool)
            if pool and work > 0:
                return stage.work * sum(s.seconds or 0.0 for s in pool) / work
        return None

    def seconds_left(self) -> float | None:
        """The estimate for the stages not yet run (0 when all ran; None when not known yet)."""
        left = 0.0
        for stage in self.stages:
            if stage.seconds is None:
                each = self.expected(stage)
                if each is None:
                    return None
                left += each
        return left

    def line(self, stage: Stage) -> str:
        """``[k/n] NAME: SUMMARY (S s); E s elapsed, ~L left``."""
        k = self.stages.index(stage) + 1
        left = self.seconds_left()
        estimate = "time left not known yet" if left is None else time_left(left)
        summary = f"{stage.summary} " if stage.summary else ""
        return (
            f"[{k}/{len(self.stages)}] {stage.name}: {summary}({seconds(stage.seconds or 0.0)}); "
            f"{seconds(self.elapsed())} elapsed, {estimate}"
        )

    def rows(self) -> list[dict[str, Any]]:
        """The stage times: one row per stage (``stage``, ``seconds``, ``share`` of the total),
        each stage's parts after it (``stage``: ``NAME: PART``)."""
        total = sum(s.seconds or 0.0 for s in self.stages)
        out = []
        for s in self.stages:
            for name, secs in [
                (s.name, s.seconds or 0.0),
                *((f"{s.name}: {p}", t) for p, t in s.parts.items()),
            ]:
                out.append({"stage": name, "seconds": secs, "share": secs / total if total > 0 else 0.0})
        return out


def seconds(value: float) -> str:
    """``0.04 s``, ``2.3 s``, ``41 s``, ``12 min 05 s``."""
    if value < 1:
        return f"{value:.2f} s"
    if value < 10:
        return f"{value:.1f} s"
    if value < 600:
        return f"{value:.0f} s"
    return f"{int(value // 60)} min {round(value % 60):02d} s"


def attack_work(attack: Any) -> float:
    """Input-gradient evaluations per input of one run of ``attack`` at one budget, at most.

    Read from what the attack has (never its name): an ensemble's ``components()`` add up; else
    its iterations (``steps`` or ``n_iter``; 1 for a single step) or its queries (``n_queries``,
    :data:`QUERY` each), times its restarts, its target classes (a targeted attack) and its EOT
    draws."""
    components = getattr(attack, "components", None)
    if callable(components):
        return float(sum(attack_work(part) for _, part in components()))
    queries = getattr(attack, "n_queries", None)
    iterations = getattr(attack, "steps", None) or getattr(attack, "n_iter", None) or 1
    work = QUERY * queries if queries else float(iterations)
    work *= getattr(attack, "restarts", None) or getattr(attack, "n_restarts", None) or 1
    if getattr(attack, "targeted", True):
        work *= getattr(attack, "n_target_classes", None) or 1
    return work * (getattr(attack, "eot_iter", None) or 1)


def check_work(check: str, settings: Any, share: float = 1.0) -> float:
    """Input-gradient evaluations per input of one gradient-masking check at ``settings``
    (:class:`advgen.robustness.masking_spec.MaskingSettings`).

    ``share``: the share of the inputs an attack keeps working on to its last step (those it
    does not fool; :func:`working_share`). The black-box attack always stops on the inputs it
    fooled, PGD only with ``early_stop`` (and then at eps 1, where nearly every input falls at
    once, on a tenth of them); without it every PGD step runs on every input."""
    s = settings
    pgd = float(s.pgd_steps) * (share if s.early_stop else 1.0)
    work: Mapping[str, float] = {
        "zero_gradients": 1.0,
        "monotone_in_eps": pgd * sum(1 for e in s.eps_grid if e > 0),
        "unbounded_eps": float(s.unbounded_steps) * (0.1 if s.early_stop else 1.0),
        "iterative_vs_single_step": pgd + 1.0,
        "whitebox_vs_blackbox": pgd + QUERY * s.n_queries * share,
        "more_steps_restarts": pgd + float(s.long_steps * s.long_restarts) * (share if s.early_stop else 1.0),
    }
    return work[check]


def working_share(clean: float, robust: float) -> float:
    """The share of inputs an attack that stops on fooled inputs works on to its end: the robust
    ones, plus a tenth of the ones it fools (each falls part of the way in)."""
    return robust + 0.1 * max(clean - robust, 0.0)
