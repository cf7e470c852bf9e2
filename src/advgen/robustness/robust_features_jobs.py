"""The robust-features jobs of the job-kind table (Ilyas et al. 2019, "Adversarial Examples Are
Not Bugs, They Are Features", Sec. 3): ``advgen robust-features`` (one seed pair's D_R and D_NR,
a classifier trained on each: :func:`advgen.robustness.robust_features.robust_features_job`) and
``advgen robust-features-table`` (the per-seed tables as one).

Each job function takes named inputs (name -> list of paths), named outputs (name -> path) and
its typed spec, and writes its outputs atomically (:mod:`advgen.io`). Torch and pandas are
imported inside the functions: the job-kind table imports this module.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from advgen.errors import AdvgenError
from advgen.jobfiles import Files
from advgen.robustness.robust_features_spec import RobustFeaturesSpec, RobustFeaturesTableSpec

log = logging.getLogger(__name__)


def _one(inputs: Mapping[str, Sequence[str]], name: str, command: str) -> str:
    files = list(inputs.get(name, ()))
    if len(files) != 1:
        raise AdvgenError(f"{command}: expected one input {name}=PATH, got {len(files)}")
    return files[0]


def robust_features(inputs: Files, outputs: Files, spec: RobustFeaturesSpec) -> None:
    """One seed pair's job: ``inputs`` ``robust`` (the PGD-trained classifier whose features D_R
    matches), ``standard`` (the standard classifier D_NR is built from), ``train`` and ``test``
    (prepared splits), one file each -> output ``datasets`` (the two built sets, .pt) and
    output ``table`` (one row per training set, Parquet)."""
    from advgen.checkpoints import save_torch
    from advgen.io import write_parquet
    from advgen.robustness.robust_features import robust_features_job

    files = {name: _one(inputs, name, "robust-features") for name in ("robust", "standard", "train", "test")}
    table, datasets = robust_features_job(
        spec,
        robust_model=files["robust"],
        standard_model=files["standard"],
        train=files["train"],
        test=files["test"],
    )
    save_torch(datasets, outputs.one("datasets"))
    write_parquet(table, outputs.one("table"))


def robust_features_table(inputs: Files, outputs: Files, spec: RobustFeaturesTableSpec) -> None:
    """input ``tables`` (one robust-features table per seed) -> output ``table``: their
    rows in input order (:func:`advgen.robustness.tables.robust_features_table`)."""
    from advgen.io import write_parquet
    from advgen.robustness.tables import robust_features_table as concatenate

    tables = list(inputs.get("tables", ()))
    table = concatenate(tables)
    log.info("robust features: %d rows from %d seeds", len(table), len(tables))
    write_parquet(table, outputs.one("table"))
