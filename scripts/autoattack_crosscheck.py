"""AutoAttack standard (Croce & Hein 2020) three ways on the same examples: advgen's own
implementation (through ``advgen.evaluate``), torchattacks 3.5.1's and the authors' reference
code (fra31/auto-attack), robust accuracy per norm and eps, as the Markdown table of
docs/attacks.md.

The model is a 64-64-10 MLP fitted to scikit-learn's 8x8 digits (full batch, Adam, seeded:
the one tests/unit/test_attacks_crosscheck.py checks the components on); the examples are the
first ``--n`` test digits. Every implementation runs the paper's settings (APGD 100
iterations, 9 target classes, Square 5,000 queries), seed 0, on the CPU.

    python scripts/autoattack_crosscheck.py --official /path/to/auto-attack > table.md

``--official``: a checkout of https://github.com/fra31/auto-attack (the folder holding its
``autoattack`` package; it is not on PyPI); without it that column reads "not run".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

import torch
from torch import nn

#: (norm, eps) rows: Linf budgets around the MLP's breaking point, and L2 ones
BUDGETS = (("linf", 0.05), ("linf", 0.1), ("linf", 0.15), ("l2", 0.25), ("l2", 0.5), ("l2", 1.0))
TORCHATTACKS_NORM = {"linf": "Linf", "l2": "L2"}


def digits_mlp(n_test: int, epochs: int = 200, seed: int = 0) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The seeded digits MLP and the first ``n_test`` test digits (8x8, in [0, 1])."""
    from advgen.robustness.evaluate_model import sample_data

    (x_train, y_train), (x_test, y_test) = sample_data("digits", image_size=8)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x_train), y_train).backward()
        opt.step()
    return model.eval(), x_test[:n_test], y_test[:n_test]


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def ours(model: nn.Module, x: torch.Tensor, y: torch.Tensor, norm: str, eps: float) -> float:
    import advgen

    result = advgen.evaluate(model, x, y, eps=eps, norm=norm, checks=False)
    return float(result.table["robust_acc"].iloc[0])


def torchattacks_aa(model: nn.Module, x: torch.Tensor, y: torch.Tensor, norm: str, eps: float) -> float:
    import torchattacks

    attack = torchattacks.AutoAttack(
        model, norm=TORCHATTACKS_NORM[norm], eps=eps, version="standard", n_classes=10, seed=0
    )
    return accuracy(model, attack(x, y), y)


def official_aa(model: nn.Module, x: torch.Tensor, y: torch.Tensor, norm: str, eps: float) -> float:
    from autoattack import AutoAttack  # fra31/auto-attack, from --official

    with contextlib.redirect_stdout(io.StringIO()):  # it prints its settings and progress
        attack = AutoAttack(
            model, norm=TORCHATTACKS_NORM[norm], eps=eps, version="standard", seed=0, device="cpu"
        )
        adv = attack.run_standard_evaluation(x, y, bs=len(x))
    return accuracy(model, adv, y)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="test digits (default 200)")
    parser.add_argument(
        "--official", type=Path, default=None, help="folder holding fra31's autoattack package"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)
    if args.official is not None:
        if not (args.official / "autoattack" / "autoattack.py").is_file():
            print(f"--official {args.official}: no autoattack/autoattack.py there", file=sys.stderr)
            return 2
        sys.path.insert(0, str(args.official))
    torch.set_num_threads(args.threads)
    model, x, y = digits_mlp(args.n)
    runs = {"advgen": ours, "torchattacks 3.5.1": torchattacks_aa}
    if args.official is not None:
        runs["official (fra31)"] = official_aa
    print(f"digits MLP, {len(y)} test digits, clean accuracy {accuracy(model, x, y):.3f}\n")
    head = "| norm | eps | " + " | ".join(runs) + (" | official (fra31) |" if args.official is None else " |")
    print(head)
    print("|---|---|" + "---|" * (len(runs) + (args.official is None)))
    seconds = dict.fromkeys(runs, 0.0)
    for norm, eps in BUDGETS:
        cells = []
        for name, run in runs.items():
            t0 = time.perf_counter()
            cells.append(f"{run(model, x, y, norm, eps):.3f}")
            seconds[name] += time.perf_counter() - t0
        if args.official is None:
            cells.append("not run")
        print(f"| {norm} | {eps:g} | " + " | ".join(cells) + " |")
    print("\nseconds: " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
