"""``advgen flip-discriminator``: per GAN and real test image, the Linf eps that makes D say "fake".

The GANs run one after the other in one process (the job's spec: the keys they share and
``gans``, :func:`advgen.defense.plan.flip_job`), each seeded as if it were a job of its own.
"""

from __future__ import annotations

import argparse
import logging

HELP = "PGD on GAN discriminators' real/fake score: smallest eps flipping each real image to fake"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="the job's spec as JSON (advgen.defense.plan.flip_job)")
    p.add_argument("--gans", nargs="+", required=True, help="inputs: NAME=checkpoint.pt per GAN of the spec")
    p.add_argument("--images", required=True, help="prepared test split: the real images (.pt)")
    p.add_argument("--out", required=True, help="output: one row per GAN and image (.parquet)")
    p.add_argument("--summary", required=True, help="output: one row per GAN (.parquet)")


def flip_rows(spec: dict, path: str, split, device: str):
    """The rows of one GAN (``spec``: a :func:`advgen.defense.plan.flip_spec` spec)."""
    import pandas as pd
    import torch

    from advgen.defense.tables import FLIP_COLUMNS
    from advgen.models import load_discriminator
    from advgen.probe.flip import RealFakeClassifier, flip_eps, real_score
    from advgen.robustness.evaluate import eval_subset
    from advgen.seeding import seed_everything

    seed = int(spec["seed"])
    seed_everything(seed)
    idx = eval_subset(split.labels, spec["num_images"], seed)
    loss = spec["loss"]
    model = RealFakeClassifier(load_discriminator(path, device), loss).eval()
    x = split.images[idx].to(device)
    with torch.no_grad():
        score = real_score(loss, model.discriminator(x)).cpu()
    eps, adv = flip_eps(
        model,
        x,
        eps_max=float(spec["eps_max"]),
        search_steps=int(spec["search_steps"]),
        steps=int(spec["pgd_steps"]),
        seed=seed,
    )
    with torch.no_grad():
        adv_score = real_score(loss, model.discriminator(adv)).cpu()
    real = score > 0.5
    table = pd.DataFrame(
        {
            "gan": spec["gan"],
            "loss": loss,
            "unroll_k": int(spec["unroll_k"]),
            "image": idx.numpy(),
            "label": split.labels[idx].numpy(),
            "score": score.numpy(),
            "initially_real": real.numpy(),
            "flipped": (real & torch.isfinite(eps)).numpy(),
            "flip_eps": eps.numpy(),
            "adv_score": adv_score.numpy(),
            "eps_max": float(spec["eps_max"]),
        },
        columns=FLIP_COLUMNS,
    )
    flips = table.loc[table["initially_real"], "flip_eps"]
    log.info(
        "%s: D calls %.1f%% of %d real test images real; median flip eps %.4f (%.1f%% flipped within %g)",
        spec["gan"],
        100 * real.float().mean(),
        len(table),
        flips.median() if len(flips) else float("nan"),
        100 * table.loc[table["initially_real"], "flipped"].mean() if len(flips) else 0.0,
        spec["eps_max"],
    )
    return table


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen.commands._args import named_paths
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.plan import job_entries
    from advgen.defense.tables import flip_summary
    from advgen.errors import ConfigError
    from advgen.io import write_parquet
    from advgen.jobs import start_job

    job = parse_spec(args.spec)
    gans = named_paths(args.gans, "--gans")
    specs = job_entries(job, "gans")
    missing = [s["gan"] for s in specs if s["gan"] not in gans]
    if missing:
        raise ConfigError(f"--gans: no checkpoint for {', '.join(missing)} (NAME=PATH)")
    split = load_prepared(args.images)
    with start_job(job, seed=False) as device:
        table = pd.concat(
            [flip_rows(spec, gans[spec["gan"]], split, device) for spec in specs], ignore_index=True
        )
    summary = flip_summary(table)
    for row in summary.itertuples():
        log.info(
            "%s (%s, k=%d): median flip eps %.4f, %.0f%% called real",
            row.gan,
            row.loss,
            row.unroll_k,
            row.median_eps,
            100 * row.share_real,
        )
    write_parquet(summary, args.summary)
    write_parquet(table, args.out)
