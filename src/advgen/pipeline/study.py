"""The validated config, typed once: :class:`Study`, what every stage plan reads.

After the schema has validated the config (and filled its defaults) and the replicated entries
have become one run each (:mod:`advgen.replicates`), :meth:`Study.of` turns each section into
the typed specs of the library: a dataset is a :class:`~advgen.data.spec.DatasetSpec`, a GAN run
a :class:`~advgen.gan.spec.GanSpec` (its ``train_gan`` job's spec: seed filled), an autoencoder
run an :class:`~advgen.ae.spec.AeSpec`, the ``sample_quality`` section a
:class:`~advgen.metrics.spec.SampleQualitySpec`, ``robustness`` and ``defense`` their settings
(:mod:`advgen.robustness.settings`, :mod:`advgen.defense.settings`), ``sweeps`` a
:class:`~advgen.sweeps.settings.SweepsSettings`, ``cv`` a :class:`~advgen.cv.settings.CvSettings`,
``plots`` a :class:`~advgen.plots.settings.PlotSettings`, a classifier its
:class:`~advgen.classifiers.spec.ClassifierSpec` (``classifiers``) and the generator runs one
:class:`~advgen.generators.Generators`. The plans read attributes, never ``config["..."]``
(``scripts/check_plan_config.py`` holds them to it); the validated mapping itself is not kept.

The classifier runs are typed once (:func:`advgen.classifiers.spec.classifier_specs`: each a
``train_classifier`` spec, seed and device filled in); the robustness plan derives its sweep
points from these specs. No torch here: the Snakefile builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.ae.spec import AeSpec
from advgen.classifiers.spec import ClassifierSpec, classifier_specs
from advgen.config import ConfigFile, dataset_spec
from advgen.cv.settings import CvSettings
from advgen.data.spec import DatasetSpec
from advgen.defense.settings import DefenseSettings
from advgen.errors import ConfigError
from advgen.gan.spec import GanSpec
from advgen.generators import Generators
from advgen.metrics.spec import SampleQualitySpec
from advgen.plots.settings import PlotSettings
from advgen.replicates import REPLICATE_OF, SEED, run_entry, run_specs
from advgen.robustness.settings import RobustnessSettings
from advgen.specs import typed_spec
from advgen.sweeps.settings import SweepsSettings

#: the config sections whose entries are runs (a role names them)
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")


@dataclass(frozen=True)
class Study:
    """The validated config, typed (module docstring). ``top``: its top level
    (:class:`~advgen.config.ConfigFile`), whose model entries the freeze record and the
    budgets read."""

    source: str
    seed: int
    seed_base: int
    toy_scale: bool
    device: str
    stack_seeds: str
    max_jobs: int
    datasets: dict[str, DatasetSpec]
    gans: dict[str, GanSpec]
    autoencoders: dict[str, AeSpec]
    generators: Generators
    classifiers: dict[str, ClassifierSpec]
    replicate_of: dict[str, str]
    sample_quality: SampleQualitySpec | None
    robustness: RobustnessSettings
    defense: DefenseSettings
    sweeps: SweepsSettings
    plots: PlotSettings
    roles: dict[str, tuple[str, ...]]
    claims: str | None
    cv: CvSettings
    top: ConfigFile = field(repr=False, compare=False)

    @classmethod
    def of(cls, config: Mapping[str, Any], source: str = "config") -> Study:
        """The typed sections of a validated ``config`` (see the module docstring)."""
        top = ConfigFile.of(config, source)
        models = {**top.gans, **top.autoencoders, **top.classifiers}
        sq = top.sample_quality
        gans = run_specs(GanSpec, top.gans, top.seed, f"{source}: gans")
        autoencoders = run_specs(AeSpec, top.autoencoders, top.seed, f"{source}: autoencoders")
        return cls(
            source=source,
            seed=top.seed,
            seed_base=top.seed_base,
            toy_scale=top.toy_scale,
            device=top.device,
            stack_seeds=top.stack_seeds,
            max_jobs=top.max_jobs,
            datasets={
                name: dataset_spec(entry, f"{source}: datasets.{name}")
                for name, entry in sorted(top.datasets.items())
            },
            gans=gans,
            autoencoders=autoencoders,
            generators=Generators({"gans": gans, "autoencoders": autoencoders}),
            classifiers=classifier_specs(top.classifiers, top.seed, top.device, source),
            replicate_of={
                run: str(entry[REPLICATE_OF]) for run, entry in models.items() if entry.get(REPLICATE_OF)
            },
            sample_quality=typed_spec(SampleQualitySpec, run_entry(sq, top.seed), f"{source}: sample_quality")
            if sq
            else None,
            robustness=RobustnessSettings.of(top.robustness, source),
            defense=DefenseSettings.of(top.defense, source),
            sweeps=SweepsSettings.of(top.sweeps),
            plots=PlotSettings.of(top.plots, source),
            roles={
                role: (names,) if isinstance(names, str) else tuple(names)
                for role, names in top.roles.items()
            },
            claims=top.claims,
            cv=CvSettings.of(top.cv, source=source),
            top=top,
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


def runs_of(study: Study) -> dict[str, list[str]]:
    """Entry name -> its runs: the runs whose ``replicate_of`` names it (a model entry with
    ``seeds`` or ``replicates`` is expanded into those runs, the first keeping the entry's name),
    else the entry itself; ``<entry>_seed<k>`` names the run of seed ``seed_base + k`` alone
    (:mod:`advgen.seed_base`)."""
    from advgen.replicates import replicate_name

    out: dict[str, list[str]] = {name: [name] for name in study.model_sections()}
    groups: dict[str, list[str]] = {}
    for run, parent in study.replicate_of.items():
        groups.setdefault(parent, []).append(run)
    base = study.seed_base
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
