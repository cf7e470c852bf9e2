"""The pictures a reader sees first: the generators' samples beside real test digits, each with
its scores and its quality gate (docs/generators.md), and the landing page's copy of them.

The overview figure (README, the report's landing page) shows the real test digits that the
``sample_quality`` job drew, then for each role of ``plots.overview_roles`` the final-epoch
fixed-noise grid of a GAN or the decoded ``z ~ N(0, I)`` grid of an autoencoder; under each,
the classifier FID, the classes covered, the mean max-probability and the gate (pass, or the
bars missed) from ``results/sample_quality/summary.parquet``.
"""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from advgen.io import write_text
from advgen.plots import images, style

GATE_COLUMNS = ("model", "fid", "modes", "mean_max_prob")


def scores(summary: pd.DataFrame, name: str) -> str:
    """One line of a row's scores ("" when the row is not in the table)."""
    row = summary[summary["model"] == name]
    if row.empty:
        return ""
    r = row.iloc[0]
    return f"FID {r['fid']:.1f}, {int(r['modes'])} classes >= 5 %, max-prob {r['mean_max_prob']:.2f}"


def gate_lines(summary: pd.DataFrame, name: str, role: str) -> list[str]:
    """The gate of run ``name`` (one line per bar missed) and how many runs of ``role`` pass."""
    if "gate" not in summary.columns:
        return []
    row = summary[summary["model"] == name]
    if row.empty or not row.iloc[0]["gate"]:
        return ["gate: no bar declared"]
    roles = summary["roles"].fillna("").str.split(", ") if "roles" in summary.columns else None
    runs = summary[[role in r for r in roles]] if roles is not None else row
    passed = f"{int((runs['gate'] == 'pass').sum())} of {len(runs)} runs of {role} pass"
    r = row.iloc[0]
    if r["gate"] == "pass":
        return [f"gate: pass ({passed})"]
    return [f"gate: FAIL ({passed})", *str(r["gate_failures"]).split("; ")]


def overview(
    summary: pd.DataFrame,
    real: str | Path | None,
    panels: Sequence[tuple[str, str, str, str | Path]],
    paths: Sequence[str | Path],
    *,
    scale: int = 2,
    dpi: int = 150,
) -> None:
    """Draw the overview: ``real`` (a grid PNG, or None) then ``panels`` of ``(role, run, kind,
    grid)`` where ``grid`` is a GAN's ``samples/`` folder (its last epoch is shown) or an
    autoencoder's ``novel.png``."""
    style.check_columns(summary, GATE_COLUMNS, "sample-quality summary")
    shown = []
    if real is not None:
        name = next((m for m, f in zip(summary["model"], summary.get("family", [])) if f == "real"), "")
        shown.append(("real test digits", images.read_png(real), scores(summary, name)))
    for role, run, kind, grid in panels:
        if kind == "gans":
            epoch, png = images.epoch_grids(grid)[-1]
            title = f"{role}: {run}\nepoch {epoch}"
        else:
            png, title = Path(grid), f"{role}: {run}\ndecoded z ~ N(0, I)"
        note = [scores(summary, run), *gate_lines(summary, run, role)]
        shown.append((title, images.read_png(png), "\n".join(line for line in note if line)))
    images.mosaic(
        shown,
        paths,
        experiment="",
        what="Generators beside real test digits (scores and quality gate under each; reference classifier)",
        scale=scale,
        columns=len(shown),
        dpi=dpi,
    )


def landing_rst(png: str | Path, out: str | Path) -> None:
    """reStructuredText for the report's landing page: the overview figure inline (a ``data:``
    URI, so the self-contained report carries it) under one sentence."""
    data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    uri = "".join(f"   {line}\n" for line in textwrap.wrap(data, 76))
    write_text(
        out,
        "What the generators draw (``plots.overview_roles``): a GAN's final-epoch grid or an autoencoder's\n"
        "decoded N(0, I) samples beside real test digits, each with its scores and its quality gate\n"
        "(``sample_quality.bars``; docs/generators.md).\n\n"
        ".. image:: data:image/png;base64,\n" + uri + "   :alt: generator samples beside real test digits\n",
    )
