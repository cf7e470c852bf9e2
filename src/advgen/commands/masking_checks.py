"""``advgen masking-checks``: Carlini et al. 2019's gradient-masking checklist on one classifier
(or classifier + purifier pipeline) -> one Parquet row per check
(:func:`advgen.robustness.masking.masking_job`). All six checks by default; ``--check NAME``
(repeatable) runs only those (the workflow's ``masking_checks`` rule runs one job per check),
each row the same as in a run of all six.

``--spec`` JSON (every key optional; :class:`~advgen.robustness.masking.MaskingJobSpec`):

* ``checks``: overrides of :class:`~advgen.robustness.masking.MaskingSettings` (``eps``,
  ``eps_grid``, ``pgd_steps``, ``long_steps``, ``long_restarts``, ``unbounded_steps``,
  ``n_queries``, ``tolerance``, ``zero_tolerance``, ``early_stop``);
* ``blackbox``: ``{"attack": <name in advgen.attacks.ATTACKS>, "params": {...}}``; default: the
  attack registry's ``masking_blackbox`` attack (Square) with ``n_queries``;
* ``purifier``: a purify-job spec (``method``, ``generator_kind``, ``steps``, ``restarts``,
  ``optimizer``, ``lr``, ``purifier``; :func:`advgen.defense.loading.load_purifier`) with
  ``--generator``; ``gradient``: what the attacks differentiate, ``bpda`` (default),
  ``exact`` (reconstruction) or ``unroll`` (through the projection's inner optimisation);
* ``max_examples`` (default all), ``seed`` (0), ``device`` (``auto``).
"""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output

HELP = "gradient-masking checks (Carlini et al. 2019) on a classifier or purifier pipeline -> Parquet"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="model name written in the 'model' column")
    add_input(p, "--model", required=True, help="input: classifier checkpoint (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument(
        "--spec", default="{}", help="JSON settings (see the module docstring); default all defaults"
    )
    add_input(
        p, "--generator", default=None, help="input: GAN / autoencoder checkpoint of spec.purifier (.pt)"
    )
    p.add_argument(
        "--check",
        action="append",
        default=None,
        metavar="NAME",
        help="run this check only (repeatable; default all six): zero_gradients, monotone_in_eps, "
        "unbounded_eps, iterative_vs_single_step, whitebox_vs_blackbox, more_steps_restarts",
    )
    add_output(p, "--out", required=True, help="output: one row per check (.parquet)")
    add_output(p, "--markdown", default=None, help="optional output: the rows as a Markdown table (.md)")


def main(args: argparse.Namespace) -> None:
    from advgen.errors import ConfigError
    from advgen.io import write_parquet, write_text
    from advgen.jobs import load_spec
    from advgen.robustness.masking import MaskingJobSpec, masking_job
    from advgen.robustness.tables import masking_markdown

    try:
        spec = load_spec(args.spec, spec_type=MaskingJobSpec)
    except ConfigError as exc:  # MaskingSettings' own value checks name the field, not the option
        raise ConfigError(str(exc) if str(exc).startswith("--spec") else f"--spec: {exc}") from None
    table = masking_job(
        spec, name=args.name, model=args.model, test=args.test, generator=args.generator, checks=args.check
    )
    for row in table.itertuples():
        log.info("%s %s: %s (%s)", args.name, row.check, "pass" if row.passed else "FLAG", row.detail)
    if args.markdown:
        write_text(args.markdown, masking_markdown(table))
    write_parquet(table, args.out)
