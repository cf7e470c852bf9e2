"""``advgen masking-checks``: Carlini et al. 2019's gradient-masking checklist on one classifier
(or classifier + purifier pipeline) -> one Parquet row per check (:mod:`advgen.robustness.masking`).

``--spec`` JSON (every key optional):

* ``checks``: overrides of :class:`~advgen.robustness.masking.MaskingSettings` (``eps``,
  ``eps_grid``, ``pgd_steps``, ``long_steps``, ``long_restarts``, ``unbounded_steps``,
  ``blackbox_queries``, ``tolerance``, ``zero_tolerance``);
* ``blackbox``: ``{"attack": <name in advgen.attacks.ATTACKS, e.g. "Square">, "params": {...}}``;
  default: :class:`~advgen.robustness.masking.RandomSearch` with ``blackbox_queries``;
* ``purifier``: a purify-job spec (``method``, ``generator_kind``, ``steps``, ``restarts``,
  ``optimizer``, ``lr``, ``purifier``; :func:`advgen.defense.loading.load_purifier`) with
  ``--generator``; ``gradient``: what the attacks differentiate, ``bpda`` (default),
  ``exact`` (reconstruction) or ``unroll`` (through the projection's inner optimisation);
* ``max_examples`` (default all), ``seed`` (0), ``device`` (``auto``).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging

HELP = "gradient-masking checks (Carlini et al. 2019) on a classifier or purifier pipeline -> Parquet"

log = logging.getLogger(__name__)
SPEC_KEYS = ("checks", "blackbox", "purifier", "gradient", "max_examples", "seed", "device")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="model name written in the 'model' column")
    p.add_argument("--model", required=True, help="input: classifier checkpoint (.pt)")
    p.add_argument("--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument(
        "--spec", default="{}", help="JSON settings (see the module docstring); default all defaults"
    )
    p.add_argument(
        "--generator", default=None, help="input: GAN / autoencoder checkpoint of spec.purifier (.pt)"
    )
    p.add_argument("--out", required=True, help="output: one row per check (.parquet)")
    p.add_argument("--markdown", default=None, help="optional output: the rows as a Markdown table (.md)")


def settings_from(spec: dict):
    """:class:`MaskingSettings` from ``spec["checks"]``; an unknown key is a :class:`ConfigError`."""
    from advgen.errors import ConfigError
    from advgen.robustness.masking import MaskingSettings

    checks = dict(spec.get("checks") or {})
    known = {f.name for f in dataclasses.fields(MaskingSettings)}
    unknown = sorted(set(checks) - known)
    if unknown:
        raise ConfigError(
            f"--spec: checks: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    if "eps_grid" in checks:
        checks["eps_grid"] = tuple(float(e) for e in checks["eps_grid"])
    settings = MaskingSettings(**checks)
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, bool):
            continue
        if any(v < 0 for v in (value if isinstance(value, tuple) else (value,))):
            raise ConfigError(f"--spec: checks.{f.name}: must be non-negative, got {value!r}")
    return settings


def _blackbox(spec: dict, seed: int):
    from advgen.attacks import ATTACKS
    from advgen.errors import ConfigError

    entry = spec.get("blackbox")
    if not entry:
        return None
    name = entry.get("attack")
    if name not in ATTACKS:
        raise ConfigError(
            f"--spec: blackbox.attack: unknown attack {name!r} (known: {', '.join(sorted(ATTACKS))})"
        )
    params = dict(entry.get("params") or {})
    return lambda model, eps: ATTACKS[name](model, eps, **params, seed=seed)


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.defense.adaptive import UnrolledProjection
    from advgen.defense.loading import load_purifier
    from advgen.defense.purify import ProjectionPurifier, PurifiedClassifier
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.io import write_parquet, write_text
    from advgen.robustness.evaluate import eval_subset
    from advgen.robustness.masking import masking_checks
    from advgen.robustness.tables import masking_markdown
    from advgen.seeding import seed_everything

    spec = parse_spec(args.spec)
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(f"--spec: unknown key(s) {', '.join(unknown)} (known: {', '.join(SPEC_KEYS)})")
    settings = settings_from(spec)
    seed = int(spec.get("seed", 0))
    gradient = spec.get("gradient", "bpda")
    if gradient not in ("bpda", "exact", "unroll"):
        raise ConfigError(f"--spec: gradient: unknown {gradient!r} (known: bpda, exact, unroll)")
    blackbox = _blackbox(spec, seed)
    seed_everything(seed)
    test = load_prepared(args.test)
    idx = eval_subset(test.labels, spec.get("max_examples"), seed)
    with lease_device(spec.get("device", "auto")) as device:
        model = load_classifier(args.model, device)
        evaluator = None
        if spec.get("purifier"):
            purifier = load_purifier(
                {"seed": seed, "purifier": args.name, **spec["purifier"]}, args.generator, device
            )
            if gradient == "exact" and not hasattr(purifier, "decoder"):
                raise ConfigError(
                    "--spec: gradient: exact needs a reconstruction purifier (method reconstruct)"
                )
            if gradient == "unroll":
                if not isinstance(purifier, ProjectionPurifier):
                    raise ConfigError("--spec: gradient: unroll needs a projection purifier (method project)")
                purifier = UnrolledProjection(purifier)
            evaluator = PurifiedClassifier(model, purifier, "bpda")
            model = PurifiedClassifier(model, purifier, "bpda" if gradient == "bpda" else "exact")
        x, y = test.images[idx].to(device), test.labels[idx].to(device)
        table = masking_checks(
            model, x, y, name=args.name, settings=settings, blackbox=blackbox, seed=seed, evaluator=evaluator
        )
    for row in table.itertuples():
        log.info("%s %s: %s (%s)", args.name, row.check, "pass" if row.passed else "FLAG", row.detail)
    if args.markdown:
        write_text(args.markdown, masking_markdown(table))
    write_parquet(table, args.out)
