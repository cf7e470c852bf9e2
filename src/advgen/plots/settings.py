"""The config's ``plots`` section, typed once (:class:`PlotSettings`): each figure family's job
spec (:mod:`advgen.plots.figure_specs`) takes the settings its family draws from it. No torch
or matplotlib here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlotSettings:
    """The ``plots`` section: resolution, vector copies, smoothing of loss curves, the sample
    grids' panels and scale, the latent CDF's panels, the overview's roles, the sweep figures'
    images and pairs."""

    dpi: int
    vector_formats: tuple[str, ...]
    smoothing: int
    sample_panels: int
    sample_scale: int
    cdf_panels: int
    overview_roles: tuple[str, ...]
    inversion_images: int
    interpolation_pairs: int

    @classmethod
    def of(cls, section: Mapping[str, Any] | None, source: str = "config") -> PlotSettings:
        """The validated ``plots`` section typed (absent: the schema's defaults)."""
        from advgen.config import typed_section

        return typed_section(cls, "plots", section, source)
