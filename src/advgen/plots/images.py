"""Sample-grid figures: the training stages' PNG grids, upscaled by pixel repetition
(nearest neighbour, never interpolated) and laid out as small multiples with titles.

These are the only figures whose inputs are images rather than Parquet tables: the GAN
stage writes one fixed-noise grid per epoch (``samples/epoch_NNN.png``) and the
autoencoder stage a grid of decoded ``z ~ N(0, I)`` (``novel.png``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack

import numpy as np

from advgen.errors import AdvgenError
from advgen.plots import style

T = TypeVar("T")

_EPOCH = re.compile(r"epoch_(\d+)\.png$")

#: the widest a mosaic panel's title or note line grows (ems of the text's size) before it wraps
TEXT_EMS = 16


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Repeat every pixel ``factor`` times along both axes (nearest neighbour: no blur)."""
    if factor < 1:
        raise ValueError("the upscale factor must be >= 1")
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def read_png(path: str | Path) -> np.ndarray:
    """A PNG as an array in [0, 1], (H, W) for grey images and (H, W, 3|4) for colour."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
            mode = "L" if img.mode in ("L", "1", "I", "I;16") else "RGB"
            arr = np.asarray(img.convert(mode), dtype=np.float32) / 255.0
    except FileNotFoundError as exc:
        raise AdvgenError(f"{path}: image not found") from exc
    except OSError as exc:
        raise AdvgenError(f"{path}: not a readable PNG ({exc})") from exc
    if arr.ndim == 3 and np.allclose(arr[..., 0], arr[..., 1]) and np.allclose(arr[..., 1], arr[..., 2]):
        arr = arr[..., 0]  # torchvision saves grey grids as RGB
    return arr


def epoch_grids(folder: str | Path) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of the ``epoch_NNN.png`` files in ``folder``, sorted by epoch."""
    found = sorted(
        (int(m.group(1)), p) for p in Path(folder).glob("epoch_*.png") if (m := _EPOCH.search(p.name))
    )
    if not found:
        raise AdvgenError(f"{folder}: no epoch_NNN.png sample grids found")
    return found


def pick_evenly(items: Sequence[T], count: int) -> list[T]:
    """``count`` items spread evenly over ``items``, always including the first and last."""
    if count >= len(items):
        return list(items)
    if count <= 1:
        return [items[-1]]
    idx = np.unique(np.round(np.linspace(0, len(items) - 1, count)).astype(int))
    return [items[i] for i in idx]


def _show(ax: Any, image: np.ndarray, scale: int) -> None:
    big = upscale(image, scale)
    ax.imshow(
        big, cmap="gray" if big.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest", resample=False
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _rgb8(image: np.ndarray) -> np.ndarray:
    """(H, W) grey or (H, W, 3|4) colour in [0, 1] -> (H, W, 3) uint8."""
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image[..., :3]
    rgb8: np.ndarray = np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    return rgb8


def _font(size_px: int) -> Any:
    """matplotlib's own sans-serif (DejaVu Sans) at ``size_px`` pixels, for PIL."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size_px)


def mosaic(
    panels: Sequence[tuple[str, np.ndarray, str]],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    what: str,
    scale: int = 2,
    columns: int = 3,
    dpi: int = 150,
) -> None:
    """Small multiples of images, each with a title above and an optional note below; a panel's
    title and note lines wrap at its width (:data:`TEXT_EMS`), so no text overlaps another.

    The figure is composed as one raster: every image upscaled by pixel repetition and pasted
    at its native resolution, the text drawn in matplotlib's font (DejaVu Sans) at the size a
    ``dpi``-dots-per-inch figure gives it. A PNG is written by PIL directly, without
    matplotlib's image resampling and layout passes (about a second per figure before); an SVG
    or PDF path gets the same raster through matplotlib (``figimage``, nothing resampled).

    Args:
        panels: ``(title, image in [0, 1], note)`` triples in display order (title and note: ""
            or lines separated by newlines).
        scale: pixel repetition factor (nearest neighbour).
        columns: panels per row.
    """
    from PIL import Image, ImageDraw

    big = [(t, _rgb8(upscale(img, scale)), n) for t, img, n in panels]
    columns = min(columns, len(big))
    rows = -(-len(big) // columns)
    h = max(img.shape[0] for _, img, _ in big)
    w = max(img.shape[1] for _, img, _ in big)
    size = max(8, round(style.RC["font.size"] / 72 * dpi))  # the text's pixel size at this dpi
    line = round(size * 1.5)
    gap = line // 2
    font, small, bold = _font(size), _font(max(8, round(size * 0.9))), _font(round(size * 1.1))
    # a panel's text is as wide as its image, or as its longest line up to TEXT_EMS ems (longer
    # lines wrap there), or as its longest word: no label or note runs into its neighbour's
    longest = max(
        [_widest(label, font) for label, _, _ in big] + [_widest(note, small) for _, _, note in big]
    )
    words = max(
        [_widest_word(label, font) for label, _, _ in big] + [_widest_word(note, small) for _, _, note in big]
    )
    text_w = max(w, min(longest, TEXT_EMS * size), words)
    labels = [_lines(label, font, text_w) for label, _, _ in big]
    notes = [_lines(note, small, text_w) for _, _, note in big]
    label_rows = max(len(lines) for lines in labels)
    note_rows = max(len(lines) for lines in notes)
    cell_w, cell_h = text_w + 2 * gap, label_rows * line + h + note_rows * line + gap
    width = max(columns * cell_w, 40 * size)
    left = (width - columns * cell_w) // 2  # the panels centred under a wider title
    title = f"{what} ({experiment})" if experiment else what
    title_lines = _wrap(title, bold, width - 2 * gap)
    head = len(title_lines) * line + gap
    canvas = Image.new("RGB", (width, head + rows * cell_h), "white")
    draw = ImageDraw.Draw(canvas)
    for i, text in enumerate(title_lines):
        draw.text((width / 2, gap + i * line), text, fill="black", font=bold, anchor="mt")
    for i, ((_, img, _), label, note) in enumerate(zip(big, labels, notes, strict=True)):
        r, c = divmod(i, columns)
        cx = left + c * cell_w + gap + text_w / 2
        x0 = round(cx - img.shape[1] / 2)
        top = head + r * cell_h + label_rows * line
        canvas.paste(Image.fromarray(img), (x0, top))
        for k, text in enumerate(reversed(label)):
            draw.text((cx, top - line * (0.2 + k)), text, fill="black", font=font, anchor="md")
        for k, text in enumerate(note):
            draw.text(
                (cx, top + img.shape[0] + line * (0.2 + k)), text, fill="#333333", font=small, anchor="ma"
            )
    _save_raster(canvas, paths, dpi)


def _widest(text: str, font: Any) -> int:
    """The pixel width of the longest line of ``text`` in ``font`` (0 for no text)."""
    return max((math.ceil(font.getlength(ln)) for ln in text.splitlines()), default=0)


def _widest_word(text: str, font: Any) -> int:
    """The pixel width of the longest word of ``text`` in ``font`` (0 for no text)."""
    return max((math.ceil(font.getlength(word)) for word in text.split()), default=0)


def _lines(text: str, font: Any, width: int) -> list[str]:
    """``text``'s lines (none for blank text), each broken to ``width`` pixels in ``font``."""
    return [wrapped for line in text.splitlines() if line.strip() for wrapped in _wrap(line, font, width)]


def _wrap(text: str, font: Any, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels in ``font``."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _save_raster(canvas: Any, paths: Sequence[str | Path], dpi: int) -> None:
    """Write the composed raster to every path: PNG by PIL, SVG / PDF through matplotlib."""
    from advgen.io import atomic_path
    from advgen.plots.png import compact

    if not paths:
        raise AdvgenError("no output path given for the figure")
    vector = [p for p in paths if Path(p).suffix.lower() != ".png"]
    for path in paths:
        if Path(path).suffix.lower() == ".png":
            with atomic_path(path) as tmp:
                canvas.save(tmp, format="PNG", dpi=(dpi, dpi))
                compact(tmp)  # a palette PNG where smaller (grey-level grids stay exact)
    if vector:
        plt = style.pyplot()
        with plt.rc_context(style.RC):
            fig = plt.figure(figsize=(canvas.width / dpi, canvas.height / dpi), dpi=dpi)
            try:
                fig.figimage(np.asarray(canvas), origin="upper")
                style.save(fig, vector, dpi=dpi)
            finally:
                plt.close(fig)


class Look(TypedDict, total=False):
    """The optional settings of :func:`mosaic` that the sample-grid figures pass on (their
    defaults are :func:`mosaic`'s): ``scale``, the pixel repetition factor (nearest neighbour),
    ``columns``, the panels per row, and ``dpi``."""

    scale: int
    columns: int
    dpi: int


def sample_grids(
    grids: Sequence[tuple[str, str | Path]],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    what: str,
    **look: Unpack[Look],
) -> None:
    """Small multiples of sample-grid PNGs, each titled (e.g. ``"epoch 10"``): :func:`mosaic`.

    Args:
        grids: ``(panel title, png path)`` pairs, in display order.
    """
    if not grids:
        raise AdvgenError(f"{experiment}: no sample grids to show")
    mosaic([(t, read_png(p), "") for t, p in grids], paths, experiment=experiment, what=what, **look)


def gan_epoch_grids(
    folder: str | Path, paths: Sequence[str | Path], *, experiment: str, panels: int = 6, **look: Unpack[Look]
) -> None:
    """Fixed-noise GAN samples at ``panels`` epochs spread over training (first and last included)."""
    chosen = pick_evenly(epoch_grids(folder), panels)
    what = "GAN samples from fixed noise, per epoch"
    sample_grids([(f"epoch {e}", p) for e, p in chosen], paths, experiment=experiment, what=what, **look)
