"""One look for every figure: matplotlib settings, colours, atomic multi-format saving.

Every plotting function in :mod:`advgen.plots` builds its figure inside :func:`figure`
(which applies :data:`RC`) and ends with :func:`save`, which writes each requested path
(format from the suffix: ``.png``, ``.svg``, ``.pdf``) atomically through
:func:`advgen.io.atomic_path`, so a killed job leaves no half-written image.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from advgen.errors import AdvgenError
from advgen.io import atomic_path
from advgen.plots.png import compact

FORMATS = ("png", "svg", "pdf")

#: matplotlib settings shared by all figures (readable at the report's thumbnail size)
RC: dict[str, Any] = {
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.framealpha": 0.85,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.titlesize": 12,
    "svg.fonttype": "none",  # text stays text in SVG
    "svg.hashsalt": "advgen",  # deterministic SVG ids
    "image.interpolation": "nearest",  # pixel images are never smoothed
    "image.resample": False,
}

#: colour-blind safe palette (Okabe & Ito 2008), cycled for runs, restarts, models
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: fixed colours of recurring roles
ROLE_COLORS = {"generator": "#0072B2", "discriminator": "#D55E00", "reference": "#555555"}


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def color(i: int) -> str:
    """The ``i``-th colour of :data:`PALETTE` (cycled)."""
    return PALETTE[i % len(PALETTE)]


#: markers of the lines after the palette's first round, so that no two lines look alike
MARKERS = ("o", "s", "^", "D", "v")


def marker(i: int) -> str:
    """The marker of the ``i``-th line: it changes each time :func:`color` starts over."""
    return MARKERS[(i // len(PALETTE)) % len(MARKERS)]


@contextlib.contextmanager
def figure(
    nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] | None = None, **kwargs: Any
) -> Iterator[tuple[Any, Any]]:
    """``plt.subplots`` under :data:`RC`, with a constrained layout; closed on exit.

    ``size`` defaults to 4.2 x 3.2 inches per panel. Axes always come back as a 2-D array.
    """
    plt = pyplot()
    width, height = size or (4.2 * ncols, 3.2 * nrows)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained", **kwargs
        )
        try:
            yield fig, axes
        finally:
            plt.close(fig)


@contextlib.contextmanager
def panel_grid(
    count: int, columns: int, *, panel: tuple[float, float], extra: float, **kwargs: Any
) -> Iterator[tuple[Any, Any, int]]:
    """:func:`figure` of ``count`` panels in rows of ``columns`` (fewer when there are fewer
    panels), each ``panel`` inches (width, height), and ``extra`` inches of height for the title
    and legends; the spare axes of the last row are turned off. Yields the figure, its axes
    (2-D, in reading order through ``axes.flat``) and the number of columns."""
    columns = min(columns, count)
    rows = -(-count // columns)
    width, height = panel
    with figure(rows, columns, size=(width * columns, height * rows + extra), **kwargs) as (fig, axes):
        for ax in axes.flat[count:]:
            ax.axis("off")
        yield fig, axes, columns


def save(fig: Any, paths: Sequence[str | Path], *, dpi: int = 150) -> None:
    """Write ``fig`` to every path (format from its suffix), each atomically.

    Raises:
        AdvgenError: a path whose suffix is not one of :data:`FORMATS`, or no path at all.
    """
    if not paths:
        raise AdvgenError("no output path given for the figure")
    for path in paths:
        fmt = Path(path).suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise AdvgenError(f"{path}: unsupported figure format '{fmt}' (use one of {', '.join(FORMATS)})")
    for i, path in enumerate(paths):
        fmt = Path(path).suffix.lstrip(".").lower()
        metadata = {"Date": None} if fmt in ("svg", "pdf") else {}  # reproducible vector files
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
            if fmt == "png":  # the report embeds it: an 8-bit palette, 41 % of the bytes
                compact(tmp)
        if i == 0 and len(paths) > 1:
            # the first save ran the constrained layout: the copies keep its positions instead of
            # solving it again (a third to a half of a figure's drawing time)
            fig.set_layout_engine("none")


#: what a curve and its band are when a model has several seeds (each run is one seed)
SEED_NOTE = "line: mean over seeds, band: 95 % t-interval"


def seed_interval(values: Any, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` (one per seed) and the ends of its two-sided t-interval, mean ± t(n-1)
    s / sqrt(n) (Student 1908); both ends are the mean for a single value (no spread to show)."""
    import numpy as np
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    if len(v) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return mean, mean - half, mean + half


def seed_curves(runs: Any, x: str, y: str, *, model: str = "model", confidence: float = 0.95) -> Any:
    """Per (``model``, ``x``) of a long table with one row per run and point: the mean of ``y``
    over the runs (``mean``), its t-interval (``lo``, ``hi``, as :func:`seed_interval`) and the
    number of runs (``n``), sorted by model and ``x``."""
    import numpy as np
    from scipy import stats

    stat = (
        runs[[model, x, y]]
        .dropna(subset=[y])
        .groupby([model, x], sort=True)[y]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    n = stat["count"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * stat["std"].fillna(0.0).to_numpy(float) / np.sqrt(n), 0.0)
    mean = stat["mean"].to_numpy(float)
    return stat.assign(lo=mean - half, hi=mean + half, n=n.astype(int))[[model, x, "mean", "lo", "hi", "n"]]


def mean_band(
    ax: Any,
    curve: Any,
    x: str,
    *,
    color: str,
    label: str,
    clip: tuple[float, float] | None = None,
    **line: Any,
) -> None:
    """Draw a :func:`seed_curves` frame of one model: its mean as a line (``line`` styles it) and
    its interval as a faint band of the same colour (zero-width where one run made the point);
    ``clip`` bounds the band (accuracies stay in [0, 1])."""
    import numpy as np

    lo, hi = curve["lo"].to_numpy(float), curve["hi"].to_numpy(float)
    if clip is not None:
        lo, hi = np.clip(lo, *clip), np.clip(hi, *clip)
    ax.plot(curve[x], curve["mean"], color=color, label=label, **line)
    if (curve["n"] > 1).any():
        ax.fill_between(curve[x], lo, hi, color=color, alpha=0.18, linewidth=0)


def figure_legend(fig: Any, handles: Sequence[Any], labels: Sequence[str], *, max_columns: int = 6) -> Any:
    """One legend for the whole figure, below its axes (the constrained layout's ``outside lower
    center``), in as many columns (at most ``max_columns``) as fit the figure's width; the figure
    grows by the legend's height, so the axes keep theirs, and widens if one column is still too
    wide. So no entry is cut at the figure's edge."""
    renderer = fig.canvas.get_renderer()
    labels = list(labels)
    for columns in range(min(max_columns, len(labels)), 0, -1):
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=columns)
        width = legend.get_window_extent(renderer).width
        if width <= 0.97 * fig.bbox.width or columns == 1:
            break
        legend.remove()
    if width > 0.97 * fig.bbox.width:
        fig.set_figwidth(width / fig.dpi + 0.3)
    fig.set_figheight(fig.get_figheight() + legend.get_window_extent(renderer).height / fig.dpi)
    return legend


def title(fig: Any, experiment: str, what: str) -> None:
    """The figure's title: what it shows, then the experiment that made it (on a second
    line when one line would not fit the figure's width)."""
    import textwrap

    text = f"{what} ({experiment})" if experiment else what
    chars = int(fig.get_figwidth() * 72 / (RC["figure.titlesize"] * 0.6))  # ~0.6 em per character
    if len(text) > chars:
        text = "\n".join(
            textwrap.wrap(what, chars) + (textwrap.wrap(f"({experiment})", chars) if experiment else [])
        )
    fig.suptitle(text)


def running_mean(values: Any, window: int) -> Any:
    """Trailing running mean over ``window`` points (the first points average what exists)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) == 0:
        return values
    cumsum = np.cumsum(np.insert(np.nan_to_num(values), 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return (cumsum[idx] - cumsum[lo]) / (idx - lo)


def epoch_ticks(ax: Any, iterations: Any, epochs: Any, *, max_ticks: int = 8) -> None:
    """A secondary x axis on top of ``ax`` marking the first iteration of each epoch."""
    import numpy as np

    iterations, epochs = np.asarray(iterations), np.asarray(epochs)
    if len(iterations) == 0:
        return
    starts = np.flatnonzero(np.r_[True, epochs[1:] != epochs[:-1]])
    step = max(1, int(np.ceil(len(starts) / max_ticks)))
    chosen = starts[::step]
    top = ax.secondary_xaxis("top")
    top.set_xticks(iterations[chosen], [str(int(e)) for e in epochs[chosen]])
    top.set_xlabel("epoch")
    top.tick_params(labelsize=8)


def check_columns(df: Any, columns: Sequence[str], where: str) -> None:
    """Raise :class:`AdvgenError` naming ``where`` when ``df`` lacks one of ``columns``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AdvgenError(
            f"{where}: missing column(s) {', '.join(missing)} (found: {', '.join(map(str, df.columns))})"
        )
    if len(df) == 0:
        raise AdvgenError(f"{where}: the table is empty, nothing to plot")
