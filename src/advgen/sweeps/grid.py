"""Sweeps as config grids: expand a ``sweeps:`` block into grid points, one job per point.

A sweep block names its ``generators`` (GAN and/or autoencoder experiments) and a
``classifier``; every other key is a hyperparameter. A list value is a grid axis, a scalar
is fixed. The grid is the Cartesian product of the axes, crossed with the generators::

    inversion: {generators: [g, ae], classifier: c, restarts: [1, 5], init: [random, encoder]}

gives g x {1, 5} x {random} and ae x {1, 5} x {random, encoder} (encoder initialisation
needs an encoder, so GAN points with it are dropped).

Each point is named by its ``label``: its values on the block's grid axes
(``init-random_restarts-5``; see :func:`point_label`), the same across generators for the
same settings. The stage runs one job per (sweep, generator, point), its files under
``results/sweeps/<sweep>/<generator>/<label>/`` (:mod:`advgen.paths`); its tables name the
point in their ``point`` column by this label, and the sweep's aggregate concatenates them
in this order. Hyperparameters that do not matter for a point
(``square_size`` for a pepper mask, the inversion settings of an encoder-latent
interpolation) are set to ``None``, so they do not split identical points.

No torch here: the Snakefile imports this module to build the DAG.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen import paths
from advgen.config_checks import check_grid_size
from advgen.errors import ConfigError
from advgen.generators import GENERATOR_KINDS, GeneratorKind, Generators
from advgen.sweeps.registry import SWEEPS, Sweep
from advgen.sweeps.settings import SweepsSettings

#: ``seed: generator``: each point takes its generator run's training seed (images, masks, pairs,
#: starts drawn per run; the runs of equal seeds of two generators share them)
GENERATOR_SEED = "generator"
#: keys of a sweep block that are not hyperparameters
BLOCK_KEYS = ("generators", "classifier")
INVERSION_KEYS = ("steps", "optimizer", "lr", "restarts", "prior_weight", "clip")
MASK_PARAMS = {"pepper": "pepper_fraction", "square": "square_size", "center": "center_size"}
#: what a point label may contain (:func:`point_label`): it names the point's folder
#: (``results/sweeps/<sweep>/<generator>/<label>/``) and is its jobs' ``{point}`` wildcard
LABEL_PATTERN = r"[A-Za-z0-9_.+-]+"


def expand(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Cartesian product of a block's list-valued hyperparameters (block keys left out).

    Axes are taken in sorted key order and values in the order listed, so the expansion is
    deterministic.
    """
    params = {k: v for k, v in block.items() if k not in BLOCK_KEYS}
    axes = sorted(k for k, v in params.items() if isinstance(v, list))
    points = []
    for values in itertools.product(*(params[k] for k in axes)):
        point = dict(params)
        point.update(zip(axes, values, strict=True))
        points.append(point)
    return points


def _normalize(sweep: Sweep, kind: GeneratorKind, params: dict[str, Any]) -> dict[str, Any] | None:
    """Resolve generator-dependent values; ``None`` when the point does not apply to ``kind``."""
    params = dict(params)
    if sweep.encoder_init and params.get("init") == "encoder" and not kind.has_encoder:
        return None
    if sweep.sgd_lr:
        sgd_lr = params.pop("sgd_lr", None)  # the report's SGD needs its own step size
        if params.get("optimizer") == "sgd" and sgd_lr is not None:
            params["lr"] = sgd_lr
    if sweep.masks:
        for mask, key in MASK_PARAMS.items():
            if params.get("mask") != mask:
                params[key] = None
    if sweep.latent_path:
        latent = params.get("latent", "auto")
        if latent == "auto":
            latent = "encoder" if kind.has_encoder else "inversion"
        if latent == "encoder" and not kind.has_encoder:
            return None
        params["latent"] = latent
        if latent == "encoder":
            for key in INVERSION_KEYS:
                params[key] = None
    return params


@dataclass(frozen=True)
class GridPoint:
    """One grid point of a sweep: a generator at one setting of the hyperparameters."""

    sweep: str
    generator: str
    kind: str
    #: the point's name: its grid-axis values (``init-random_restarts-5``, :func:`point_label`)
    label: str
    dataset: str
    classifier: str
    params: dict[str, Any] = field(hash=False)

    @property
    def generator_path(self) -> str:
        return GENERATOR_KINDS[self.kind].checkpoint(self.generator)

    @property
    def classifier_path(self) -> str:
        return paths.CLASSIFIER_MODEL.format(classifier=self.classifier)

    def spec(self, device: str = "auto") -> dict[str, Any]:
        """The point's spec, the JSON its job's typed spec is built from (:mod:`advgen.sweeps.spec`):
        hyperparameters plus what identifies the point (``point`` is its label)."""
        return {
            **self.params,
            "sweep": self.sweep,
            "point": self.label,
            "generator": self.generator,
            "generator_kind": self.kind,
            "dataset": self.dataset,
            "device": device,
        }

    def mask_spec(self) -> dict[str, Any]:
        """The inpainting mask set this point uses (the same for every generator of a dataset:
        masks are drawn from this spec alone, :func:`advgen.sweeps.masks.mask_set`)."""
        if not SWEEPS[self.sweep].masks:
            raise ValueError(f"{self.sweep} points have no masks")
        mask = self.params["mask"]
        size = {MASK_PARAMS[mask]: self.params[MASK_PARAMS[mask]]} if mask in MASK_PARAMS else {}
        return {
            "dataset": self.dataset,
            "mask": mask,
            "num_images": self.params["num_images"],
            "seed": self.params["seed"],
            **size,
        }


class SweepPlan:
    """Every grid point of a config, by sweep; the lookups the workflow's input functions use."""

    def __init__(self, points: Iterable[GridPoint]):
        self._points: dict[str, dict[tuple[str, str], GridPoint]] = {s: {} for s in SWEEPS}
        for p in points:
            kept = self._points[p.sweep].setdefault((p.generator, p.label), p)
            if kept.params != p.params:
                raise ConfigError(
                    f"sweeps.{p.sweep}: two grid points of {p.generator!r} are both named {p.label!r}"
                )

    def points(self, sweep: str, generator: str | None = None) -> list[GridPoint]:
        """The sweep's points in config order (generators as listed, then the grid), or one generator's."""
        return [p for p in self._points[sweep].values() if generator is None or p.generator == generator]

    def generators(self, sweep: str) -> list[str]:
        """The generators of a sweep with at least one point, as listed in the config."""
        return list(dict.fromkeys(p.generator for p in self._points[sweep].values()))

    def sweeps(self) -> list[str]:
        """Sweeps with at least one point."""
        return [s for s in SWEEPS if self._points[s]]

    def by_label(self, sweep: str, generator: str, label: str) -> GridPoint:
        """The point of ``generator`` named ``label``."""
        try:
            return self._points[sweep][(generator, label)]
        except KeyError:
            raise ConfigError(
                f"sweeps.{sweep}: no grid point named {label!r} for generator {generator!r} in the config"
            ) from None


def point_label(params: Mapping[str, Any], axes: Iterable[str]) -> str:
    """A readable, stable name of a grid point: ``<axis>-<value>`` joined by ``_``, in axis
    order, leaving out axes that do not apply to the point (``None``); ``default`` when the
    block has no list-valued key."""
    parts = []
    for key in axes:
        value = params.get(key)
        if value is None:
            continue
        text = f"{value:g}" if isinstance(value, float) else str(value).lower()
        parts.append(f"{key}-{text}")
    return "_".join(parts) or "default"


def plan(
    settings: SweepsSettings,
    generators: Generators,
    classifier_datasets: Mapping[str, str],
    seed: int,
    *,
    source: str = "config",
) -> SweepPlan:
    """Expand every block of the typed ``sweeps`` section into grid points (``generators``: the
    config's generator runs; ``classifier_datasets``: each configured classifier's data set;
    ``seed``: the config's, a point's seed when its block sets none).

    Raises:
        ConfigError: a block of no sweep of the registry, a generator or classifier that is not
            defined, or a classifier trained on another dataset than a generator it is paired with.
    """
    unknown = [name for name in settings.blocks if name not in SWEEPS]
    if unknown:
        raise ConfigError(
            f"{source}: sweeps.{unknown[0]}: no sweep of that name in advgen.sweeps.registry "
            f"(its entries: {', '.join(SWEEPS)})"
        )
    points = []
    for sweep in SWEEPS:
        block = settings.blocks.get(sweep)
        if block is None:
            continue
        where = f"{source}: sweeps.{sweep}"
        classifier = block.classifier
        if classifier not in classifier_datasets:
            raise ConfigError(
                f"{where}.classifier: unknown classifier '{classifier}' "
                f"(defined: {', '.join(sorted(classifier_datasets)) or 'none'})"
            )
        axes = block.axes()
        check_grid_size(
            {"generators": len(block.generators), **{f"{k} values": len(block.params[k]) for k in axes}},
            where,
        )
        grid = expand(block.params)
        if SWEEPS[sweep].latent_path and "latent" not in axes:
            axes.insert(0, "latent")  # resolved per generator kind: say which path is drawn
        for generator in block.generators:
            kind = generators.kind(generator, f"{where}.generators")
            run = generators.run(generator)
            dataset = run.dataset
            if classifier_datasets[classifier] != dataset:
                raise ConfigError(
                    f"{where}.classifier: classifier '{classifier}' is trained on dataset "
                    f"'{classifier_datasets[classifier]}' but generator '{generator}' on '{dataset}'"
                )
            for raw in grid:
                raw = dict(raw, classifier=classifier)
                if raw.get("seed") is None:
                    raw["seed"] = seed
                elif raw["seed"] == GENERATOR_SEED:  # the run's own: its images are its own draw
                    raw["seed"] = int(run.seed)
                params = _normalize(SWEEPS[sweep], kind, raw)
                if params is None:
                    continue
                label = point_label(params, axes)
                if not re.fullmatch(LABEL_PATTERN, label):
                    raise ConfigError(
                        f"{where}: grid point {label!r} of {generator!r}: a point's name (its axis "
                        f"values) may only hold letters, digits and _.+- (it names its folder)"
                    )
                points.append(GridPoint(sweep, generator, kind.name, label, dataset, classifier, params))
    return SweepPlan(points)


def of(config: Mapping[str, Any], source: str = "config") -> SweepPlan:
    """The grid of a validated config, its sections typed here (:class:`SweepsSettings`,
    :meth:`Generators.of`): as the config check builds it, without the pipeline's
    :class:`~advgen.pipeline.study.Study`."""
    classifiers = config.get("classifiers") or {}
    datasets = {name: str(entry.get("dataset")) for name, entry in classifiers.items()}
    seed = int(config.get("seed", 0))
    return plan(SweepsSettings.of(config.get("sweeps")), Generators.of(config), datasets, seed, source=source)
