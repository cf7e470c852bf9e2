"""A sweep is its registry entry (advgen.sweeps.registry): the job kinds, the aggregate's summary
and figure are made from it, and a config that runs a sweep whose entry lacks a piece, or a
block of no entry, is refused at plan time in one line (the negative controls below)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from advgen.config import SCHEMA_DIR, validate_config
from advgen.errors import ConfigError
from advgen.pipeline import build
from advgen.pipeline.jobkinds import BY_NAME
from advgen.sweeps import registry
from advgen.sweeps.grid import plan
from advgen.sweeps.registry import SWEEPS, Summary, SummaryPlot
from advgen.sweeps.settings import SweepBlock, SweepsSettings
from advgen.sweeps.spec import TruncationPoint
from advgen.sweeps.summary import problems

REPO = Path(__file__).resolve().parents[2]


def config() -> dict:
    raw = yaml.safe_load((REPO / ".test/config/sweeps.yaml").read_text())
    return validate_config(raw, SCHEMA_DIR / "config.schema.yaml")


@pytest.mark.parametrize("name", list(SWEEPS))
def test_each_sweeps_job_kinds_are_made_from_its_entry(name):
    sweep = SWEEPS[name]
    kind = BY_NAME[sweep.rule]
    assert kind.spec_type is sweep.spec and kind.run is sweep.run
    assert {k: v if isinstance(v, str) else v.path for k, v in kind.outputs.items()} == dict(sweep.outputs)
    assert sweep.spec.SWEEP == name and sweep.metrics and problems(sweep) == []
    if sweep.plot is not None:
        figure = BY_NAME[f"plot_{sweep.plot.family}"]
        assert figure.help.startswith(f"Sweeps/{name.capitalize()}: {sweep.plot.label}.")


#: a broken piece of the inversion entry -> the line that names it
BROKEN = {
    "summary": (
        {"summary": Summary(("generator", "steps_per_restart"), {"mse": "median"})},
        "sweep inversion: its summary names steps_per_restart, no column of its tables",
    ),
    "table": ({"table": "latent"}, "sweep inversion: table 'latent' names none of its outputs"),
    "spec": ({"spec": TruncationPoint}, "sweep inversion: its spec TruncationPoint is of sweep 'truncation'"),
    "plot": (
        {"plot": SummaryPlot("inversion_summary", "final MSE", "no_such_plot")},
        "sweep inversion: advgen.plots.sweeps has no no_such_plot",
    ),
}


@pytest.mark.parametrize("piece", sorted(BROKEN))
def test_a_config_running_a_sweep_whose_entry_lacks_a_piece_is_refused_in_one_line(piece, monkeypatch):
    change, line = BROKEN[piece]
    broken = dataclasses.replace(SWEEPS["inversion"], **change)
    monkeypatch.setitem(registry.SWEEPS, "inversion", broken)
    with pytest.raises(ConfigError) as exc:
        build(config())
    assert str(exc.value).startswith(f"advgen.sweeps.registry: {line}")
    assert "\n" not in str(exc.value)
    # a config that runs other sweeps only does not read the entry
    data = config()
    del data["sweeps"]["inversion"]
    build(data)


def test_a_block_of_no_sweep_of_the_registry_is_one_line():
    settings = SweepsSettings({"denoising": SweepBlock(("tiny_gan",), "tiny_cnn", {"steps": 5})})
    with pytest.raises(
        ConfigError, match=r"^c.yaml: sweeps.denoising: no sweep of that name in advgen.sweeps"
    ):
        plan(settings, build(config()).study.generators, {"tiny_cnn": "digits"}, 0, source="c.yaml")


def test_the_aggregate_job_refuses_an_unknown_sweep(tmp_path):
    from advgen.jobfiles import Files
    from advgen.sweeps.spec import SweepTableSpec
    from advgen.sweeps.summary import aggregate_sweep

    with pytest.raises(ConfigError, match="--spec: sweep: unknown sweep 'denoising'"):
        aggregate_sweep(
            Files({"tables": []}),
            Files({"table": [str(tmp_path / "t.parquet")]}),
            SweepTableSpec("denoising"),
        )
