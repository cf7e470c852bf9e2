"""How each figure family reads its inputs and which plotting function draws it.

A family's renderer is ``render(inputs, outputs, options)``: it reads the input files
(Parquet; the sample-grid families read the training stages' PNGs or a sweep job's
``samples.npz``) and calls a pure plotting function of :mod:`advgen.plots`, which writes every
path of ``outputs`` (the suffix picks the format). ``options`` is the figure's spec: the
``plots`` config section (``dpi``, ``smoothing``, ...) plus family keys such as ``experiment``
(the title) and ``labels`` (one name per input file, for families comparing several runs); a
key the spec leaves out takes its schema default (:func:`option_defaults`, applied by
:func:`render`).

The figure table :data:`advgen.pipeline.figures.FIGURES` names each family's renderer (its
``draw``); ``advgen plot --family NAME`` finds it there. A family that draws one table needs
no renderer here: its row says ``draw=one_table(<plotting function>)``. Each renderer's
docstring says what ``--input`` expects (``advgen plot --list``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from advgen.errors import AdvgenError
from advgen.io import read_parquet, write_text

#: a family's renderer: ``render(inputs, outputs, options)``
Render = Callable[[Sequence[str], Sequence[str], dict[str, Any]], None]


def _one(inputs: Sequence[str]) -> str:
    if len(inputs) != 1:
        raise AdvgenError(f"expected one input, got {len(inputs)}")
    return inputs[0]


def _labelled(inputs: Sequence[str], options: dict[str, Any]) -> dict[str, str]:
    labels = options.get("labels") or []
    if len(labels) != len(inputs):
        raise AdvgenError(f"{len(inputs)} input(s) but {len(labels)} label(s) in the spec")
    return dict(zip(labels, inputs))


def _common(options: dict[str, Any]) -> dict[str, Any]:
    return {"dpi": int(options["dpi"])}


@functools.cache
def option_defaults() -> dict[str, Any]:
    """Every figure option's default, read from the packaged schemas where it is stated: the
    ``plots`` section's keys (``dpi``, ``smoothing``, ...) and the GAN keys that the
    gradient-norm figure draws (``vanishing_threshold``, ``vanishing_patience``)."""
    from advgen.config import load_yaml, schema_path

    def defaults(schema: str, definition: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        props = load_yaml(schema_path(schema))["$defs"][definition]["properties"]
        return {k: v["default"] for k, v in props.items() if "default" in v and (keys is None or k in keys)}

    return {
        **defaults("plots.schema.yaml", "plots"),
        **defaults("generative.schema.yaml", "gan", ("vanishing_threshold", "vanishing_patience")),
    }


def one_table(function: Callable[..., None]) -> Render:
    """The renderer of a family that draws one table: ``function(table, outputs, *,
    experiment, dpi)`` on the one ``--input`` Parquet file (``experiment`` when the spec has one)."""

    def render(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
        extra = {"experiment": options["experiment"]} if "experiment" in options else {}
        function(read_parquet(_one(inputs)), outputs, **extra, **_common(options))

    render.__doc__ = f"Input: one table ({function.__module__}.{function.__name__})."
    render.__name__ = function.__name__
    return render


def gan_losses(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: one GAN losses.parquet."""
    from advgen.plots import gan

    gan.loss_curves(
        read_parquet(_one(inputs)),
        outputs,
        experiment=options["experiment"],
        smoothing=options["smoothing"],
        **_common(options),
    )


def gan_grad_norms(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: one GAN losses.parquet."""
    from advgen.plots import gan

    gan.grad_norms(
        read_parquet(_one(inputs)),
        outputs,
        experiment=options["experiment"],
        threshold=options["vanishing_threshold"],
        patience=options["vanishing_patience"],
        smoothing=options["smoothing"],
        **_common(options),
    )


def gan_loss_comparison(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: losses.parquet of each GAN (labels: run names)."""
    from advgen.plots import gan

    runs = {label: read_parquet(path) for label, path in _labelled(inputs, options).items()}
    gan.loss_comparison(
        runs,
        outputs,
        info=options.get("info"),
        experiment=options.get("experiment", "GAN runs"),
        smoothing=options["smoothing"],
        **_common(options),
    )


def gan_mode_coverage(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: sample-quality summary.parquet."""
    from advgen.plots import gan

    gan.mode_coverage(
        read_parquet(_one(inputs)),
        outputs,
        info=options["info"],
        experiment=options.get("experiment", "GAN runs"),
        **_common(options),
    )


def gan_samples(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: a GAN's samples/ folder of epoch_NNN.png grids."""
    from advgen.plots import images

    images.gan_epoch_grids(
        _one(inputs),
        outputs,
        experiment=options["experiment"],
        panels=options["sample_panels"],
        scale=options["sample_scale"],
        **_common(options),
    )


def ae_losses(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: one autoencoder losses.parquet."""
    from advgen.plots import ae

    ae.loss_terms(
        read_parquet(_one(inputs)),
        outputs,
        experiment=options["experiment"],
        smoothing=options["smoothing"],
        **_common(options),
    )


def ae_latent_cdf(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: one autoencoder latent_cdf.parquet."""
    from advgen.plots import ae

    ae.latent_cdf(
        read_parquet(_one(inputs)),
        outputs,
        experiment=options["experiment"],
        panels=options["cdf_panels"],
        **_common(options),
    )


def _ae_grid(inputs, outputs, options, label: str, what: str) -> None:
    """One autoencoder image grid with a title."""
    from advgen.plots import images

    images.sample_grids(
        [(label, _one(inputs))],
        outputs,
        experiment=options["experiment"],
        what=what,
        scale=options["sample_scale"],
        **_common(options),
    )


def ae_samples(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: an autoencoder's novel.png (decoded z ~ N(0, I))."""
    _ae_grid(inputs, outputs, options, "decoded z ~ N(0, I)", "Autoencoder: novel samples")


def ae_reconstructions(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: an autoencoder's reconstructions.png (test images and D(E(x)))."""
    _ae_grid(inputs, outputs, options, "test images / D(E(x))", "Autoencoder: reconstructions")


def generators_overview(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: the sample-quality summary, the real test digits' grid (when the spec's ``real``), then
    each of the spec's ``panels``: a GAN's samples/ folder or an autoencoder's novel.png."""
    from advgen.plots import overview

    real = inputs[1] if options["real"] else None
    grids = inputs[1 + bool(real) :]
    panels = options["panels"]
    if len(grids) != len(panels):
        raise AdvgenError(f"{len(grids)} sample grid(s) but {len(panels)} panel(s) in the spec")
    overview.overview(
        read_parquet(inputs[0]),
        real,
        [(p["role"], p["run"], p["kind"], g) for p, g in zip(panels, grids)],
        outputs,
        scale=options["sample_scale"],
        **_common(options),
    )


def generators_landing(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: the overview figure's PNG; output: the landing page's reStructuredText."""
    from advgen.plots import overview

    overview.landing_rst(_one(inputs), _one(outputs))


def _point_rows(table, options):
    """The rows of the spec's grid point (``point``) in a sweep job's table."""
    return table[table["point"] == options["point"]].reset_index(drop=True)


def inversion_restarts(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: a generator's inversion steps.parquet (spec: point)."""
    from advgen.plots import sweeps

    sweeps.inversion_restarts(
        _point_rows(read_parquet(_one(inputs)), options),
        outputs,
        experiment=options["experiment"],
        images=options["inversion_images"],
        **_common(options),
    )


def interpolation_labels(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: a generator's interpolation frames.parquet (spec: point)."""
    from advgen.plots import sweeps

    sweeps.interpolation_labels(
        _point_rows(read_parquet(_one(inputs)), options),
        outputs,
        experiment=options["experiment"],
        pairs=options["interpolation_pairs"],
        **_common(options),
    )


def truncation_grid(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: a generator's truncation samples.npz (uint8 image rows, one psi each)."""
    from advgen.io import read_npz
    from advgen.plots import adversarial

    samples = {}
    for path in inputs:
        data = read_npz(path, required=("images", "psi"))
        for images, psi in zip(data["images"], data["psi"].reshape(-1), strict=True):
            samples[None if psi == float("inf") else float(psi)] = images / 255.0
    adversarial.truncation_grid(
        samples, outputs, experiment=options["experiment"], scale=options["sample_scale"], **_common(options)
    )


def robustness_sweep(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: a capacity or data-size sweep table (spec: sweep)."""
    from advgen.plots import robustness

    robustness.sweep_curves(
        read_parquet(_one(inputs)),
        outputs,
        sweep=options["sweep"],
        experiment=options.get("experiment", ""),
        **_common(options),
    )


def sample_quality_table(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Input: the sample-quality summary.parquet; output: a Markdown table (.md)."""
    from advgen.plots import tables

    text = tables.sample_quality(read_parquet(_one(inputs)))
    for path in outputs:
        write_text(path, text)


def robustness_table(inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
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


def render(
    name: str, draw: Render, inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]
) -> None:
    """Draw figure family ``name`` with its renderer ``draw`` from ``inputs`` into every path of
    ``outputs`` (options the spec leaves out take their schema defaults)."""
    try:
        draw(inputs, outputs, {**option_defaults(), **options})
    except KeyError as exc:
        raise AdvgenError(f"figure family {name}: the spec lacks key {exc}") from exc
    except AdvgenError as exc:
        message = str(exc)
        raise AdvgenError(
            message if "figure family" in message else f"figure family {name}: {message}"
        ) from exc
