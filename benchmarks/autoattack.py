"""AutoAttack "standard" on digits: advgen vs the PGD loop, a per-target loop and torchattacks.

Prints, in one run, on the same model and the same ``--examples`` test digits: wall seconds,
examples/second and robust accuracy of

* advgen ``AutoAttack`` standard (APGD-T and FAB-T targets stacked into one batch, inputs
  leaving the batch once fooled);
* the same ensemble run sequentially per target, fra31/auto-attack's way (a Python loop over
  the 9 targets, each APGD run iterating all inputs to the end): the baseline of the 2x goal;
* the per-target loop with advgen's early exit (fooled inputs leave the batch), to separate
  the gain of batching the targets from the gain of the early exit;
* advgen's batched PGD-40 and the reference per-example PGD-40 loop of ``benchmarks/attacks.py``;
* torchattacks' ``AutoAttack`` (when installed; note it runs APGD/APGD-T/FAB-T with 10 steps,
  not the paper's 100),

then the peak RSS of one advgen ``AutoAttack`` call on the whole 360-digit test split, measured
in a fresh child process (goal < 2 GiB). CUDA rows are added when a GPU is present.

    python benchmarks/autoattack.py [--smoke] [--examples 200] [--eps 0.1] [--threads 1] [--checkpoint PATH]

The model is a 64-64-10 MLP fitted to scikit-learn's 8x8 digits (seeded, about a second), the
same as the cross-check test's, or the classifier of ``--checkpoint`` (e.g.
``results/classifiers/digits_cnn_pgd/model.pt``) on the digits resized to its input size;
``--smoke`` shrinks every budget for a quick check.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from advgen.attacks import APGD, PGD, AutoAttack  # noqa: E402
from benchmarks.attacks import reference_pgd  # noqa: E402
from benchmarks.cli_options import add_smoke, add_threads  # noqa: E402


def digits_model(
    checkpoint: str | None = None, seed: int = 0
) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The model and the 360-digit test split in [0, 1].

    With ``checkpoint`` (``results/classifiers/<name>/model.pt``) that classifier and the
    digits at its input size; else the 8x8 MLP fitted here.
    """
    from advgen.classifiers.checkpoint import load_checkpoint, load_classifier
    from advgen.config import dataset_spec
    from advgen.data.digits import load

    size = int(load_checkpoint(checkpoint)["arch_kwargs"]["in_shape"][-1]) if checkpoint else 8
    train, test = load(dataset_spec({"source": "digits", "image_size": size}), Path("."), False)
    if checkpoint:
        return load_classifier(checkpoint), test.images, test.labels
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.cross_entropy(model(train.images), train.labels).backward()
        opt.step()
    return model.eval(), test.images, test.labels


class SequentialAutoAttack(AutoAttack):
    """The per-target baseline: targets in a Python loop, APGD runs not compacted (fra31's way)."""

    def components(self):
        parts = super().components()
        for _, attack in parts:
            if isinstance(attack, APGD):
                attack.compact = False
        return parts


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def robust_acc(model: nn.Module, adv: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(adv).argmax(1) == y).float().mean())


def timed(fn, device: str) -> tuple[torch.Tensor, float]:
    sync(device)
    t0 = time.perf_counter()
    adv = fn()
    sync(device)
    return adv, time.perf_counter() - t0


def bench(args: argparse.Namespace, device: str) -> list[dict]:
    model, x_all, y_all = digits_model(args.checkpoint)
    model = model.to(device)
    x, y = x_all[: args.examples].to(device), y_all[: args.examples].to(device)
    eps, it, nq = args.eps, args.n_iter, args.n_queries
    runs = {
        "advgen AutoAttack standard (batched targets)": lambda: AutoAttack(
            model, eps, n_iter=it, n_queries=nq
        )(x, y),
        "per-target loop AutoAttack (fra31-style)": lambda: SequentialAutoAttack(
            model, eps, n_iter=it, n_queries=nq, batched_targets=False
        )(x, y),
        "per-target loop AutoAttack, with early exit": lambda: AutoAttack(
            model, eps, n_iter=it, n_queries=nq, batched_targets=False
        )(x, y),
        "advgen PGD-40 (batched)": lambda: PGD(model, eps, steps=40).generate(x, y),
        "reference PGD-40 loop (per example)": lambda: reference_pgd(model, x, y, eps, 2.5 * eps / 40, 40),
    }
    try:
        import torchattacks

        runs["torchattacks 3.5.1 AutoAttack standard (10-step APGD/FAB)"] = lambda: torchattacks.AutoAttack(
            model, norm="Linf", eps=eps, version="standard", n_classes=10, seed=0
        )(x, y)
    except ImportError:
        print("torchattacks not installed: its row is skipped")
    rows = []
    wall: dict[str, float] = {}  # unrounded seconds: the ratios below divide these, never the printed ones
    for name, fn in runs.items():
        out, seconds = timed(fn, device)
        wall[name] = seconds
        adv = out.adv if hasattr(out, "adv") else out
        row = {
            "device": device,
            "attack": name,
            "n": int(x.shape[0]),
            "seconds": round(seconds, 4),
            "examples_per_s": round(x.shape[0] / seconds, 1),
            "robust_acc": round(robust_acc(model, adv, y), 4),
        }
        if hasattr(out, "per_attack"):
            row["per_attack"], row["component_seconds"] = out.per_attack, out.seconds
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = {r["attack"]: r for r in rows}
    ours = base["advgen AutoAttack standard (batched targets)"]
    seq = base["per-target loop AutoAttack (fra31-style)"]
    speedup = wall[seq["attack"]] / wall[ours["attack"]]
    print(
        f"[{device}] AutoAttack batched vs per-target loop: {speedup:.2f}x speed-up, "
        f"robust acc {ours['robust_acc']:.4f} vs {seq['robust_acc']:.4f}"
    )
    pgd, ref = base["advgen PGD-40 (batched)"], base["reference PGD-40 loop (per example)"]
    print(
        f"[{device}] AutoAttack costs {wall[ours['attack']] / wall[pgd['attack']]:.1f}x batched PGD-40 "
        f"({wall[ours['attack']] / wall[ref['attack']]:.2f}x the per-example PGD loop); robust acc "
        f"{ours['robust_acc']:.4f} vs PGD-40 {pgd['robust_acc']:.4f}"
    )
    early = base["per-target loop AutoAttack, with early exit"]
    print(
        f"[{device}] AutoAttack batched vs per-target loop with early exit: "
        f"{wall[early['attack']] / wall[ours['attack']]:.2f}x speed-up, "
        f"robust acc {ours['robust_acc']:.4f} vs {early['robust_acc']:.4f}"
    )
    ta = base.get("torchattacks 3.5.1 AutoAttack standard (10-step APGD/FAB)")
    if ta and args.smoke:
        print(
            f"[{device}] (--smoke: torchattacks keeps its own budgets, Square 5,000 queries: no fair ratio)"
        )
    elif ta:
        print(
            f"[{device}] vs torchattacks AutoAttack: {wall[ta['attack']] / wall[ours['attack']]:.2f}x speed-up, "
            f"robust acc {ours['robust_acc']:.4f} vs {ta['robust_acc']:.4f}"
        )
    return rows


def rss_child(args: argparse.Namespace) -> None:
    """Run AutoAttack once on the whole test split; print the process's peak RSS."""
    torch.set_num_threads(args.threads)
    model, x, y = digits_model(args.checkpoint)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    t0 = time.perf_counter()
    res = AutoAttack(model, args.eps, n_iter=args.n_iter, n_queries=args.n_queries)(x, y)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    print(
        json.dumps(
            {
                "rss_run": "whole test split, one call",
                "n": int(x.shape[0]),
                "seconds": round(seconds, 2),
                "robust_acc": round(float(res.adv_correct.float().mean()), 4),
                "per_attack": res.per_attack,
                "peak_rss_gib": round(peak, 3),
                "peak_rss_before_attack_gib": round(before, 3),  # imports, data, model
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_smoke(parser, "tiny budgets: 40 digits, 10 iterations, 100 queries")
    parser.add_argument("--examples", type=int, default=200, help="digits attacked in the timed runs")
    parser.add_argument("--eps", type=float, default=0.1, help="Linf budget (the MLP keeps ~15%% at 0.1)")
    parser.add_argument("--n-iter", type=int, default=100, help="APGD/FAB iterations (paper: 100)")
    parser.add_argument("--n-queries", type=int, default=5000, help="Square queries (paper: 5,000)")
    add_threads(parser, 1)
    parser.add_argument(
        "--checkpoint",
        default=None,
        help="classifier checkpoint (results/classifiers/NAME/model.pt); default: MLP",
    )
    parser.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.examples, args.n_iter, args.n_queries = min(args.examples, 40), 10, 100
    if args.rss_child:
        rss_child(args)
        return
    torch.set_num_threads(args.threads)
    print(f"eps={args.eps} Linf, n_iter={args.n_iter}, n_queries={args.n_queries}, threads={args.threads}")
    bench(args, "cpu")
    if torch.cuda.is_available():
        bench(args, "cuda")
    child = [sys.executable, __file__, "--rss-child", "--eps", str(args.eps), "--n-iter", str(args.n_iter)]
    child += ["--n-queries", str(args.n_queries), "--threads", str(args.threads)]
    child += ["--checkpoint", args.checkpoint] if args.checkpoint else []
    out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
    print(out.strip())
    peak = json.loads(out.strip().splitlines()[-1])["peak_rss_gib"]
    print(
        f"peak RSS, whole split in one call: {peak:.3f} GiB ({'under' if peak < 2 else 'OVER'} the 2 GiB goal)"
    )


if __name__ == "__main__":
    main()
