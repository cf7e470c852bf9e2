"""The ``sample_quality`` job (a job kind of :mod:`advgen.pipeline.jobkinds_generative`): score
every row of the summary in one process (Python, torch and the classifiers start once).

Each row is seeded from the spec alone (:func:`advgen.metrics.sample_quality.sample_quality_row`), so it equals
the row of a job that scored that model by itself. The files are named lists in row order:
``classifiers`` and ``references`` one per row, ``models`` and ``infos`` one per generator row,
``reals`` one per real row, and the output ``grids`` one per real row. torch and pandas are
imported inside the functions.
"""

from __future__ import annotations

from typing import Any

from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.metrics.spec import SampleQualityJobSpec

FAMILY_ORDER = {"real": 0, "gan": 1, "autoencoder": 2}


def sort_summary(table: Any) -> Any:
    """Rows sorted by dataset, family (real, gan, autoencoder) and model, index reset."""
    table = table.sort_values(
        ["dataset", "family", "model"], key=lambda c: c.map(FAMILY_ORDER) if c.name == "family" else c
    )
    return table.reset_index(drop=True)


def row_files(inputs: Files, outputs: Files, spec: SampleQualityJobSpec) -> list[dict[str, str]]:
    """Each row's files (:func:`advgen.metrics.sample_quality.sample_quality_row`'s keyword arguments), from the
    named lists; a list of another length than its rows is one line naming it."""
    models = [row for row in spec.rows if not row.real]
    reals = [row for row in spec.rows if row.real]
    counts = {
        ("--input", "classifiers"): (inputs.all("classifiers"), spec.rows),
        ("--input", "references"): (inputs.all("references"), spec.rows),
        ("--input", "models"): (inputs.all("models"), models),
        ("--input", "infos"): (inputs.all("infos"), models),
        ("--input", "reals"): (inputs.all("reals"), reals),
        ("--output", "grids"): (outputs.all("grids"), reals),
    }
    for (option, name), (given, rows) in counts.items():
        if len(given) != len(rows):
            raise ConfigError(f"{option}: {len(given)} {name} for {len(rows)} row(s) of the spec")
    model_files = iter(zip(inputs.all("models"), inputs.all("infos"), strict=True))
    real_files = iter(zip(inputs.all("reals"), outputs.all("grids"), strict=True))
    out = []
    for row, classifier, reference in zip(
        spec.rows, inputs.all("classifiers"), inputs.all("references"), strict=True
    ):
        files = {"classifier": classifier, "reference": reference}
        if row.real:
            files["real"], files["grid"] = next(real_files)
        else:
            files["model"], files["info"] = next(model_files)
        out.append(files)
    return out


def sample_quality(inputs: Files, outputs: Files, spec: SampleQualityJobSpec) -> None:
    """Score every row of ``spec`` and write the summary (output ``summary``), sorted by
    dataset, family and model."""
    import pandas as pd

    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.metrics.sample_quality import sample_quality_row

    files = row_files(inputs, outputs, spec)
    with start_job(spec.settings, device=spec.device, seed=False) as device:
        rows = [
            sample_quality_row(
                spec.settings,
                name=row.name,
                dataset=row.dataset,
                classifier_name=row.classifier_name,
                device=device,
                bars=row.bars or None,
                classifier=paths["classifier"],
                reference=paths["reference"],
                model=paths.get("model"),
                info=paths.get("info"),
                real=paths.get("real"),
                grid=paths.get("grid"),
            )
            for row, paths in zip(spec.rows, files, strict=True)
        ]
    write_parquet(sort_summary(pd.DataFrame(rows)), outputs.one("summary"))
