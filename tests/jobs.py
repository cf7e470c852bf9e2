"""Command lines of the job kinds' subcommands for the tests: ``advgen <command> --spec JSON
--input NAME=PATH ... --output NAME=PATH ...`` (:mod:`advgen.commands._jobkind`), and the
prepared splits of a dataset entry made the way the workflow makes them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen.specs import spec_dict


def job_argv(
    command: str,
    spec: Any,
    inputs: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
    outputs: Mapping[str, str | Path | Sequence[str | Path]] | None = None,
) -> list[str]:
    """The argv of one job (``spec``: a typed spec, a dict or JSON text; a name of ``inputs`` /
    ``outputs`` maps to one path or a list)."""
    text = spec if isinstance(spec, str) else json.dumps(spec_dict(spec), sort_keys=True)

    def pairs(files: Mapping[str, Any]) -> list[str]:
        return [
            f"{name}={path}"
            for name, value in files.items()
            for path in ([value] if isinstance(value, str | Path) else value)
        ]

    argv = [command, "--spec", text]
    if inputs:
        argv += ["--input", *pairs(inputs)]
    return [*argv, "--output", *pairs(outputs or {})]


def split_spec(name: str, entry: Mapping[str, Any], split: str) -> str:
    """The ``prepare_data`` job's spec of one split of the dataset ``entry`` (defaults filled)."""
    from advgen.config import dataset_spec
    from advgen.data.spec import OTHER_CAP, PreparedSplitSpec

    dataset = dataclasses.replace(dataset_spec(entry), **{OTHER_CAP[split]: None})
    return json.dumps(spec_dict(PreparedSplitSpec(name, split, dataset)), sort_keys=True)


def prepare_argv(name: str, entry: Mapping[str, Any], split: str, path: str | Path) -> list[str]:
    """``advgen prepare-data`` writing one split of the dataset ``entry`` to ``path``."""
    return job_argv("prepare-data", split_spec(name, entry, split), outputs={"split": path})


def prepare_splits(name: str, entry: Mapping[str, Any], folder: Path) -> dict[str, Path]:
    """Both prepared splits of ``entry`` in ``folder`` (``train.pt``, ``test.pt``), as the workflow makes them."""
    from advgen.cli import main

    paths = {split: folder / f"{split}.pt" for split in ("train", "test")}
    for split, path in paths.items():
        assert main(prepare_argv(name, entry, split, path)) == 0
    return paths


def plot_argv(
    family: str, inputs: Sequence[str | Path], outputs: Sequence[str | Path], spec: Mapping[str, Any] | str
) -> list[str]:
    """``advgen plot-<family>`` (a figure family's job kind) drawing one figure: its ``inputs``
    (``figure1``), its ``outputs`` (the figure, then vector copies of the same stem) and its
    options ``spec`` (a dict, or the figure's JSON text)."""
    from advgen.pipeline.figures import BY_FAMILY

    options = json.loads(spec) if isinstance(spec, str) else dict(spec)
    files = {"figures": str(outputs[0]), "vectors": [str(p) for p in outputs[1:]]}
    return job_argv(
        BY_FAMILY[family].rule.replace("_", "-"),
        {"figures": [options]},
        {"figure1": [str(p) for p in inputs]} if inputs else None,
        {k: v for k, v in files.items() if v},
    )
