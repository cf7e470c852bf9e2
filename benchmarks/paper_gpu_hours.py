"""The paper study's training GPU-hours: every training job of ``config/paper.yaml``'s DAG, timed.

The jobs are the DAG's own: the ``train_gan``, ``train_ae`` and ``train_classifier`` jobs that
:func:`advgen.pipeline.build` plans for the config (every seed of a replicated entry, capacity
widths and data-size fractions included), each with the typed spec its job receives; with
``--stack`` (on CUDA by default, as the workflow decides there: :mod:`advgen.pipeline.stacking`)
the ``train_*_seeds`` jobs that train a stackable entry's seeds as one model, each timed as its
stacked step (``StackedGanStep``, ``StackedMadryStep``, ``StackedAeRun.step``). Jobs whose steps cost the same (the spec
without ``seed``, ``epochs`` and the training subset, and the same number of seeds) share one measurement: advgen's own
training iteration at the job's batch size, on random data of the dataset's shape, built and
stepped as ``benchmarks/train_step.py`` does (``GanRun.train_iteration``; ``_train_epoch`` over one
batch in the classifier's mode, PGD steps graphed on CUDA as a run does, the adversarial pool
refreshed on its schedule; ``AeRun.step``). Each rate is the median of 3 repeats of ``--iters``
timed iterations after ``--warmup`` (CUDA synchronised around each repeat).

A job's iterations are its epochs times its steps per epoch on the full training split of the
torchvision source (MNIST and Fashion-MNIST 60,000, CIFAR-10 50,000, CelebA 162,770 in the
official train partition; ``max_train`` and the classifier's subset and fraction applied, per-class
rounding ignored): ``ceil(n / batch)`` steps for GANs and classifiers, ``floor`` for the
autoencoders (they drop the last partial batch). GPU-hours = iterations / rate / 3,600, where a
stacked job's rate counts iterations of all its seeds at once; the total is the config's training
as its DAG runs it (``config/paper.yaml``: 3 seeds of every model a claim compares).

The other GPU jobs (attacks, masking checks, sweeps, purification, transfer) are counted per job
kind and listed as not timed here.

    python benchmarks/paper_gpu_hours.py --json rates.json        # cuda if present
    python benchmarks/paper_gpu_hours.py --budget-s 150            # stop timing after 150 s
    python benchmarks/paper_gpu_hours.py --only mnist_fc100_100,mnist_fc100_100_pool   # those jobs
    python benchmarks/paper_gpu_hours.py --stack never             # one job per seed, as on a CPU
    python benchmarks/paper_gpu_hours.py --smoke                   # tiny sizes, a few jobs (CI)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_step  # noqa: E402  (the step builders of the other benchmark)
from cli_options import add_device, add_json, add_smoke  # noqa: E402

from advgen.ae.replicates import StackedAeRun  # noqa: E402
from advgen.ae.spec import AeSpec  # noqa: E402
from advgen.ae.train import AeRun  # noqa: E402
from advgen.config_files import check_config_files  # noqa: E402
from advgen.data.prepared import save_prepared  # noqa: E402
from advgen.data.split import Split  # noqa: E402
from advgen.pipeline import build  # noqa: E402
from advgen.pipeline.jobkinds import JOB_KINDS  # noqa: E402
from advgen.precision import ieee_float32  # noqa: E402
from advgen.specs import spec_dict, typed_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: training images of each torchvision source's train split (CelebA: the official partition 0)
TRAIN_IMAGES = {"mnist": 60_000, "fashion_mnist": 60_000, "cifar10": 50_000, "celeba": 162_770}
#: job kind -> (the spec's field holding the run, the config section); the stacked kinds train
#: an entry's seeds as one job (advgen.pipeline.stacking)
TRAINING = {
    "train_gan": ("gan", "gans"),
    "train_ae": ("autoencoder", "autoencoders"),
    "train_classifier": ("classifier", "classifiers"),
    "train_gan_seeds": ("gan", "gans"),
    "train_ae_seeds": ("autoencoder", "autoencoders"),
    "train_classifier_seeds": ("classifier", "classifiers"),
}
#: --stack: as the workflow decides on the device (auto: stacked on CUDA), or forced
STACK_CHOICES = ("auto", "always", "never")
#: spec fields that change how many steps a job runs or what it draws, not what a step costs
NOT_RATE = {
    "seed",
    "epochs",
    "train_fraction",
    "train_subset",
    "subset_seed",
    "grid_size",
    "n_novel",
    "cdf_levels",
}


def training_jobs(config: dict[str, Any], stack: bool = False) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The DAG's training jobs (kind, name, run spec as a dict, seeds it trains) and the other GPU
    jobs per kind; ``stack``: the DAG a GPU host builds, each stackable entry's seeds one job."""
    pipe = build({**config, "stack_seeds": "always" if stack else "never"})
    jobs, others = [], Counter()
    for kind in JOB_KINDS:
        if "gpu" not in (kind.resources or {}):
            continue
        for values in kind.each(pipe):
            if kind.name not in TRAINING:
                others[kind.name] += 1
                continue
            field, section = TRAINING[kind.name]
            spec = kind.spec(pipe, values)
            run = getattr(spec, field)
            name = next(iter(values.values()))
            seeds = len(getattr(spec, "seeds", (run.seed,)))
            job = {
                "kind": kind.name,
                "section": section,
                "name": name,
                "spec": spec_dict(run),
                "seeds": seeds,
            }
            jobs.append(job)
    return jobs, others


def iterations(job: dict[str, Any], config: dict[str, Any]) -> int:
    spec = job["spec"]
    dataset = config["datasets"][spec["dataset"]]
    n = TRAIN_IMAGES[dataset["source"]]
    if dataset.get("max_train"):
        n = min(n, int(dataset["max_train"]))
    if job["kind"] == "train_classifier":
        n = n // 2 if spec.get("train_subset", "all") != "all" else n
        n = max(1, round(n * float(spec.get("train_fraction", 1.0))))
    batch = int(spec["batch_size"])
    per_epoch = n // batch if job["kind"] == "train_ae" else math.ceil(n / batch)
    return int(spec["epochs"]) * per_epoch


def signature(job: dict[str, Any]) -> str:
    fields = {k: v for k, v in job["spec"].items() if k not in NOT_RATE}
    return json.dumps(fields | {"kind": job["kind"], "seeds": job.get("seeds", 1)}, sort_keys=True)


class AeStep:
    """One ``AeRun.step`` on a fixed random batch (the run built from a small prepared file), or
    with ``seeds`` > 1 one ``StackedAeRun.step`` of that many seeds (each its own batch)."""

    def __init__(
        self, spec: dict[str, Any], shape: tuple[int, int, int], device: str, folder: Path, seeds: int = 1
    ) -> None:
        n = int(spec["batch_size"])
        g = torch.Generator().manual_seed(0)
        paths = []
        for split in ("train", "test"):
            path = folder / f"ae_{split}_{'x'.join(map(str, shape))}_{n}.pt"
            labels = torch.arange(n) % 10
            save_prepared(
                Split(torch.rand(n, *shape, generator=g), labels, torch.arange(n)),
                path,
                dataset="benchmark",
                name=split,
                num_classes=10,
                spec={},
            )
            paths.append(str(path))
        typed = typed_spec(AeSpec, dict(spec, seed=0))
        if seeds > 1:
            self.run: AeRun | StackedAeRun = StackedAeRun(typed, list(range(seeds)), *paths, device=device)
            self.run.net.train()
            self.x = torch.rand(seeds, n, *shape, device=device)
        else:
            self.run = AeRun(typed, *paths, device=device)
            self.run.model.train()
            self.x = torch.rand(n, *shape, device=device)

    def __call__(self) -> None:
        self.run.step(self.x)


def make_step(job: dict[str, Any], config: dict[str, Any], device: str, folder: Path) -> Any:
    spec = dict(job["spec"], seed=0)
    shape = train_step.image_shape(config, spec["dataset"])
    seeds = int(job.get("seeds", 1))
    if job["section"] == "autoencoders":
        return AeStep(spec, shape, device, folder, seeds)
    setup = train_step.StepSetup(spec, shape, int(spec["batch_size"]), device, folder, graphs="graph")
    if seeds > 1:  # the stacked job: every seed in one step (advgen.training.stacked)
        stacked = train_step.StackedGanStep if job["section"] == "gans" else train_step.StackedMadryStep
        return stacked(setup, seeds)
    return (train_step.GanStep if job["section"] == "gans" else train_step.MadryStep)(setup, cl=False)


def smoke_job(job: dict[str, Any]) -> dict[str, Any]:
    spec = dict(job["spec"])
    if job["section"] == "autoencoders":
        spec.update(batch_size=4, width=4)
    else:
        spec = train_step.smoke_spec(job["section"], spec)
    if job["section"] == "classifiers":
        spec.update(pool_size=8, pool_refresh=2)
    return dict(job, spec=spec)


def measure(
    args: argparse.Namespace, config: dict[str, Any], jobs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Seconds per iteration of each signature (or the reason it has none)."""
    rates: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for job in jobs:
            key = signature(job)
            if key in rates:
                continue
            if args.budget_s and time.perf_counter() - start > args.budget_s:
                rates[key] = {"entry": job["name"], "error": f"not timed: --budget-s {args.budget_s:g} spent"}
                continue
            iters = args.iters
            if job["spec"].get("mode") == "pool":  # at least one refresh in every repeat
                iters = max(iters, int(job["spec"].get("pool_refresh") or 10))
            t0 = time.perf_counter()
            try:
                step = make_step(job, config, args.device, Path(tmp))
                s = train_step.time_step(step, args.device, False, args.warmup, iters, 3)
                rates[key] = {"entry": job["name"], "s_per_iter": s, "seconds": time.perf_counter() - t0}
            except torch.cuda.OutOfMemoryError as exc:  # a result, not a failure
                rates[key] = {"entry": job["name"], "error": f"out of memory: {str(exc).splitlines()[0]}"}
            except Exception as exc:  # noqa: BLE001  (the table names it; the exit status says so)
                rates[key] = {"entry": job["name"], "error": f"{type(exc).__name__}: {exc}", "broken": True}
            step = None
            train_step.free(args.device)
            print(f"  {job['name']}: {rates[key].get('s_per_iter', rates[key].get('error'))}", flush=True)
    return rates


def table(
    config: dict[str, Any], jobs: list[dict[str, Any]], rates: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Per job: iterations, the measured rate (iterations of all its seeds per second) and its
    GPU-hours; the total over the timed jobs, per kind, and the largest."""
    rows, lines = (
        [],
        [
            "| job | kind | seeds | batch | iterations | it/s | GPU-hours |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ],
    )
    for job in jobs:
        rate = rates[signature(job)]
        its = iterations(job, config)
        s = rate.get("s_per_iter")
        hours = None if s is None else its * s / 3600
        rows.append(
            {
                "job": job["name"],
                "kind": job["kind"],
                "seeds": job.get("seeds", 1),
                "batch": job["spec"]["batch_size"],
                "iterations": its,
                "it_per_s": None if s is None else 1 / s,
                "gpu_hours": hours,
                "note": rate.get("error", ""),
                "measured_as": rate["entry"],
                "broken": bool(rate.get("broken")),
            }
        )
        rate_text = "-" if s is None else f"{1 / s:,.1f}"
        hours_text = rate.get("error", "-") if hours is None else f"{hours:.3f}"
        batch = job["spec"]["batch_size"]
        seeds = job.get("seeds", 1)
        lines.append(
            f"| `{job['name']}` | {job['kind']} | {seeds} | {batch} | {its:,} | {rate_text} | {hours_text} |"
        )
    timed = [r["gpu_hours"] for r in rows if r["gpu_hours"] is not None]
    total = sum(timed)
    runs = sum(r["seeds"] for r in rows)
    lines.append(
        f"| **{len(timed)} of {len(rows)} training jobs timed ({runs} runs)** | | | | | | **{total:.2f}** |"
    )
    by_kind = Counter()
    for r in rows:
        if r["gpu_hours"] is not None:
            by_kind[r["kind"]] += r["gpu_hours"]
    lines.append("")
    lines.append("Per kind: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(by_kind.items())))
    top = sorted((r for r in rows if r["gpu_hours"] is not None), key=lambda r: -r["gpu_hours"])[:5]
    lines.append("Largest: " + ", ".join(f"`{r['job']}` {r['gpu_hours']:.2f}" for r in top))
    return rows, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "paper.yaml")
    add_device(parser)
    parser.add_argument("--iters", type=int, default=10, help="timed iterations per repeat")
    parser.add_argument("--warmup", type=int, default=3, help="untimed iterations first")
    parser.add_argument(
        "--stack",
        choices=STACK_CHOICES,
        default="auto",
        help="the DAG's stacked seeds: as the workflow decides (auto: stacked on CUDA), or forced",
    )
    parser.add_argument(
        "--budget-s",
        type=float,
        default=0.0,
        help="stop timing new jobs after this many seconds (0: no limit)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated entries: time only their jobs (default: every training job)",
    )
    add_json(parser, "the rows")
    add_smoke(parser, "tiny sizes, the first job of each kind, on the CPU")
    args = parser.parse_args(argv)
    if args.smoke:  # the stacked steps on the CPU too: CI runs every step kind
        args.device, args.iters, args.warmup, args.stack = "cpu", 1, 1, "always"
    stack = args.stack == "always" or (args.stack == "auto" and train_step.is_cuda(args.device))
    config = check_config_files([args.config])  # as the workflow completes it: seeds expanded into runs
    jobs, others = training_jobs(config, stack)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = sorted(wanted - {j["name"] for j in jobs})
        if unknown:
            parser.error(f"--only: no training job named {', '.join(unknown)}")
        jobs = [j for j in jobs if j["name"] in wanted]
    if args.smoke:
        jobs = [smoke_job(j) for j in {j["kind"]: j for j in reversed(jobs)}.values()]
    # IEEE float32, as every job starts (advgen.precision); a run whose spec asks for TF32 (the
    # CelebA DCGANs) computes its steps in it, as in the workflow
    ieee_float32()
    distinct = len({signature(j) for j in jobs})
    print(
        f"== {train_step.versions(args.device)}; {len(jobs)} training jobs"
        f" ({'seeds stacked' if stack else 'one job per seed'}), {distinct} distinct steps",
        flush=True,
    )
    rates = measure(args, config, jobs)
    rows, lines = table(config, jobs, rates)
    lines.append(
        "Not timed here (GPU jobs per kind): " + ", ".join(f"{k} {n}" for k, n in sorted(others.items()))
    )
    print("\n".join(lines))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "header": train_step.versions(args.device),
                    "rows": rows,
                    "lines": lines,
                    "others": dict(others),
                },
                indent=1,
            )
            + "\n"
        )
    broken = [r["job"] for r in rows if r["broken"]]
    if broken:
        print(f"broken rows: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
