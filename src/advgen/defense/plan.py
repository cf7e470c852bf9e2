"""The defense stage's job plan, from the validated config (no torch: the Snakefile imports it).

:func:`of` types the config once (:class:`DefenseConfig`: the ``defense`` section as
:class:`~advgen.defense.settings.DefenseSettings`, the GAN runs as their specs, the classifier
entries); its methods expand it:

* :meth:`~DefenseConfig.check_references`: every name the ``defense`` section uses exists and the models it
  combines share a dataset.
* :meth:`~DefenseConfig.purify_points`: every purifier's (L, R) points -- the operating point runs
  ``attacks``, the other points of its ``tradeoff`` grid run ``tradeoff_attacks`` -- plus the
  bare classifier (purifier ``none``, point ``bare``). Point ids: ``L<steps>_R<restarts>``,
  ``recon`` (``D(E(x))``), ``bare``.
* :meth:`~DefenseConfig.probe_sources`: the ``(family, name)`` feature sources of the probes.
* The jobs: :meth:`~DefenseConfig.purify_jobs` (one per purifier and point),
  :meth:`~DefenseConfig.probe_job` (every feature source: the :meth:`~DefenseConfig.probe_spec`
  of each under ``sources``), :meth:`~DefenseConfig.flip_job` (every probed GAN: the
  :meth:`~DefenseConfig.flip_spec` of each under ``gans``). The probe
  and flip commands run their entries one after the other, each seeded as if it were a job
  of its own.

The specs are the typed specs of :mod:`advgen.defense.spec`; the workflow passes them as
JSON (:func:`advgen.specs.spec_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.classifiers.spec import ClassifierSpec, classifier_specs
from advgen.config import ConfigFile
from advgen.config_checks import check_grid_size
from advgen.defense import attacks
from advgen.defense.settings import DefenseSettings, PurifySettings
from advgen.defense.spec import FlipJobSpec, FlipSpec, ProbeJobSpec, ProbeSourceSpec, PurifySpec
from advgen.errors import ConfigError
from advgen.gan.spec import GanSpec
from advgen.generators import Generators, with_encoder
from advgen.replicates import run_specs

NONE = attacks.NONE


@dataclass(frozen=True)
class PurifyPoint:
    purifier: str
    point: str
    spec: PurifySpec = field(hash=False)


def point_id(steps: int, restarts: int) -> str:
    """``L<steps>_R<restarts>``."""
    return f"L{int(steps)}_R{int(restarts)}"


def _attacks(method: str, names: list[str]) -> tuple[str, ...]:
    return tuple(a for a in names if a in attacks.applicable(method))


@dataclass(frozen=True)
class DefenseConfig:
    """The defense section (typed), the GAN runs, the classifier runs (specs), the global seed and the
    generator runs (a purifier's generator is looked up in them: :mod:`advgen.generators`)."""

    settings: DefenseSettings
    gans: Mapping[str, GanSpec] = field(hash=False)
    classifiers: Mapping[str, ClassifierSpec] = field(hash=False)
    generators: Generators = field(hash=False, repr=False)
    seed: int = 0
    source: str = "config"

    def dataset(self, family: str, name: str) -> str:
        """The data set of a classifier (``family`` classifier) or a GAN (any other family)."""
        if family == "classifier":
            return self.classifiers[name].dataset
        return self.gans[name].dataset

    def check_references(self) -> None:
        """Raise :class:`ConfigError` naming the key of a dangling or inconsistent reference."""
        source, gans, clfs = self.source, set(self.gans), set(self.classifiers)

        def unknown(key: str, what: str, name: str, known: set[str]) -> ConfigError:
            return ConfigError(
                f"{source}: defense.{key}: unknown {what} '{name}' (defined: {', '.join(sorted(known)) or 'none'})"
            )

        purify = self.settings.purify
        if purify:
            clf = purify.classifier
            if clf not in clfs:
                raise unknown("purify.classifier", "classifier", clf, clfs)
            dataset = self.dataset("classifier", clf)
            for name, p in purify.purifiers.items():
                if p.tradeoff:
                    check_grid_size(
                        {"steps values": len(p.tradeoff.steps), "restarts values": len(p.tradeoff.restarts)},
                        f"{source}: defense.purify.purifiers.{name}.tradeoff",
                    )
                key = f"purify.purifiers.{name}.generator"
                kind = self.generators.kind(p.generator, f"{source}: defense.{key}")
                if p.method == attacks.RECONSTRUCT and not kind.has_encoder:
                    raise ConfigError(
                        f"{source}: defense.purify.purifiers.{name}.method: reconstruct needs {with_encoder()}, "
                        f"'{p.generator}' is {kind.label}"
                    )
                other = self.generators.run(p.generator).dataset
                if other != dataset:
                    raise ConfigError(
                        f"{source}: defense.{key}: '{p.generator}' is trained on '{other}', "
                        f"the classifier '{clf}' on '{dataset}'"
                    )
        probe = self.settings.probe
        if probe:
            for key, names, known, what in (
                ("gans", probe.gans, gans, "gan"),
                ("controls", probe.controls, gans, "gan"),
                ("classifiers", probe.classifiers, clfs, "classifier"),
            ):
                for name in names:
                    if name not in known:
                        raise unknown(f"probe.{key}", what, name, known)
            datasets = {
                (section, name): self.dataset(family, name)
                for section, family, name in [("gans", "gan", g) for g in (*probe.gans, *probe.controls)]
                + [("classifiers", "classifier", c) for c in probe.classifiers]
            }
            if len(set(datasets.values())) > 1:
                listing = ", ".join(f"{n}: {d}" for (_, n), d in sorted(datasets.items()))
                raise ConfigError(
                    f"{source}: defense.probe: the probed models must share one dataset ({listing})"
                )

    def _settings(self, purify: PurifySettings) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "classifier": purify.classifier,
            "num_images": purify.num_images,
            "pgd_steps": purify.pgd_steps,
            "adaptive_steps": purify.adaptive_steps,
            "eot_samples": purify.eot_samples,
            "eps": tuple(purify.eps),
            "seed": self.seed if purify.seed is None else purify.seed,
        }
        if purify.budget is not None:  # adaptive attack sizes (advgen.defense.adaptive.AdaptiveBudget)
            settings["budget"] = dict(sorted(purify.budget.items()))
        return settings

    def purify_points(self) -> list[PurifyPoint]:
        """Every purify job (see the module docstring), in a stable order; specs lack ``device``."""
        purify = self.settings.purify
        if not purify:
            return []
        op_attacks, grid_attacks = list(purify.attacks), list(purify.tradeoff_attacks)
        base = {**self._settings(purify), "dataset": self.dataset("classifier", purify.classifier)}
        points = [
            PurifyPoint(
                NONE,
                "bare",
                PurifySpec(
                    **base,
                    purifier=NONE,
                    method=NONE,
                    generator=None,
                    generator_kind=None,
                    point="bare",
                    operating=True,
                    steps=0,
                    restarts=0,
                    attacks=_attacks(NONE, op_attacks + [a for a in grid_attacks if a not in op_attacks]),
                ),
            )
        ]
        for name, p in sorted(purify.purifiers.items()):
            purifier = {
                **base,
                "purifier": name,
                "method": p.method,
                "generator": p.generator,
                "generator_kind": self.generators.kind(p.generator).name,
            }
            if p.method == "reconstruct":
                spec = PurifySpec(
                    **purifier,
                    point="recon",
                    operating=True,
                    steps=0,
                    restarts=0,
                    attacks=_attacks("reconstruct", op_attacks),
                )
                points.append(PurifyPoint(name, "recon", spec))
                continue
            purifier.update(optimizer=p.optimizer, lr=p.lr)
            op = (p.steps, p.restarts)
            grid = {op}
            if p.tradeoff:
                grid |= {(s, r) for s in p.tradeoff.steps for r in p.tradeoff.restarts}
            for steps, restarts in sorted(grid):
                operating = (steps, restarts) == op
                names = (
                    op_attacks + [a for a in grid_attacks if a not in op_attacks]
                    if operating
                    else grid_attacks
                )
                pid = point_id(steps, restarts)
                points.append(
                    PurifyPoint(
                        name,
                        pid,
                        PurifySpec(
                            **purifier,
                            point=pid,
                            operating=operating,
                            steps=steps,
                            restarts=restarts,
                            attacks=_attacks("project", names),
                        ),
                    )
                )
        return points

    def purify_jobs(self) -> dict[str, dict[str, PurifySpec]]:
        """Purifier name -> point id -> the spec of that point's purify job, in the order of
        :meth:`purify_points`; specs lack ``device``."""
        jobs: dict[str, dict[str, PurifySpec]] = {}
        for p in self.purify_points():
            jobs.setdefault(p.purifier, {})[p.point] = p.spec
        return jobs

    def probe_sources(self) -> list[tuple[str, str]]:
        """``(family, name)`` of every probe source: ``gan``, ``control`` (initial D), ``classifier``."""
        probe = self.settings.probe
        if not probe:
            return []
        return (
            [("gan", g) for g in probe.gans]
            + [("control", g) for g in probe.controls]
            + [("classifier", c) for c in probe.classifiers]
        )

    def _probe_seed(self) -> int:
        probe = self.settings.probe
        return self.seed if probe is None or probe.seed is None else probe.seed

    def probe_spec(self, family: str, name: str) -> ProbeSourceSpec:
        """The spec of one probe source (the probe settings plus what the source is); no ``device``."""
        probe = self.settings.probe
        assert probe is not None
        if family != "classifier":
            gan = self.gans[name]
            model: dict[str, Any] = {"loss": gan.loss, "unroll_k": gan.unroll_k}
        else:
            model = {"mode": self.classifiers[name].mode}
        return ProbeSourceSpec(
            family=family,
            source=name,
            dataset=self.dataset(family, name),
            train_images=probe.train_images,
            num_images=probe.num_images,
            eps=tuple(probe.eps),
            pgd_steps=probe.pgd_steps,
            restarts=probe.restarts,
            weight_decay=probe.weight_decay,
            max_iter=probe.max_iter,
            seed=self._probe_seed(),
            **model,
        )

    def flip_spec(self, gan: str) -> FlipSpec:
        """The spec of one real->fake flip (a GAN of ``probe.gans``); no ``device``."""
        probe = self.settings.probe
        assert probe is not None
        g, flip = self.gans[gan], probe.flip
        return FlipSpec(
            gan=gan,
            loss=g.loss,
            unroll_k=g.unroll_k,
            dataset=g.dataset,
            seed=self._probe_seed(),
            num_images=flip.num_images,
            eps_max=flip.eps_max,
            search_steps=flip.search_steps,
            pgd_steps=flip.pgd_steps,
        )

    def probe_job(self) -> ProbeJobSpec:
        """The spec of the probe job: the :meth:`probe_spec` of every :meth:`probe_sources` entry
        under ``sources``; no ``device``."""
        return ProbeJobSpec(
            sources=tuple(self.probe_spec(family, name) for family, name in self.probe_sources())
        )

    def flip_job(self) -> FlipJobSpec:
        """The spec of the flip job: the :meth:`flip_spec` of every GAN of ``probe.gans`` under
        ``gans``; no ``device``."""
        probe = self.settings.probe
        return FlipJobSpec(gans=tuple(self.flip_spec(gan) for gan in (probe.gans if probe else ())))


def of(config: Mapping[str, Any], source: str = "config") -> DefenseConfig:
    """The defense plan of a validated config (its ``defense`` section and GAN runs typed once)."""
    top = ConfigFile.of(config, source)
    return DefenseConfig(
        DefenseSettings.of(top.defense, source),
        run_specs(GanSpec, top.gans, top.seed, f"{source}: gans"),
        classifier_specs(top.classifiers, top.seed, top.device, source),
        Generators.of(config),
        top.seed,
        source,
    )
