"""A sweep job's ``--spec`` is one grid point of its own sweep (advgen.sweeps.spec): a point of
another sweep, an unknown or missing field, a field of the wrong type, or the old
``{"device", "points": [...]}`` shape is one line naming ``--spec`` and the field, exit
status 2, before any file is read, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.errors.conftest import assert_one_line_error, run_cli
from tests.errors.test_cli_files import INVERT_SPEC, TRUNC_SPEC
from tests.jobs import job_argv

INPUTS = {"generator": "results/g.pt", "classifier": "results/c.pt", "images": "results/i.pt"}
OUTPUTS = {
    "invert": {
        "final": "results/f.parquet",
        "steps": "results/s.parquet",
        "latents": "results/z.pt",
        "figure": "results/r.png",
    },
    "inpaint": {"table": "results/t.parquet", "figure": "results/r.png"},
    "truncation": {"table": "results/t.parquet", "samples": "results/t.npz"},
}
NO_SEED = {k: v for k, v in INVERT_SPEC.items() if k != "seed"}

# (id, command, spec, the strings the line names)
CASES = [
    # another sweep's point has other fields; a point that says it is of another sweep is refused too
    ("other-sweeps-point", "inpaint", INVERT_SPEC, ["--spec: mask: missing required key 'mask'"]),
    (
        "other-sweep",
        "truncation",
        {**TRUNC_SPEC, "sweep": "inversion"},
        ["--spec: sweep: 'inversion' is not this job's sweep ('truncation')"],
    ),
    ("missing-field", "invert", NO_SEED, ["--spec: seed: missing required key 'seed'"]),
    ("unknown-field", "truncation", {**TRUNC_SPEC, "psi_max": 2}, ["--spec: psi_max: unknown key 'psi_max'"]),
    (
        "wrong-type",
        "invert",
        {**INVERT_SPEC, "restarts": "five"},
        ["--spec: restarts: expected integer, got str 'five'"],
    ),
    (
        "grouped-shape",
        "invert",
        {"device": "cpu", "points": [INVERT_SPEC]},
        ["--spec: points: unknown key 'points'"],
    ),
]


@pytest.mark.parametrize(("command", "spec", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_sweep_spec_is_one_line(
    command: str, spec: dict, named: list[str], workdir: Path, capsys
) -> None:
    code, err = run_cli(job_argv(command, json.dumps(spec), INPUTS, OUTPUTS[command]), capsys)
    assert_one_line_error(code, err, f"advgen {command}: error:", *named, workdir=workdir)
