"""Time of the slowest plot jobs' figures, drawn by the families' own jobs on inputs of the default
study's sizes, in one process (matplotlib imported once, as in the job):

* ``gan_samples``: 15 GANs, each a folder of 25 ``epoch_NNN.png`` grids of 64 real MNIST digits
  (the default study's MLP runs have 50; six are drawn per figure either way);
* ``inversion_restarts``: 12 inversion points, each 32 images x 5 restarts x 200 steps;
* ``transfer``: 18 source models (and their noise rows) x 18 targets x 2 attacks.

Each family's figures are written as PNG plus the default study's ``vector_formats`` (SVG) where the
family has vector copies. Run it with another ``src`` on ``PYTHONPATH`` to time that code on the
same inputs (benchmarks/RESULTS.md, "Plot jobs"):

    python benchmarks/plot_families.py [--repeats 3]
    python benchmarks/plot_families.py --smoke      # 2 GANs, 2 points, 4 models (CI)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _digits(n: int):
    import torch

    from advgen.config import dataset_spec
    from advgen.data.registry import load_source

    train, _ = load_source(dataset_spec({"source": "mnist_sample", "image_size": 28}))
    return train.images[torch.randperm(len(train.images), generator=torch.Generator().manual_seed(0))[:n]]


def make_inputs(root: Path, gans: int, points: int, models: int) -> dict[str, list]:
    import numpy as np
    import pandas as pd
    import torch

    from advgen.gan.grid import save_grid

    digits = _digits(1000)
    gen = torch.Generator().manual_seed(1)
    samples = []
    for g in range(gans):
        folder = root / f"gan{g}" / "samples"
        folder.mkdir(parents=True)
        for e in range(1, 26):
            save_grid(digits[torch.randperm(1000, generator=gen)[:64]], folder / f"epoch_{e:03d}.png")
        samples.append(folder)
    rng = np.random.default_rng(0)
    steps = []
    for p in range(points):
        rows = [
            (i, r, s, 0.1 * np.exp(-s / 60) * (1 + 0.2 * r) + 0.005 * rng.random(), r == 0, f"p{p}")
            for i in range(32)
            for r in range(5)
            for s in range(200)
        ]
        path = root / f"steps{p}.parquet"
        pd.DataFrame(rows, columns=["image", "restart", "step", "loss", "best", "point"]).to_parquet(path)
        steps.append((path, f"p{p}"))
    names = [f"model_{m}" for m in range(models)]
    transfer = pd.DataFrame(
        [
            (s, a, t, rng.random(), kind, 0.2)
            for a in ("fgsm", "pgd40")
            for s in names
            for t in names
            for kind in ("adversarial", "noise")
        ],
        columns=["source", "attack", "target", "error", "kind", "eps"],
    )
    path = root / "transfer.parquet"
    transfer.to_parquet(path)
    return {"samples": samples, "steps": steps, "transfer": [path]}


def draw(inputs: dict[str, list], out: Path) -> dict[str, float]:
    """Seconds per family (every figure of it, its job drawing them all)."""
    from advgen.jobfiles import Files
    from advgen.plots import families, robustness
    from advgen.plots.figure_specs import EpochGridsSpec, OneTableSpec, PointPlot, RestartCurvesSpec, Titled

    # the sample grids are pictures of pixels: PNG only (older code: SVG too)
    seconds = {}

    def outs(family: str, count: int, vectors: bool = True) -> Files:
        pngs = [str(out / f"{family}{i}.png") for i in range(count)]
        return Files(
            {"figures": pngs, "vectors": [p[:-3] + "svg" for p in pngs] if vectors else []}, "--output"
        )

    def figures(paths: list) -> Files:
        return Files({f"figure{i}": [str(p)] for i, p in enumerate(paths, 1)})

    t = time.perf_counter()
    samples = inputs["samples"]
    grids = EpochGridsSpec(tuple(Titled("x") for _ in samples), sample_panels=6, sample_scale=2, dpi=150)
    families.gan_samples(figures(samples), outs("gan_samples", len(samples), vectors=False), grids)
    seconds["gan_samples"] = time.perf_counter() - t
    t = time.perf_counter()
    steps = inputs["steps"]
    restarts = RestartCurvesSpec(
        tuple(PointPlot("x", point) for _, point in steps), inversion_images=4, dpi=150
    )
    families.inversion_restarts(
        figures([p for p, _ in steps]), outs("inversion_restarts", len(steps)), restarts
    )
    seconds["inversion_restarts"] = time.perf_counter() - t
    t = time.perf_counter()
    transfer = Files(
        {"figure": [str(out / "transfer0.png")], "vectors": [str(out / "transfer0.svg")]}, "--output"
    )
    families.one_table(robustness.transfer_heatmaps)(
        Files({"table": [str(inputs["transfer"][0])]}), transfer, OneTableSpec("x", 150)
    )
    seconds["transfer"] = time.perf_counter() - t
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="2 GANs, 2 inversion points, 4 models (CI)")
    p.add_argument("--repeats", type=int, default=3, help="draws of every family (the median is shown)")
    args = p.parse_args(argv)
    sizes = (2, 2, 4) if args.smoke else (15, 12, 18)
    repeats = 1 if args.smoke else args.repeats
    with tempfile.TemporaryDirectory(prefix="plot_families_") as tmp:
        root = Path(tmp)
        inputs = make_inputs(root, *sizes)
        from advgen.plots import style

        style.pyplot()  # matplotlib's import, once, as in a job
        runs = [draw(inputs, root) for _ in range(repeats)]
    print(f"{'family':<22} {'figures':>7} {'seconds (median of ' + str(repeats) + ')':>24}")
    counts = {"gan_samples": sizes[0], "inversion_restarts": sizes[1], "transfer": 1}
    for family in runs[0]:
        print(f"{family:<22} {counts[family]:>7} {statistics.median(r[family] for r in runs):>24.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
