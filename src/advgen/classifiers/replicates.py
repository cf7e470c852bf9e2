"""S seeds of one classifier spec: stacked in one model (:mod:`advgen.training.stacked`) or one after another.

:func:`train_classifier_replicates` returns, per seed, what :func:`train_classifier` returns
for the spec with that seed (checkpoint dict, history). ``mode="stacked"`` trains all seeds
as one stacked model through the same driver (:func:`advgen.training.driver.train_epochs`);
``mode="sequential"`` runs :func:`train_classifier` per seed; ``"auto"`` picks by device
(:func:`advgen.training.stacked.replicate_mode`).

A stacked replicate is exactly the run of its seed: the model is initialised after
``seed_everything(seed)``, its shuffles and attack starts come from a generator that
continues the seed's global stream (on CUDA the attack starts from a CUDA generator seeded
with the seed, as the global CUDA stream is), in the order the sequential run draws them.
Standard, FGSM-mix and PGD training (with its epsilon warm-up) stack; the adversarial
pool (``mode: pool``) does not.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from advgen.classifiers.checkpoint import checkpoint_dict
from advgen.classifiers.modes import STACKED_MODES, TRAINING_MODES
from advgen.classifiers.spec import ClassifierSpec, classifier_config
from advgen.classifiers.subsets import select_subset
from advgen.classifiers.training import (
    HISTORY_COLUMNS,
    _summary,
    epsilon_at,
    make_optimizer,
    train_classifier,
)
from advgen.classifiers.zoo import build_classifier
from advgen.data.prepared import PreparedSplit
from advgen.errors import AdvgenError, NotStackableError, NotStackableHere
from advgen.seeding import seed_everything
from advgen.training.cuda_graphs import StaticStep, graphs_enabled, match_capturable
from advgen.training.driver import train_epochs
from advgen.training.resume import ResumeState
from advgen.training.stacked import StackedModule, replicate_mode, require_stacked_pass
from advgen.training.stacked_runs import seed_generators, stacked_resume_key, with_generator_states

log = logging.getLogger(__name__)

Result = tuple[dict[str, Any], pd.DataFrame]


def _cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each replicate's mean cross-entropy: logits (S, B, K), labels (S, B) -> (S,)."""
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view(y.shape).mean(1)


class StackedClassifierRun:
    """S seeds of one classifier spec as one stacked model (a :class:`advgen.training.driver.Trainer`)."""

    def __init__(
        self,
        spec: ClassifierSpec,
        seeds: Sequence[int],
        train: PreparedSplit,
        test: PreparedSplit,
        *,
        names: Sequence[str],
        device: str = "cpu",
    ) -> None:
        if spec.mode not in STACKED_MODES:
            raise NotStackableError(
                f"mode: '{spec.mode}' training cannot be stacked across seeds "
                f"(stackable: {', '.join(STACKED_MODES)}); train the replicates sequentially"
            )
        if len(names) != len(seeds) or not seeds:
            raise AdvgenError(f"replicates: {len(seeds)} seeds need as many names, got {len(names)}")
        self.spec, self.seeds, self.names = spec, [int(s) for s in seeds], list(names)
        self.device = torch.device(device)
        idx = select_subset(train.labels, spec.train_subset, spec.train_fraction, spec.subset_seed)
        self.x, self.y = train.images[idx].to(device), train.labels[idx].to(device)
        self.xt, self.yt = test.images.to(device), test.labels.to(device)
        in_shape = list(train.image_shape)
        self.arch_kwargs = {"in_shape": in_shape, "num_classes": train.num_classes, "width": spec.width}
        self.models, self.gen_cpu, self.gen_dev = [], [], []
        for seed in self.seeds:
            seed_everything(seed)  # the sequential run's initialisation, drawn from the seed's stream
            self.models.append(
                build_classifier(spec.arch, in_shape, train.num_classes, spec.width).to(device)
            )
            # on the CPU one generator gives both the shuffles and the attack starts
            cpu, dev = seed_generators(seed, self.device)
            self.gen_cpu.append(cpu)
            self.gen_dev.append(dev)
        self.net = StackedModule(self.models, "arch")
        require_stacked_pass(self._stacked_forward, self.device, f"classifier {spec.arch}")
        self.graphs = graphs_enabled(self.device)
        self.opt = make_optimizer(self.net.parameters(), spec, capturable=self.graphs)
        # on CUDA one graph per batch shape replays the step, each seed's generator registered
        self.train_step = (
            StaticStep(
                self._train_step, capture=True, generators=self.gen_dev, name="stacked classifier step"
            )
            if self.graphs
            else self._train_step
        )
        self.steps_per_epoch = math.ceil(len(self.y) / int(spec.batch_size))
        self.history: list[list[dict[str, Any]]] = [[] for _ in self.seeds]
        self.epoch, self.seconds = 0, 0.0
        self.resumed_from: list[int] = []
        self._rows: list[dict[str, Any]] = []
        self._start = 0.0

    @property
    def size(self) -> int:
        return len(self.seeds)

    # -- the adversaries (advgen.attacks.FGSM / PGD with seed=None, one restart, per replicate) --------
    def _sign_grad(self, adv: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        adv = adv.detach().requires_grad_(True)
        with torch.enable_grad():
            logits = self.net(adv)
            loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").sum()
            (grad,) = torch.autograd.grad(loss, adv)
        return grad.sign()

    def _adversary(
        self, x: torch.Tensor, y: torch.Tensor, eps_t: torch.Tensor, alpha: torch.Tensor
    ) -> torch.Tensor:
        """FGSM or PGD inputs of every replicate; budget and step size as (S, B, 1, ...) tensors."""
        if self.spec.mode == "fgsm_mix":
            return (x + eps_t * self._sign_grad(x, y)).clamp(0.0, 1.0)
        steps = int(self.spec.pgd_steps)
        noise = torch.stack(
            [torch.rand(x.shape[1:], device=x.device, dtype=x.dtype, generator=g) for g in self.gen_dev]
        )

        def project(adv: torch.Tensor) -> torch.Tensor:
            delta = torch.maximum(torch.minimum(adv - x, eps_t), -eps_t)
            return (x + delta).clamp(0.0, 1.0)

        adv = project(x + (2.0 * noise - 1.0) * eps_t)
        for _ in range(steps):
            adv = project(adv + alpha * self._sign_grad(adv, y))
        return adv.detach().clamp_(0.0, 1.0)

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------------------
    def batches(self) -> Iterator[tuple[int, tuple[torch.Tensor, torch.Tensor]]]:
        """Start the next epoch: (step number, batch of every replicate (S, B, ...)) pairs."""
        self._start = time.perf_counter()
        n, bs = len(self.y), int(self.spec.batch_size)
        orders = torch.stack([torch.randperm(n, generator=g) for g in self.gen_cpu]).to(self.device)
        step0 = self.epoch * self.steps_per_epoch
        self.epoch += 1
        return (
            (step0 + b, (self.x[orders[:, i : i + bs]], self.y[orders[:, i : i + bs]]))
            for b, i in enumerate(range(0, n, bs))
        )

    def step(self, numbered: tuple[int, tuple[torch.Tensor, torch.Tensor]]) -> tuple[Any, ...]:
        """One optimisation step of every replicate: (S losses, batch size, S clean hits, S robust hits, eps)."""
        step, (xb, yb) = numbered
        adversarial = TRAINING_MODES[self.spec.mode].adversarial
        eps = epsilon_at(self.spec, step, self.steps_per_epoch) if adversarial else 0.0
        eps_t = torch.full((*xb.shape[:2],) + (1,) * (xb.ndim - 2), eps, device=xb.device, dtype=xb.dtype)
        steps = int(self.spec.pgd_steps)
        alpha = torch.full_like(eps_t, float(self.spec.pgd_step_factor * eps / steps))
        if self.spec.mode == "pgd" and eps == 0:  # PGD returns x, drawing no start: eager
            loss, clean, robust = self._train_step(xb, yb, eps_t, alpha, clean_adversary=True)
        else:
            loss, clean, robust = self.train_step(xb, yb, eps_t, alpha)
        return (*loss.unbind(), yb.shape[1], *clean.unbind(), *robust.unbind(), eps)

    def _stacked_forward(self) -> torch.Tensor:
        """Every seed's logits on a few training images, on a copy of the stacked model
        (:func:`advgen.training.stacked.require_stacked_pass`)."""
        return copy.deepcopy(self.net)(self.x[: min(int(self.spec.batch_size), 8)], shared=True)

    def _train_step(
        self,
        xb: torch.Tensor,
        yb: torch.Tensor,
        eps_t: torch.Tensor,
        alpha: torch.Tensor,
        clean_adversary: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The step of :meth:`step` on tensors: (S losses, S clean hits, S robust hits)."""
        mode = self.spec.mode
        robust = torch.zeros(self.size, dtype=torch.long, device=self.device)
        if mode == "standard":
            logits = self.net(xb)
            loss = _cross_entropy(logits, yb)
        else:
            adv = xb.clone() if clean_adversary else self._adversary(xb, yb, eps_t, alpha)
            adv_logits = self.net(adv)
            robust = (adv_logits.argmax(-1) == yb).sum(1)
            if mode == "fgsm_mix":
                logits = self.net(xb)
                a = float(self.spec.fgsm_alpha)
                loss = a * _cross_entropy(logits, yb) + (1.0 - a) * _cross_entropy(adv_logits, yb)
            else:
                loss = _cross_entropy(adv_logits, yb)
                with torch.no_grad():
                    logits = self.net(xb)
        clean = (logits.argmax(-1) == yb).sum(1)
        self.opt.zero_grad(set_to_none=True)
        loss.sum().backward()
        self.opt.step()
        return loss.detach(), clean, robust

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        s = self.size
        self._rows = [
            _summary([(r[i], r[s], r[s + 1 + i], r[2 * s + 1 + i], r[-1]) for r in rows], self.spec, False)
            for i in range(s)
        ]
        return True

    @torch.no_grad()
    def _test_accuracy(self, batch_size: int = 1000) -> list[float]:
        correct = torch.zeros(self.size, dtype=torch.long, device=self.device)
        for i in range(0, len(self.yt), batch_size):
            logits = self.net(self.xt[i : i + batch_size], shared=True)
            correct += (logits.argmax(-1) == self.yt[i : i + batch_size]).sum(1)
        return [c / max(1, len(self.yt)) for c in correct.tolist()]

    def end_epoch(self) -> str:
        test = self._test_accuracy()
        seconds = time.perf_counter() - self._start
        for history, row, acc in zip(self.history, self._rows, test):
            history.append(
                {
                    **row,
                    "epoch": self.epoch,
                    "test_clean_acc": acc,
                    "n_train": len(self.y),
                    "seconds": seconds,
                }
            )
        losses = " ".join(f"{r['loss']:.4f}" for r in self._rows)
        return f"{self.size} replicates stacked: loss {losses} test acc {' '.join(f'{a:.3f}' for a in test)}"

    def state_dict(self) -> dict[str, Any]:
        return {
            "net": self.net.state_dict(),
            "optimizer": self.opt.state_dict(),
            "epoch": self.epoch,
            "history": self.history,
            "gen_cpu": [g.get_state() for g in self.gen_cpu],
            "gen_dev": [g.get_state() for g in self.gen_dev],
            "seconds": self.seconds,
            "resumed_from": self.resumed_from,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"])
        self.opt.load_state_dict(state["optimizer"])
        match_capturable(self.opt, self.graphs)  # a state saved with graphs on or off
        self.epoch, self.history = int(state["epoch"]), [list(h) for h in state["history"]]
        # on the CPU gen_dev holds the same generators as gen_cpu: setting them twice is harmless
        for g, st in zip(self.gen_cpu, state["gen_cpu"]):
            g.set_state(st)
        for g, st in zip(self.gen_dev, state["gen_dev"]):
            g.set_state(st)
        self.seconds, self.resumed_from = float(state["seconds"]), list(state["resumed_from"])

    def _rng(self, i: int) -> dict[str, Any]:
        """Replicate ``i``'s RNG states as :func:`advgen.seeding.rng_state` gives them at the end of its run."""
        seed = self.seeds[i]
        seeded = {
            "python": random.Random(seed).getstate(),
            "numpy": np.random.RandomState(seed % 2**32).get_state(),
        }
        return with_generator_states(seeded, self.gen_cpu[i], self.gen_dev[i], self.device)

    def checkpoint(self) -> list[dict[str, Any]]:
        """One classifier checkpoint per replicate (as :func:`train_classifier` writes for its seed)."""
        out = []
        for i, (model, seed) in enumerate(zip(self.models, self.seeds)):
            model.load_state_dict(self.net.replicate_state(i))
            ckpt = checkpoint_dict(
                model,
                name=self.names[i],
                arch=self.spec.arch,
                arch_kwargs=self.arch_kwargs,
                config=classifier_config(dataclasses.replace(self.spec, seed=seed)),
                epoch=self.epoch,
                rng=self._rng(i),
            )
            ckpt["state_dict"] = {k: v.clone() for k, v in ckpt["state_dict"].items()}
            out.append(ckpt)
        return out

    def history_frames(self) -> list[pd.DataFrame]:
        frames = []
        for name, history in zip(self.names, self.history):
            frame = pd.DataFrame(history, columns=HISTORY_COLUMNS)
            frame.insert(0, "classifier", name)
            frame.insert(1, "mode", self.spec.mode)
            frames.append(frame)
        return frames


def train_classifier_replicates(
    spec: ClassifierSpec,
    seeds: Sequence[int],
    train: PreparedSplit,
    test: PreparedSplit,
    *,
    names: Sequence[str],
    device: str = "cpu",
    mode: str = "auto",
    resume_dir: str | Path | None = None,
    inputs: Mapping[str, str | Path] | None = None,
    stop_after_epochs: int | None = None,
) -> list[Result]:
    """Train ``spec`` once per seed of ``seeds``; per seed (checkpoint dict, history), as :func:`train_classifier`.

    ``mode``: ``stacked``, ``sequential`` or ``auto`` (stacked on CUDA only). ``resume_dir``
    holds the resume state (``stacked.pt``, or ``seed_<seed>.pt`` per sequential run), keyed by
    the spec, the seeds and ``inputs`` (role -> path); the caller deletes the folder once the
    outputs are written.
    """
    chosen = replicate_mode(device, mode)
    log.info("%d replicates of %s, %s on %s", len(seeds), spec.arch, chosen, device)
    folder = Path(resume_dir) if resume_dir is not None else None
    if chosen == "stacked":
        try:
            run = StackedClassifierRun(spec, seeds, train, test, names=names, device=device)
        except NotStackableHere as err:  # the seeds train as their own jobs would
            log.warning("%s", err)
            chosen = "sequential"
    if chosen == "sequential":
        results = []
        for seed, name in zip(seeds, names):
            one = dataclasses.replace(spec, seed=int(seed))
            resume = (
                ResumeState(folder / f"seed_{seed}.pt", classifier_config(one), inputs)
                if folder is not None
                else None
            )
            results.append(
                train_classifier(
                    one,
                    train,
                    test,
                    name=name,
                    device=device,
                    resume=resume,
                    stop_after_epochs=stop_after_epochs,
                )
            )
        return results
    key = stacked_resume_key(classifier_config(spec), seeds)
    resume = ResumeState(folder / "stacked.pt", key, inputs) if folder is not None else None
    ckpts = train_epochs(run, int(spec.epochs), resume, stop_after_epochs=stop_after_epochs, name=spec.arch)
    return list(zip(ckpts, run.history_frames()))
