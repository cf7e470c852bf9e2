"""Classifier training: standard, FGSM-mix and PGD adversarial training, resumable.

Modes (``mode`` in the spec):

* ``standard``: cross-entropy on clean inputs.
* ``fgsm_mix``: ``alpha * J(x) + (1 - alpha) * J(x + eps * sign(grad J))`` with alpha = 0.5
  (Goodfellow et al. 2015, "Explaining and Harnessing Adversarial Examples").
* ``pgd``: the saddle-point objective of Madry et al. 2018: cross-entropy on a PGD
  adversary with random start, ``pgd_steps`` steps of ``pgd_step_factor * eps / steps``.
  Epsilon ramps linearly from 0 over the first ``eps_warmup_epochs`` epochs, since training
  against the full budget from random initialisation can stall at chance.
* ``pool``: Szegedy et al. 2014's refreshed pool of adversarial examples mixed into every
  minibatch (:mod:`advgen.classifiers.pool`).

Adversaries are crafted in eval mode (the attack restores train mode). The spec is a
:class:`~advgen.classifiers.spec.ClassifierSpec` (the classifier's config entry plus ``seed``
and ``device``); the checkpoint's ``config`` is its JSON; the resume state
(:class:`advgen.training.resume.ResumeState`) is used only when spec, input splits and advgen
version are unchanged.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from advgen.classifiers.checkpoint import checkpoint_dict
from advgen.classifiers.modes import TRAINING_MODES
from advgen.classifiers.pgd_step import PgdStep, descend, pgd_attack, pgd_budget, pgd_train_step
from advgen.classifiers.pool import AdversarialPool
from advgen.classifiers.spec import ClassifierSpec, classifier_config
from advgen.classifiers.subsets import select_subset
from advgen.classifiers.zoo import build_classifier, count_parameters
from advgen.data.prepared import PreparedSplit
from advgen.seeding import rng_state, seed_everything, set_rng_state
from advgen.training.cuda_graphs import graphs_enabled, match_capturable
from advgen.training.driver import train_epochs
from advgen.training.resume import ResumeState
from advgen.training.steplog import run_steps

log = logging.getLogger(__name__)

MODES = tuple(TRAINING_MODES)
HISTORY_COLUMNS = [
    "epoch",
    "eps",
    "loss",
    "train_clean_acc",
    "train_robust_acc",
    "test_clean_acc",
    "n_train",
    "seconds",
]


def _optimizer(model: nn.Module, spec: ClassifierSpec, *, capturable: bool = False) -> torch.optim.Optimizer:
    return make_optimizer(model.parameters(), spec, capturable=capturable)


def make_optimizer(
    params: Iterable[torch.Tensor], spec: ClassifierSpec, *, capturable: bool = False
) -> torch.optim.Optimizer:
    """The spec's optimizer (``sgd`` with momentum, else Adam; both with ``weight_decay``) over ``params``.

    ``capturable``: Adam keeps its step count on the device, so a CUDA graph can replay its step
    (:mod:`advgen.training.cuda_graphs`); SGD needs nothing.
    """
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.weight_decay)
    return torch.optim.Adam(params, lr=spec.lr, weight_decay=spec.weight_decay, capturable=capturable)


def epsilon_at(spec: ClassifierSpec, step: int, steps_per_epoch: int) -> float:
    """The adversarial budget at optimisation step ``step`` (linear warm-up, then ``eps``)."""
    warm = spec.eps_warmup_epochs * steps_per_epoch
    if spec.mode != "pgd" or warm <= 0:
        return float(spec.eps)
    return float(spec.eps) * min(1.0, (step + 1) / warm)


def _adversary(model: nn.Module, spec: ClassifierSpec, eps: float) -> Any:
    from advgen.attacks import FGSM, PGD

    if spec.mode == "fgsm_mix":
        return FGSM(model, eps=eps, seed=None)
    steps = int(spec.pgd_steps)
    return PGD(model, eps=eps, alpha=spec.pgd_step_factor * eps / steps, steps=steps, seed=None)


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    """Clean accuracy in eval mode (the previous mode is restored)."""
    was = model.training
    model.eval()
    correct = 0
    for i in range(0, len(labels), batch_size):
        correct += (model(images[i : i + batch_size]).argmax(1) == labels[i : i + batch_size]).sum().item()
    model.train(was)
    return correct / max(1, len(labels))


def _batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The epoch's shuffled batches (global torch RNG; the last one may be smaller)."""
    n = len(y)
    order = torch.randperm(n).to(x.device)
    return ((x[idx], y[idx]) for idx in (order[i : i + batch_size] for i in range(0, n, batch_size)))


def _step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    xb: torch.Tensor,
    yb: torch.Tensor,
    spec: ClassifierSpec,
    step: int,
    steps_per_epoch: int,
    pool: AdversarialPool | None = None,
    pgd: PgdStep | None = None,
) -> tuple[Any, ...]:
    """One optimisation step of the spec's mode: (loss, batch size, clean hits, robust hits, eps),
    the counts and the loss left on the device. ``pgd``: the PGD mode's step on static buffers
    (a CUDA graph per batch shape); without it the same step runs on this batch's tensors."""
    robust_ok: torch.Tensor | int = 0
    adversarial = TRAINING_MODES[spec.mode].adversarial  # (pool: its pool holds the adversaries)
    eps = epsilon_at(spec, step, steps_per_epoch) if adversarial else 0.0
    if spec.mode == "pgd" and adversarial and eps != 0:  # (at eps 0 PGD returns x: the branch below)
        if pgd is not None:
            loss, clean_ok, robust_ok = pgd(xb, yb, eps)
        else:
            attack = pgd_attack(model, spec)
            loss, clean_ok, robust_ok = pgd_train_step(model, opt, attack, xb, yb, *pgd_budget(spec, eps, xb))
        return loss, len(yb), clean_ok, robust_ok, eps
    if spec.mode == "standard":
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
    elif pool is not None:
        loss, logits = pool.batch_loss(model, xb, yb, step)
    else:
        adv = _adversary(model, spec, eps).generate(xb, yb)
        adv_logits = model(adv)
        robust_ok = (adv_logits.argmax(1) == yb).sum()
        if spec.mode == "fgsm_mix":
            logits = model(xb)
            a = float(spec.fgsm_alpha)
            loss = a * F.cross_entropy(logits, yb) + (1.0 - a) * F.cross_entropy(adv_logits, yb)
        else:
            loss = F.cross_entropy(adv_logits, yb)
            with torch.no_grad():
                logits = model(xb)
    clean_ok = (logits.argmax(1) == yb).sum()
    descend(opt, loss)
    return loss.detach(), len(yb), clean_ok, robust_ok, eps


def _summary(rows: list[tuple[float, ...]], spec: ClassifierSpec, pooled: bool) -> dict[str, float]:
    """The epoch's history entries from its steps' rows (mean loss and accuracies over its examples)."""
    total = clean_ok = robust_ok = 0.0
    n = 0
    eps = 0.0
    for loss, nb, clean, robust, step_eps in rows:
        total += loss * nb
        clean_ok += clean
        robust_ok += robust
        n += int(nb)
        eps = step_eps
    adversarial = TRAINING_MODES[spec.mode].adversarial
    return {
        "eps": eps if adversarial else float(spec.eps) if pooled else 0.0,
        "loss": total / n,
        "train_clean_acc": clean_ok / n,
        "train_robust_acc": robust_ok / n if adversarial else float("nan"),
    }


def _train_epoch(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    spec: ClassifierSpec,
    step0: int,
    pool: AdversarialPool | None = None,
    pgd: PgdStep | None = None,
) -> dict[str, float]:
    """One epoch outside the driver (benchmarks): shuffle, every step, the history entries."""
    bs = int(spec.batch_size)
    steps_per_epoch = math.ceil(len(y) / bs)
    batches = _batches(x, y, bs)
    model.train()
    rows = run_steps(
        enumerate(batches),
        lambda b: _step(model, opt, *b[1], spec, step0 + b[0], steps_per_epoch, pool, pgd),
    )
    return _summary(rows, spec, pool is not None)


class ClassifierRun:
    """One classifier's training state and its epoch (a :class:`advgen.training.driver.Trainer`)."""

    def __init__(
        self,
        spec: ClassifierSpec,
        train: PreparedSplit,
        test: PreparedSplit,
        *,
        name: str,
        device: str = "cpu",
    ) -> None:
        seed_everything(int(spec.seed))
        self.spec, self.name = spec, name
        idx = select_subset(train.labels, spec.train_subset, spec.train_fraction, spec.subset_seed)
        self.x, self.y = train.images[idx].to(device), train.labels[idx].to(device)
        self.xt, self.yt = test.images.to(device), test.labels.to(device)
        in_shape = list(train.image_shape)
        self.arch_kwargs = {"in_shape": in_shape, "num_classes": train.num_classes, "width": spec.width}
        self.model = build_classifier(spec.arch, in_shape, train.num_classes, spec.width).to(device)
        self.graphs = graphs_enabled(device) and spec.mode == "pgd"
        self.opt = _optimizer(self.model, spec, capturable=self.graphs)
        self.steps_per_epoch = math.ceil(len(self.y) / int(spec.batch_size))
        # refilled after a resume (the pool is not part of the resume state)
        self.pool = AdversarialPool.from_spec(spec) if spec.mode == "pool" else None
        self.pgd = PgdStep(self.model, self.opt, spec, capture=True) if self.graphs else None
        self.history: list[dict[str, Any]] = []
        self.epoch, self.seconds = 0, 0.0
        self.resumed_from: list[int] = []
        self._row: dict[str, Any] = {}
        self._start = 0.0

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------
    def batches(self) -> Iterator[tuple[int, tuple[torch.Tensor, torch.Tensor]]]:
        """Start the next epoch: (step number, shuffled batch) pairs."""
        self._start = time.perf_counter()
        batches = _batches(self.x, self.y, int(self.spec.batch_size))
        self.model.train()
        step0 = self.epoch * self.steps_per_epoch
        self.epoch += 1
        return ((step0 + b, batch) for b, batch in enumerate(batches))

    def step(self, numbered: tuple[int, tuple[torch.Tensor, torch.Tensor]]) -> tuple[Any, ...]:
        step, (xb, yb) = numbered
        return _step(self.model, self.opt, xb, yb, self.spec, step, self.steps_per_epoch, self.pool, self.pgd)

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        self._row = _summary(rows, self.spec, self.pool is not None)
        return True

    def end_epoch(self) -> str:
        """Test accuracy; the epoch's history row (its seconds include the evaluation) and log line."""
        row = self._row
        row.update(
            epoch=self.epoch,
            test_clean_acc=accuracy(self.model, self.xt, self.yt),
            n_train=len(self.y),
            seconds=time.perf_counter() - self._start,
        )
        self.history.append(row)
        return (
            f"loss {row['loss']:.4f} train acc {row['train_clean_acc']:.3f} robust {row['train_robust_acc']:.3f} "
            f"test acc {row['test_clean_acc']:.3f} (eps {row['eps']:.3f}, {row['seconds']:.1f}s)"
        )

    def state_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.opt.state_dict(),
            "epoch": self.epoch,
            "history": self.history,
            "rng": rng_state(),
            "seconds": self.seconds,
            "resumed_from": self.resumed_from,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        match_capturable(self.opt, self.graphs)  # a state saved with graphs on or off
        self.history, self.epoch = list(state["history"]), int(state["epoch"])
        self.seconds = float(state.get("seconds", 0.0))
        self.resumed_from = list(state.get("resumed_from", []))
        set_rng_state(state["rng"])

    def checkpoint(self) -> dict[str, Any]:
        return checkpoint_dict(
            self.model,
            name=self.name,
            arch=self.spec.arch,
            arch_kwargs=self.arch_kwargs,
            config=classifier_config(self.spec),
            epoch=self.epoch,
            rng=rng_state(),
        )

    def history_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.history, columns=HISTORY_COLUMNS)
        frame.insert(0, "classifier", self.name)
        frame.insert(1, "mode", self.spec.mode)
        return frame


def train_classifier(
    spec: ClassifierSpec,
    train: PreparedSplit,
    test: PreparedSplit,
    *,
    name: str,
    device: str = "cpu",
    resume: ResumeState | None = None,
    stop_after_epochs: int | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Train one zoo classifier as ``spec`` says; returns (checkpoint dict, per-epoch history).

    ``resume`` (``results/classifiers/<name>/resume/last.pt``) is written after every epoch
    and continued from when its key matches; the caller calls ``resume.finish()`` once the
    outputs are written. ``stop_after_epochs`` raises :class:`TrainingStopped` after that many
    epochs of this call (simulated preemption).
    """
    run = ClassifierRun(spec, train, test, name=name, device=device)
    log.info(
        "%s: %s (%d parameters), %s training on %d images",
        name,
        spec.arch,
        count_parameters(run.model),
        spec.mode,
        len(run.y),
    )
    ckpt = train_epochs(run, int(spec.epochs), resume, stop_after_epochs=stop_after_epochs, name=name)
    run.model.eval()
    return ckpt, run.history_frame()
