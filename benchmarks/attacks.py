"""PGD-40 on 1,000 inputs: advgen's batched attack vs a straightforward per-example loop.

Prints, in one run, the wall-clock seconds of both, the speed ratio and examples/second,
on the CPU and (when CUDA is present) on the GPU. Both run without random start so their
adversarial examples can be compared (the agreement of their predictions is printed).

    python benchmarks/attacks.py [--examples 1000] [--reference-examples 1000] [--threads N]
    python benchmarks/attacks.py --smoke   # 32 inputs, 8 in the loop, one thread: seconds (CI)

The model is ``results/classifiers/<--classifier>/model.pt`` when it exists, else an
untrained ``cnn_small``; the inputs are scikit-learn's digits resized to 28x28.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks import PGD
from advgen.classifiers.checkpoint import load_classifier
from advgen.classifiers.zoo import build_classifier


def reference_pgd(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, alpha: float, steps: int
) -> torch.Tensor:
    """The textbook loop: one example at a time, ``steps`` signed-gradient steps each."""
    model.eval()
    out = []
    for i in range(x.shape[0]):
        xi, yi = x[i : i + 1], y[i : i + 1]
        adv = xi.clone()
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model(adv), yi)
            (grad,) = torch.autograd.grad(loss, adv)
            adv = adv.detach() + alpha * grad.sign()
            adv = (xi + (adv - xi).clamp(-eps, eps)).clamp(0.0, 1.0)
        out.append(adv)
    return torch.cat(out)


def digits(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    from advgen.config import dataset_spec
    from advgen.data.digits import load

    train, test = load(dataset_spec({"source": "digits", "image_size": 28}), Path("."), False)
    x = torch.cat([test.images, train.images])[:n]
    y = torch.cat([test.labels, train.labels])[:n]
    return x, y


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bench(model: nn.Module, x: torch.Tensor, y: torch.Tensor, n_ref: int, device: str, batch: int) -> None:
    model = model.to(device).eval()
    x, y = x.to(device), y.to(device)
    eps, steps = 0.2, 40
    alpha = 2.5 * eps / steps
    attack = PGD(model, eps=eps, alpha=alpha, steps=steps, random_start=False, batch_size=batch)
    attack.generate(x[:8], y[:8])  # warm-up
    sync(device)
    t0 = time.perf_counter()
    adv = attack.generate(x, y)
    sync(device)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = reference_pgd(model, x[:n_ref], y[:n_ref], eps, alpha, steps)
    sync(device)
    ref_time = (time.perf_counter() - t0) * x.shape[0] / n_ref
    with torch.no_grad():
        agree = (model(adv[:n_ref]).argmax(1) == model(ref).argmax(1)).float().mean().item()
        robust = (model(adv).argmax(1) == y).float().mean().item()
    n = x.shape[0]
    extrapolated = "" if n_ref == n else f" (timed on {n_ref}, scaled to {n})"
    print(f"[{device}] PGD-40 Linf eps={eps} on {n} inputs, chunk {batch}:")
    print(f"  advgen batched : {ours:8.2f} s  {n / ours:10.1f} examples/s  robust acc {robust:.3f}")
    print(f"  reference loop : {ref_time:8.2f} s  {n / ref_time:10.1f} examples/s{extrapolated}")
    print(f"  speed ratio    : {ref_time / ours:8.1f}x   prediction agreement {agree:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="inputs attacked")
    parser.add_argument("--reference-examples", type=int, default=1000, help="inputs the slow loop attacks")
    parser.add_argument(
        "--classifier", default="digits_cnn_small", help="trained classifier to attack, if present"
    )
    parser.add_argument("--batch-size", type=int, default=500, help="advgen's chunk size")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes (32 inputs, 8 looped, 1 thread): CI's check"
    )
    args = parser.parse_args()
    if args.smoke:
        args.examples, args.reference_examples, args.batch_size, args.threads = 32, 8, 16, 1
    if args.threads:
        torch.set_num_threads(args.threads)
    path = Path("results/classifiers") / args.classifier / "model.pt"
    if path.exists():
        model, what = load_classifier(path), str(path)
    else:
        torch.manual_seed(0)
        model, what = build_classifier("cnn_small", (1, 28, 28), 10).eval(), "untrained cnn_small"
    x, y = digits(args.examples)
    print(f"model: {what}; torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    n_ref = min(args.reference_examples, args.examples)
    bench(model, x, y, n_ref, "cpu", args.batch_size)
    if torch.cuda.is_available() and not args.smoke:
        bench(model, x, y, args.examples, "cuda", args.batch_size)


if __name__ == "__main__":
    main()
