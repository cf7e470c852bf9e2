"""How each figure family reads its inputs and which plotting function draws it.

A family's renderer is ``render(inputs, outputs, spec)``: it reads the input files
(Parquet; the sample-grid families read the training stages' PNGs or a sweep job's
``samples.npz``) and calls a pure plotting function of :mod:`advgen.plots`, which writes every
path of ``outputs`` (the suffix picks the format). ``spec`` is the figure's typed options
(:class:`advgen.plots.spec.PlotSpec`): the keys of it the family draws (:class:`Render`'s
``keys``: settings of the ``plots`` config section such as ``dpi`` and ``smoothing``, and what a
family names, such as ``experiment``, the title, and ``labels``, one name per input file of a
family comparing several runs); a drawn setting the spec leaves out takes its schema default.

The figure table :data:`advgen.pipeline.figures.FIGURES` names each family's renderer (its
``draw``); its job kind (:mod:`advgen.pipeline.jobkinds_figures`, ``advgen plot-<family>``)
runs :func:`draw_figures`, which draws each figure of the job's spec. A family that draws one
table needs no renderer here: its row says ``draw=one_table(<plotting function>)``. Each
renderer's docstring says what its figure's inputs are (``advgen plot --list``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from advgen.errors import AdvgenError, ConfigError
from advgen.io import read_parquet, write_text
from advgen.jobfiles import Files
from advgen.plots.spec import FiguresSpec, PlotSpec, with_defaults
from advgen.specs import spec_dict

#: a renderer's function: ``draw(inputs, outputs, spec)``
Draw = Callable[[Sequence[str], Sequence[str], PlotSpec], None]


@dataclass(frozen=True)
class Render:
    """A family's renderer, ``render(inputs, outputs, spec)``, and the keys of
    :class:`~advgen.plots.spec.PlotSpec` it draws (``keys``): a figure's spec holds these only,
    so an edit of an option that a family does not draw reruns none of its figures."""

    draw: Draw
    keys: tuple[str, ...]

    def __call__(self, inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
        self.draw(inputs, outputs, spec)

    @property
    def doc(self) -> str:
        """The first line of the function's docstring (what ``--input`` expects)."""
        return (self.draw.__doc__ or "").strip().splitlines()[0]


def draws(*keys: str) -> Callable[[Draw], Render]:
    """Declare a renderer and the spec keys it draws (``@draws("dpi", "experiment")``)."""

    def declare(draw: Draw) -> Render:
        return Render(draw, keys)

    return declare


def _one(inputs: Sequence[str]) -> str:
    if len(inputs) != 1:
        raise AdvgenError(f"expected one input, got {len(inputs)}")
    return inputs[0]


def _labelled(inputs: Sequence[str], spec: PlotSpec) -> dict[str, str]:
    labels = spec.labels or ()
    if len(labels) != len(inputs):
        raise AdvgenError(f"{len(inputs)} input(s) but {len(labels)} label(s) in the spec")
    return dict(zip(labels, inputs))


def _common(spec: PlotSpec) -> dict[str, Any]:
    return {"dpi": int(need(spec.dpi, "dpi"))}


def one_table(function: Callable[..., None]) -> Render:
    """The renderer of a family that draws one table: ``function(table, outputs, *,
    experiment, dpi)`` on the one ``--input`` Parquet file (``experiment`` when the spec has one)."""

    def render(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
        extra = {"experiment": spec.experiment} if spec.experiment is not None else {}
        function(read_parquet(_one(inputs)), outputs, **extra, **_common(spec))

    render.__doc__ = f"Input: one table ({function.__module__}.{function.__name__})."
    render.__name__ = function.__name__
    return Render(render, ("dpi", "experiment"))


def _draw_table(plot: str, table: Any, outputs: Sequence[str], spec: PlotSpec, **arguments: Any) -> None:
    """Draw ``table`` into ``outputs`` by ``plot``, a function ``module.name`` of :mod:`advgen.plots`
    (imported now), with ``arguments`` and the spec's common settings (``dpi``)."""
    module, _, name = plot.partition(".")
    function = getattr(importlib.import_module(f"advgen.plots.{module}"), name)
    function(table, outputs, **arguments, **_common(spec))


def _table_family(plot: str, doc: str, *, point: bool = False, **options: str) -> Render:
    """The renderer of a family that draws its one Parquet input (with ``point``: the rows of the
    spec's grid point) by ``plot``, a function ``module.name`` of :mod:`advgen.plots` (imported when
    it draws), titled by the spec's ``experiment``; each of ``options`` (``argument="key"``) passes
    the spec's required ``key`` as ``argument``. ``doc``: what its input is."""

    def render(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
        table = read_parquet(_one(inputs))
        _draw_table(
            plot,
            _point_rows(table, spec) if point else table,
            outputs,
            spec,
            experiment=need(spec.experiment, "experiment"),
            **{argument: need(getattr(spec, key), key) for argument, key in options.items()},
        )

    render.__doc__ = doc
    render.__name__ = plot.partition(".")[2]
    return Render(render, ("dpi", "experiment", *(("point",) if point else ()), *options.values()))


gan_losses = _table_family("gan.loss_curves", "Input: one GAN losses.parquet.", smoothing="smoothing")
gan_grad_norms = _table_family(
    "gan.grad_norms",
    "Input: one GAN losses.parquet.",
    smoothing="smoothing",
    threshold="vanishing_threshold",
    patience="vanishing_patience",
)


@draws("dpi", "experiment", "smoothing", "labels", "info")
def gan_loss_comparison(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: losses.parquet of each GAN (labels: run names)."""
    from advgen.plots import gan

    runs = {label: read_parquet(path) for label, path in _labelled(inputs, spec).items()}
    gan.loss_comparison(
        runs,
        outputs,
        info=_info(spec),
        experiment=spec.title("GAN runs"),
        smoothing=need(spec.smoothing, "smoothing"),
        **_common(spec),
    )


@draws("dpi", "experiment", "info")
def gan_mode_coverage(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: sample-quality summary.parquet."""
    table = read_parquet(_one(inputs))
    _draw_table(
        "gan.mode_coverage",
        table,
        outputs,
        spec,
        info=need(_info(spec), "info"),
        experiment=spec.title("GAN runs"),
    )


@draws("dpi", "experiment", "sample_panels", "sample_scale")
def gan_samples(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: a GAN's samples/ folder of epoch_NNN.png grids."""
    from advgen.plots import images

    images.gan_epoch_grids(
        _one(inputs),
        outputs,
        experiment=need(spec.experiment, "experiment"),
        panels=need(spec.sample_panels, "sample_panels"),
        scale=need(spec.sample_scale, "sample_scale"),
        **_common(spec),
    )


ae_losses = _table_family("ae.loss_terms", "Input: one autoencoder losses.parquet.", smoothing="smoothing")
ae_latent_cdf = _table_family(
    "ae.latent_cdf", "Input: one autoencoder latent_cdf.parquet.", panels="cdf_panels"
)


def _ae_grid(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec, label: str, what: str) -> None:
    """One autoencoder image grid with a title."""
    from advgen.plots import images

    images.sample_grids(
        [(label, _one(inputs))],
        outputs,
        experiment=need(spec.experiment, "experiment"),
        what=what,
        scale=need(spec.sample_scale, "sample_scale"),
        **_common(spec),
    )


@draws("dpi", "experiment", "sample_scale")
def ae_samples(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: an autoencoder's novel.png (decoded z ~ N(0, I))."""
    _ae_grid(inputs, outputs, spec, "decoded z ~ N(0, I)", "Autoencoder: novel samples")


@draws("dpi", "experiment", "sample_scale")
def ae_reconstructions(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: an autoencoder's reconstructions.png (test images and D(E(x)))."""
    _ae_grid(inputs, outputs, spec, "test images / D(E(x))", "Autoencoder: reconstructions")


@draws("dpi", "sample_scale", "real", "panels")
def generators_overview(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: the sample-quality summary, the real test digits' grid (when the spec's ``real``), then
    each of the spec's ``panels``: a GAN's samples/ folder or an autoencoder's novel.png."""
    from advgen.plots import overview

    real = inputs[1] if need(spec.real, "real") else None
    grids = inputs[1 + bool(real) :]
    panels = need(spec.panels, "panels")
    if len(grids) != len(panels):
        raise AdvgenError(f"{len(grids)} sample grid(s) but {len(panels)} panel(s) in the spec")
    overview.overview(
        read_parquet(inputs[0]),
        real,
        [(p.role, p.run, p.kind, g) for p, g in zip(panels, grids, strict=True)],
        outputs,
        scale=need(spec.sample_scale, "sample_scale"),
        **_common(spec),
    )


@draws()
def generators_landing(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: the overview figure's PNG; output: the landing page's reStructuredText."""
    from advgen.plots import overview

    overview.landing_rst(_one(inputs), _one(outputs))


def _point_rows(table: Any, spec: PlotSpec) -> Any:
    """The rows of the spec's grid point (``point``) in a sweep job's table."""
    return table[table["point"] == need(spec.point, "point")].reset_index(drop=True)


inversion_restarts = _table_family(
    "sweeps.inversion_restarts",
    "Input: a generator's inversion steps.parquet (spec: point).",
    point=True,
    images="inversion_images",
)
interpolation_labels = _table_family(
    "sweeps.interpolation_labels",
    "Input: a generator's interpolation frames.parquet (spec: point).",
    point=True,
    pairs="interpolation_pairs",
)


@draws("dpi", "experiment", "sample_scale")
def truncation_grid(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: a generator's truncation samples.npz (uint8 image rows, one psi each)."""
    from advgen.io import read_npz
    from advgen.plots import adversarial

    samples = {}
    for path in inputs:
        data = read_npz(path, required=("images", "psi"))
        for images, psi in zip(data["images"], data["psi"].reshape(-1), strict=True):
            samples[None if psi == float("inf") else float(psi)] = images / 255.0
    adversarial.truncation_grid(
        samples,
        outputs,
        experiment=need(spec.experiment, "experiment"),
        scale=need(spec.sample_scale, "sample_scale"),
        **_common(spec),
    )


@draws("dpi", "experiment", "sweep")
def robustness_sweep(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: a capacity or data-size sweep table (spec: sweep)."""
    table = read_parquet(_one(inputs))
    _draw_table("robustness.sweep_curves", table, outputs, spec, sweep=spec.sweep, experiment=spec.title())


@draws()
def sample_quality_table(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Input: the sample-quality summary.parquet; output: a Markdown table (.md)."""
    from advgen.plots import tables

    text = tables.sample_quality(read_parquet(_one(inputs)))
    for path in outputs:
        write_text(path, text)


@draws()
def robustness_table(inputs: Sequence[str], outputs: Sequence[str], spec: PlotSpec) -> None:
    """Inputs: robustness attacks.parquet [and minimal_perturbation.parquet]; output: a Markdown table (.md)."""
    from advgen.plots import tables

    if len(inputs) not in (1, 2):
        raise AdvgenError(
            f"expected the attack table and the minimal-perturbation table, got {len(inputs)} input(s)"
        )
    minimal = read_parquet(inputs[1]) if len(inputs) == 2 else None
    text = tables.robustness(read_parquet(inputs[0]), minimal)
    for path in outputs:
        write_text(path, text)


T = TypeVar("T")


def need(value: T | None, key: str) -> T:
    """A family's required option ``key`` (``value``), else one line: the spec lacks it."""
    if value is None:
        raise AdvgenError(f"the spec lacks key '{key}'")
    return value


def _info(spec: PlotSpec) -> dict[str, dict[str, Any]] | None:
    """The legends' GAN runs (run -> loss and unroll_k), as the plotting functions take them."""
    if spec.info is None:
        return None
    return {run: {"loss": info.loss, "unroll_k": info.unroll_k} for run, info in spec.info.items()}


def draw_figures(name: str, draw: Render) -> Callable[[Files, Files, FiguresSpec], None]:
    """The job function of figure family ``name`` (its job kind's ``run``): figure ``i`` of the
    spec (1, 2, ...) reads the inputs named ``figure<i>`` and writes the ``i``-th of the
    ``figures`` outputs and the ``vectors`` of the same stem (its vector copies). Python and
    matplotlib start once for every figure of the family; a failing figure leaves no output of
    the job behind."""

    def run(inputs: Files, outputs: Files, spec: FiguresSpec) -> None:
        figures, vectors = outputs.all("figures"), outputs.all("vectors")
        if len(figures) != len(spec.figures):
            raise ConfigError(
                f"--output: {len(figures)} figures=PATH for {len(spec.figures)} figures in the spec"
            )
        stems = {path.rpartition(".")[0] for path in figures}
        stray = [path for path in vectors if path.rpartition(".")[0] not in stems]
        if stray:
            raise ConfigError(f"--output: vectors={stray[0]} is the copy of no figure")
        done: list[str] = []
        for i, (path, options) in enumerate(zip(figures, spec.figures, strict=True), 1):
            stem = path.rpartition(".")[0]
            outs = [path, *(v for v in vectors if v.rpartition(".")[0] == stem)]
            paths = inputs.all(f"figure{i}")
            try:
                render(name, draw, paths, outs, options)
            except AdvgenError as exc:  # no partial output; name the input files when the message does not
                for out in [*done, *outs]:
                    Path(out).unlink(missing_ok=True)
                message = str(exc)
                if not any(str(p) in message for p in paths):
                    raise AdvgenError(f"{', '.join(paths)}: {message}") from exc
                raise
            done += outs

    return run


def render(name: str, draw: Render, inputs: Sequence[str], outputs: Sequence[str], options: PlotSpec) -> None:
    """Draw figure family ``name`` with its renderer ``draw`` from ``inputs`` into every path of
    ``outputs``; ``options``: the figure's typed spec, which names only keys the family draws
    (``draw.keys``; the settings it leaves out take their schema defaults:
    :func:`advgen.plots.spec.with_defaults`)."""
    other = [key for key, value in spec_dict(options).items() if value is not None and key not in draw.keys]
    if other:
        drawn = ", ".join(draw.keys) or "none"
        raise AdvgenError(f"figure family {name} draws no '{other[0]}' (its options: {drawn})")
    try:
        draw(inputs, outputs, with_defaults(options, draw.keys))
    except AdvgenError as exc:
        message = str(exc)
        raise AdvgenError(
            message if "figure family" in message else f"figure family {name}: {message}"
        ) from exc
