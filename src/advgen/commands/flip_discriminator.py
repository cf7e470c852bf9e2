"""``advgen flip-discriminator``: per real test image, the Linf eps that makes D say "fake"."""

from __future__ import annotations

import argparse
import logging

HELP = "PGD on a GAN discriminator's real/fake score: smallest eps flipping each real image to fake"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.flip_spec)")
    p.add_argument("--gan", required=True, help="GAN checkpoint (.pt)")
    p.add_argument("--images", required=True, help="prepared test split: the real images (.pt)")
    p.add_argument("--out", required=True, help="output: one row per image (.parquet)")


def main(args: argparse.Namespace) -> None:
    import pandas as pd
    import torch

    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.tables import FLIP_COLUMNS
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.models import load_discriminator
    from advgen.probe.flip import RealFakeClassifier, flip_eps, real_score
    from advgen.robustness.evaluate import eval_subset
    from advgen.seeding import seed_everything

    spec = parse_spec(args.spec)
    seed = int(spec["seed"])
    seed_everything(seed)
    split = load_prepared(args.images)
    idx = eval_subset(split.labels, spec["num_images"], seed)
    loss = spec["loss"]
    with start_job(spec, seed=False) as device:
        model = RealFakeClassifier(load_discriminator(args.gan, device), loss).eval()
        x = split.images[idx].to(device)
        with torch.no_grad():
            score = real_score(loss, model.discriminator(x)).cpu()
        eps, adv = flip_eps(model, x, eps_max=float(spec["eps_max"]), search_steps=int(spec["search_steps"]),
                            steps=int(spec["pgd_steps"]), seed=seed)  # fmt: skip
        with torch.no_grad():
            adv_score = real_score(loss, model.discriminator(adv)).cpu()
    real = score > 0.5
    table = pd.DataFrame({
        "gan": spec["gan"], "loss": loss, "unroll_k": int(spec["unroll_k"]), "image": idx.numpy(),
        "label": split.labels[idx].numpy(), "score": score.numpy(), "initially_real": real.numpy(),
        "flipped": (real & torch.isfinite(eps)).numpy(), "flip_eps": eps.numpy(), "adv_score": adv_score.numpy(),
        "eps_max": float(spec["eps_max"]),
    }, columns=FLIP_COLUMNS)  # fmt: skip
    flips = table.loc[table["initially_real"], "flip_eps"]
    log.info("%s: D calls %.1f%% of %d real test images real; median flip eps %.4f (%.1f%% flipped within %g)",
             spec["gan"], 100 * real.float().mean(), len(table), flips.median() if len(flips) else float("nan"),
             100 * table.loc[table["initially_real"], "flipped"].mean() if len(flips) else 0.0, spec["eps_max"])  # fmt: skip
    write_parquet(table, args.out)
