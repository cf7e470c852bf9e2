"""The bookkeeping of seeds stacked as a batch dimension, shared by the models' replicate runners.

A stacked replicate runner (:mod:`advgen.ae.replicates`, :mod:`advgen.gan.replicates`) keeps,
per seed, the run its sequential training would build (an ``AeRun``, a ``GanRun``) and trains
the seeds' networks as one stacked model (:class:`advgen.training.stacked.StackedModule`).
:class:`StackedRuns` is what such a runner shares: the per-seed runs, which of them are still
alive (a seed whose logged values became NaN/inf stops as its sequential run would, keeping
its last good checkpoint, while the others go on), the epoch loop's hooks of
:class:`advgen.training.driver.Trainer` and the common part of the resume state. A runner adds
its networks, optimizers, step and RNG details through a few hooks.

The helpers below (:func:`seed_generators`, :func:`with_generator_states`,
:func:`stacked_resume_key`) serve every stacked runner, the classifiers' too.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import torch

from advgen.seeding import rng_state, set_rng_state


class SeedRun(Protocol):
    """What one seed's run (``AeRun``, ``GanRun``) supplies to :class:`StackedRuns`."""

    iteration: int
    seconds: float
    resumed_from: list[int]

    def batches(self) -> Iterable[torch.Tensor]:
        """Start the run's next epoch (its own shuffle); its batches."""

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        """Record the run's rows of the epoch; ``False`` at a NaN/inf."""

    def end_epoch(self) -> str:
        """The run's end-of-epoch work; its log line."""

    def state_dict(self, *, with_log: bool = True) -> dict[str, Any]:
        """The run's checkpoint (``with_log``: with what resuming needs)."""

    def load_state_dict(self, ckpt: dict[str, Any]) -> None:
        """Continue from a :meth:`state_dict`."""


RunT = TypeVar("RunT", bound=SeedRun)


def seed_generators(seed: int, device: torch.device) -> tuple[torch.Generator, torch.Generator]:
    """A seed's (CPU, device) generators, made right after its initialisation.

    The CPU generator continues the seed's global CPU stream; on a CPU the device generator is
    the same one, on CUDA a CUDA generator seeded with ``seed`` (as the global CUDA stream is).
    """
    cpu = torch.Generator()
    cpu.set_state(torch.get_rng_state())
    dev = cpu if device.type == "cpu" else torch.Generator(device).manual_seed(seed)
    return cpu, dev


def with_generator_states(
    base: Mapping[str, Any], cpu: torch.Generator, dev: torch.Generator, device: torch.device
) -> dict[str, Any]:
    """``base`` (RNG states as :func:`advgen.seeding.rng_state` gives them) with the seed's
    generators as its torch stream and, on CUDA, its CUDA stream."""
    state = {**base, "torch": cpu.get_state()}
    if device.type == "cuda":
        state["cuda"] = [dev.get_state()]
    return state


def stacked_resume_key(spec: Mapping[str, Any], seeds: Sequence[int]) -> dict[str, Any]:
    """The resume key of a stacked run: the spec, the seeds and ``replicates: stacked``."""
    return {**spec, "seeds": [int(s) for s in seeds], "replicates": "stacked"}


class StackedRuns(Generic[RunT]):
    """S seeds' runs trained as one stacked model: the bookkeeping of a stacked replicate runner.

    Implements the :class:`advgen.training.driver.Trainer` hooks but :meth:`step`; a subclass
    builds its runs with :meth:`_add_run` and supplies :meth:`_sync`, :meth:`_seed_rows`,
    :meth:`_stacked_state` and :meth:`_load_stacked_state` (and :meth:`_start_epoch`,
    :meth:`_rng` where it needs them).

    Attributes:
        seeds: the seeds, in order.
        runs: each seed's run (built exactly as the sequential run builds it).
        rngs: each seed's global RNG state right after its run was built.
        alive: whether each seed still trains (``False`` once its values became NaN/inf).
        last: each seed's last output checkpoint (a stopped seed keeps its last good one).
        epoch, seconds, resumed_from: the driver's counters (each seed's, too).
    """

    #: what the warning says when a seed stops
    stop_reason = "a logged value is not finite"

    def __init__(self, seeds: Sequence[int]) -> None:
        self.seeds = [int(s) for s in seeds]
        self.runs: list[RunT] = []
        self.rngs: list[dict[str, Any]] = []
        self.alive = [True] * len(self.seeds)
        self.last: list[dict[str, Any] | None] = [None] * len(self.seeds)
        self.epoch, self.seconds = 0, 0.0
        self.resumed_from: list[int] = []

    def _add_run(self, run: RunT) -> RunT:
        """Keep ``run`` (just built) and the global RNG state its initialisation left."""
        self.rngs.append(rng_state())
        self.runs.append(run)
        return run

    # -- what a runner supplies -------------------------------------------------------------------
    def _sync(self, i: int) -> None:
        """Copy seed ``i``'s weights and optimizer states from the stacked model into its run."""
        raise NotImplementedError

    def _seed_rows(self, rows: list[tuple[float, ...]], i: int) -> list[tuple[float, ...]]:
        """Seed ``i``'s rows (as its run logs them) out of the stacked step's rows."""
        raise NotImplementedError

    def _stacked_state(self) -> dict[str, Any]:
        """The runner's part of :meth:`state_dict` (stacked networks, optimizers, generators)."""
        raise NotImplementedError

    def _load_stacked_state(self, state: dict[str, Any]) -> None:
        """Load the runner's part of a :meth:`state_dict` (the runs are loaded already)."""
        raise NotImplementedError

    def _start_epoch(self) -> None:
        """Runner's work at the start of an epoch, after the runs started theirs (train mode)."""

    def _rng(self, i: int) -> dict[str, Any]:
        """Seed ``i``'s RNG states as :func:`advgen.seeding.rng_state` gives them in its sequential run."""
        return self.rngs[i]

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------------------
    def batches(self) -> Iterator[torch.Tensor]:
        """Start the next epoch of every seed: batches of shape (S, B, ...), each seed's own shuffle."""
        starts = [iter(run.batches()) for run in self.runs]
        self.epoch += 1
        self._start_epoch()
        return (torch.stack(batch) for batch in zip(*starts))

    def _count_iteration(self) -> None:
        """Count a stacked step as an iteration of every seed still alive."""
        for run, alive in zip(self.runs, self.alive):
            run.iteration += alive

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        """Hand every alive seed its rows; a seed whose values became NaN/inf stops. Any alive?"""
        for i, run in enumerate(self.runs):
            if not self.alive[i]:
                continue
            self.alive[i] = run.log_steps(self._seed_rows(rows, i))
            if not self.alive[i]:
                logging.getLogger(type(self).__module__).warning(
                    "seed %d: epoch %d iteration %d: %s, stopping",
                    self.seeds[i],
                    self.epoch,
                    run.iteration,
                    self.stop_reason,
                )
        return any(self.alive)

    def end_epoch(self) -> str:
        """Each alive seed's end of epoch, on its synced run; their log lines."""
        lines = []
        for i, run in enumerate(self.runs):
            if self.alive[i]:
                self._sync(i)
                lines.append(f"seed {self.seeds[i]}: {run.end_epoch()}")
        return "; ".join(lines)

    def _run_state(self, i: int, *, with_log: bool) -> dict[str, Any]:
        state = self.runs[i].state_dict(with_log=with_log)
        state["rng"] = self._rng(i)
        return state

    def checkpoint(self) -> list[dict[str, Any]]:
        """Each seed's output checkpoint; a stopped seed keeps its last good one."""
        for i in range(len(self.seeds)):
            if self.alive[i] or self.last[i] is None:
                self._sync(i)
                self.last[i] = copy.deepcopy(self._run_state(i, with_log=False))
        return list(self.last)

    def state_dict(self) -> dict[str, Any]:
        """The resume state: the runner's part, each seed's run state and the bookkeeping."""
        for i in range(len(self.seeds)):
            if self.alive[i]:
                self._sync(i)
        return {
            **self._stacked_state(),
            "global_rng": rng_state(),  # the dropout masks of the stacked model (advgen.training.stacked)
            "runs": [self._run_state(i, with_log=True) for i in range(len(self.seeds))],
            "alive": list(self.alive),
            "last": list(self.last),
            "epoch": self.epoch,
            "seconds": self.seconds,
            "resumed_from": self.resumed_from,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a :meth:`state_dict`."""
        for run, st in zip(self.runs, state["runs"]):
            run.load_state_dict(st)
        self._load_stacked_state(state)
        if "global_rng" in state:
            set_rng_state(state["global_rng"])
        self.alive, self.last = list(state["alive"]), list(state["last"])
        self.epoch, self.seconds = int(state["epoch"]), float(state["seconds"])
        self.resumed_from = list(state["resumed_from"])

    def share_time(self) -> None:
        """Give every seed's run the stacked run's wall time and resumes (they are each seed's)."""
        for run in self.runs:
            run.seconds, run.resumed_from = self.seconds, list(self.resumed_from)
