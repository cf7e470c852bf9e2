"""Batched latent inversion vs the report's loop (one image, one restart at a time).

Same generator, same targets, same starting points: :func:`advgen.sweeps.inversion.invert`
optimises all ``images x restarts`` latents as one ``(N*R, z_dim)`` tensor;
:func:`advgen.sweeps.inversion.invert_looped` runs the ``N*R`` problems one after the
other. Prints both wall times, the speed ratio, the throughput in images*restarts*steps per
second, and how far the two results are apart.

    python benchmarks/inversion.py                      # 64 x 5 x 500, the MLP generator
    python benchmarks/inversion.py --arch M1 --steps 50 # the report's M1 (compute-bound)
    python benchmarks/inversion.py --checkpoint results/gans/<gan>/checkpoint.pt \
        --targets results/data/digits/test.pt
    python benchmarks/inversion.py --smoke              # 4 x 2 x 10, one thread: seconds (CI)

Without ``--checkpoint`` the generator is a freshly initialised one of the zoo; without
``--targets`` the targets are the generator's own images at random latents.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
from cli_options import add_device, add_smoke, add_threads


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=64, help="images to invert")
    p.add_argument("--restarts", type=int, default=5, help="random starts per image (report: 5)")
    p.add_argument("--steps", type=int, default=500, help="gradient steps per restart")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="adam")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument(
        "--arch", default="mlp", help="generator of advgen.models.registry.GENERATORS (no --checkpoint)"
    )
    p.add_argument("--z-dim", type=int, default=100, help="latent size (no --checkpoint)")
    p.add_argument("--checkpoint", help="a GAN or autoencoder checkpoint instead of a fresh generator")
    p.add_argument(
        "--targets", help="a prepared split (results/data/<dataset>/test.pt): invert its first images"
    )
    add_device(p, "cpu")
    add_threads(p, None)
    p.add_argument("--skip-loop", action="store_true", help="batched only (e.g. for GPU throughput)")
    add_smoke(p, "tiny sizes (4 images x 2 restarts x 10 steps, 1 thread)")
    args = p.parse_args(argv)
    if args.smoke:
        args.images, args.restarts, args.steps, args.threads = 4, 2, 10, 1
    return args


def build(args: argparse.Namespace) -> tuple[torch.nn.Module, int]:
    from advgen.models.loading import UnitRangeGenerator, load_generator
    from advgen.models.registry import build_generator

    if args.checkpoint:
        return load_generator(args.checkpoint, args.device)
    torch.manual_seed(0)
    g = UnitRangeGenerator(build_generator(args.arch, args.z_dim, (1, 28, 28), None))
    return g.to(args.device).eval(), args.z_dim


def main(argv: list[str] | None = None) -> int:
    from advgen.sweeps.inversion import InversionSettings, invert, invert_looped

    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    generator, z_dim = build(args)
    if args.targets:
        from advgen.data.prepared import load_prepared

        targets = load_prepared(args.targets).images[: args.images].to(args.device)
    else:
        with torch.no_grad():
            z = torch.randn(args.images, z_dim, generator=torch.Generator().manual_seed(1))
            targets = generator(z.to(args.device))
    settings = InversionSettings(
        steps=args.steps, restarts=args.restarts, optimizer=args.optimizer, lr=args.lr
    )
    work = args.images * args.restarts * args.steps
    print(
        f"generator {args.checkpoint or args.arch} (z_dim {z_dim}), {args.images} images x {args.restarts} restarts"
        f" x {args.steps} steps, {args.optimizer} lr {args.lr}, device {args.device}, threads {torch.get_num_threads()}"
    )
    invert(generator, targets[:2], InversionSettings(steps=3, restarts=2), seed=0, z_dim=z_dim)  # warm-up

    def timed(fn):
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn(generator, targets, settings, seed=0, z_dim=z_dim)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        return out, time.perf_counter() - start

    fast, t_fast = timed(invert)
    print(f"batched: {t_fast:8.2f} s  {work / t_fast:12.0f} image*restart*steps/s")
    print(f"  median final MSE, best of {args.restarts}: {fast.final_loss.min(1).values.median():.6f}")
    print(f"  median final MSE, restart 0 alone: {fast.final_loss[:, 0].median():.6f}")
    if args.skip_loop:
        return 0
    slow, t_slow = timed(invert_looped)
    print(f"looped:  {t_slow:8.2f} s  {work / t_slow:12.0f} image*restart*steps/s")
    diff = (fast.final_loss - slow.final_loss).abs()
    rel = (diff / slow.final_loss.abs().clamp_min(1e-12)).max().item()
    same_best = (fast.best_restart == slow.best_restart).float().mean().item()
    best_gap = (fast.final_loss.min(1).values - slow.final_loss.min(1).values).abs().max().item()
    print(
        f"agreement: final losses max abs diff {diff.max():.3g} (max rel {rel:.3g}),"
        f" same best restart for {100 * same_best:.1f}% of images, best-loss max diff {best_gap:.3g}"
    )
    ok = torch.allclose(fast.final_loss.min(1).values, slow.final_loss.min(1).values, rtol=1e-3, atol=1e-6)
    print(
        f"speed ratio (looped / batched): {t_slow / t_fast:.1f}x   results {'agree' if ok else 'DIFFER'} (rtol 1e-3)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
