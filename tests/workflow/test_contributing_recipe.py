"""docs/contributing.md's recipes for a new job kind and a new sweep, executed: in a scratch copy of
the checkout, a toy kind is added as the recipe says (its output path, its library module with the
spec dataclass and the job function, its row in the stage's table), then ``python -m
advgen.registries --write`` writes its schema definition; the plan refuses the kind before that
(one line) and accepts it after, the schema checks its spec, and the dry run schedules its rule.
A toy sweep is added the same way (its schema block, its library module, its registry entry, its
plotting function): the plan refuses it in one line until each piece is there, the dry run plans
its points, aggregate and figure, and its jobs run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from tests.conftest import REPO, copy_workflow, snakemake

CONFIG = ".test/config/robustness.yaml"

#: step 2 of the recipe: the library (the spec dataclass and the job function)
LIBRARY = '''"""A toy job: the number of attack jobs, as a one-row table."""

from __future__ import annotations

from dataclasses import dataclass, field

from advgen.jobfiles import Files
from advgen.specs import job_schema


@dataclass(frozen=True)
class ToyCountSpec:
    """The toy job's spec: the evaluation subset's size (a config key's value)."""

    max_examples: int | None = field(
        metadata=job_schema(config_key="robustness.robustness.max_examples", nullable=True)
    )


def toy_count(inputs: Files, outputs: Files, spec: ToyCountSpec) -> None:
    import pandas as pd

    from advgen.io import write_parquet

    write_parquet(pd.DataFrame({"max_examples": [spec.max_examples]}), outputs.one("table"))
'''

#: step 3: the row, appended to the stage's table
ROW = """    JobKind(
        "toy_count",
        "a toy job of the contributing recipe",
        outputs={"table": paths.TOY_COUNT},
        each=if_attacks,
        inputs=lambda plan, values: {},
        spec=lambda plan, values: toy.ToyCountSpec(plan.robustness.eval_settings().max_examples),
        spec_type=toy.ToyCountSpec,
        run=toy.toy_count,
    ),
)
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _run(checkout: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], cwd=checkout, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_recipe_adds_a_job_kind(tmp_path: Path) -> None:
    checkout = copy_workflow(tmp_path / "checkout")
    shutil.copytree(REPO / "src", checkout / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(REPO / name, checkout / name)
    shutil.copytree(REPO / "config", checkout / "config", dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "ADVGEN_TEST_FORKSERVER": "0"}
    package = checkout / "src" / "advgen"

    # 1. the output path
    _edit(
        package / "paths.py",
        'ATTACK_SUCCESS_BY_CLASS = "',
        'TOY_COUNT = "results/robustness/toy_count.parquet"\nATTACK_SUCCESS_BY_CLASS = "',
    )
    # 2. the library: the spec dataclass (its fields' schema metadata) and the job function
    (package / "robustness" / "toy.py").write_text(LIBRARY, encoding="utf-8")
    # 3. the row in the stage's table
    rows = package / "pipeline" / "jobkinds_robustness.py"
    text = rows.read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith("    ),\n)")
    rows.write_text(text[: -len(")")] + ROW, encoding="utf-8")
    _edit(
        rows,
        "from advgen.robustness import ",
        "from advgen.robustness import toy\nfrom advgen.robustness import ",
    )

    # before the schema is written the plan refuses the kind, in one line
    check = _run(checkout, env, "-m", "advgen", "check-config", CONFIG)
    assert check.returncode == 2, check.stderr
    assert check.stderr.strip().count("\n") == 0 and "Traceback" not in check.stderr
    assert "job kind toy_count: no definition of its spec's ToyCountSpec" in check.stderr

    # the schema: written from the dataclass
    written = _run(checkout, env, "-m", "advgen.registries", "--write")
    assert "jobs.schema.yaml" in written.stdout, written.stdout + written.stderr
    assert _run(checkout, env, "-m", "advgen.registries").returncode == 0
    defs = yaml.safe_load((package / "schemas" / "jobs.schema.yaml").read_text(encoding="utf-8"))["$defs"]
    assert defs["ToyCountSpec"]["properties"] == {
        "max_examples": {
            "anyOf": [
                {"type": "null"},
                {"$ref": "robustness.schema.yaml#/$defs/robustness/properties/max_examples"},
            ]
        }
    }

    # the plan accepts it, the command checks its spec against the definition
    check = _run(checkout, env, "-m", "advgen", "check-config", CONFIG)
    assert check.returncode == 0, check.stderr
    bad = _run(
        checkout,
        env,
        "-m",
        "advgen",
        "toy-count",
        "--spec",
        '{"max_examples": -5}',
        "--output",
        "table=results/toy.parquet",
    )
    assert bad.returncode == 2 and "--spec" in bad.stderr and "max_examples" in bad.stderr, bad.stderr

    # the dry run schedules its rule
    out = snakemake(checkout, "-n", "--configfile", CONFIG, "--cores", "1", env=env).stdout
    assert "rule toy_count:" in out or "toy_count" in out.split("Job stats:")[-1]


# --- docs/contributing.md's "Adding a sweep", executed with a toy sweep
#: the config's side: the block's schema, and a config that runs it
TOY_BLOCK = """
  toy:
    description: a toy sweep of the contributing recipe (a score per scale)
    type: object
    additionalProperties: false
    required: [generators, classifier]
    properties:
      generators: {$ref: "#/$defs/generators"}
      classifier: {$ref: "#/$defs/classifier"}
      scale:
        description: the toy's factor
        $ref: "#/$defs/positive_number"
        default: 1.0
      seed:
        description: seed of the point (null = the global seed)
        $ref: "#/$defs/seed"
        default: null
"""
TOY_CONFIG = "toy.yaml"

#: step 1: the library (the point spec and the point's job; no torch at import)
TOY_LIBRARY = '''"""A toy sweep: each grid point's score is its scale times its seed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from advgen.jobfiles import Files
from advgen.sweeps.spec import PointSpec


@dataclass(frozen=True)
class ToyPoint(PointSpec):
    """A point of the toy sweep: its scale."""

    SWEEP: ClassVar[str] = "toy"
    METRICS: ClassVar[Mapping[str, str]] = {"score": "float64"}

    scale: float


def toy_point(inputs: Files, outputs: Files, spec: ToyPoint) -> None:
    from advgen.io import write_parquet
    from advgen.sweeps.tables import point_frame

    write_parquet(point_frame(spec, {"score": [spec.scale * spec.seed]}), outputs.one("table"))
'''

#: step 2: the registry entry
TOY_ENTRY = """    Sweep(
        "toy",
        "toy_point",
        toy.ToyPoint,
        toy.toy_point,
        {"table": paths.fill(paths.SWEEP_POINT, sweep="toy") + "/table.parquet"},
        "table",
        "test",
        Summary(("generator", "scale"), {"score": "mean"}),
        SummaryPlot("toy_summary", "score vs scale", "toy_scores"),
    ),
)
"""

#: step 3: the summary figure's plotting function
TOY_PLOT = '''

def toy_scores(table: pd.DataFrame, paths: Sequence[str | Path], *, experiment: str = "toy", dpi: int = 150) -> None:
    """The toy sweep's score against its scale, one line per generator."""
    with style.figure(1, 1) as (fig, axes):
        for generator, part in table.groupby("generator"):
            axes[0, 0].plot(part["scale"], part["score"], marker="o", label=generator)
        style.title(fig, experiment, "score vs scale")
        style.save(fig, paths, dpi=dpi)
'''

#: the toy's jobs, run in process from the plan as the workflow would run them (the toy's point
#: job loads no model): every point, the aggregate and the summary figure
RUN_TOY = """
import json, sys
from pathlib import Path

from advgen.jobfiles import Files
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkinds import BY_NAME
from advgen.specs import typed_spec

pipe = checked_pipeline([sys.argv[1]])
for name in ("toy_point", "aggregate_sweep", "plot_toy_summary"):
    kind = BY_NAME[name]
    for values in pipe.jobs.each(kind):
        outputs = {k: paths for k, paths in kind.files(pipe, values).items() if paths}
        spec = typed_spec(kind.spec_type, json.loads(pipe.jobs.spec(kind, values)))
        kind.run(Files(pipe.jobs.inputs(kind, values)), Files(outputs, "--output"), spec)
"""


def test_the_recipe_adds_a_sweep(tmp_path: Path) -> None:
    checkout = copy_workflow(tmp_path / "checkout")
    shutil.copytree(REPO / "src", checkout / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(REPO / name, checkout / name)
    shutil.copytree(REPO / "config", checkout / "config", dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "ADVGEN_TEST_FORKSERVER": "0"}
    package = checkout / "src" / "advgen"

    # the config's side: the block's schema and its line in the sweeps section; a config runs it
    schema = package / "schemas" / "sweeps.schema.yaml"
    _edit(
        schema,
        '      truncation:\n        $ref: "#/$defs/truncation"\n',
        '      truncation:\n        $ref: "#/$defs/truncation"\n      toy:\n        $ref: "#/$defs/toy"\n',
    )
    schema.write_text(schema.read_text(encoding="utf-8") + TOY_BLOCK, encoding="utf-8")
    config = yaml.safe_load((REPO / ".test/config/sweeps.yaml").read_text(encoding="utf-8"))
    config["sweeps"] = {
        "toy": {
            "generators": ["tiny_gan", "tiny_ae"],
            "classifier": "tiny_cnn",
            "scale": [0.5, 2.0],
            "seed": 3,
        }
    }
    (checkout / TOY_CONFIG).write_text(yaml.safe_dump(config), encoding="utf-8")

    def refused(line: str) -> None:
        check = _run(checkout, env, "-m", "advgen", "check-config", TOY_CONFIG)
        assert check.returncode == 2, check.stderr
        assert check.stderr.strip().count("\n") == 0 and "Traceback" not in check.stderr
        assert line in check.stderr, check.stderr

    # no entry yet: the plan refuses the block, in one line
    refused("sweeps.toy: no sweep of that name in advgen.sweeps.registry")

    # 1. the library; 2. the registry entry
    (package / "sweeps" / "toy.py").write_text(TOY_LIBRARY, encoding="utf-8")
    registry = package / "sweeps" / "registry.py"
    text = registry.read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith("    ),\n)")
    registry.write_text(text[: -len(")")] + TOY_ENTRY, encoding="utf-8")
    _edit(registry, "from advgen.sweeps import point_jobs\n", "from advgen.sweeps import point_jobs, toy\n")
    # before its definition is written the plan refuses the spec, in one line
    refused("job kind toy_point: no definition of its spec's ToyPoint")
    written = _run(checkout, env, "-m", "advgen.registries", "--write")  # written from the dataclass
    assert "jobs.schema.yaml" in written.stdout, written.stdout + written.stderr
    defs = yaml.safe_load((package / "schemas" / "jobs.schema.yaml").read_text(encoding="utf-8"))["$defs"]
    assert defs["ToyPoint"]["properties"]["scale"] == {
        "$ref": "sweeps.schema.yaml#/$defs/toy/properties/scale"
    }
    # the plan refuses the entry until its plotting function is there, in one line
    refused("sweep toy: advgen.plots.sweeps has no toy_scores")
    # 3. the plotting function, and its caption
    plots = package / "plots" / "sweeps.py"
    plots.write_text(plots.read_text(encoding="utf-8") + TOY_PLOT, encoding="utf-8")
    (checkout / "workflow" / "report" / "toy_summary.rst").write_text(
        "The toy sweep's score.\n", encoding="utf-8"
    )
    check = _run(checkout, env, "-m", "advgen", "check-config", TOY_CONFIG)
    assert check.returncode == 0, check.stderr
    assert _run(checkout, env, "-m", "advgen.registries").returncode == 0

    # the dry run plans the toy's points, its aggregate and its figure
    out = snakemake(checkout, "-n", "--configfile", TOY_CONFIG, "--cores", "1", env=env).stdout
    stats = out.split("Job stats:")[-1]
    assert re.search(r"^toy_point\s+4$", stats, re.MULTILINE), stats
    assert re.search(r"^aggregate_sweep\s+1$", stats, re.MULTILINE), stats
    assert re.search(r"^plot_toy_summary\s+1$", stats, re.MULTILINE), stats

    # its jobs run: the points' tables, their aggregate (the declared metric column) and the figure
    (checkout / "run_toy.py").write_text(RUN_TOY, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "run_toy.py", TOY_CONFIG],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    table = pd.read_parquet(checkout / "results" / "sweeps" / "toy.parquet")
    assert len(table) == 4 and str(table["score"].dtype) == "float64"
    assert sorted(table["score"]) == [1.5, 1.5, 6.0, 6.0]  # scale x seed, per generator
    assert (checkout / "results" / "figures" / "sweeps" / "toy_summary.png").stat().st_size > 0
    # three code files: the library, the registry, the plotting function (and the schemas)
    changed = {
        str(path.relative_to(checkout / "src"))
        for path in (checkout / "src").rglob("*.py")
        if "__pycache__" not in path.parts
        and (
            not (REPO / "src" / path.relative_to(checkout / "src")).exists()
            or path.read_bytes() != (REPO / "src" / path.relative_to(checkout / "src")).read_bytes()
        )
    }
    assert changed == {"advgen/sweeps/toy.py", "advgen/sweeps/registry.py", "advgen/plots/sweeps.py"}
