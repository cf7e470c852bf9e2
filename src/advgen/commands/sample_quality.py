"""``advgen sample-quality``: score every generator (GAN or autoencoder decoder) and the real
held-out images under their dataset's classifier; writes the summary table.

One job scores every row (Python, torch and the classifiers start once); each row is seeded
from the spec alone, so it equals the row of a job that scored that model by itself.
"""

from __future__ import annotations

import argparse
from typing import Any

from advgen.commands._args import add_device_argument, add_output, add_spec, refuse_overwrite

HELP = "Fréchet classifier distance, classifier Inception Score and mode coverage of each model (the summary table)"

#: the keys of one ``--rows`` entry (advgen.metrics.sample_quality_row's keyword arguments)
ROW_KEYS = {
    "name",
    "dataset",
    "classifier",
    "classifier_name",
    "reference",
    "model",
    "real",
    "info",
    "bars",
    "grid",
}
REQUIRED_KEYS = ("name", "dataset", "classifier", "reference")
#: the keys naming files a row reads, and the one naming the file it writes
INPUT_KEYS = ("classifier", "reference", "model", "real", "info")
OUTPUT_KEYS = ("grid",)
FAMILY_ORDER = {"real": 0, "gan": 1, "autoencoder": 2}


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_spec(
        p,
        "sample_quality",
        schema="generative.schema.yaml",
        required=True,
        help="the sample_quality config section as JSON, seed included",
    )
    p.add_argument(
        "--rows",
        required=True,
        help="JSON list, one entry per row: {name, dataset, classifier (model.pt), classifier_name, reference "
        "(prepared training split), and model (GAN/autoencoder checkpoint.pt) with info (status.json/"
        "metrics.json), or real (prepared split whose images are scored); optional: bars (role -> the quality "
        "bars of the run's roles) and grid (output: a PNG of 64 of the scored images)}",
    )
    add_output(
        p, "--out", required=True, help="output: the summary Parquet table (sorted by dataset, family, model)"
    )
    add_device_argument(p)


def check_rows(rows: Any) -> list[dict[str, Any]]:
    """``--rows`` as parsed JSON, or :class:`AdvgenError` naming the first bad entry."""
    from advgen.errors import AdvgenError

    if not isinstance(rows, list) or not rows:
        raise AdvgenError("sample-quality: --rows: expected a non-empty JSON list")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise AdvgenError(f"sample-quality: --rows: entry {i}: expected an object")
        unknown = sorted(set(row) - ROW_KEYS)
        missing = [k for k in REQUIRED_KEYS if k not in row]
        if unknown or missing or ("model" in row) == ("real" in row):
            if unknown:
                why = f"unknown key {unknown[0]!r}"
            else:
                why = f"missing key {missing[0]!r}" if missing else "give one of model and real"
            raise AdvgenError(f"sample-quality: --rows: entry {i}: {why}")
        for key in (*INPUT_KEYS, *OUTPUT_KEYS, "name", "dataset"):
            if key in row and not (isinstance(row[key], str) and row[key]):
                raise AdvgenError(f"sample-quality: --rows: entry {i}: {key}: expected a non-empty string")
    return rows


def _files(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, list[str]]:
    """``--rows entry <i> <key>`` -> the file that entry names, for each of ``keys`` present."""
    return {f"--rows entry {i} {key}": [row[key]] for i, row in enumerate(rows) for key in keys if key in row}


def sort_summary(table):
    """Rows sorted by dataset, family (real, gan, autoencoder) and model, index reset."""
    table = table.sort_values(
        ["dataset", "family", "model"], key=lambda c: c.map(FAMILY_ORDER) if c.name == "family" else c
    )
    return table.reset_index(drop=True)


def main(args: argparse.Namespace) -> None:
    import pandas as pd

    from advgen import strict_json
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.metrics import sample_quality_row
    from advgen.metrics.spec import SampleQualitySpec

    spec = load_spec(args.spec, definition="sample_quality", require_seed=True, spec_type=SampleQualitySpec)
    rows = check_rows(strict_json.loads(args.rows, "sample-quality: --rows"))
    refuse_overwrite(args, _files(rows, INPUT_KEYS), _files(rows, OUTPUT_KEYS))
    with start_job(spec, device=args.device, seed=False) as device:
        table = pd.DataFrame([sample_quality_row(spec, **row, device=device) for row in rows])
    write_parquet(sort_summary(table), args.out)
