"""Figures are written as 8-bit palette PNGs (advgen.plots.png, through advgen.plots.style.save):
smaller, the same picture, a few-colour image exact and a transparent one left alone."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from advgen.plots import style
from advgen.plots.png import compact


def pixels(data: bytes | Path) -> np.ndarray:
    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as img:
        return np.asarray(img.convert("RGB"), dtype=float)


def test_a_figure_is_saved_as_a_smaller_palette_png_of_the_same_picture(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    with style.figure(1, 2) as (fig, axes):
        for i, ax in enumerate(axes[0]):
            for k in range(4):
                ax.plot(np.cumsum(rng.normal(size=300)), label=f"run {k}")
            ax.fill_between(range(300), -5, 5, alpha=0.2)
            ax.set_title(f"panel {i}")
            ax.legend()
        plain = io.BytesIO()
        fig.savefig(plain, format="png", dpi=150)
        style.save(fig, [tmp_path / "f.png"], dpi=150)
    with Image.open(tmp_path / "f.png") as img:
        assert img.mode == "P"
    assert (tmp_path / "f.png").stat().st_size < 0.6 * len(plain.getvalue())
    diff = np.abs(pixels(tmp_path / "f.png") - pixels(plain.getvalue()))
    assert diff.shape[2] == 3 and diff.mean() < 1.0  # levels of 255: edges of lines and letters
    assert np.quantile(diff.max(axis=2), 0.99) < 24


def test_an_image_of_few_colours_is_kept_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, size=(200, 3), dtype=np.uint8)
    image = colours[rng.integers(0, 200, size=(120, 160))]
    path = tmp_path / "few.png"
    Image.fromarray(image, "RGB").convert("RGBA").save(path, format="PNG")
    compact(path)
    with Image.open(path) as img:
        assert img.mode == "P"
    assert np.array_equal(pixels(path), image.astype(float))


def test_a_transparent_image_is_left_as_it_is(tmp_path: Path) -> None:
    rgba = np.full((50, 60, 4), 255, dtype=np.uint8)
    rgba[10:20, 10:20, 3] = 0
    path = tmp_path / "clear.png"
    Image.fromarray(rgba, "RGBA").save(path, format="PNG")
    before = path.read_bytes()
    compact(path)
    assert path.read_bytes() == before
