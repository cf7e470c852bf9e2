"""The default study's bfloat16 runs with their seeds stacked: S per-seed steps against one stacked step.

The report GAN (``config/config.yaml``'s ``mnist_report``: DCGAN-28 G, conv_sn D, bfloat16
autocast, channels_last) and the forced autoencoder (``mnist_ae_forced``: bfloat16 autocast,
fused Adam) train their seeds as one stacked job on a GPU, under autocast's casts made explicit
(:mod:`advgen.training.explicit_autocast`: ``torch.autocast`` does not apply under ``vmap``).
Prints, per model and in one run, the milliseconds of one training iteration of every seed:
the S seeds stepped one after another by their own runs (``GanRun`` / ``AeRun``, under
``torch.autocast``), the S seeds stacked (``StackedGanRun`` / ``StackedAeRun``, under the
explicit casts), and the S seeds stacked in float32 (the levers' autocast off: what the
explicit casts cost or save); and the ratio per-seed / stacked. Each step is advgen's training
code as the workflow's jobs run it (CUDA graphs where they replay it), on one batch of random
digits-shaped images; the rows alternate in rounds, so drift hits them alike. On a CPU the
stacked step is expected slower (docs/scaling.md); the figure that matters is a GPU's.

    python benchmarks/stacked_bfloat16.py [--seeds 5] [--iters 20] [--device cuda]
    python benchmarks/stacked_bfloat16.py --smoke     # batch 8, narrow models, a few iterations (CI)
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_options import add_device, add_smoke, add_threads  # noqa: E402

from advgen.ae.replicates import StackedAeRun  # noqa: E402
from advgen.ae.spec import AeSpec  # noqa: E402
from advgen.ae.train import AeRun  # noqa: E402
from advgen.config import load_yaml, validate_config  # noqa: E402
from advgen.data.prepared import save_prepared  # noqa: E402
from advgen.data.split import Split  # noqa: E402
from advgen.errors import CastPolicyMismatch  # noqa: E402
from advgen.gan.replicates import StackedGanRun  # noqa: E402
from advgen.gan.spec import GanSpec, complete_spec  # noqa: E402
from advgen.gan.train import GanRun  # noqa: E402
from advgen.specs import typed_spec  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
#: model -> (config section, entry of config/config.yaml)
MODELS = {"report_gan": ("gans", "mnist_report"), "forced_ae": ("autoencoders", "mnist_ae_forced")}


def entry_spec(config: dict[str, Any], model: str, smoke: bool) -> GanSpec | AeSpec:
    """The entry's job spec (seed 0, the config's levers), defaults filled; narrow at ``smoke``."""
    section, entry = MODELS[model]
    cls = GanSpec if section == "gans" else AeSpec
    fields = {f.name for f in dataclasses.fields(cls)}
    spec = {k: v for k, v in config[section][entry].items() if k in fields}
    spec["seed"] = 0
    if smoke:
        spec["batch_size"] = 8
        if section == "gans":
            spec["generator_kwargs"] = {"ngf": 4}
        else:
            spec["width"] = 4
    return typed_spec(cls, complete_spec(spec, "gan" if section == "gans" else "autoencoder"))


def steps(
    spec: GanSpec | AeSpec, seeds: list[int], path: Path, device: str, tmp: Path
) -> dict[str, Callable[[], Any]]:
    """Row -> one iteration of every seed: ``per-seed`` (S runs), ``stacked``, ``stacked fp32``."""
    off = dataclasses.replace(spec, speed=dataclasses.replace(spec.speed, autocast="off"))
    out: dict[str, Callable[[], Any]] = {}
    if isinstance(spec, GanSpec):
        runs = [GanRun(dataclasses.replace(spec, seed=s), str(path), device) for s in seeds]
        stacked = {
            name: StackedGanRun(sp, seeds, str(path), device, samples=[tmp / f"{name}{s}" for s in seeds])
            for name, sp in (("stacked", spec), ("stacked fp32", off))
        }
    else:
        runs = [AeRun(dataclasses.replace(spec, seed=s), str(path), str(path), device) for s in seeds]
        stacked = {
            name: StackedAeRun(sp, seeds, str(path), str(path), device)
            for name, sp in (("stacked", spec), ("stacked fp32", off))
        }
    batches = [next(iter(run.batches())) for run in runs]
    out["per-seed"] = lambda: [run.step(b) for run, b in zip(runs, batches, strict=True)]
    for name, run in stacked.items():
        batch = next(iter(run.batches()))
        out[name] = lambda run=run, batch=batch: run.step(batch)
    return out


def time_rows(
    rows: dict[str, Callable[[], Any]], device: str, warmup: int, iters: int, rounds: int
) -> dict[str, float]:
    """Median over ``rounds`` of the milliseconds per call of each row (``iters`` calls a round)."""
    for fn in rows.values():
        for _ in range(warmup):  # CUDA graphs capture in their warm-up
            fn()

    def sync() -> None:
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()

    per: dict[str, list[float]] = {name: [] for name in rows}
    for r in range(rounds):
        names = list(rows)[r % len(rows) :] + list(rows)[: r % len(rows)]  # rotated: drift falls on all
        for name in names:
            sync()
            start = time.perf_counter()
            for _ in range(iters):
                rows[name]()
            sync()
            per[name].append(1000 * (time.perf_counter() - start) / iters)
    return {name: statistics.median(ms) for name, ms in per.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, default=5, help="seeds S (default: %(default)s, the report GAN's)"
    )
    parser.add_argument("--iters", type=int, default=20, help="iterations a round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, median taken (default: %(default)s)")
    parser.add_argument("--models", default=",".join(MODELS), help="of %(default)s")
    add_device(parser)
    add_threads(parser, None)
    add_smoke(parser, "batch 8, narrow models, 2 seeds, 2 iterations")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    seeds, warmup, iters, rounds = (2, 1, 2, 1) if args.smoke else (args.seeds, 3, args.iters, args.rounds)
    config = validate_config(load_yaml(CONFIG), source=str(CONFIG))
    print(
        f"Seeds stacked, bfloat16 runs of {CONFIG.name}: S = {seeds}, {args.device}, torch {torch.__version__}"
    )
    print(
        f"{'model':<11} {'per-seed ms':>11} {'stacked ms':>10} {'stacked fp32 ms':>15} {'per-seed / stacked':>18}"
    )
    with tempfile.TemporaryDirectory(prefix="advgen-stacked-bf16-") as tmp:
        path = Path(tmp) / "train.pt"
        g = torch.Generator().manual_seed(0)
        split = Split(torch.rand(256, 1, 28, 28, generator=g), torch.arange(256) % 10, torch.arange(256))
        save_prepared(split, path, dataset="benchmark", name="train", num_classes=10, spec={})
        for model in (m.strip() for m in args.models.split(",")):
            if model not in MODELS:
                raise SystemExit(f"--models: unknown model '{model}' (known: {', '.join(MODELS)})")
            spec = entry_spec(config, model, args.smoke)
            try:
                rows = steps(spec, list(range(seeds)), path, args.device, Path(tmp))
            except CastPolicyMismatch as err:  # the workflow's job would train these seeds one by one
                print(f"{model:<11} not stacked here: {err}")
                continue
            ms = time_rows(rows, args.device, warmup, iters, rounds)
            per_seed, stacked, fp32 = ms["per-seed"], ms["stacked"], ms["stacked fp32"]
            ratio = per_seed / stacked
            print(f"{model:<11} {per_seed:>11.2f} {stacked:>10.2f} {fp32:>15.2f} {ratio:>17.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
