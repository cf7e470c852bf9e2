"""Memory layout of the conv models on the CPU: the old NCHW layout against the current one.

Part of making the default study run in ten minutes. ``advgen.models.layout`` keeps the
weights of the classifier ``ConvNet`` and of the conv autoencoder in ``channels_last`` (NHWC:
oneDNN's NHWC convolution and max-pool kernels), and ``ConvNet`` max-pools before its ReLU
(the same function and gradients, fewer ReLU values). This benchmark times, in one run and on
one thread (each ``advgen`` job runs on one):

* ``pgd7_train_step``: one PGD-7 adversarial training step of ``cnn_small`` on 28x28 digits at
  the default config's batch 50 (:func:`advgen.classifiers.training._train_epoch` over one batch:
  the attack, the loss, backward, the Adam step), as ``digits_cnn_pgd`` and the capacity and
  data-size sweeps train;
* ``pgd40_eval``: a 40-step PGD evaluation of the same model on 360 digits (the ``attack`` jobs);
* ``decoder_inversion_step``: one Adam step of latent inversion through the conv decoder at
  32 images x 5 restarts (the inversion, inpainting and purification jobs of ``digits_ae``).

The "old" rows rebuild the layout the models had before: weights made contiguous (NCHW) and,
for ``ConvNet``, ReLU before the pool. Each time is the median of ``--repeats`` repeats of
``--iters`` steps; ``ratio`` = old / new (> 1: the current layout is faster).

    python benchmarks/conv_layout.py            # the default sizes above
    python benchmarks/conv_layout.py --smoke    # tiny batches (CI)
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from advgen.attacks.pgd import PGD
from advgen.classifiers.spec import ClassifierSpec
from advgen.classifiers.training import _optimizer, _train_epoch
from advgen.classifiers.zoo import build_classifier
from advgen.config import complete_entry
from advgen.models.autoencoder import ConvAutoencoder
from advgen.specs import typed_spec


def old_convnet(model: nn.Module) -> nn.Module:
    """The ConvNet before 8c4c485: NCHW weights, conv -> ReLU -> pool."""
    old = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    c = old.conv
    old.conv = nn.Sequential(c[0], c[2], c[1], c[3], c[5], c[4], c[6])
    return old


def timed(step: Callable[[], None], iters: int, repeats: int) -> float:
    """Median seconds per step (process CPU time: one thread, so also wall on an idle core)."""
    step()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(iters):
            step()
        times.append((time.process_time() - start) / iters)
    return statistics.median(times)


def train_step(model: nn.Module, batch: int, side: int) -> Callable[[], None]:
    # digits_cnn_pgd's PGD-7 training, every other setting the config's default (the schema's)
    entry = {"dataset": "digits", "arch": "cnn_small", "mode": "pgd", "epochs": 1, "batch_size": batch}
    entry |= {"eps": 0.22, "pgd_steps": 7, "eps_warmup_epochs": 3}
    completed = complete_entry(entry, "robustness.schema.yaml", "classifier")
    spec = typed_spec(ClassifierSpec, {**completed, "seed": 0, "device": "cpu"})
    x, y = torch.rand(batch, 1, side, side), torch.randint(0, 10, (batch,))
    opt = _optimizer(model, spec)
    # one batch past the epsilon warm-up (the full eps), as benchmarks/train_step.py
    return lambda: _train_epoch(model, opt, x, y, spec, step0=10**9)


def pgd_eval(model: nn.Module, n: int, side: int, steps: int) -> Callable[[], None]:
    x, y = torch.rand(n, 1, side, side), torch.randint(0, 10, (n,))
    attack = PGD(model, eps=0.2, steps=steps, seed=0)
    return lambda: attack(x, y)


def inversion_step(decoder: nn.Module, batch: int) -> Callable[[], None]:
    decoder = decoder.eval().requires_grad_(False)
    target = torch.rand(batch, 1, 28, 28)
    z = torch.randn(batch, decoder.z_dim, requires_grad=True)
    opt = torch.optim.Adam([z], lr=0.1)

    def step() -> None:
        opt.zero_grad()
        ((decoder(z) - target) ** 2).mean().backward()
        opt.step()

    return step


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny batches and few steps (CI)")
    p.add_argument("--iters", type=int, default=None)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    batch, n_eval, restarts, iters = (8, 16, 2, 1) if args.smoke else (50, 360, 160, 5)
    pgd_steps = 3 if args.smoke else 40
    iters = args.iters or iters
    new = build_classifier("cnn_small", (1, 28, 28), 10, 1.0)
    ae = ConvAutoencoder((1, 28, 28))
    cases = [
        ("pgd7_train_step", lambda m: train_step(m, batch, 28), new, old_convnet(new)),
        ("pgd40_eval", lambda m: pgd_eval(m, n_eval, 28, pgd_steps), new, old_convnet(new)),
        (
            "decoder_inversion_step",
            lambda d: inversion_step(d, restarts),
            ae.decoder,
            copy.deepcopy(ae.decoder).to(memory_format=torch.contiguous_format),
        ),
    ]
    print(
        f"one thread, CPU, median of {args.repeats} x {iters} steps"
        + (" (--smoke sizes)" if args.smoke else "")
    )
    print("| case | old NCHW ms | current ms | ratio old/new |\n|---|---:|---:|---:|")
    for name, make, current, old in cases:
        t_old = timed(make(copy.deepcopy(old)), iters, args.repeats)
        t_new = timed(make(copy.deepcopy(current)), iters, args.repeats)
        print(f"| {name} | {t_old * 1e3:.1f} | {t_new * 1e3:.1f} | {t_old / t_new:.2f} |")


if __name__ == "__main__":
    main()
