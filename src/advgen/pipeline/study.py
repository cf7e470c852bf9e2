"""The validated config, typed once: :class:`Study`, what every stage plan reads.

After the schema has validated the config (and filled its defaults) and the replicated entries
have become one run each (:mod:`advgen.replicates`), :meth:`Study.of` turns each section into
the typed specs of the library: a dataset is a :class:`~advgen.data.spec.DatasetSpec`, a GAN run
a :class:`~advgen.gan.spec.GanSpec` (its ``train_gan`` job's spec: seed filled), an autoencoder
run an :class:`~advgen.ae.spec.AeSpec`, the ``sample_quality`` section a
:class:`~advgen.metrics.spec.SampleQualitySpec`, ``robustness`` and ``defense`` their settings
(:mod:`advgen.robustness.settings`, :mod:`advgen.defense.settings`), ``plots`` a
:class:`~advgen.plots.spec.PlotSettings`. The plans read attributes, never ``config["..."]``.

The classifier entries stay the config's JSON objects (``classifier_entries``): the
robustness plan derives its sweep points from them key by key, and a classifier's job spec is
:meth:`Study.classifier_spec`. No torch here: the Snakefile builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.ae.spec import AeSpec
from advgen.classifiers.spec import ClassifierSpec
from advgen.config import ConfigFile, dataset_spec
from advgen.cv.settings import cv_settings
from advgen.data.spec import DatasetSpec
from advgen.defense.settings import DefenseSettings
from advgen.errors import ConfigError
from advgen.gan.spec import GanSpec
from advgen.metrics.spec import SampleQualitySpec
from advgen.plots.spec import PlotSettings
from advgen.replicates import REPLICATE_OF, SEED, run_entry, run_specs
from advgen.robustness.settings import RobustnessSettings
from advgen.specs import typed_spec

#: the config sections whose entries are runs (a role names them)
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")


@dataclass(frozen=True)
class Study:
    """The validated config, typed (module docstring). ``config`` is the validated mapping
    itself, for the checks that report on it key by key."""

    source: str
    seed: int
    device: str
    max_jobs: int
    datasets: dict[str, DatasetSpec]
    gans: dict[str, GanSpec]
    autoencoders: dict[str, AeSpec]
    classifier_entries: dict[str, dict[str, Any]]
    replicate_of: dict[str, str]
    sample_quality: SampleQualitySpec | None
    robustness: RobustnessSettings
    defense: DefenseSettings
    plots: PlotSettings
    roles: dict[str, tuple[str, ...]]
    claims: str | None
    cv: dict[str, Any]
    top: ConfigFile = field(repr=False, compare=False)
    config: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, config: Mapping[str, Any], source: str = "config") -> Study:
        """The typed sections of a validated ``config`` (see the module docstring)."""
        top = ConfigFile.of(config, source)
        models = {**top.gans, **top.autoencoders, **top.classifiers}
        sq = top.sample_quality
        return cls(
            source=source,
            seed=top.seed,
            device=top.device,
            max_jobs=top.max_jobs,
            datasets={
                name: dataset_spec(entry, f"{source}: datasets.{name}")
                for name, entry in sorted(top.datasets.items())
            },
            gans=run_specs(GanSpec, top.gans, top.seed, f"{source}: gans"),
            autoencoders=run_specs(AeSpec, top.autoencoders, top.seed, f"{source}: autoencoders"),
            classifier_entries={name: dict(entry) for name, entry in top.classifiers.items()},
            replicate_of={
                run: str(entry[REPLICATE_OF]) for run, entry in models.items() if entry.get(REPLICATE_OF)
            },
            sample_quality=typed_spec(SampleQualitySpec, run_entry(sq, top.seed), f"{source}: sample_quality")
            if sq
            else None,
            robustness=RobustnessSettings.of(top.robustness, source),
            defense=DefenseSettings.of(top.defense, source),
            plots=PlotSettings.of(top.plots, source),
            roles={
                role: (names,) if isinstance(names, str) else tuple(names)
                for role, names in top.roles.items()
            },
            claims=top.claims,
            cv=cv_settings(top.cv, source=source),
            top=top,
            config=config,
        )

    def model_entries(self) -> dict[str, Mapping[str, Any]]:
        """Every run of ``gans``, ``autoencoders`` and ``classifiers`` (in that order, each in
        config order) -> its validated entry."""
        out: dict[str, Mapping[str, Any]] = {}
        for section in MODEL_SECTIONS:
            out.update(getattr(self.top, section))
        return out

    def model_sections(self) -> dict[str, str]:
        """Every run of ``gans``, ``autoencoders`` and ``classifiers`` -> its section (the order of
        :meth:`model_entries`; a name in two sections: the last)."""
        out: dict[str, str] = {}
        for section in MODEL_SECTIONS:
            out.update({name: section for name in getattr(self.top, section)})
        return out

    def run_seed(self, run: str) -> int:
        """A run's training seed: its entry's, else the config's."""
        entry = self.model_entries().get(run)
        return int(run_entry(entry, self.seed)[SEED]) if entry is not None else self.seed

    def classifier_spec(self, name: str, entry: Mapping[str, Any]) -> ClassifierSpec:
        """A classifier run's ``train_classifier`` spec: its entry (a configured classifier or a
        sweep point), seed and device filled in."""
        data = {**run_entry(entry, self.seed), "device": self.device}
        spec: ClassifierSpec = typed_spec(ClassifierSpec, data, f"{self.source}: classifiers.{name}")
        return spec


def runs_of(study: Study) -> dict[str, list[str]]:
    """Entry name -> its runs: the runs whose ``replicate_of`` names it (a model entry with
    ``seeds`` or ``replicates`` is expanded into those runs, the first keeping the entry's name),
    else the entry itself; ``<entry>_seed<k>`` names the run of seed ``seed_base + k`` alone
    (:mod:`advgen.seed_base`)."""
    from advgen.replicates import replicate_name
    from advgen.seed_base import seed_base

    out: dict[str, list[str]] = {name: [name] for name in study.model_sections()}
    groups: dict[str, list[str]] = {}
    for run, parent in study.replicate_of.items():
        groups.setdefault(parent, []).append(run)
    base = seed_base(study.config)
    for parent, runs in groups.items():
        ordered = [run for run in study.model_sections() if run in runs]  # config order
        out[parent] = ordered
        for run in ordered:
            seed = study.run_seed(run)
            if seed >= base:
                out.setdefault(replicate_name(parent, seed - base), [run])
    return out


def resolve_roles(study: Study, known: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Role -> its runs, from the config's ``roles`` (one ConfigError naming ``roles.<role>``)."""
    runs = runs_of(study)
    out: dict[str, list[str]] = {}
    for role, entries in study.roles.items():
        if known is not None and role not in known:
            raise ConfigError(
                f"{study.source}: roles.{role}: unknown role (the claims file's roles: {', '.join(known)})"
            )
        out[role] = []
        for entry in entries:
            if not runs.get(entry):
                raise ConfigError(
                    f"{study.source}: roles.{role}: '{entry}' names no entry of {', '.join(MODEL_SECTIONS)}"
                )
            out[role] += [r for r in runs[entry] if r not in out[role]]
    return out
