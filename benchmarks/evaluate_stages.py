"""``advgen.evaluate``'s stage times: the attack against the gradient-masking checks that check it.

At docs/evaluate.md's example (its CNN fitted for 60 steps to 500 MNIST-sample digits, seeded,
then AutoAttack standard at Linf eps 0.1 on 50 test digits), the same evaluation runs once per
level of checks (``quick``, the default, and ``full``, Carlini et al. 2019's sizes), back to back;
each run's stage table gives the attack's seconds and each check's. Printed: per level, the
checks' total against the attack of the same run (the goal: the default level's checks cost at
most the attack, ratio <= 1.00), and each check's seconds.

    python benchmarks/evaluate_stages.py [--smoke] [--examples 50] [--eps 0.1] [--threads 1] [--json PATH]

``--examples 1000 --eps 0.1 0.3`` is the command-line example's size (``--max-examples``' default;
the checks run at the largest Linf eps). ``--smoke``: 10 digits, AutoAttack at 5 iterations and
20 queries, the checks at 3 steps: seconds (CI).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from advgen.robustness.evaluate_model import evaluate, sample_data  # noqa: E402
from advgen.robustness.run_facts import cpu_model  # noqa: E402
from benchmarks.cli_options import add_json, add_smoke, add_threads  # noqa: E402

#: the sizes of ``--smoke``: AutoAttack's and the checks'
SMOKE_ATTACK = {"n_iter": 5, "n_queries": 20}
SMOKE_CHECKS = {"pgd_steps": 3, "long_steps": 3, "long_restarts": 1, "unbounded_steps": 3, "n_queries": 10}
LEVELS = ("quick", "full")


def docs_model(examples: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """docs/evaluate.md's CNN, fitted as there (seed 0), and ``examples`` test digits."""
    torch.manual_seed(0)
    (x_train, y_train), (x, y) = sample_data("mnist_sample", max_train=500, max_test=examples)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(60):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x_train), y_train).backward()
        opt.step()
    return model.eval(), x, y


def run(
    level: str, model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: list[float], smoke: bool
) -> dict:
    """One evaluation at ``level``: its stage seconds, the attack's and the checks' totals."""
    checks: str | dict = {"level": level, **SMOKE_CHECKS} if smoke else level
    t0 = time.perf_counter()
    result = evaluate(model, x, y, eps=eps, params=SMOKE_ATTACK if smoke else None, checks=checks)
    wall = time.perf_counter() - t0
    stages = result.stages[[": " not in s for s in result.stages["stage"]]]
    attack = float(stages.loc[~stages["stage"].str.startswith("check "), "seconds"].sum())
    per_check = {
        s[len("check ") :]: float(t)
        for s, t in zip(stages["stage"], stages["seconds"], strict=True)
        if s.startswith("check ")
    }
    checks_total = sum(per_check.values())
    return {
        "level": level,
        "attack_s": attack,
        "checks_s": checks_total,
        "ratio": checks_total / attack if attack > 0 else float("inf"),
        "wall_s": wall,
        "checks": per_check,
        "robust_acc": [round(float(a), 4) for a in result.table["robust_acc"]],
        "passed": int(result.masking["passed"].sum()),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--examples", type=int, default=50, help="test digits (default: %(default)s, the Python example's)"
    )
    p.add_argument("--eps", type=float, nargs="+", default=[0.1], help="Linf budgets (default: %(default)s)")
    add_threads(p, 1)
    add_smoke(p, "10 digits, small attack and checks")
    add_json(p, "the rows")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    examples = 10 if args.smoke else args.examples
    model, x, y = docs_model(examples)
    rows = [run(level, model, x, y, args.eps, args.smoke) for level in LEVELS]
    print(
        f"host: {cpu_model()} ({platform.machine()}), torch {torch.__version__}, {torch.get_num_threads()} thread(s)"
    )
    print(
        f"{examples} digits, AutoAttack standard at Linf eps {', '.join(map(str, args.eps))}; "
        "the model of docs/evaluate.md\n"
    )
    print("| checks | attack s | checks s | checks / attack | checks passed | robust acc |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        accs = ", ".join(f"{a:.3f}" for a in r["robust_acc"])
        print(
            f"| {r['level']} | {r['attack_s']:.2f} | {r['checks_s']:.2f} | {r['ratio']:.2f}x "
            f"| {r['passed']} of 6 | {accs} |"
        )
    print("\n| check | " + " | ".join(f"{r['level']} s" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for check in rows[0]["checks"]:
        print(f"| {check} | " + " | ".join(f"{r['checks'][check]:.2f}" for r in rows) + " |")
    quick = rows[0]
    verdict = "met" if quick["ratio"] <= 1.0 else "missed"
    print(f"\ngoal (the default checks cost at most the attack): {verdict}, {quick['ratio']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
