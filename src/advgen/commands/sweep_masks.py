"""``advgen sweep-masks``: draw and store one inpainting mask set (shared by every generator)."""

from __future__ import annotations

import argparse
import logging

HELP = "draw a seeded inpainting mask set for a dataset's test images (.pt)"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", required=True, help="mask spec as JSON: mask, num_images, seed and the kind's size")
    p.add_argument("--images", required=True, help="prepared test split (.pt)")
    p.add_argument("--out", required=True, help="output: masks and image indices (.pt)")


def main(args: argparse.Namespace) -> None:
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.io import save_torch
    from advgen.sweeps.masks import make_masks, select_indices

    spec = parse_spec(args.spec)
    split = load_prepared(args.images)
    indices = select_indices(len(split), spec["num_images"], spec["seed"])
    _, h, w = split.image_shape
    hidden = make_masks(
        spec["mask"],
        len(indices),
        h,
        w,
        seed=spec["seed"],
        pepper_fraction=spec.get("pepper_fraction"),
        square_size=spec.get("square_size"),
        center_size=spec.get("center_size"),
    )
    log.info("%s: %d masks, %.1f%% of the pixels hidden", spec["mask"], len(indices), 100 * hidden.float().mean())
    save_torch({"kind": "inpainting_masks", "hidden": hidden, "indices": indices, "config": spec}, args.out)
