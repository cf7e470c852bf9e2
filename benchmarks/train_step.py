"""Training step rate of the paper models: M1/M3 GANs, the CelebA DCGAN, PGD training of cnn_madry.

Issue 16 section 2. Each model is built and stepped by advgen's own training code with the
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
on), ``tf32+bf16`` (a benchmark-local ``torch.autocast(bfloat16)`` around the training step:
advgen's training code has no AMP switch and is unchanged) and, for the conv models (DCGAN,
cnn_madry), ``tf32+bf16+cl`` (models and inputs in ``channels_last``; cnn_madry's weights are
``channels_last`` in every row since :mod:`advgen.models.layout`, so for it this row adds the
inputs' layout only). On the CPU only ``fp32`` runs. Like advgen's training, every run calls
``seed_everything`` and so trains with
``torch.use_deterministic_algorithms(True, warn_only=True)``; ``--no-deterministic`` turns that
off after each model is built, to show what determinism costs.

Replicates (``--replicates``, default 1,3,5; fp32 and TF32 rows): besides the plain step of one
model, each entry is timed with S seeds stacked into one model (``stack_module_state`` + ``vmap``:
:class:`advgen.gan.replicates.StackedGanRun`, :class:`advgen.classifiers.replicates.StackedClassifierRun`):
one step trains all S replicates, each on its own batch of the paper's size, so samples/s =
S x batch / seconds per step. A model that cannot be stacked (M3's dropout) gets its one-line
reason instead of a rate. A stacked row's ratio is against the plain step's ceiling.

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
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from advgen.classifiers.replicates import StackedClassifierRun
from advgen.classifiers.training import _optimizer, _train_epoch
from advgen.classifiers.zoo import build_classifier
from advgen.cli import out_of_memory
from advgen.config import load_yaml, validate_config
from advgen.data.prepared import PreparedSplit, save_prepared
from advgen.data.registry import SOURCES
from advgen.data.split import Split
from advgen.errors import NotStackableError
from advgen.gan.replicates import StackedGanRun
from advgen.gan.train import GanRun
from advgen.seeding import seed_everything

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
#: the note of a stacked row whose model refuses stacked seeds (M3's dropout): a result, not a failure
NOT_STACKABLE = "not stackable"


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
    """config/paper.yaml validated, schema defaults filled."""
    return validate_config(load_yaml(path), source=str(path))


def image_shape(config: dict[str, Any], dataset: str) -> tuple[int, int, int]:
    entry = config["datasets"][dataset]
    size = int(entry["image_size"])
    return SOURCES[entry["source"]].channels, size, size


class GanStep:
    """One ``GanRun.train_iteration`` on a fixed random batch; ``batch`` may exceed the file's images."""

    def __init__(
        self,
        spec: dict[str, Any],
        shape: tuple[int, int, int],
        batch: int,
        device: str,
        folder: Path,
        cl: bool,
    ):
        n = int(spec["batch_size"])
        path = folder / f"train_{'x'.join(map(str, shape))}_{n}.pt"
        if not path.exists():
            g = torch.Generator().manual_seed(0)
            split = Split(
                torch.rand(n, *shape, generator=g), torch.zeros(n, dtype=torch.long), torch.arange(n)
            )
            save_prepared(split, path, dataset="benchmark", name="train", num_classes=10, spec={})
        self.run = GanRun(spec, str(path), device=device)
        # The paper batch sized the file; the step draws noise of spec["batch_size"] rows.
        self.run.spec = {**self.run.spec, "batch_size": batch}
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
        self.run.train_iteration(self.real)


class MadryStep:
    """One PGD training step: ``_train_epoch`` over exactly one batch, at the full epsilon."""

    def __init__(self, spec: dict[str, Any], shape: tuple[int, int, int], batch: int, device: str, cl: bool):
        seed_everything(int(spec.get("seed", 0)))
        self.spec = {**spec, "batch_size": batch, "device": device}
        self.model = build_classifier(spec["arch"], shape, 10, spec["width"]).to(device)
        if cl:
            self.model.to(memory_format=torch.channels_last)
        self.opt = _optimizer(self.model, self.spec)
        self.x = torch.rand(batch, *shape, device=device)
        if cl:
            self.x = self.x.contiguous(memory_format=torch.channels_last)
        self.y = torch.randint(0, 10, (batch,), device=device)
        # past the warm-up: epsilon_at() gives the full eps from this step on
        self.step0 = 10**9

    def __call__(self) -> None:
        _train_epoch(self.model, self.opt, self.x, self.y, self.spec, self.step0)


class StackedGanStep:
    """One stacked ``StackedGanRun.step`` of ``size`` seeds (each its own batch of real images)."""

    def __init__(
        self,
        spec: dict[str, Any],
        shape: tuple[int, int, int],
        batch: int,
        device: str,
        folder: Path,
        size: int,
    ):
        plain = GanStep(spec, shape, batch, device, folder, False)  # writes the prepared file
        path = folder / f"train_{'x'.join(map(str, shape))}_{int(spec['batch_size'])}.pt"
        seeds = [int(spec.get("seed", 0)) + s for s in range(size)]
        samples = [folder / f"samples_{s}" for s in seeds]
        self.run = StackedGanRun(plain.run.spec, seeds, str(path), device, samples=samples)
        low, high = plain.run.D.input_range
        self.real = low + (high - low) * torch.rand(size, batch, *shape, device=device)
        del plain

    def __call__(self) -> None:
        self.run.step(self.real)


class StackedMadryStep:
    """One stacked PGD training step of ``size`` seeds (each its own batch), at the full epsilon."""

    def __init__(self, spec: dict[str, Any], shape: tuple[int, int, int], batch: int, device: str, size: int):
        self.spec = {**spec, "batch_size": batch}
        g = torch.Generator().manual_seed(0)
        split = PreparedSplit(
            torch.rand(batch, *shape, generator=g),
            torch.randint(0, 10, (batch,), generator=g),
            10,
            "bench",
            "x",
            {},
        )
        self.run = StackedClassifierRun(
            self.spec,
            [int(spec.get("seed", 0)) + s for s in range(size)],
            split,
            split,
            names=["r"] * size,
            device=device,
        )
        self.x = torch.rand(size, batch, *shape, device=device)
        self.y = torch.randint(0, 10, (size, batch), device=device)
        self.step0 = 10**9  # past the warm-up: the full eps

    def __call__(self) -> None:
        self.run.step((self.step0, (self.x, self.y)))


def make_step(
    section: str,
    spec: dict[str, Any],
    shape,
    batch: int,
    device: str,
    folder: Path,
    cl: bool,
    stacked: int | None = None,
) -> Callable[[], None]:
    """The plain step (``stacked`` None) or the step of ``stacked`` seeds stacked."""
    if stacked is not None:
        if section == "gans":
            return StackedGanStep(spec, shape, batch, device, folder, stacked)
        return StackedMadryStep(spec, shape, batch, device, stacked)
    if section == "gans":
        return GanStep(spec, shape, batch, device, folder, cl)
    return MadryStep(spec, shape, batch, device, cl)


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
) -> tuple[float | None, str]:
    """(seconds per iteration, '') or (None, why): 'OOM', 'not stackable: ...' (the model refuses
    stacked seeds, :class:`advgen.errors.NotStackableError`), or the error line of anything else,
    which :func:`main` counts as a broken benchmark once the table is printed."""
    set_tf32(device, setting["tf32"])
    step = None
    failed = ""
    try:
        step = make_step(section, spec, shape, batch, device, folder, setting["cl"], stacked)
        if not deterministic:  # after the step's seed_everything, which turns them on
            torch.use_deterministic_algorithms(False)
        return time_step(step, device, setting["amp"], warmup, iters, repeats), ""
    except Exception as exc:  # noqa: BLE001 - reported in its row; main() exits 1 on any but OOM / not stackable
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        if out_of_memory(exc) is not None:
            failed = "OOM"
        elif isinstance(exc, NotStackableError):
            failed = f"{NOT_STACKABLE}: {first_line}"[:160]
        else:
            failed = f"{type(exc).__name__}: {first_line}"[:160]
    finally:
        del step
    free(device)
    return None, failed


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


def plan(args: argparse.Namespace) -> list[dict[str, Any]]:
    config = paper_entries()
    jobs = []
    for model in args.models.split(","):
        model = model.strip()
        if model not in MODELS:
            raise SystemExit(f"--models: unknown model '{model}' (known: {', '.join(MODELS)})")
        section, entries, conv, cap = MODELS[model]
        for entry in entries[:1] if args.smoke else entries:
            spec = dict(config[section][entry], seed=0)
            if args.smoke:
                spec = smoke_spec(section, spec)
            shape = image_shape(config, spec["dataset"])
            for name, setting in SETTINGS.items():
                if setting["cl"] and not conv:
                    continue
                # the plain step, then (fp32 and TF32 only) the stacked steps of S seeds
                stacks = [None] + (args.stacks if not setting["amp"] else [])
                for stacked in stacks:
                    jobs.append(
                        {
                            "model": model,
                            "entry": entry,
                            "section": section,
                            "spec": spec,
                            "shape": shape,
                            "setting": name,
                            "stacked": stacked,
                            "cap": min(cap, args.max_batch),
                            "batch": int(spec["batch_size"]),
                        }
                    )
    return jobs


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    device = args.device
    warmup, iters, repeats = (2, 3, 1) if args.smoke else (args.warmup, args.iters, 3)
    ceiling_warmup = min(warmup, 2)  # the step's shapes are fixed; no cuDNN autotuning to wait for
    jobs = plan(args)
    if not is_cuda(device):
        skipped = sorted({j["setting"] for j in jobs if j["setting"] != "fp32"})
        if skipped:
            print(
                f"note: {device}: only fp32 rows; skipped {', '.join(skipped)} "
                "(TF32/AMP/channels_last are CUDA settings here)"
            )
        jobs = [j for j in jobs if j["setting"] == "fp32"]
    print(versions(device))
    rows = []
    with tempfile.TemporaryDirectory(prefix="advgen-train-step-") as tmp:
        folder = Path(tmp)
        for job in jobs:  # the paper-batch rows first: they never wait on the budget
            stacked = job["stacked"]
            sec, err = measure(
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
            )
            samples = job["batch"] * (stacked or 1)  # each stacked seed trains on its own batch
            row = {k: job[k] for k in ("model", "entry", "setting", "batch", "stacked")}
            row.update(
                iters_per_s=None if sec is None else 1.0 / sec,
                samples_per_s=None if sec is None else samples / sec,
                error=err or None,
            )
            row.update(ceiling_batch=None, ceiling_samples_per_s=None, ratio=None, ceiling_note="")
            rows.append(row)
            job["sec"] = sec
            why = err if err.startswith(NOT_STACKABLE) else f"failed ({err})"
            print(
                f"  {job['entry']:<24} {job['setting']:<13} S {stacked or '-':>2} batch {job['batch']:>5}: "
                + (f"{row['iters_per_s']:.2f} it/s" if sec else why),
                flush=True,
            )
        plain = [(job, row) for job, row in zip(jobs, rows) if job["stacked"] is None]
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
                sec, err = measure(
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
        for row in rows:  # a stacked row against the plain step's ceiling
            best = ceilings.get((row["entry"], row["setting"]))
            if row["stacked"] is not None and best and row["samples_per_s"] is not None:
                row.update(ceiling_samples_per_s=best, ratio=row["samples_per_s"] / best)
    return rows


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def broken(rows: list[dict[str, Any]]) -> list[str]:
    """The rows that failed for another reason than running out of memory or a model that refuses
    stacked seeds: a broken benchmark (or model), which turns the run's exit status to 1."""
    out = []
    for r in rows:
        name = f"{r['entry']} {r['setting']} S {r['stacked'] or '-'} batch {r['batch']}"
        error = r["error"] or ""
        if error and error != "OOM" and not error.startswith(NOT_STACKABLE):
            out.append(f"{name}: {error}")
        if r["ceiling_note"].startswith("failed at "):  # the ceiling search's larger batch
            out.append(f"{name}, ceiling search: {r['ceiling_note']}")
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| model | entry | setting | S | batch | it/s | samples/s | ceiling batch | ceiling samples/s | ratio | note |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        note = r["error"] or r["ceiling_note"]
        lines.append(
            f"| {r['model']} | {r['entry']} | {r['setting']} | {r['stacked'] or '-'} | {r['batch']} | "
            f"{fmt(r['iters_per_s'], 2)} | "
            f"{fmt(r['samples_per_s'])} | {r['ceiling_batch'] or '-'} | {fmt(r['ceiling_samples_per_s'])} | "
            f"{fmt(r['ratio'], 2)} | {note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, of {', '.join(MODELS)}")
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
        "--no-deterministic",
        dest="deterministic",
        action="store_false",
        help="time without torch.use_deterministic_algorithms (advgen's training turns it on)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny widths/batches, 2+3 iterations, one thread (CI)"
    )
    args = parser.parse_args(argv)
    try:
        args.stacks = [int(v) for v in args.replicates.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--replicates: '{args.replicates}' is not a comma-separated list of integers")
    if any(v < 1 for v in args.stacks):
        parser.error(f"--replicates: '{args.replicates}': every S must be at least 1")
    if args.smoke:
        args.threads, args.max_batch = 1, 8
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    rows = run(args)
    print()
    print(
        versions(args.device) + f"; deterministic algorithms {torch.are_deterministic_algorithms_enabled()}"
    )
    print()
    print(table(rows))
    print(f"\n{time.perf_counter() - t0:.1f} s in all")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"header": versions(args.device), "rows": rows}, indent=1) + "\n"
        )
    failures = broken(rows)
    if failures:
        raise SystemExit("train_step: rows failed:\n  " + "\n  ".join(failures))
    return rows


if __name__ == "__main__":
    main()
