"""The figure families' jobs: each reads its figures' inputs (Parquet tables; the sample-grid
families the training stages' PNGs or a sweep job's ``samples.npz``) and draws them with a pure
plotting function of :mod:`advgen.plots`, which writes every path it is given (the suffix picks
the format).

A family's job kind is a row of its stage's ``jobkinds_<stage>.py``
(:mod:`advgen.pipeline.figure_kinds`) and its spec a dataclass of
:mod:`advgen.plots.figure_specs`: a family of several figures per job draws each through
:func:`draw_each` (figure ``i`` reads the inputs named ``figure<i>``), a family of one figure per
job through :func:`drawing`; either leaves no output of the job behind when a figure fails, and
its message names the input files. A job's docstring says what its inputs are (``advgen plot
--list``). The plotting modules are imported when a job draws.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from advgen.errors import AdvgenError, ConfigError
from advgen.io import read_parquet, write_text
from advgen.jobfiles import Files
from advgen.plots import figure_specs as specs
from advgen.specs import NoSettings

F = TypeVar("F")


@contextlib.contextmanager
def _no_partial(outputs: Sequence[str], inputs: Sequence[str]) -> Iterator[None]:
    """Remove ``outputs`` when drawing fails; the message names the input files."""
    try:
        yield
    except AdvgenError as exc:
        for out in outputs:
            Path(out).unlink(missing_ok=True)
        if not any(str(path) in str(exc) for path in inputs):
            raise AdvgenError(f"{', '.join(inputs)}: {exc}") from exc
        raise


@contextlib.contextmanager
def drawing(inputs: Files, outputs: Files) -> Iterator[list[str]]:
    """The files of a job's one figure: output ``figure`` and its ``vectors`` (module docstring)."""
    paths = [outputs.one("figure"), *outputs.all("vectors")]
    with _no_partial(paths, [path for name in inputs for path in inputs[name]]):
        yield paths


def draw_each(
    inputs: Files, outputs: Files, figures: Sequence[F], draw: Callable[[F, Sequence[str], list[str]], None]
) -> None:
    """Draw figure ``i`` (1, 2, ...) of a family's job, ``draw(figures[i], its inputs, its files)``:
    its inputs are those named ``figure<i>``, its files the ``i``-th of the ``figures`` outputs
    and the ``vectors`` of the same stem. A failing figure leaves no output of the job behind."""
    pngs, vectors = outputs.all("figures"), outputs.all("vectors")
    if len(pngs) != len(figures):
        raise ConfigError(f"--output: {len(pngs)} figures=PATH for {len(figures)} figures in the spec")
    stems = {path.rpartition(".")[0] for path in pngs}
    stray = [path for path in vectors if path.rpartition(".")[0] not in stems]
    if stray:
        raise ConfigError(f"--output: vectors={stray[0]} is the copy of no figure")
    done: list[str] = []
    for i, (path, figure) in enumerate(zip(pngs, figures, strict=True), 1):
        outs = [path, *(v for v in vectors if v.rpartition(".")[0] == path.rpartition(".")[0])]
        with _no_partial([*done, *outs], inputs.all(f"figure{i}")):
            draw(figure, inputs.all(f"figure{i}"), outs)
        done += outs


def _one(inputs: Sequence[str]) -> str:
    if len(inputs) != 1:
        raise AdvgenError(f"expected one input, got {len(inputs)}")
    return inputs[0]


def _info(info: dict[str, specs.GanInfo]) -> dict[str, dict[str, Any]]:
    """The legends' GAN runs (run -> loss and unroll_k), as the plotting functions take them."""
    return {run: {"loss": i.loss, "unroll_k": i.unroll_k} for run, i in info.items()}


def each_table(
    inputs: Files,
    outputs: Files,
    figures: Sequence[specs.Titled | specs.PointPlot],
    plot: Callable[..., None],
    dpi: int,
    read: Callable[[str], Any] = read_parquet,
    **settings: Any,
) -> None:
    """Draw each figure from its one input, a table (else what ``read`` makes of it):
    ``plot(table, paths, experiment=<its title>, dpi=dpi, **settings)``; a sweep point's figure
    from the rows of its point in its table."""

    def draw(figure: specs.Titled | specs.PointPlot, files: Sequence[str], paths: list[str]) -> None:
        table = read(_one(files))
        if isinstance(figure, specs.PointPlot):
            table = table[table["point"] == figure.point].reset_index(drop=True)
        plot(table, paths, experiment=figure.experiment, dpi=dpi, **settings)

    draw_each(inputs, outputs, figures, draw)


# --- the GANs
def gan_losses(inputs: Files, outputs: Files, spec: specs.LossCurvesSpec) -> None:
    """Inputs: each GAN's losses.parquet."""
    from advgen.plots import gan

    each_table(inputs, outputs, spec.figures, gan.loss_curves, spec.dpi, smoothing=spec.smoothing)


def gan_grad_norms(inputs: Files, outputs: Files, spec: specs.GradNormsSpec) -> None:
    """Inputs: each GAN's losses.parquet."""
    from advgen.plots import gan

    def draw(figure: specs.GradNormRun, tables: Sequence[str], paths: list[str]) -> None:
        gan.grad_norms(
            read_parquet(_one(tables)),
            paths,
            experiment=figure.experiment,
            threshold=figure.vanishing_threshold,
            patience=figure.vanishing_patience,
            smoothing=spec.smoothing,
            dpi=spec.dpi,
        )

    draw_each(inputs, outputs, spec.figures, draw)


def gan_samples(inputs: Files, outputs: Files, spec: specs.EpochGridsSpec) -> None:
    """Inputs: each GAN's samples/ folder of epoch_NNN.png grids."""
    from advgen.plots import images

    grids = {"panels": spec.sample_panels, "scale": spec.sample_scale}
    each_table(inputs, outputs, spec.figures, images.gan_epoch_grids, spec.dpi, read=str, **grids)


def gan_loss_comparison(inputs: Files, outputs: Files, spec: specs.LossComparisonSpec) -> None:
    """Inputs: losses.parquet of each GAN of a data set (the figure's labels: their run names)."""
    from advgen.plots import gan

    def draw(figure: specs.Comparison, tables: Sequence[str], paths: list[str]) -> None:
        if len(figure.labels) != len(tables):
            raise AdvgenError(f"{len(tables)} input(s) but {len(figure.labels)} label(s) in the spec")
        runs = {label: read_parquet(path) for label, path in zip(figure.labels, tables, strict=True)}
        info = _info(figure.info)
        gan.loss_comparison(
            runs, paths, info=info, experiment=figure.experiment, smoothing=spec.smoothing, dpi=spec.dpi
        )

    draw_each(inputs, outputs, spec.figures, draw)


def gan_mode_coverage(inputs: Files, outputs: Files, spec: specs.ModeCoverageSpec) -> None:
    """Input: the sample-quality summary.parquet (summary)."""
    from advgen.plots import gan

    with drawing(inputs, outputs) as paths:
        quality = read_parquet(inputs.one("summary"))
        gan.mode_coverage(quality, paths, info=_info(spec.info), experiment=spec.experiment, dpi=spec.dpi)


# --- the autoencoders
def ae_losses(inputs: Files, outputs: Files, spec: specs.LossCurvesSpec) -> None:
    """Inputs: each autoencoder's losses.parquet."""
    from advgen.plots import ae

    each_table(inputs, outputs, spec.figures, ae.loss_terms, spec.dpi, smoothing=spec.smoothing)


def ae_latent_cdf(inputs: Files, outputs: Files, spec: specs.LatentCdfSpec) -> None:
    """Inputs: each autoencoder's latent_cdf.parquet."""
    from advgen.plots import ae

    each_table(inputs, outputs, spec.figures, ae.latent_cdf, spec.dpi, panels=spec.cdf_panels)


def _image_grids(label: str, what: str) -> Callable[[Files, Files, specs.ImageGridsSpec], None]:
    """The job of a family of one image per figure, titled ``what``, the image labelled ``label``."""

    def run(inputs: Files, outputs: Files, spec: specs.ImageGridsSpec) -> None:
        from advgen.plots import images

        def draw(figure: specs.Titled, grids: Sequence[str], paths: list[str]) -> None:
            images.sample_grids(
                [(label, _one(grids))],
                paths,
                experiment=figure.experiment,
                what=what,
                scale=spec.sample_scale,
                dpi=spec.dpi,
            )

        draw_each(inputs, outputs, spec.figures, draw)

    return run


ae_samples = _image_grids("decoded z ~ N(0, I)", "Autoencoder: novel samples")
ae_samples.__doc__ = "Inputs: each autoencoder's novel.png (decoded z ~ N(0, I))."
ae_reconstructions = _image_grids("test images / D(E(x))", "Autoencoder: reconstructions")
ae_reconstructions.__doc__ = "Inputs: each autoencoder's reconstructions.png (test images and D(E(x)))."


# --- the generators' overview and the report's landing page
def generators_overview(inputs: Files, outputs: Files, spec: specs.OverviewSpec) -> None:
    """Inputs: the sample-quality summary, the real test digits' grid (when scored), each grid.

    ``summary``, ``real`` (optional) and ``grids``: each panel's, a GAN's samples/ folder or an
    autoencoder's novel.png."""
    from advgen.plots import overview

    grids = inputs.all("grids")
    if len(grids) != len(spec.panels):
        raise ConfigError(f"--input: {len(grids)} grids=PATH for {len(spec.panels)} panels in the spec")
    with drawing(inputs, outputs) as paths:
        overview.overview(
            read_parquet(inputs.one("summary")),
            inputs.optional("real"),
            [(p.role, p.run, p.kind, grid) for p, grid in zip(spec.panels, grids, strict=True)],
            paths,
            scale=spec.sample_scale,
            dpi=spec.dpi,
        )


def generators_landing(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """Input: the overview figure's PNG (overview); output: the landing page's reStructuredText."""
    from advgen.plots import overview

    with drawing(inputs, outputs) as paths:
        overview.landing_rst(inputs.one("overview"), _one(paths))


def table_sample_quality(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """Input: the sample-quality summary.parquet (summary); output: a Markdown table (.md)."""
    from advgen.plots import tables

    with drawing(inputs, outputs) as paths:
        write_text(_one(paths), tables.sample_quality(read_parquet(inputs.one("summary"))))


# --- the sweeps
def inversion_restarts(inputs: Files, outputs: Files, spec: specs.RestartCurvesSpec) -> None:
    """Inputs: each inversion point's steps.parquet."""
    from advgen.plots import sweeps

    each_table(
        inputs, outputs, spec.figures, sweeps.inversion_restarts, spec.dpi, images=spec.inversion_images
    )


def interpolation_labels(inputs: Files, outputs: Files, spec: specs.LabelPathsSpec) -> None:
    """Inputs: each interpolation point's frames.parquet."""
    from advgen.plots import sweeps

    each_table(
        inputs, outputs, spec.figures, sweeps.interpolation_labels, spec.dpi, pairs=spec.interpolation_pairs
    )


def truncation_grid(inputs: Files, outputs: Files, spec: specs.ImageGridsSpec) -> None:
    """Inputs: each generator's truncation samples.npz (uint8 image rows, one psi each)."""
    from advgen.io import read_npz
    from advgen.plots import adversarial

    def draw(figure: specs.Titled, files: Sequence[str], paths: list[str]) -> None:
        samples = {}
        for path in files:
            data = read_npz(path, required=("images", "psi"))
            for images, psi in zip(data["images"], data["psi"].reshape(-1), strict=True):
                samples[None if psi == float("inf") else float(psi)] = images / 255.0
        adversarial.truncation_grid(
            samples, paths, experiment=figure.experiment, scale=spec.sample_scale, dpi=spec.dpi
        )

    draw_each(inputs, outputs, spec.figures, draw)


# --- the robustness stage
def robustness_sweep(inputs: Files, outputs: Files, spec: specs.SweepCurvesSpec) -> None:
    """Inputs: each capacity or data-size sweep's table."""
    from advgen.plots import robustness

    def draw(figure: specs.SweepPlot, tables: Sequence[str], paths: list[str]) -> None:
        table = read_parquet(_one(tables))
        robustness.sweep_curves(table, paths, sweep=figure.sweep, experiment=figure.experiment, dpi=spec.dpi)

    draw_each(inputs, outputs, spec.figures, draw)


def table_robustness(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """Inputs: the attacks.parquet (attacks), minimal_perturbation.parquet (minimal); output: Markdown."""
    from advgen.plots import tables

    with drawing(inputs, outputs) as paths:
        minimal = inputs.optional("minimal")
        text = tables.robustness(
            read_parquet(inputs.one("attacks")), read_parquet(minimal) if minimal else None
        )
        write_text(_one(paths), text)


# --- a figure of one table (the robustness curves, a sweep's summary, a defense figure)
def one_table(plot: Callable[..., None]) -> Callable[[Files, Files, specs.OneTableSpec], None]:
    """The job of a figure of one table: ``plot(table, paths, experiment=..., dpi=...)`` on the
    input ``table``."""

    def run(inputs: Files, outputs: Files, spec: specs.OneTableSpec) -> None:
        with drawing(inputs, outputs) as paths:
            plot(read_parquet(inputs.one("table")), paths, experiment=spec.experiment, dpi=spec.dpi)

    run.__doc__ = f"Input: one table ({plot.__module__}.{plot.__name__})."
    run.__name__ = plot.__name__
    return run
