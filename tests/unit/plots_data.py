"""Tiny synthetic tables in the stages' Parquet formats, and checks on written figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

RNG_SEED = 0


def gan_losses(epochs: int = 3, per_epoch: int = 40, vanish_from: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(RNG_SEED)
    n = epochs * per_epoch
    it = np.arange(n)
    g_norm = np.abs(rng.normal(1.0, 0.3, n))
    if vanish_from is not None:
        g_norm[vanish_from:] = 1e-5
    return pd.DataFrame(
        {
            "iteration": it,
            "epoch": it // per_epoch,
            "g_loss": 1.0 + 0.2 * rng.standard_normal(n),
            "d_loss": 0.6 + 0.1 * rng.standard_normal(n),
            "d_real": 0.7 + 0.05 * rng.standard_normal(n),
            "d_fake": 0.3 + 0.05 * rng.standard_normal(n),
            "g_grad_norm": g_norm,
            "d_grad_norm": np.abs(rng.normal(2.0, 0.5, n)),
            "unroll_k": 0,
        }
    )


def ae_losses(epochs: int = 3, per_epoch: int = 30, forced: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(RNG_SEED)
    n = epochs * per_epoch
    it = np.arange(n)
    epoch = it // per_epoch
    factor = (0.001 * 2.0**epoch) if forced else np.zeros(n)
    moment = np.abs(rng.normal(0.5, 0.1, n))
    return pd.DataFrame(
        {
            "iteration": it,
            "epoch": epoch,
            "image_mse": 0.1 * np.exp(-it / 50) + 0.01,
            "moment_mse": moment,
            "factor": factor,
            "scaled_moment": factor * moment,
            "loss": 0.1 + factor * moment,
        }
    )


def latent_cdf(epochs: int = 5) -> pd.DataFrame:
    from scipy.stats import norm

    levels = np.linspace(0.01, 0.99, 25)
    rows = []
    for e in range(1, epochs + 1):
        for lv in levels:
            rows.append((e, lv, norm.ppf(lv) * (1 + 1.0 / e) + 0.3 / e, norm.ppf(lv)))
    return pd.DataFrame(rows, columns=["epoch", "level", "latent_quantile", "normal_quantile"])


def write_grid_png(path: Path, size: int = 30, seed: int = 0, color: bool = False) -> Path:
    from PIL import Image

    rng = np.random.default_rng(seed)
    shape = (size, size, 3) if color else (size, size)
    Image.fromarray((rng.random(shape) * 255).astype(np.uint8)).save(path)
    return path


def sample_quality() -> pd.DataFrame:
    hist = [[0.1] * 10, [0.5, 0.5] + [0.0] * 8, [0.2] * 5 + [0.0] * 5]
    return pd.DataFrame(
        {
            "model": ["digits", "gan_a", "gan_b"],
            "family": ["real", "gan", "gan"],
            "fid": [0.0, 12.5, 30.1],
            "is_mean": [9.5, 7.1, 2.0],
            "is_std": [0.1, 0.3, 0.05],
            "modes": [10, 2, 5],
            "num_classes": [10, 10, 10],
            "kl_uniform": [0.0, 1.6, 0.7],
            "mean_max_prob": [0.98, 0.9, 0.7],
            "class_fractions": hist,
            "status": ["ok", "mode_collapse", "ok"],
            "test_mse": [math.nan, math.nan, math.nan],
        }
    )


def inversion_steps(images: int = 3, restarts: int = 3, steps: int = 20) -> pd.DataFrame:
    rows = []
    for i in range(images):
        for r in range(restarts):
            for s in range(steps):
                rows.append((i * 7, r, s, (0.1 + 0.05 * r) * math.exp(-s / 8) + 0.01 * (r + 1), r == 0))
    return pd.DataFrame(rows, columns=["image", "restart", "step", "loss", "best"]).assign(
        point="abc", generator="g"
    )


def inversion_table() -> pd.DataFrame:
    rng = np.random.default_rng(RNG_SEED)
    rows = []
    for g in ("gan", "ae"):
        for restarts in (1, 5):
            for _ in range(6):
                rows.append((g, restarts, "random", float(rng.uniform(0.01, 0.05) / restarts)))
    return pd.DataFrame(rows, columns=["generator", "restarts", "init", "mse"])


def inpainting_table() -> pd.DataFrame:
    rng = np.random.default_rng(RNG_SEED)
    rows = []
    for g in ("gan", "ae"):
        for k, mask in enumerate(("pepper", "square", "crosswalk")):
            for i in range(5):
                rows.append(
                    (
                        g,
                        mask,
                        i,
                        float(0.01 * (k + 1) + rng.uniform(0, 0.005)),
                        bool(rng.random() > 0.3),
                        bool(rng.random() > 0.6),
                    )
                )
    return pd.DataFrame(
        rows, columns=["generator", "mask", "image", "mse_hidden", "correct_completed", "correct_masked"]
    )


def interpolation_frames(pairs: int = 3, alphas: int = 5) -> pd.DataFrame:
    rows = []
    for p in range(pairs):
        for a in np.linspace(0, 1, alphas):
            rows.append((p, float(a), 1 if a < 0.4 else (4 if a < 0.7 else 7), 0.5 + 0.5 * abs(a - 0.5)))
    return pd.DataFrame(rows, columns=["pair", "alpha", "pred", "prob"])


def truncation_table() -> pd.DataFrame:
    rows = []
    for g in ("gan", "ae"):
        for psi in (0.5, 1.0, 2.0, math.inf):
            rows.append((g, psi, 10.0 / min(psi, 3.0), min(10, int(4 * min(psi, 2.5)))))
    return pd.DataFrame(rows, columns=["generator", "psi_value", "fid", "modes"])


def attack_table() -> pd.DataFrame:
    rows = []
    for model, strength in (("cnn_small", 20.0), ("cnn_pgd", 3.0)):
        for attack, norm in (("fgsm", "linf"), ("pgd", "linf"), ("deepfool", "l2")):
            for eps in (0.0, 0.1, 0.2, 0.3, math.inf):
                acc = 0.0 if math.isinf(eps) else 0.98 * math.exp(-strength * eps)
                rows.append(
                    {
                        "classifier": model,
                        "attack": attack,
                        "eps": eps,
                        "norm": norm,
                        "n": 100,
                        "clean_acc": 0.98,
                        "robust_acc": acc,
                        "success_rate": 0.9,
                        "rho_adv": 0.05 * strength,
                    }
                )
    return pd.DataFrame(rows)


SPATIAL_PARAMS = '{"max_rotation": 30.0, "max_translation": 3.0, "random": true}'


def seeded_attack_table() -> pd.DataFrame:
    """An attack table with a model of three seeds (``cnn_small``, ``cnn_small_seed1``,
    ``cnn_small_seed2``, clean accuracy 0.96 / 0.97 / 0.98), one of one seed (``cnn_pgd``), PGD
    with AutoAttack over it, and the random spatial attack (its eps 0 row off the clean accuracy)."""
    rows = []
    runs = (("cnn_small", 0.96, 20.0), ("cnn_small_seed1", 0.97, 22.0), ("cnn_small_seed2", 0.98, 18.0))
    for run, clean, strength in (*runs, ("cnn_pgd", 0.95, 3.0)):
        for attack, kind, norm, eps_grid, params in (
            ("fgsm", "FGSM", "linf", (0.0, 0.1, 0.2), "{}"),
            ("pgd40", "PGD", "linf", (0.0, 0.1, 0.2), "{}"),
            ("autoattack", "AutoAttack", "linf", (0.0, 0.2), "{}"),
            ("spatial_random", "Spatial", "spatial", (0.0, 1.0), SPATIAL_PARAMS),
        ):
            for eps in eps_grid:
                acc = clean * math.exp(-strength * eps) - (0.01 if attack == "autoattack" and eps else 0.0)
                if attack == "spatial_random":
                    acc = clean - 0.01 - 0.3 * eps
                rows.append((run, attack, kind, eps, norm, 100, clean, acc, 0.9, 0.05 * strength, params))
    columns = ["classifier", "attack", "attack_type", "eps", "norm", "n", "clean_acc", "robust_acc"]
    return pd.DataFrame(rows, columns=[*columns, "success_rate", "rho_adv", "params"])


def minimal_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "classifier": ["cnn_small", "cnn_small", "fc100"],
            "attack": ["lbfgs", "deepfool", "deepfool"],
            "rho_adv": [0.12, 0.09, 0.05],
        }
    )


def transfer_table() -> pd.DataFrame:
    models = ("a", "b", "half_a")
    rows = []
    for s in models:
        for attack in ("fgsm", "pgd"):
            for kind in ("adversarial", "gaussian"):
                for t in models:
                    err = (0.95 if s == t else 0.5) if kind == "adversarial" else 0.05
                    rows.append((s, attack, kind, t, 0.2, 100, err))
    return pd.DataFrame(rows, columns=["source", "attack", "kind", "target", "eps", "n", "error"])


def robustness_sweep(sweep: str) -> pd.DataFrame:
    column, values = (
        ("width", [1.0, 2.0, 4.0]) if sweep == "capacity" else ("train_fraction", [0.1, 0.3, 1.0])
    )
    rows = []
    for mode in ("standard", "pgd"):
        for v in values:
            rows.append(
                (
                    mode,
                    v,
                    0.2,
                    0.9 + 0.01 * v,
                    (0.05 if mode == "standard" else 0.3) * v / max(values) + 0.1,
                    0.5,
                )
            )
    return pd.DataFrame(rows, columns=["mode", column, "eps", "clean_acc", "robust_acc", "train_robust_acc"])


def assert_figure(path: Path) -> None:
    """The file exists and holds a non-blank image (PNG) or an SVG document."""
    assert path.exists() and path.stat().st_size > 1000, path
    if path.suffix == ".png":
        from PIL import Image

        with Image.open(path) as img:
            arr = np.asarray(img.convert("L"), dtype=float)
        assert arr.shape[0] > 100 and arr.shape[1] > 100
        assert arr.std() > 5, f"{path} looks blank"
    elif path.suffix == ".svg":
        text = path.read_text()
        assert "<svg" in text and "</svg>" in text


def off_canvas(fig) -> list[str]:
    """The legends, titles, axis labels and figure texts of ``fig`` that reach past its canvas
    (matplotlib's public API: the figure drawn, each artist's window extent against ``fig.bbox``)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    artists = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None), *fig.texts]
    for ax in fig.axes:
        if ax.get_visible():
            artists += [ax.title, ax.xaxis.label, ax.yaxis.label]
    suptitle = fig.get_suptitle()
    artists += [t for t in fig.findobj(Text) if suptitle and t.get_text() == suptitle]
    problems = []
    for artist in artists:
        if not artist.get_visible() or (isinstance(artist, Text) and not artist.get_text().strip()):
            continue
        b = artist.get_window_extent(renderer)
        if b.x0 < box.x0 - 1 or b.y0 < box.y0 - 1 or b.x1 > box.x1 + 1 or b.y1 > box.y1 + 1:
            what = artist.get_text() if isinstance(artist, Text) else type(artist).__name__
            problems.append(
                f"{what!r}: {[round(v) for v in b.extents]} outside {[round(v) for v in box.extents]}"
            )
    return problems


def figure_paths(folder: Path, stem: str) -> list[Path]:
    """A figure's outputs in ``folder``: ``stem``.png and its vector copy ``stem``.svg."""
    return [folder / f"{stem}.png", folder / f"{stem}.svg"]


def assert_figures(paths: list[Path]) -> None:
    """Each of ``paths`` holds a figure (:func:`assert_figure`)."""
    for path in paths:
        assert_figure(path)
