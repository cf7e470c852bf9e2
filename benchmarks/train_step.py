"""Training step rate of the paper models: M1/M3 GANs, the CelebA DCGAN, PGD training of cnn_madry.

Each model is built and stepped by advgen's own training code with the
settings of ``config/paper.yaml`` (defaults filled by the config schema), on random data of the
right shape:

* ``m1m3``: the ``gans`` entries ``mnist_m1_m3_ns_unroll4`` and ``mnist_m1_m3_ns`` (M1/M3, MNIST
  28x28x1, batch 24); one iteration is :meth:`advgen.gan.train.GanRun.train_iteration`
  (``d_steps`` D updates, then ``g_steps`` G updates, unrolled D when ``unroll_k`` > 0), exactly
  what ``train_epoch`` runs per batch. The ``GanRun`` is built from a small prepared file written
  with advgen's :func:`advgen.data.prepared.save_prepared` to a temporary folder.
* ``dcgan``: ``celeba64_dcgan`` (64x64x3, batch 128, gs 5 / ds 2, unroll 2, widths 64).
* ``madry``: ``mnist_cnn_madry_pgd`` (PGD-40, eps 0.3, batch 50) and ``cifar10_cnn_madry_pgd``
  (PGD-7, eps 8/255, width 2, batch 50): one step is
  :func:`advgen.classifiers.training._train_epoch` over exactly one batch (attack, loss,
  backward, Adam step, the accuracy bookkeeping), past the epsilon warm-up (full eps).

Settings (rows): ``fp32`` (TF32 off), ``tf32`` (``torch.backends.cuda.matmul`` and cuDNN TF32
on; a GAN's steps through its own lever, ``speed.fp32_precision``, :mod:`advgen.training.tf32`),
``tf32+bf16`` (a benchmark-local ``torch.autocast(bfloat16)`` around the training step:
advgen's training code has no AMP switch and is unchanged) and, for the conv models (DCGAN,
cnn_madry), ``tf32+bf16+cl`` (models and inputs in ``channels_last``; cnn_madry's weights are
``channels_last`` in every row since :mod:`advgen.models.layout`, so for it this row adds the
inputs' layout only). On the CPU only ``fp32`` runs, and ``tf32`` for the GANs (their lever,
rounded operands there: what TF32 costs a CPU). Like advgen's training, every run calls
``seed_everything`` and so trains with
``torch.use_deterministic_algorithms(True, warn_only=True)``; ``--no-deterministic`` turns that
off after each model is built, to show what determinism costs.

Replicates (``--replicates``, default 1,3,5; fp32 and TF32 rows): besides the plain step of one
model, each entry is timed with S seeds stacked into one model (``stack_module_state`` + ``vmap``:
:class:`advgen.gan.replicates.StackedGanRun`, :class:`advgen.classifiers.replicates.StackedClassifierRun`):
one step trains all S replicates, each on its own batch of the paper's size, so samples/s =
S x batch / seconds per step. M3's dropout stacks with its own masks per replicate; a model that
cannot be stacked (second-order unrolling, the adversarial pool) gets its one-line reason
instead of a rate. A stacked row's ratio is against the plain step's ceiling.

CUDA graphs (``--graphs``; fp32 and TF32 rows): ``auto`` times the steps as advgen trains on the
device (one CUDA graph per batch shape replays the PGD training step, the GAN iteration and the
stacked steps on CUDA: :mod:`advgen.training.cuda_graphs`; eager on the CPU), ``off`` eagerly,
``both`` each row both ways (the ``graph`` column: ``off``, ``on``, or ``static`` where no CUDA
can capture: the graphs' static-buffer step run eagerly). ``--check-graphs`` runs
``--check-steps`` iterations of the plain and the largest-S step from the same seeds captured
and eagerly (the same static-buffer code), twice eagerly, and prints the largest weight
difference of each pair (eager against eager: the floor of kernels whose float sums vary from
run to run). ``--profile`` adds the kernels and device time per iteration of the S <= 1 rows
(``torch.profiler``). The summary lists the ratios within the run: graphed / eager, and the
largest S's samples/s / the plain step's, with the device beside every figure.

``--settings`` picks settings for every model or per model (``madry:fp32,dcgan:tf32``),
``--entries`` config entries; ``--dump-config FILE`` writes the validated paper config as JSON
and ``--config-json FILE`` reads it (a machine without jsonschema:
``scripts/gpu/prepare_carry.sh``, ``scripts/gpu/device_check.sh``).

Each rate is the median of 3 repeats of ``--iters`` timed iterations after warm-up (CUDA
synchronised around each repeat). The "ceiling" is the best samples/s over batches doubled
from the paper batch until CUDA runs out of memory or ``--max-batch`` (4096 at most for the
DCGAN); ``ratio`` = paper-batch samples/s / ceiling samples/s (the goal: >= 0.70).
Ceiling searches share ``--budget-s`` seconds (after the paper-batch rows) and stop early when
a doubled batch would not fit in their share; the table says so. Running out of memory and a
model that refuses stacked seeds are results; a row that fails for any other reason is still
printed in the table, and then the run exits with status 1, naming it (a broken benchmark turns CI red).

    python benchmarks/train_step.py                                # every model, cuda if present
    python benchmarks/train_step.py --models dcgan --json out.json # one model, rows as JSON too
    python benchmarks/train_step.py --models madry --iters 3 --max-batch 128 --device cpu
    python benchmarks/train_step.py --smoke                        # tiny widths and batches (CI)
    python benchmarks/train_step.py --models madry --entries mnist_cnn_madry_pgd --settings fp32 \
        --graphs both --check-graphs --profile                    # eager vs graphed, checked
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import torch

from advgen.classifiers.pgd_step import PgdStep
from advgen.classifiers.pool import AdversarialPool
from advgen.classifiers.replicates import StackedClassifierRun
from advgen.classifiers.spec import ClassifierSpec
from advgen.classifiers.training import _optimizer, _train_epoch
from advgen.classifiers.zoo import build_classifier
from advgen.cli import out_of_memory
from advgen.config import load_yaml, validate_config
from advgen.data.prepared import PreparedSplit, save_prepared
from advgen.data.registry import SOURCES
from advgen.data.split import Split
from advgen.errors import NotStackableError
from advgen.gan.replicates import StackedGanRun
from advgen.gan.spec import GanSpec
from advgen.gan.train import GanRun
from advgen.replicates import RUN_KEYS
from advgen.seeding import seed_everything
from advgen.specs import typed_spec
from advgen.training.cuda_graphs import GRAPHS_ENV, StaticStep

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "config" / "paper.yaml"

#: --models name -> (config section, entries of config/paper.yaml, conv model, batch cap)
MODELS: dict[str, tuple[str, tuple[str, ...], bool, int]] = {
    "m1m3": ("gans", ("mnist_m1_m3_ns_unroll4", "mnist_m1_m3_ns"), False, 8192),
    "dcgan": ("gans", ("celeba64_dcgan",), True, 4096),
    "madry": ("classifiers", ("mnist_cnn_madry_pgd", "cifar10_cnn_madry_pgd"), True, 8192),
}
SETTINGS: dict[str, dict[str, bool]] = {
    "fp32": {"tf32": False, "amp": False, "cl": False},
    "tf32": {"tf32": True, "amp": False, "cl": False},
    "tf32+bf16": {"tf32": True, "amp": True, "cl": False},
    "tf32+bf16+cl": {"tf32": True, "amp": True, "cl": True},
}
#: the note of a stacked row whose model refuses stacked seeds: a result, not a failure
NOT_STACKABLE = "not stackable"
#: --graphs: as advgen's training runs on the device (auto), eager only (off), or every row both ways
GRAPH_CHOICES = ("auto", "off", "both")


# -- device helpers ----------------------------------------------------------------------------
def is_cuda(device: str) -> bool:
    return torch.device(device).type == "cuda"


def sync(device: str) -> None:
    if is_cuda(device):
        torch.cuda.synchronize()


def set_tf32(device: str, on: bool) -> None:
    """TF32 for matmuls and cuDNN convolutions (CUDA only; no-op elsewhere).

    torch >= 2.9's ``fp32_precision`` settings where they exist (the ``allow_tf32`` flags are
    deprecated there and must not be mixed with them), else the ``allow_tf32`` flags.
    """
    if not is_cuda(device):
        return
    matmul, conv = torch.backends.cuda.matmul, getattr(torch.backends.cudnn, "conv", None)
    if hasattr(matmul, "fp32_precision") and conv is not None and hasattr(conv, "fp32_precision"):
        matmul.fp32_precision = conv.fp32_precision = "tf32" if on else "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on


def free(device: str) -> None:
    gc.collect()
    if is_cuda(device):
        torch.cuda.empty_cache()


def versions(device: str) -> str:
    name = "cpu"
    if is_cuda(device):
        name = torch.cuda.get_device_name(torch.device(device))
    cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    return (
        f"device: {name} ({device}); torch {torch.__version__}; CUDA {torch.version.cuda}; "
        f"cuDNN {cudnn}; {torch.get_num_threads()} CPU threads"
    )


# -- the steps (advgen's training code) ---------------------------------------------------------
def paper_entries(path: Path = PAPER) -> dict[str, Any]:
    """config/paper.yaml validated, schema defaults filled; each model entry without the keys that
    say which runs it stands for (``replicates``, ``seeds``: a step here is one seed's, or
    ``--replicates`` stacked ones)."""
    config = validate_config(load_yaml(path), source=str(path))
    for section in ("gans", "autoencoders", "classifiers"):
        for name, entry in config.get(section, {}).items():
            config[section][name] = {k: v for k, v in entry.items() if k not in RUN_KEYS}
    return config


def image_shape(config: dict[str, Any], dataset: str) -> tuple[int, int, int]:
    entry = config["datasets"][dataset]
    size = int(entry["image_size"])
    return SOURCES[entry["source"]].channels, size, size


@contextlib.contextmanager
def graphs_env(graphs: str) -> Iterator[None]:
    """``$ADVGEN_CUDA_GRAPHS`` for building a step: ``off`` for eager rows, ``auto`` otherwise."""
    previous = os.environ.get(GRAPHS_ENV)
    os.environ[GRAPHS_ENV] = "off" if graphs == "off" else "auto"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(GRAPHS_ENV, None)
        else:
            os.environ[GRAPHS_ENV] = previous


def graph_label(graphs: str, device: str) -> str:
    """The table's ``graph`` column: ``off``; ``on`` (captured); ``static`` (the graphs' static
    buffers run eagerly: the CPU, where nothing can be captured, and the check's eager side)."""
    if graphs == "graph" and not is_cuda(device):
        return "static"
    return {"off": "off", "graph": "on", "static": "static"}[graphs]


class StepSetup(NamedTuple):
    """What a timed step is built from: an entry's spec, its images' shape, the batch, the device,
    a folder for the files a run reads, and ``graphs`` (see :class:`Step`)."""

    spec: dict[str, Any]
    shape: tuple[int, int, int]
    batch: int
    device: str
    folder: Path
    graphs: str = "off"


class Step:
    """A timed step: ``__call__`` runs one iteration; ``weights()`` and ``static`` serve the graph check.

    ``graphs``: ``off`` (advgen's eager step), ``graph`` (its step on static buffers, captured as
    a CUDA graph on CUDA) or ``static`` (the same static-buffer step, never captured).
    """

    static: StaticStep | None = None

    def weights(self) -> list[torch.Tensor]:
        raise NotImplementedError

    def _statics(self, graphs: str, device: str, fn: Callable[..., Any], built: Any) -> Any:
        """The step function to call: ``built`` (what advgen built for the device) or ``fn`` on
        static buffers that are never captured (``static``, and ``graph`` without CUDA)."""
        if graphs == "off":
            return built
        if graphs == "static" or not isinstance(built, StaticStep):
            built = StaticStep(fn, capture=False, name="static")
        self.static = built
        return built


def _random_train_file(folder: Path, shape: tuple[int, int, int], n: int) -> Path:
    """A prepared train split of ``n`` seeded random images of ``shape`` in ``folder`` (written
    once: a later call finds it)."""
    path = folder / f"train_{'x'.join(map(str, shape))}_{n}.pt"
    if not path.exists():
        g = torch.Generator().manual_seed(0)
        split = Split(torch.rand(n, *shape, generator=g), torch.zeros(n, dtype=torch.long), torch.arange(n))
        save_prepared(split, path, dataset="benchmark", name="train", num_classes=10, spec={})
    return path


class GanStep(Step):
    """One ``GanRun`` iteration on a fixed random batch; ``batch`` may exceed the file's images."""

    def __init__(self, setup: StepSetup, cl: bool):
        spec, shape, batch, device, folder, graphs = setup
        path = _random_train_file(folder, shape, int(spec["batch_size"]))
        with graphs_env(graphs):
            self.run = GanRun(typed_spec(GanSpec, spec), str(path), device=device)
        self.run.iterate = self._statics(graphs, device, self.run.train_iteration, self.run.iterate)
        # The paper batch sized the file; the step draws noise of the spec's batch_size rows.
        self.run.spec = replace(self.run.spec, batch_size=batch)
        low, high = self.run.D.input_range
        self.real = low + (high - low) * torch.rand(batch, *shape, device=device)
        if cl:
            fmt = torch.channels_last
            self.run.G.to(memory_format=fmt)
            self.run.D.to(memory_format=fmt)
            self.real = self.real.contiguous(memory_format=fmt)
        self.run.G.train()
        self.run.D.train()

    def __call__(self) -> None:
        with self.run.speed.precision():  # as GanRun.step: the spec's float32 precision
            self.run.iterate(self.real)

    def weights(self) -> list[torch.Tensor]:
        return [*self.run.G.parameters(), *self.run.D.parameters()]


class MadryStep(Step):
    """One training step of a classifier in its spec's mode (PGD for the Madry models):
    ``_train_epoch`` over exactly one batch, at the full epsilon; the ``pool`` mode with its
    adversarial pool (refreshed every ``pool_refresh`` steps, as a run does)."""

    def __init__(self, setup: StepSetup, cl: bool):
        spec, shape, batch, device, _, graphs = setup
        seed_everything(int(spec.get("seed", 0)))
        self.spec = typed_spec(ClassifierSpec, {**spec, "batch_size": batch, "device": device})
        self.model = build_classifier(self.spec.arch, shape, 10, self.spec.width).to(device)
        if cl:
            self.model.to(memory_format=torch.channels_last)
        capture = graphs == "graph" and is_cuda(device)
        # as ClassifierRun builds them: Adam capturable where graphs may capture its step
        self.opt = _optimizer(self.model, self.spec, capturable=graphs != "off" and is_cuda(device))
        graphed = graphs != "off" and self.spec.mode == "pgd"  # as ClassifierRun: graphs for PGD only
        self.pgd = PgdStep(self.model, self.opt, self.spec, capture=capture) if graphed else None
        self.pool = AdversarialPool.from_spec(self.spec) if self.spec.mode == "pool" else None
        self.static = self.pgd.static if self.pgd is not None else None
        self.x = torch.rand(batch, *shape, device=device)
        if cl:
            self.x = self.x.contiguous(memory_format=torch.channels_last)
        self.y = torch.randint(0, 10, (batch,), device=device)
        # past the warm-up: epsilon_at() gives the full eps from this step on
        self.step0 = 10**9

    def __call__(self) -> None:
        _train_epoch(
            self.model, self.opt, self.x, self.y, self.spec, self.step0, pool=self.pool, pgd=self.pgd
        )
        self.step0 += 1  # the pool refreshes on its schedule

    def weights(self) -> list[torch.Tensor]:
        return list(self.model.parameters())


class StackedGanStep(Step):
    """One stacked ``StackedGanRun.step`` of ``size`` seeds (each its own batch of real images)."""

    def __init__(self, setup: StepSetup, size: int):
        spec, shape, batch, device, folder, graphs = setup
        plain = GanStep(setup._replace(graphs="off"), False)
        path = _random_train_file(folder, shape, int(spec["batch_size"]))
        seeds = [int(spec.get("seed", 0)) + s for s in range(size)]
        samples = [folder / f"samples_{s}" for s in seeds]
        with graphs_env(graphs):
            self.run = StackedGanRun(plain.run.spec, seeds, str(path), device, samples=samples)
        self.run.iterate = self._statics(graphs, device, self.run._iteration, self.run.iterate)
        low, high = plain.run.D.input_range
        self.real = low + (high - low) * torch.rand(size, batch, *shape, device=device)
        del plain

    def __call__(self) -> None:
        self.run.step(self.real)

    def weights(self) -> list[torch.Tensor]:
        return [*self.run.G.parameters(), *self.run.D.parameters()]


class StackedMadryStep(Step):
    """One stacked PGD training step of ``size`` seeds (each its own batch), at the full epsilon."""

    def __init__(self, setup: StepSetup, size: int):
        spec, shape, batch, device, _, graphs = setup
        self.spec = typed_spec(ClassifierSpec, {**spec, "batch_size": batch, "device": device})
        g = torch.Generator().manual_seed(0)
        split = PreparedSplit(
            torch.rand(batch, *shape, generator=g),
            torch.randint(0, 10, (batch,), generator=g),
            10,
            "bench",
            "x",
            {},
        )
        with graphs_env(graphs):
            self.run = StackedClassifierRun(
                self.spec,
                [int(spec.get("seed", 0)) + s for s in range(size)],
                split,
                split,
                names=["r"] * size,
                device=device,
            )
        self.run.train_step = self._statics(graphs, device, self.run._train_step, self.run.train_step)
        self.x = torch.rand(size, batch, *shape, device=device)
        self.y = torch.randint(0, 10, (size, batch), device=device)
        self.step0 = 10**9  # past the warm-up: the full eps

    def __call__(self) -> None:
        self.run.step((self.step0, (self.x, self.y)))

    def weights(self) -> list[torch.Tensor]:
        return self.run.net.parameters()


def make_step(
    section: str,
    spec: dict[str, Any],
    shape,
    batch: int,
    device: str,
    folder: Path,
    cl: bool,
    stacked: int | None = None,
    graphs: str = "off",
    tf32: bool | None = None,
) -> Step:
    """The plain step (``stacked`` None) or the step of ``stacked`` seeds stacked; ``graphs``: see
    :class:`Step`. ``tf32`` (a setting's): a GAN's ``speed.fp32_precision`` (``tf32`` or ``ieee``),
    the lever a run's steps honour (:mod:`advgen.training.tf32`), instead of its spec's."""
    if tf32 is not None and section == "gans" and "speed" in spec:
        spec = {**spec, "speed": {**spec["speed"], "fp32_precision": "tf32" if tf32 else "ieee"}}
    setup = StepSetup(spec, shape, batch, device, folder, graphs)
    if stacked is not None:
        return (StackedGanStep if section == "gans" else StackedMadryStep)(setup, stacked)
    return (GanStep if section == "gans" else MadryStep)(setup, cl)


@contextlib.contextmanager
def autocast(device: str, on: bool) -> Iterator[None]:
    if on:
        with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16):
            yield
    else:
        yield


def time_step(
    step: Callable[[], None], device: str, amp: bool, warmup: int, iters: int, repeats: int
) -> float:
    """Median seconds per iteration over ``repeats`` runs of ``iters`` iterations, after ``warmup``."""
    with autocast(device, amp):
        for _ in range(warmup):
            step()
        sync(device)
        times = []
        for _ in range(repeats):
            sync(device)
            t0 = time.perf_counter()
            for _ in range(iters):
                step()
            sync(device)
            times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times)


def graph_note(step: Step | None) -> str:
    """What the step's static buffers did: graphs captured, or why a capture failed."""
    static = step.static if step is not None else None
    if static is None:
        return ""
    if static.failures:
        return f"capture failed: {static.failures[0]}"
    return f"{static.graphs} graph(s)" if static.capture else "static buffers, not captured"


def profile_step(step: Step, device: str, amp: bool, iters: int = 3) -> str:
    """Kernels and their device time per iteration over ``iters`` iterations (``torch.profiler``)."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if is_cuda(device) else [])
    with autocast(device, amp), profile(activities=activities) as prof:
        for _ in range(iters):
            step()
        sync(device)
    kernels = [e for e in prof.events() if getattr(e.device_type, "name", "") == "CUDA"]
    if not kernels:  # the CPU: aten calls without children stand for kernels
        ops = [e for e in prof.events() if e.name.startswith("aten::") and not e.cpu_children]
        return f"profile: {len(ops) / iters:.0f} leaf aten ops/it (CPU)"
    per: dict[str, list[float]] = {}
    for e in kernels:
        per.setdefault(e.name, []).append(e.time_range.elapsed_us())
    busy = sum(sum(v) for v in per.values()) / iters / 1000
    top = sorted(per.items(), key=lambda kv: -sum(kv[1]))[:4]
    tops = "; ".join(f"{k[:40]} x{len(v) / iters:.0f} {sum(v) / iters / 1000:.2f} ms" for k, v in top)
    return f"profile: {len(kernels) / iters:.0f} kernels/it, {busy:.2f} ms busy/it; top: {tops}"


def measure(
    section: str,
    spec: dict[str, Any],
    shape,
    batch: int,
    setting: dict[str, bool],
    device: str,
    folder: Path,
    warmup: int,
    iters: int,
    repeats: int,
    deterministic: bool = True,
    stacked: int | None = None,
    graphs: str = "off",
    profile: bool = False,
) -> tuple[float | None, str, str]:
    """(seconds per iteration, '', note) or (None, why, note): why is 'OOM', 'not stackable: ...'
    (the model refuses stacked seeds, :class:`advgen.errors.NotStackableError`), or the error line
    of anything else, which :func:`main` counts as a broken benchmark once the table is printed.
    The note says what the graphs did (and, with ``profile``, the kernels per iteration)."""
    set_tf32(device, setting["tf32"])
    step = None
    failed = note = ""
    sec = None
    try:
        step = make_step(
            section, spec, shape, batch, device, folder, setting["cl"], stacked, graphs, setting["tf32"]
        )
        if not deterministic:  # after the step's seed_everything, which turns them on
            torch.use_deterministic_algorithms(False)
        if graphs != "off":  # the capture happens after the static step's own warm-up calls
            warmup = max(warmup, step.static.warmup + 1 if step.static is not None else warmup)
        sec = time_step(step, device, setting["amp"], warmup, iters, repeats)
        note = graph_note(step)
        if profile:
            try:
                profiled = profile_step(step, device, setting["amp"])
            except Exception as exc:  # noqa: BLE001 - a profiler that fails leaves the rate standing
                profiled = f"profile failed: {type(exc).__name__}: {str(exc)[:80]}"
            note = "; ".join(n for n in (note, profiled) if n)
    except Exception as exc:  # noqa: BLE001 - reported in its row; main() exits 1 on any but OOM / not stackable
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        if out_of_memory(exc) is not None:
            failed = "OOM"
        elif isinstance(exc, NotStackableError):
            failed = f"{NOT_STACKABLE}: {first_line}"[:160]
        else:
            failed = f"{type(exc).__name__}: {first_line}"[:160]
        note = graph_note(step)
        sec = None
    finally:
        del step
    free(device)
    return sec, failed, note


def max_diff(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max(float((x.double() - y.double()).abs().max()) for x, y in zip(a, b, strict=True))


def graph_check(job: dict[str, Any], device: str, folder: Path, steps: int) -> dict[str, Any]:
    """The same ``steps`` iterations from the same seeds, captured and replayed against the same
    static-buffer step run eagerly, twice (the second eager run is the floor: kernels whose float
    sums are not deterministic differ from run to run). Max |difference| of the weights."""
    setting = SETTINGS[job["setting"]]
    set_tf32(device, setting["tf32"])
    out: dict[str, Any] = {k: job[k] for k in ("model", "entry", "setting", "batch", "stacked")}
    weights = {}
    for label, graphs in (("graph", "graph"), ("eager", "static"), ("eager2", "static")):
        step = None
        try:
            step = make_step(
                job["section"],
                job["spec"],
                job["shape"],
                job["batch"],
                device,
                folder,
                False,
                job["stacked"],
                graphs,
                setting["tf32"],
            )
            for _ in range(steps):
                step()
            sync(device)
            weights[label] = [w.detach().clone() for w in step.weights()]
            if label == "graph":
                out["graphs"] = graph_note(step) or "no capture (CPU)"
                scale = max(float(w.abs().max()) for w in weights[label])
        except Exception as exc:  # noqa: BLE001 - the check's row says so
            out["error"] = f"{label}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[
                :200
            ]
            return out
        finally:
            del step
            free(device)
    out.update(
        steps=steps,
        graph_vs_eager=max_diff(weights["graph"], weights["eager"]),
        eager_vs_eager=max_diff(weights["eager"], weights["eager2"]),
        max_abs_weight=scale,
        error=None,
    )
    return out


# -- the run -------------------------------------------------------------------------------------
def smoke_spec(section: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Tiny widths and batches that keep every part of the step (unroll, gs/ds, PGD)."""
    spec = dict(spec, batch_size=4)
    if section == "gans":
        if spec["generator"] == "dcgan":
            spec["generator_kwargs"] = {"ngf": 4}
        if spec["discriminator"] == "dcgan":
            spec["discriminator_kwargs"] = {"ndf": 4}
        spec["g_steps"], spec["d_steps"] = min(spec["g_steps"], 2), min(spec["d_steps"], 2)
    else:
        spec["width"], spec["pgd_steps"] = 0.125, 2
    return spec


def parse_settings(text: str) -> dict[str, set[str]]:
    """``--settings``: ``fp32,tf32`` for every model, or per model ``madry:fp32,dcgan:tf32``
    (a model not named runs every setting): model (``*`` for all) -> settings."""
    chosen: dict[str, set[str]] = {}
    for item in (t.strip() for t in text.split(",") if t.strip()):
        model, _, name = item.rpartition(":")
        if name not in SETTINGS or (model and model not in MODELS):
            raise SystemExit(
                f"--settings: unknown '{item}' (settings: {', '.join(SETTINGS)}; models: {', '.join(MODELS)})"
            )
        chosen.setdefault(model or "*", set()).add(name)
    return chosen


def graph_modes(choice: str, device: str) -> list[str]:
    """The ``graphs`` of each row: as the training code runs on the device, eager, or both."""
    if choice == "off":
        return ["off"]
    if choice == "both":
        return ["off", "graph"]
    return ["graph"] if is_cuda(device) else ["off"]


def plan(args: argparse.Namespace) -> list[dict[str, Any]]:
    config = load_entries(args.config_json)
    chosen = parse_settings(args.settings)
    entries_wanted = {e.strip() for e in args.entries.split(",") if e.strip()}
    modes = graph_modes(args.graphs, args.device)
    jobs = []
    for model in args.models.split(","):
        model = model.strip()
        if model not in MODELS:
            raise SystemExit(f"--models: unknown model '{model}' (known: {', '.join(MODELS)})")
        section, entries, conv, cap = MODELS[model]
        settings = chosen.get(model, chosen.get("*", set(SETTINGS)))
        for entry in entries[:1] if args.smoke else entries:
            if entries_wanted and entry not in entries_wanted:
                continue
            spec = dict(config[section][entry], seed=0)
            if args.smoke:
                spec = smoke_spec(section, spec)
            shape = image_shape(config, spec["dataset"])
            for name, setting in SETTINGS.items():
                if (setting["cl"] and not conv) or name not in settings:
                    continue
                # the plain step, then (fp32 and TF32 only) the stacked steps of S seeds; graphs
                # (and their eager twins) in fp32 and TF32 only: autocast stays eager
                stacks = [None] + (args.stacks if not setting["amp"] else [])
                for stacked in stacks:
                    for graphs in modes if not setting["amp"] else ["off"]:
                        jobs.append(
                            {
                                "model": model,
                                "entry": entry,
                                "section": section,
                                "spec": spec,
                                "shape": shape,
                                "setting": name,
                                "stacked": stacked,
                                "graphs": graphs,
                                "cap": min(cap, args.max_batch),
                                "batch": int(spec["batch_size"]),
                            }
                        )
    return jobs


def ceiling_search(
    args: argparse.Namespace, jobs: list[dict[str, Any]], rows: list[dict[str, Any]], folder: Path
) -> None:
    """The largest-batch rate of each plain row (its first graph mode), within ``--budget-s``;
    stacked rows get their ratio against it."""
    device = args.device
    warmup, iters, repeats = (2, 3, 1) if args.smoke else (args.warmup, args.iters, 3)
    ceiling_warmup = min(warmup, 2)  # the step's shapes are fixed; no cuDNN autotuning to wait for
    first_mode = {}
    for job in jobs:
        first_mode.setdefault((job["entry"], job["setting"]), job["graphs"])
    plain = [
        (job, row)
        for job, row in zip(jobs, rows)
        if job["stacked"] is None and job["graphs"] == first_mode[(job["entry"], job["setting"])]
    ]
    deadline = time.perf_counter() + args.budget_s
    for i, (job, row) in enumerate(plain):
        if job["sec"] is None:
            continue
        share_end = time.perf_counter() + max(0.0, deadline - time.perf_counter()) / (len(plain) - i)
        best_batch, best_sps = job["batch"], job["batch"] / job["sec"]
        last_sec, batch, note = job["sec"], job["batch"] * 2, f"cap {job['cap']}"
        searched = False
        while batch <= job["cap"]:
            est = 2.0 * last_sec
            n = max(3, min(iters, math.ceil(1.0 / est))) if not args.smoke else iters
            if time.perf_counter() + est * (ceiling_warmup + n * repeats) + 2.0 > share_end:
                note = f"budget (stopped before {batch})"
                break
            sec, err, _ = measure(
                job["section"],
                job["spec"],
                job["shape"],
                batch,
                SETTINGS[job["setting"]],
                device,
                folder,
                ceiling_warmup,
                n,
                repeats,
                args.deterministic,
                graphs=job["graphs"],
            )
            print(
                f"  {job['entry']:<24} {job['setting']:<13} batch {batch:>5}: "
                + (f"{batch / sec:,.1f} samples/s" if sec else f"failed ({err})"),
                flush=True,
            )
            if sec is None:
                note = f"OOM at {batch}" if err == "OOM" else f"failed at {batch}: {err}"
                break
            searched = True
            if batch / sec > best_sps:
                best_batch, best_sps = batch, batch / sec
            last_sec, batch = sec, batch * 2
        if not searched and note.startswith("budget"):  # no larger batch timed: no ceiling known
            row.update(ceiling_note=note)
            continue
        row.update(
            ceiling_batch=best_batch,
            ceiling_samples_per_s=best_sps,
            ratio=row["samples_per_s"] / best_sps,
            ceiling_note=note,
        )
    ceilings = {(r["entry"], r["setting"]): r["ceiling_samples_per_s"] for _, r in plain}
    for row in rows:  # the other rows against the plain step's ceiling
        best = ceilings.get((row["entry"], row["setting"]))
        if row["ceiling_batch"] is None and best and row["samples_per_s"] is not None:
            row.update(ceiling_samples_per_s=best, ratio=row["samples_per_s"] / best)


def run(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    device = args.device
    warmup, iters, repeats = (2, 3, 1) if args.smoke else (args.warmup, args.iters, 3)
    jobs = plan(args)
    if not is_cuda(device):  # a GAN's tf32 row is its lever, which a CPU honours (rounded operands)
        kept = [
            j for j in jobs if j["setting"] == "fp32" or (j["setting"] == "tf32" and j["section"] == "gans")
        ]
        skipped = sorted({j["setting"] for j in jobs if j not in kept})
        if skipped:
            print(
                f"note: {device}: only fp32 rows and the GANs' tf32; skipped {', '.join(skipped)} "
                "(TF32/AMP/channels_last are CUDA settings here)"
            )
        jobs = kept
    name = device_name(device)
    print(versions(device))
    rows, checks = [], []
    with tempfile.TemporaryDirectory(prefix="advgen-train-step-") as tmp:
        folder = Path(tmp)
        for job in jobs:  # the paper-batch rows first: they never wait on the budget
            stacked = job["stacked"]
            profiled = args.profile and stacked in (None, 1)
            sec, err, note = measure(
                job["section"],
                job["spec"],
                job["shape"],
                job["batch"],
                SETTINGS[job["setting"]],
                device,
                folder,
                warmup,
                iters,
                repeats,
                args.deterministic,
                stacked,
                job["graphs"],
                profiled,
            )
            samples = job["batch"] * (stacked or 1)  # each stacked seed trains on its own batch
            row = {k: job[k] for k in ("model", "entry", "setting", "batch", "stacked")}
            row.update(
                graph=graph_label(job["graphs"], device),
                device=name,
                iters_per_s=None if sec is None else 1.0 / sec,
                samples_per_s=None if sec is None else samples / sec,
                error=err or None,
                graph_note=note,
            )
            row.update(ceiling_batch=None, ceiling_samples_per_s=None, ratio=None, ceiling_note="")
            rows.append(row)
            job["sec"] = sec
            why = err if err.startswith(NOT_STACKABLE) else f"failed ({err})"
            print(
                f"  {job['entry']:<24} {job['setting']:<13} graph {row['graph']:<6} S {stacked or '-':>2} "
                f"batch {job['batch']:>5}: "
                + (f"{row['iters_per_s']:.2f} it/s, {row['samples_per_s']:,.0f} samples/s" if sec else why)
                + f" [{name}]"
                + (f" ({note})" if note else ""),
                flush=True,
            )
        ceiling_search(args, jobs, rows, folder)
        if args.check_graphs:
            for job in jobs:
                if job["graphs"] != "graph" or job["stacked"] not in (None, max(args.stacks, default=None)):
                    continue
                check = graph_check(job, device, folder, args.check_steps)
                check["device"] = name
                checks.append(check)
                print(f"  check {check_line(check)}", flush=True)
    return rows, checks


def device_name(device: str) -> str:
    return torch.cuda.get_device_name(torch.device(device)) if is_cuda(device) else f"CPU ({device})"


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def row_name(r: dict[str, Any]) -> str:
    graph = r.get("graph", "off")
    graph = "" if graph == "off" else f" graph {graph}"
    return f"{r['entry']} {r['setting']}{graph} S {r['stacked'] or '-'} batch {r['batch']}"


def broken(rows: list[dict[str, Any]], checks: list[dict[str, Any]] = ()) -> list[str]:
    """The rows that failed for another reason than running out of memory or a model that refuses
    stacked seeds, and the graph checks that could not run: a broken benchmark (or model), which
    turns the run's exit status to 1."""
    out = []
    for r in rows:
        error = r["error"] or ""
        if error and error != "OOM" and not error.startswith(NOT_STACKABLE):
            out.append(f"{row_name(r)}: {error}")
        if r["ceiling_note"].startswith("failed at "):  # the ceiling search's larger batch
            out.append(f"{row_name(r)}, ceiling search: {r['ceiling_note']}")
    for c in checks:
        if c.get("error"):
            out.append(f"graph check {c['entry']} S {c['stacked'] or '-'}: {c['error']}")
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| model | entry | setting | graph | S | batch | it/s | samples/s | ceiling batch | ceiling samples/s "
        "| ratio | device | note |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        note = "; ".join(n for n in (r["error"] or r["ceiling_note"], r.get("graph_note", "")) if n)
        lines.append(
            f"| {r['model']} | {r['entry']} | {r['setting']} | {r.get('graph', 'off')} | {r['stacked'] or '-'} | "
            f"{r['batch']} | {fmt(r['iters_per_s'], 2)} | "
            f"{fmt(r['samples_per_s'])} | {r['ceiling_batch'] or '-'} | {fmt(r['ceiling_samples_per_s'])} | "
            f"{fmt(r['ratio'], 2)} | {r.get('device', '-')} | {note} |"
        )
    return "\n".join(lines)


def check_line(c: dict[str, Any]) -> str:
    head = f"{c['entry']} {c['setting']} S {c['stacked'] or '-'} batch {c['batch']} [{c.get('device', '-')}]"
    if c.get("error"):
        return f"{head}: failed: {c['error']}"
    return (
        f"{head}: {c['steps']} steps, max |w graph - w eager| {c['graph_vs_eager']:.3g}, "
        f"eager - eager {c['eager_vs_eager']:.3g} (max |w| {c['max_abs_weight']:.3g}; {c['graphs']})"
    )


def summary(rows: list[dict[str, Any]]) -> list[str]:
    """Within-run ratios: graphed / eager at the paper batch, and the best S-stacked rate / the
    plain step, per entry and setting."""
    out = []
    by = {}
    for r in rows:
        if r["samples_per_s"] is not None:
            by[(r["entry"], r["setting"], r["graph"], r["stacked"])] = r
    for entry, setting in dict.fromkeys((r["entry"], r["setting"]) for r in rows):
        eager, graphed = by.get((entry, setting, "off", None)), by.get((entry, setting, "on", None))
        dev = next(r["device"] for r in rows if r["entry"] == entry)
        if eager and graphed:
            out.append(
                f"{entry} {setting} batch {eager['batch']} [{dev}]: eager {eager['iters_per_s']:.2f} it/s, "
                f"graphed {graphed['iters_per_s']:.2f} it/s: {graphed['iters_per_s'] / eager['iters_per_s']:.2f}x"
            )
        stacks = [k for k in by if k[:2] == (entry, setting) and k[3] is not None]
        if not stacks:
            continue
        s_max = max(k[3] for k in stacks)
        for base_graph in ("off", "on"):
            base = by.get((entry, setting, base_graph, None))
            if base is None:
                continue
            for graph in ("off", "on"):
                top = by.get((entry, setting, graph, s_max))
                if top is not None:
                    out.append(
                        f"{entry} {setting} [{dev}]: S={s_max} graph {graph} {top['samples_per_s']:,.0f} samples/s "
                        f"/ plain graph {base_graph} {base['samples_per_s']:,.0f} = "
                        f"{top['samples_per_s'] / base['samples_per_s']:.2f}x"
                    )
    return out


# -- the lever table (--levers): the default study's generators on the CPU -----------------------
DEFAULT_STUDY = ROOT / "config" / "config.yaml"
#: --levers name -> (config section, entry of config/config.yaml)
LEVER_MODELS: dict[str, tuple[str, str]] = {
    "report_gan": ("gans", "mnist_report"),
    "ns_gan": ("gans", "mnist_ns"),
    "forced_ae": ("autoencoders", "mnist_ae_forced"),
}
#: the speed levers of advgen.training.speed, all on (the row ``levers``)
ALL_LEVERS = {"autocast": "bf16", "channels_last": True, "fused_adam": True}
#: oneDNN's ISA cap (--isa): a CPU of another kind emulated on this one
ISA_ENV = "ONEDNN_MAX_CPU_ISA"


def lever_variants(model: str, compile_: bool) -> dict[str, dict[str, Any]]:
    """Row -> its change to the entry (``speed`` levers, a width) or a benchmark-local change
    (``local``: Adam with ``foreach``, ``torch.compile`` of the step). The first row, ``fp32``, is
    the baseline: the entry with ``speed`` off, as it trained before the levers."""
    levers = dict(ALL_LEVERS, channels_last=model == "report_gan")  # NHWC: the DCGAN pair only
    out: dict[str, dict[str, Any]] = {"fp32": {}, "bf16": {"speed": {"autocast": "bf16"}}}
    if model == "report_gan":  # the autoencoder is NHWC already; the MLPs have no 4-d weights
        out["channels_last"] = {"speed": {"channels_last": True}}
    out["foreach_adam"] = {"local": "foreach"}
    out["fused_adam"] = {"speed": {"fused_adam": True}}
    out["levers"] = {"speed": levers}
    if model == "report_gan":  # the levers where autocast auto keeps float32 (no AMX)
        out["channels_last+fused"] = {"speed": {"channels_last": True, "fused_adam": True}}
        out["levers+ngf32"] = {"speed": levers, "generator_kwargs": {"ngf": 32}}
    if model == "forced_ae":
        out["levers+width16"] = {"speed": levers, "width": 16}
    if compile_:
        out["compile"] = {"local": "compile"}
    return out


def lever_spec(config: dict[str, Any], model: str, change: dict[str, Any], smoke: bool) -> dict[str, Any]:
    """The entry's job spec (seed 0, ``speed`` off) with ``change`` applied, defaults filled."""
    from advgen.ae.spec import AeSpec
    from advgen.gan.spec import complete_spec

    section, entry = LEVER_MODELS[model]
    cls = GanSpec if section == "gans" else AeSpec
    fields = {f.name for f in dataclasses.fields(cls)}
    spec = {k: v for k, v in config[section][entry].items() if k in fields}
    spec.update(seed=0, speed={})
    spec.update({k: v for k, v in change.items() if k != "local"})
    if smoke:
        spec["batch_size"] = 8
    return complete_spec(spec, "gan" if section == "gans" else "autoencoder")


class LeverStep:
    """One training iteration of a default-study entry, by advgen's own step: ``GanRun.train_iteration``
    (D and G updates, the generator average) or ``AeRun.step`` (an Adam step on the image MSE and
    the moment term), on a fixed batch."""

    def __init__(self, section: str, spec: dict[str, Any], path: Path, local: str | None) -> None:
        from advgen.ae.spec import AeSpec
        from advgen.ae.train import AeRun

        if section == "gans":
            self.run: Any = GanRun(typed_spec(GanSpec, spec), str(path))
            self.batch = self.run.images[: spec["batch_size"]]
            self.fn: Callable[..., Any] = self.run.train_iteration
            names = ("opt_g", "opt_d")
        else:
            self.run = AeRun(typed_spec(AeSpec, spec), str(path), str(path))
            self.batch = self.run.train_images[: spec["batch_size"]]
            self.fn = self.run.step
            names = ("opt",)
        if local == "foreach":
            for name in names:
                old = getattr(self.run, name)
                group = {k: v for k, v in old.param_groups[0].items() if k in ("lr", "betas")}
                setattr(
                    self.run, name, torch.optim.Adam(old.param_groups[0]["params"], foreach=True, **group)
                )
        self.compile_s: float | None = None
        if local == "compile":  # the first call compiles (CPU seconds of this process)
            self.fn = torch.compile(self.fn)
            start = time.process_time()
            self.fn(self.batch)
            self.compile_s = time.process_time() - start

    def __call__(self) -> None:
        self.fn(self.batch)


def lever_table(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Per model, every row's CPU time per iteration, timed in ``--rounds`` interleaved rounds (each
    round times every row once, in a rotated order, so that a shared host's load falls on all
    rows alike); the speed-up is the baseline's CPU time over the row's in the same round: its
    median and range over the rounds."""
    config = validate_config(load_yaml(args.lever_config), source=str(args.lever_config))
    models = list(LEVER_MODELS) if args.levers == "all" else [m.strip() for m in args.levers.split(",")]
    for m in models:
        if m not in LEVER_MODELS:
            raise SystemExit(f"--levers: unknown model '{m}' (known: {', '.join(LEVER_MODELS)}, all)")
    warmup, iters, rounds = (1, 2, 2) if args.smoke else (args.warmup, args.iters, args.rounds)
    rows = []
    with tempfile.TemporaryDirectory(prefix="advgen-levers-") as tmp:
        path = Path(tmp) / "train.pt"
        g = torch.Generator().manual_seed(0)
        split = Split(
            torch.rand(256, 1, 28, 28, generator=g), torch.zeros(256, dtype=torch.long), torch.arange(256)
        )
        save_prepared(split, path, dataset="benchmark", name="train", num_classes=10, spec={})
        for model in models:
            section, entry = LEVER_MODELS[model]
            variants = lever_variants(model, args.compile and not args.smoke)
            steps = {}
            for name, change in variants.items():
                spec = lever_spec(config, model, change, args.smoke)
                steps[name] = LeverStep(section, spec, path, change.get("local"))
                for _ in range(warmup):
                    steps[name]()
            cpu: dict[str, list[float]] = {name: [] for name in steps}
            wall: dict[str, list[float]] = {name: [] for name in steps}
            names = list(steps)
            for r in range(rounds):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    c0, w0 = time.process_time(), time.perf_counter()
                    for _ in range(iters):
                        steps[name]()
                    cpu[name].append((time.process_time() - c0) / iters)
                    wall[name].append((time.perf_counter() - w0) / iters)
            base = cpu["fp32"]
            for name, step in steps.items():
                ratios = [b / v for b, v in zip(base, cpu[name], strict=True)]
                row = {
                    "model": model,
                    "entry": entry,
                    "lever": name,
                    "batch": int(step.batch.shape[0]),
                    "cpu_ms": 1000 * statistics.median(cpu[name]),
                    "wall_ms": 1000 * statistics.median(wall[name]),
                    "speedup": statistics.median(ratios),
                    "speedup_min": min(ratios),
                    "speedup_max": max(ratios),
                    "rounds": rounds,
                    "iters": iters,
                    "compile_cpu_s": step.compile_s,
                }
                rows.append(row)
                print(
                    f"  {model:<10} {name:<15} {row['cpu_ms']:8.1f} ms CPU/it  x{row['speedup']:.2f} "
                    f"[{row['speedup_min']:.2f}, {row['speedup_max']:.2f}]"
                    + (f" (compile {step.compile_s:.0f} CPU s)" if step.compile_s is not None else ""),
                    flush=True,
                )
            del steps
            free("cpu")
    return rows


def lever_header(args: argparse.Namespace) -> str:
    """The host: CPU model, bfloat16 flags, oneDNN's ISA cap, threads and what ``autocast: auto`` picks."""
    from advgen.training.speed import autocast_dtype

    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "unknown CPU",
        )
        if Path("/proc/cpuinfo").exists()
        else "unknown CPU"
    )
    caps = torch.cpu.get_capabilities()
    flags = ", ".join(f for f in ("avx512_bf16", "amx_bf16") if caps.get(f)) or "none"
    auto = "bf16" if autocast_dtype("auto", "cpu") is not None else "off"
    return (
        f"{model}; bfloat16 flags: {flags}; {ISA_ENV}={os.environ.get(ISA_ENV, 'unset')}; "
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); autocast auto -> {auto}"
    )


def lever_markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| model (entry, batch) | lever | CPU ms / iteration | speed-up (median [min, max] over rounds) | note |",
        "|---|---|---:|---|---|",
    ]
    for r in rows:
        note = f"compile: {r['compile_cpu_s']:.0f} CPU s first call" if r["compile_cpu_s"] is not None else ""
        lines.append(
            f"| {r['model']} ({r['entry']}, {r['batch']}) | {r['lever']} | {r['cpu_ms']:.1f} | "
            f"{r['speedup']:.2f}x [{r['speedup_min']:.2f}, {r['speedup_max']:.2f}] | {note} |"
        )
    return "\n".join(lines)


def lever_main(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``--levers``: the lever table on the CPU, one torch thread (``--threads`` to change)."""
    if args.isa:  # read by oneDNN when it creates its first primitive
        os.environ[ISA_ENV] = args.isa
    torch.set_num_threads(1 if args.smoke or not args.threads else args.threads)
    t0 = time.perf_counter()
    print(lever_header(args), flush=True)
    rows = lever_table(args)
    print()
    print(lever_header(args))
    print()
    print(lever_markdown(rows))
    print(f"\n{time.perf_counter() - t0:.1f} s in all")
    if args.json:
        payload = {"header": lever_header(args), "rows": rows}
        Path(args.json).write_text(json.dumps(payload, indent=1) + "\n")
    return rows, []


def load_entries(config_json: str | None) -> dict[str, Any]:
    """config/paper.yaml validated with defaults, or that result saved by ``--dump-config`` (a
    machine without the schema validator, jsonschema, runs from the saved file)."""
    if config_json:
        return json.loads(Path(config_json).read_text())
    return paper_entries()


def main(argv: list[str] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, of {', '.join(MODELS)}")
    parser.add_argument(
        "--entries", default="", help="only these config entries (comma-separated; '' for all)"
    )
    parser.add_argument(
        "--settings",
        default=",".join(SETTINGS),
        help="settings to run, for every model (fp32,tf32) or per model (madry:fp32,dcgan:tf32)",
    )
    parser.add_argument(
        "--graphs",
        choices=GRAPH_CHOICES,
        default="auto",
        help="CUDA graphs: as advgen trains on the device (auto: on for CUDA), off, or both per row",
    )
    parser.add_argument(
        "--check-graphs",
        action="store_true",
        help="also compare graphed with eager weights after --check-steps iterations from the same seeds",
    )
    parser.add_argument("--check-steps", type=int, default=6, help="iterations of each graph check")
    parser.add_argument("--profile", action="store_true", help="kernels per iteration of the S <= 1 rows")
    parser.add_argument(
        "--iters", type=int, default=20, help="timed iterations per repeat (3 repeats, median)"
    )
    parser.add_argument(
        "--replicates",
        default="1,3,5",
        help="comma-separated S: also time S seeds stacked into one model ('' for none)",
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--max-batch", type=int, default=8192, help="largest batch of the ceiling search")
    parser.add_argument("--budget-s", type=float, default=240.0, help="seconds all ceiling searches share")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    parser.add_argument(
        "--config-json",
        default=None,
        help="the validated paper config saved by --dump-config (no jsonschema)",
    )
    parser.add_argument(
        "--dump-config", default=None, help="write the validated paper config as JSON and exit"
    )
    parser.add_argument(
        "--no-deterministic",
        dest="deterministic",
        action="store_false",
        help="time without torch.use_deterministic_algorithms (advgen's training turns it on)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny widths/batches, 2+3 iterations, one thread (CI)"
    )
    parser.add_argument(
        "--levers",
        default="",
        help=f"instead of the paper models: the lever table of these default-study generators "
        f"({', '.join(LEVER_MODELS)}, or all; CPU)",
    )
    parser.add_argument("--lever-config", type=Path, default=DEFAULT_STUDY, help="the config of --levers")
    parser.add_argument("--rounds", type=int, default=5, help="--levers: interleaved timing rounds")
    parser.add_argument(
        "--compile", action="store_true", help="--levers: also time torch.compile of the step (minutes)"
    )
    parser.add_argument(
        "--isa",
        default="",
        help=f"--levers: cap oneDNN's instruction set (${ISA_ENV}), e.g. AVX512_CORE_BF16 (no AMX), "
        "AVX512_CORE (no bfloat16)",
    )
    args = parser.parse_args(argv)
    if args.levers:
        return lever_main(args)
    if args.dump_config:
        Path(args.dump_config).write_text(json.dumps(paper_entries(), indent=1, sort_keys=True) + "\n")
        return [], []
    try:
        args.stacks = [int(v) for v in args.replicates.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--replicates: '{args.replicates}' is not a comma-separated list of integers")
    if any(v < 1 for v in args.stacks):
        parser.error(f"--replicates: '{args.replicates}': every S must be at least 1")
    if args.smoke:
        args.threads, args.max_batch, args.check_steps = 1, 8, min(args.check_steps, 4)
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    rows, checks = run(args)
    print()
    print(
        versions(args.device) + f"; deterministic algorithms {torch.are_deterministic_algorithms_enabled()}"
    )
    print()
    print(table(rows))
    if checks:
        print("\ngraphed vs eager (the same static-buffer step, same seeds):")
        print("\n".join(f"  {check_line(c)}" for c in checks))
    lines = summary(rows)
    if lines:
        print("\nsummary (ratios within this run):")
        print("\n".join(f"  {line}" for line in lines))
    print(f"\n{time.perf_counter() - t0:.1f} s in all")
    if args.json:
        payload = {"header": versions(args.device), "rows": rows, "graph_checks": checks, "summary": lines}
        Path(args.json).write_text(json.dumps(payload, indent=1) + "\n")
    failures = broken(rows, checks)
    if failures:
        raise SystemExit("train_step: rows failed:\n  " + "\n  ".join(failures))
    return rows, checks


if __name__ == "__main__":
    main()
