"""docs/contributing.md's recipe for a new job kind, executed: in a scratch copy of the checkout,
a toy kind is added as the recipe says (its output path, its library module with the spec
dataclass and the job function, its row in the stage's table), then ``python -m advgen.registries
--write`` writes its schema definition; the plan refuses the kind before that (one line) and
accepts it after, the schema checks its spec, and the dry run schedules its rule."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
