"""The defense stage's purify jobs (job kinds of :mod:`advgen.pipeline.jobkinds_defense`):

- :func:`purify`: one purifier at one (L, R) point under clean, grey-box and adaptive attacks
  (Samangouei et al. 2018; Athalye et al. 2018; :func:`advgen.defense.purify_job.purify_job`,
  every adaptive attack that applies at the operating point, the spec's budget);
- :func:`purify_table`: the points' tables concatenated (purifier by purifier, each in point order).

torch and pandas are imported inside the functions: the job-kind table imports this module.
"""

from __future__ import annotations

import logging

from advgen.defense.spec import PurifySpec
from advgen.jobfiles import Files
from advgen.specs import NoSettings

log = logging.getLogger(__name__)


def purify(inputs: Files, outputs: Files, spec: PurifySpec) -> None:
    """The rows of one point (inputs ``classifier``, ``images``, and ``generator`` but for the
    bare classifier); output ``table``."""
    from advgen.defense.purify_job import purify_job
    from advgen.io import write_parquet

    table = purify_job(
        spec,
        classifier=inputs.one("classifier"),
        images=inputs.one("images"),
        generator=inputs.optional("generator"),
    )
    write_parquet(table, outputs.one("table"))


def purify_table(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """Concatenate the points' tables (inputs ``tables``, checked); output ``table``."""
    from advgen.defense.tables import concat
    from advgen.io import write_parquet

    tables = inputs.all("tables")
    table = concat("purify", tables)
    log.info("purify: %d rows from %d jobs", len(table), len(tables))
    write_parquet(table, outputs.one("table"))
