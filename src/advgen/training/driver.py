"""The training driver: epochs, resume, the last good checkpoint, stop requests and the epoch log.

GAN, autoencoder and classifier training share this loop; each model supplies a
:class:`Trainer` (its epoch, its end-of-epoch evaluation and its state). Per epoch the
driver runs :meth:`Trainer.step` on every batch, keeps the logged values on the device
(:class:`advgen.training.steplog.StepLog`) and hands them to :meth:`Trainer.log_steps` once,
stops on divergence, lets the trainer evaluate, logs the epoch with an estimate of the time
left (from this run's epochs so far: ``epoch 12/180, ~3 min left: ...``),
writes the resume state (:class:`advgen.training.resume.ResumeState`) and keeps a copy of the
checkpoint of the last completed epoch, which the model's runner writes as its output.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from advgen.time_left import time_left
from advgen.training.resume import ResumeState, TrainingStopped
from advgen.training.steplog import Value, run_steps

log = logging.getLogger(__name__)


class Trainer(Protocol):
    """What a model supplies to :func:`train_epochs`.

    Attributes:
        epoch: completed epochs (part of the resume state).
        seconds: training seconds so far (the driver adds each epoch's).
        resumed_from: the epochs this run was resumed at (the driver appends).
    """

    epoch: int
    seconds: float
    resumed_from: list[int]

    def batches(self) -> Iterable[Any]:
        """Start the next epoch (``epoch`` + 1, a new shuffle) and give its batches."""

    def step(self, batch: Any) -> Sequence[Value]:
        """One training iteration on ``batch``; its logged values, left on the device."""

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        """Record the epoch's rows (read once) and run the status checks on them;
        ``False`` when a value became NaN/inf (diverged: the rows after it are dropped)."""

    def end_epoch(self) -> str:
        """End-of-epoch work after a finite epoch (evaluation, samples); returns the log line."""

    def state_dict(self) -> dict[str, Any]:
        """Everything resuming needs (written to the resume file after every epoch)."""

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a :meth:`state_dict`."""

    def checkpoint(self) -> dict[str, Any]:
        """The model's output checkpoint at this point of training."""


def train_epochs(
    trainer: Trainer,
    epochs: int,
    resume: ResumeState | None = None,
    *,
    stop_after_epochs: int | None = None,
    name: str = "",
) -> dict[str, Any]:
    """Train ``trainer`` up to ``epochs`` completed epochs, resuming from ``resume`` when its key matches.

    Returns (a deep copy of) the checkpoint of the last completed epoch: after a divergence,
    the last good one. Raises :class:`TrainingStopped` after ``stop_after_epochs`` epochs of
    this call when epochs remain (simulated preemption; the resume file holds the last one).
    The caller writes its outputs, then calls ``resume.finish()``.
    """
    prefix = f"{name}: " if name else ""
    state = resume.load() if resume is not None else None
    if state is not None:
        trainer.load_state_dict(state)
        trainer.resumed_from.append(trainer.epoch)
        log.info("%sresuming from %s at epoch %d", prefix, resume.path, trainer.epoch)
    last_good = copy.deepcopy(trainer.checkpoint())
    done_here = 0
    began = time.perf_counter()
    while trainer.epoch < epochs:
        start = time.perf_counter()
        finite = trainer.log_steps(run_steps(trainer.batches(), trainer.step))
        trainer.seconds += time.perf_counter() - start
        if not finite:
            log.warning("%sepoch %d: a logged value is not finite, stopping", prefix, trainer.epoch)
            break
        line = trainer.end_epoch()
        if resume is not None:
            resume.save(trainer.state_dict())
        last_good = copy.deepcopy(trainer.checkpoint())
        done_here += 1
        left = time_left((time.perf_counter() - began) / done_here * (epochs - trainer.epoch))
        log.info("%sepoch %d/%d, %s: %s", prefix, trainer.epoch, epochs, left, line)
        if stop_after_epochs is not None and done_here >= stop_after_epochs and trainer.epoch < epochs:
            where = resume.path if resume is not None else "no resume file"
            raise TrainingStopped(
                f"stopped after {done_here} epoch(s) as requested; {where} holds epoch {trainer.epoch}"
            )
    return last_good


T = TypeVar("T", bound=Trainer)
Out = TypeVar("Out")
R = TypeVar("R")


def train_then_write(
    trainer: T,
    epochs: int,
    resume: ResumeState,
    write: Callable[[T, dict[str, Any], Out], R],
    outputs: Out,
    *,
    stop_after_epochs: int | None = None,
) -> R:
    """:func:`train_epochs`, then ``write(trainer, its last good checkpoint, outputs)``, then
    ``resume.finish()`` (the resume files go once the outputs are written); what ``write`` returns."""
    final = train_epochs(trainer, epochs, resume, stop_after_epochs=stop_after_epochs)
    written = write(trainer, final, outputs)
    resume.finish()
    return written
