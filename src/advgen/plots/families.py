"""The figure families: name -> how to read its inputs and which plotting function draws it.

``advgen plot --family NAME --input FILE... --out FILE... --spec JSON`` (the group repeated,
one per figure: the plots stage draws a whole family in one job) looks the family up here
and calls :func:`render` once per figure. Each entry's ``render(inputs, outputs, options)``
reads the input files (Parquet; the sample-grid families read the training stages' PNGs)
and calls a pure plotting function of :mod:`advgen.plots`. ``options`` is the rule's spec: the ``plots`` config section
(``dpi``, ``smoothing``, ...) plus family keys such as ``experiment`` (the title) and
``labels`` (one name per input file, for families comparing several runs); a key the spec
leaves out takes its schema default (:func:`option_defaults`).

Adding a family (three files; ``docs/contributing.md`` shows a real example):

1. write the plotting function in the module of its stage (``advgen/plots/<stage>.py``):
   DataFrames in, ``style.figure`` / ``style.save`` out;
2. add one row to the figure table :data:`advgen.pipeline.figures.FIGURES` (inputs,
   output name, report category, and ``draw="advgen.plots.<stage>:<function>"``);
   ``workflow/rules/plots.smk`` generates the family's rule (one job, every figure) from
   it, and this module registers the family from the row. Only a family that reads several inputs, sample grids or
   extra options needs a reader here (``@family(...)`` below) instead of ``draw``;
3. write its caption ``workflow/report/<name>.rst``.

Then test it in ``tests/unit/test_plots_<stage>.py`` on a tiny synthetic table.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from advgen.errors import AdvgenError
from advgen.io import read_parquet

Render = Callable[[Sequence[str], Sequence[str], dict[str, Any]], None]


@dataclass(frozen=True)
class Family:
    name: str
    stage: str
    render: Render
    inputs: str  # what --input expects, for --help and error messages


FAMILIES: dict[str, Family] = {}


def family(name: str, *, stage: str, inputs: str) -> Callable[[Render], Render]:
    """Register ``render`` as the figure family ``name``."""

    def register(render: Render) -> Render:
        FAMILIES[name] = Family(name, stage, render, inputs)
        return render

    return register


def _one(inputs: Sequence[str], name: str) -> str:
    if len(inputs) != 1:
        raise AdvgenError(f"figure family {name}: expected one input, got {len(inputs)}")
    return inputs[0]


def _labelled(inputs: Sequence[str], options: dict[str, Any], name: str) -> dict[str, str]:
    labels = options.get("labels") or []
    if len(labels) != len(inputs):
        raise AdvgenError(
            f"figure family {name}: {len(inputs)} input(s) but {len(labels)} label(s) in the spec"
        )
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


@family("gan_losses", stage="Generative", inputs="one GAN losses.parquet")
def _gan_losses(inputs, outputs, options):
    from advgen.plots import gan

    gan.loss_curves(
        read_parquet(_one(inputs, "gan_losses")),
        outputs,
        experiment=options["experiment"],
        smoothing=options["smoothing"],
        **_common(options),
    )


@family("gan_grad_norms", stage="Generative", inputs="one GAN losses.parquet")
def _gan_grad_norms(inputs, outputs, options):
    from advgen.plots import gan

    gan.grad_norms(
        read_parquet(_one(inputs, "gan_grad_norms")),
        outputs,
        experiment=options["experiment"],
        threshold=options["vanishing_threshold"],
        patience=options["vanishing_patience"],
        smoothing=options["smoothing"],
        **_common(options),
    )


@family("gan_loss_comparison", stage="Generative", inputs="losses.parquet of each GAN (labels: run names)")
def _gan_loss_comparison(inputs, outputs, options):
    from advgen.plots import gan

    runs = {
        label: read_parquet(path) for label, path in _labelled(inputs, options, "gan_loss_comparison").items()
    }
    gan.loss_comparison(
        runs,
        outputs,
        info=options.get("info"),
        experiment=options.get("experiment", "GAN runs"),
        smoothing=options["smoothing"],
        **_common(options),
    )


@family("gan_mode_coverage", stage="Generative", inputs="sample-quality summary.parquet")
def _gan_mode_coverage(inputs, outputs, options):
    from advgen.plots import gan

    gan.mode_coverage(
        read_parquet(_one(inputs, "gan_mode_coverage")),
        outputs,
        info=options["info"],
        experiment=options.get("experiment", "GAN runs"),
        **_common(options),
    )


@family("gan_samples", stage="Generative", inputs="a GAN's samples/ folder of epoch_NNN.png grids")
def _gan_samples(inputs, outputs, options):
    from advgen.plots import images

    images.gan_epoch_grids(
        _one(inputs, "gan_samples"),
        outputs,
        experiment=options["experiment"],
        panels=options["sample_panels"],
        scale=options["sample_scale"],
        **_common(options),
    )


@family("ae_losses", stage="Generative", inputs="one autoencoder losses.parquet")
def _ae_losses(inputs, outputs, options):
    from advgen.plots import ae

    ae.loss_terms(
        read_parquet(_one(inputs, "ae_losses")),
        outputs,
        experiment=options["experiment"],
        smoothing=options["smoothing"],
        **_common(options),
    )


@family("ae_latent_cdf", stage="Generative", inputs="one autoencoder latent_cdf.parquet")
def _ae_latent_cdf(inputs, outputs, options):
    from advgen.plots import ae

    ae.latent_cdf(
        read_parquet(_one(inputs, "ae_latent_cdf")),
        outputs,
        experiment=options["experiment"],
        panels=options["cdf_panels"],
        **_common(options),
    )


def _ae_grid(inputs, outputs, options, name: str, label: str, what: str) -> None:
    """One autoencoder image grid (``name``: the family and its input key) with a title."""
    from advgen.plots import images

    images.sample_grids(
        [(label, _one(inputs, name))],
        outputs,
        experiment=options["experiment"],
        what=what,
        scale=options["sample_scale"],
        **_common(options),
    )


@family("ae_samples", stage="Generative", inputs="an autoencoder's novel.png (decoded z ~ N(0, I))")
def _ae_samples(inputs, outputs, options):
    _ae_grid(inputs, outputs, options, "ae_samples", "decoded z ~ N(0, I)", "Autoencoder: novel samples")


@family(
    "ae_reconstructions",
    stage="Generative",
    inputs="an autoencoder's reconstructions.png (test images and D(E(x)))",
)
def _ae_reconstructions(inputs, outputs, options):
    _ae_grid(
        inputs,
        outputs,
        options,
        "ae_reconstructions",
        "test images / D(E(x))",
        "Autoencoder: reconstructions",
    )


def _point_rows(table, options):
    """The rows of the spec's grid point (``point``) in a sweep job's table."""
    return table[table["point"] == options["point"]].reset_index(drop=True)


@family("inversion_restarts", stage="Sweeps", inputs="a generator's inversion steps.parquet (spec: point)")
def _inversion_restarts(inputs, outputs, options):
    from advgen.plots import sweeps

    sweeps.inversion_restarts(
        _point_rows(read_parquet(_one(inputs, "inversion_restarts")), options),
        outputs,
        experiment=options["experiment"],
        images=options["inversion_images"],
        **_common(options),
    )


@family(
    "interpolation_labels", stage="Sweeps", inputs="a generator's interpolation frames.parquet (spec: point)"
)
def _interpolation_labels(inputs, outputs, options):
    from advgen.plots import sweeps

    sweeps.interpolation_labels(
        _point_rows(read_parquet(_one(inputs, "interpolation_labels")), options),
        outputs,
        experiment=options["experiment"],
        pairs=options["interpolation_pairs"],
        **_common(options),
    )


@family(
    "truncation_grid",
    stage="Sweeps",
    inputs="a generator's truncation samples.npz (uint8 image rows, one psi each)",
)
def _truncation_grid(inputs, outputs, options):
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


@family("robustness_sweep", stage="Robustness", inputs="a capacity or data-size sweep table (spec: sweep)")
def _robustness_sweep(inputs, outputs, options):
    from advgen.plots import robustness

    robustness.sweep_curves(
        read_parquet(_one(inputs, "robustness_sweep")),
        outputs,
        sweep=options["sweep"],
        experiment=options.get("experiment", ""),
        **_common(options),
    )


def _draw_table(
    draw: str, name: str, inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]
) -> None:
    """Families declared by a figure-table row's ``draw``: one table in, ``function(table,
    outputs, experiment=..., dpi=...)``."""
    module, _, function = draw.partition(":")
    extra = {"experiment": options["experiment"]} if "experiment" in options else {}
    getattr(importlib.import_module(module), function)(
        read_parquet(_one(inputs, name)), outputs, **extra, **_common(options)
    )


def _register_table_rows() -> None:
    from advgen.pipeline.figures import FIGURES

    for row in FIGURES:
        if row.draw:
            FAMILIES[row.family] = Family(
                row.family,
                row.category,
                partial(_draw_table, row.draw, row.family),
                f"one table ({row.inputs})",
            )


_register_table_rows()


def render(name: str, inputs: Sequence[str], outputs: Sequence[str], options: dict[str, Any]) -> None:
    """Draw figure family ``name`` from ``inputs`` into every path of ``outputs``."""
    if name not in FAMILIES:
        raise AdvgenError(f"unknown figure family '{name}' (known: {', '.join(sorted(FAMILIES))})")
    try:
        FAMILIES[name].render(inputs, outputs, {**option_defaults(), **options})
    except KeyError as exc:
        raise AdvgenError(f"figure family {name}: the spec lacks key {exc}") from exc
