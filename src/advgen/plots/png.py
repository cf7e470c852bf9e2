"""Compact PNG figures: an 8-bit palette instead of matplotlib's 32-bit RGBA.

The HTML report embeds every figure (base64), so a figure's bytes are the report's. A plot has
few colours: a figure of at most 256 keeps every pixel; an antialiased one (more) keeps 256 of
them by median cut without dithering (Heckbert 1982, "Color image quantization for frame buffer
display"; Pillow's ``Image.quantize``), a difference of a few levels on the edges of lines and
letters. On the demo's report figures at the default study's 150 dpi this writes 41 % of the
bytes (``config/demo.yaml``'s figures redrawn at ``plots.dpi: 150``, 2-core AMD EPYC).
An image with transparent pixels is left as it is.
"""

from __future__ import annotations

import io
from pathlib import Path

#: the palette's size: PNG's 8-bit palette
COLOURS = 256


def compact(path: str | Path) -> None:
    """Rewrite the PNG at ``path`` as a palette image (optimised deflate) where that is smaller;
    an image with transparency, or one already of a palette or grey levels, stays. ``path`` is
    the temporary file of :func:`advgen.io.atomic_path` when :func:`advgen.plots.style.save`
    calls it, so a killed job leaves no half-written figure."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        if img.mode in ("P", "1", "L") or (
            "A" in img.getbands() and np.asarray(img.getchannel("A")).min() < 255
        ):
            return
        rgb = img.convert("RGB")
    palette = rgb.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    if out.tell() < Path(path).stat().st_size:
        Path(path).write_bytes(out.getvalue())
