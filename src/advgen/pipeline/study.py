"""The validated config, typed once: :class:`Study`, what every stage plan reads.

After the schema has validated the config (and filled its defaults) and the replicated entries
have become one run each (:mod:`advgen.replicates`), :meth:`Study.of` turns each section into
the typed specs of the library: a dataset is a :class:`~advgen.data.spec.DatasetSpec`, a GAN run
a :class:`~advgen.gan.spec.GanSpec` (its ``train_gan`` job's spec: seed filled), an autoencoder
run an :class:`~advgen.ae.spec.AeSpec`, the ``sample_quality`` section a
:class:`~advgen.metrics.spec.SampleQualitySpec`, ``robustness`` and ``defense`` their settings
(:mod:`advgen.robustness.settings`, :mod:`advgen.defense.settings`), ``sweeps`` a
:class:`~advgen.sweeps.settings.SweepsSettings`, ``cv`` a :class:`~advgen.cv.settings.CvSettings`
(None: the config asks for no CV), ``plots`` a :class:`~advgen.plots.settings.PlotSettings`, a classifier its
:class:`~advgen.classifiers.spec.ClassifierSpec` (``classifiers``) and the generator runs one
:class:`~advgen.generators.Generators`. Of every model run it keeps its section, its seed, its
training settings as a budget of the claims file reads them
(:class:`~advgen.claims.page.page_spec.RunBudget`) and its precision, and of the model entries
their recipes, as a freeze record holds them (:mod:`advgen.claims.freeze.freeze_record`). The
plans read attributes, never ``config["..."]`` (``scripts/check_plan_config.py`` holds them to
it); the validated mapping itself is not kept.

The classifier runs are typed once (:func:`advgen.classifiers.spec.classifier_specs`: each a
``train_classifier`` spec, seed and device filled in); the robustness plan derives its sweep
points from these specs. No torch here: the Snakefile builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from advgen.ae.spec import AeSpec
from advgen.claims.freeze.freeze_record import precision, recipes
from advgen.claims.page.page_spec import RunBudget
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
from advgen.replicates import SEED, replicated, run_entry, run_specs
from advgen.robustness.settings import RobustnessSettings
from advgen.specs import typed_spec
from advgen.sweeps.settings import SweepsSettings

#: the config sections whose entries are runs (a role names them)
MODEL_SECTIONS = ("gans", "autoencoders", "classifiers")


@dataclass(frozen=True)
class Study:
    """The validated config, typed (module docstring). ``sections``, ``run_seeds``,
    ``run_budgets`` and ``precisions`` hold every run of ``gans``, ``autoencoders`` and
    ``classifiers`` (in that order, each in config order); ``recipes`` the model entries as a
    freeze record holds them (:func:`advgen.claims.freeze.freeze_record.recipes`)."""

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
    cv: CvSettings | None
    sections: dict[str, str]
    run_seeds: dict[str, int]
    run_budgets: dict[str, RunBudget]
    precisions: dict[str, str]
    recipes: dict[str, Any]

    @classmethod
    def of(cls, config: Mapping[str, Any], source: str = "config") -> Study:
        """The typed sections of a validated ``config`` (see the module docstring)."""
        top = ConfigFile.of(config, source)
        section_of = {run: section for section in MODEL_SECTIONS for run in getattr(top, section)}
        runs = {run: entry for section in MODEL_SECTIONS for run, entry in getattr(top, section).items()}
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
            replicate_of=replicated(runs),
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
            cv=CvSettings.of(top.cv, source=source) if top.cv is not None else None,
            sections=section_of,
            run_seeds={run: int(run_entry(entry, top.seed)[SEED]) for run, entry in runs.items()},
            run_budgets={
                run: RunBudget(**{f.name: entry.get(f.name) for f in fields(RunBudget)})
                for run, entry in runs.items()
            },
            precisions={run: precision(entry, section_of[run]) for run, entry in runs.items()},
            recipes=recipes(config),
        )

    def run_seed(self, run: str) -> int:
        """A run's training seed: its entry's, else the config's."""
        return self.run_seeds.get(run, self.seed)


def runs_of(study: Study) -> dict[str, list[str]]:
    """Entry name -> its runs: the runs whose ``replicate_of`` names it (a model entry with
    ``seeds`` or ``replicates`` is expanded into those runs, the first keeping the entry's name),
    else the entry itself; ``<entry>_seed<k>`` names the run of seed ``seed_base + k`` alone
    (:mod:`advgen.seed_base`)."""
    from advgen.replicates import replicate_name

    out: dict[str, list[str]] = {name: [name] for name in study.sections}
    groups: dict[str, list[str]] = {}
    for run, parent in study.replicate_of.items():
        groups.setdefault(parent, []).append(run)
    base = study.seed_base
    for parent, runs in groups.items():
        ordered = [run for run in study.sections if run in runs]  # config order
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
