"""The defense stage's job plan, from the validated config (no torch: the Snakefile imports it).

* :func:`check_references`: every name the ``defense`` section uses exists and the models it
  combines share a dataset.
* :func:`purify_points`: every purifier's (L, R) points -- the operating point runs
  ``attacks``, the other points of its ``tradeoff`` grid run ``tradeoff_attacks`` -- plus the
  bare classifier (purifier ``none``, point ``bare``). Point ids: ``L<steps>_R<restarts>``,
  ``recon`` (``D(E(x))``), ``bare``.
* :func:`probe_sources`: the ``(family, name)`` feature sources of the probes.
* The jobs: :func:`purify_jobs` (one per purifier and point, the spec of :func:`purify_points`),
  :func:`probe_job` (every feature source: the :func:`probe_spec` of each under ``sources``),
  :func:`flip_job` (every probed GAN: the :func:`flip_spec` of each under ``gans``). The probe
  and flip commands run their entries one after the other, each seeded as if it were a job
  of its own.

The specs are the typed specs of :mod:`advgen.defense.spec`; the workflow passes them as
JSON (:func:`advgen.specs.spec_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advgen.config import check_grid_size
from advgen.defense import attacks
from advgen.defense.spec import FlipJobSpec, FlipSpec, ProbeJobSpec, ProbeSourceSpec, PurifySpec
from advgen.errors import ConfigError
from advgen.generators import generator_entry, generator_kind, with_encoder

NONE = attacks.NONE


@dataclass(frozen=True)
class PurifyPoint:
    purifier: str
    point: str
    spec: PurifySpec = field(hash=False)


def _defense(config: Mapping[str, Any]) -> Mapping[str, Any]:
    return config.get("defense") or {}


def _dataset(config: Mapping[str, Any], section: str, name: str) -> str:
    return (config.get(section) or {})[name]["dataset"]


def check_references(config: Mapping[str, Any], source: str = "config") -> None:
    """Raise :class:`ConfigError` naming the key of a dangling or inconsistent reference."""
    defense = _defense(config)
    gans, clfs = (set(config.get(s) or {}) for s in ("gans", "classifiers"))

    def unknown(key: str, what: str, name: str, known: set[str]) -> ConfigError:
        return ConfigError(
            f"{source}: defense.{key}: unknown {what} '{name}' (defined: {', '.join(sorted(known)) or 'none'})"
        )

    purify = defense.get("purify")
    if purify:
        clf = purify["classifier"]
        if clf not in clfs:
            raise unknown("purify.classifier", "classifier", clf, clfs)
        dataset = _dataset(config, "classifiers", clf)
        for name, p in purify["purifiers"].items():
            if p.get("tradeoff"):
                check_grid_size(
                    {f"{k} values": len(p["tradeoff"][k]) for k in ("steps", "restarts")},
                    f"{source}: defense.purify.purifiers.{name}.tradeoff",
                )
            key = f"purify.purifiers.{name}.generator"
            kind = generator_kind(config, p["generator"], f"{source}: defense.{key}")
            if p["method"] == attacks.RECONSTRUCT and not kind.has_encoder:
                raise ConfigError(
                    f"{source}: defense.purify.purifiers.{name}.method: reconstruct needs {with_encoder()}, "
                    f"'{p['generator']}' is {kind.label}"
                )
            other = generator_entry(config, p["generator"])["dataset"]
            if other != dataset:
                raise ConfigError(
                    f"{source}: defense.{key}: '{p['generator']}' is trained on '{other}', "
                    f"the classifier '{clf}' on '{dataset}'"
                )
    probe = defense.get("probe")
    if probe:
        for key, names, known, what in (
            ("gans", probe["gans"], gans, "gan"),
            ("controls", probe["controls"], gans, "gan"),
            ("classifiers", probe["classifiers"], clfs, "classifier"),
        ):
            for name in names:
                if name not in known:
                    raise unknown(f"probe.{key}", what, name, known)
        datasets = {
            (s, n): _dataset(config, s, n)
            for s, n in [("gans", g) for g in probe["gans"] + probe["controls"]]
            + [("classifiers", c) for c in probe["classifiers"]]
        }
        if len(set(datasets.values())) > 1:
            listing = ", ".join(f"{n}: {d}" for (_, n), d in sorted(datasets.items()))
            raise ConfigError(
                f"{source}: defense.probe: the probed models must share one dataset ({listing})"
            )


def point_id(steps: int, restarts: int) -> str:
    """``L<steps>_R<restarts>``."""
    return f"L{int(steps)}_R{int(restarts)}"


def _settings(config: Mapping[str, Any], purify: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("classifier", "num_images", "pgd_steps", "adaptive_steps", "eot_samples")
    settings = {k: purify[k] for k in keys}
    settings["eps"] = tuple(purify["eps"])
    settings["seed"] = purify.get("seed", config.get("seed", 0))
    if purify.get("budget") is not None:  # adaptive attack sizes (advgen.defense.adaptive.AdaptiveBudget)
        settings["budget"] = dict(sorted(purify["budget"].items()))
    return settings


def _attacks(method: str, names: list[str]) -> tuple[str, ...]:
    return tuple(a for a in names if a in attacks.applicable(method))


def purify_points(config: Mapping[str, Any]) -> list[PurifyPoint]:
    """Every purify job (see the module docstring), in a stable order; specs lack ``device``."""
    purify = _defense(config).get("purify")
    if not purify:
        return []
    common = _settings(config, purify)
    op_attacks, grid_attacks = list(purify["attacks"]), list(purify["tradeoff_attacks"])
    dataset = _dataset(config, "classifiers", purify["classifier"])
    base = {**common, "dataset": dataset}
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
    for name, p in sorted(purify["purifiers"].items()):
        purifier = {
            **base,
            "purifier": name,
            "method": p["method"],
            "generator": p["generator"],
            "generator_kind": generator_kind(config, p["generator"]).name,
        }
        if p["method"] == "reconstruct":
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
        purifier.update(optimizer=p["optimizer"], lr=p["lr"])
        op = (p["steps"], p["restarts"])
        grid = {op}
        if p.get("tradeoff"):
            grid |= {(s, r) for s in p["tradeoff"]["steps"] for r in p["tradeoff"]["restarts"]}
        for steps, restarts in sorted(grid):
            operating = (steps, restarts) == op
            attacks = (
                op_attacks + [a for a in grid_attacks if a not in op_attacks] if operating else grid_attacks
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
                        attacks=_attacks("project", attacks),
                    ),
                )
            )
    return points


def purify_jobs(config: Mapping[str, Any]) -> dict[str, dict[str, PurifySpec]]:
    """Purifier name -> point id -> the spec of that point's purify job, in the order of
    :func:`purify_points`; specs lack ``device``."""
    jobs: dict[str, dict[str, PurifySpec]] = {}
    for p in purify_points(config):
        jobs.setdefault(p.purifier, {})[p.point] = p.spec
    return jobs


def probe_sources(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(family, name)`` of every probe job: ``gan``, ``control`` (initial D), ``classifier``."""
    probe = _defense(config).get("probe")
    if not probe:
        return []
    return (
        [("gan", g) for g in probe["gans"]]
        + [("control", g) for g in probe["controls"]]
        + [("classifier", c) for c in probe["classifiers"]]
    )


def probe_spec(config: Mapping[str, Any], family: str, name: str) -> ProbeSourceSpec:
    """The spec of one probe job (the probe settings plus what the source is); no ``device``."""
    probe = _defense(config)["probe"]
    section = "classifiers" if family == "classifier" else "gans"
    if family != "classifier":
        gan = config["gans"][name]
        model = {"loss": gan["loss"], "unroll_k": gan.get("unroll_k", 0)}
    else:
        model = {"mode": config["classifiers"][name].get("mode", "standard")}
    return ProbeSourceSpec(
        family=family,
        source=name,
        dataset=_dataset(config, section, name),
        train_images=probe["train_images"],
        num_images=probe["num_images"],
        eps=tuple(probe["eps"]),
        pgd_steps=probe["pgd_steps"],
        restarts=probe["restarts"],
        weight_decay=probe["weight_decay"],
        max_iter=probe["max_iter"],
        seed=probe.get("seed", config.get("seed", 0)),
        **model,
    )


def flip_spec(config: Mapping[str, Any], gan: str) -> FlipSpec:
    """The spec of one real->fake flip job (a GAN of ``probe.gans``); no ``device``."""
    probe = _defense(config)["probe"]
    g = config["gans"][gan]
    flip = probe["flip"]
    return FlipSpec(
        gan=gan,
        loss=g["loss"],
        unroll_k=g.get("unroll_k", 0),
        dataset=g["dataset"],
        seed=probe.get("seed", config.get("seed", 0)),
        num_images=flip["num_images"],
        eps_max=flip["eps_max"],
        search_steps=flip["search_steps"],
        pgd_steps=flip["pgd_steps"],
    )


def probe_job(config: Mapping[str, Any]) -> ProbeJobSpec:
    """The spec of the probe job: the :func:`probe_spec` of every :func:`probe_sources` entry
    under ``sources``; no ``device``."""
    return ProbeJobSpec(
        sources=tuple(probe_spec(config, family, name) for family, name in probe_sources(config))
    )


def flip_job(config: Mapping[str, Any]) -> FlipJobSpec:
    """The spec of the flip job: the :func:`flip_spec` of every GAN of ``probe.gans`` under
    ``gans``; no ``device``."""
    return FlipJobSpec(gans=tuple(flip_spec(config, gan) for gan in _defense(config)["probe"]["gans"]))
