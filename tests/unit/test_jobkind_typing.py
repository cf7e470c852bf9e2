"""A job kind's spec type is checked per row: mypy reports a row whose spec function, ``spec_type``
and ``run`` disagree (:class:`advgen.pipeline.jobkind.JobKind`), a figure family's row
(:func:`advgen.pipeline.figure_kinds.figure`, :func:`~advgen.pipeline.figure_kinds.figures`)
included.

The planted rows are declared as the stage modules declare theirs (the ``KINDS = (`` line of each
``advgen/pipeline/jobkinds_*.py``, read from the source), so annotating the project's rows as
``JobKind[Any]`` again silences the planted mismatches and fails this test. mypy reads the planted
module and the modules a row is made of (:data:`CHECKED`), no other (about 3 s)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: the modules mypy reads beside the planted ones (the others' names are skipped: ``Any``)
CHECKED = ("pipeline/jobkind.py", "pipeline/figure_kinds.py", "jobfiles.py", "specs.py", "paths.py")
STAGES = sorted((REPO / "src" / "advgen" / "pipeline").glob("jobkinds_*.py"))

PLANTED = """\
from __future__ import annotations

from dataclasses import dataclass
from typing import Any  # where a declaration spells it

from advgen.jobfiles import Files
from advgen.pipeline.figure_kinds import figure, figures
from advgen.pipeline.jobkind import ONCE, AnyJobKind, JobKind, Values
from advgen.pipeline.plan import Plan


@dataclass(frozen=True)
class GanSpec:
    size: int


@dataclass(frozen=True)
class AeSpec:
    width: int


def each(plan: Plan) -> list[Values]:
    return ONCE


def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    return {{}}


def gan_spec(plan: Plan, values: Values) -> GanSpec:
    return GanSpec(size=1)


def ae_spec(plan: Plan, values: Values) -> AeSpec:
    return AeSpec(width=1)


def gan_family(plan: Plan, figures: list[Values]) -> GanSpec:
    return GanSpec(size=len(figures))


def ae_family(plan: Plan, figures: list[Values]) -> AeSpec:
    return AeSpec(width=len(figures))


def figure_inputs(plan: Plan, values: Values) -> list[str]:
    return []


def train_gan(inputs: Files, outputs: Files, spec: GanSpec) -> None:
    pass


def train_ae(inputs: Files, outputs: Files, spec: AeSpec) -> None:
    pass


{head} (
    JobKind("matched", "", {{"t": "t"}}, each, inputs, spec=gan_spec, spec_type=GanSpec, run=train_gan),
    JobKind("wrong_type", "", {{"t": "t"}}, each, inputs, spec=gan_spec, spec_type=AeSpec, run=train_gan),
    JobKind("wrong_run", "", {{"t": "t"}}, each, inputs, spec=gan_spec, spec_type=GanSpec, run=train_ae),
    figure("matched_figure", "f.png", "A/B", "f", each, inputs, gan_spec, GanSpec, train_gan),
    figure("wrong_figure", "f.png", "A/B", "f", each, inputs, ae_spec, GanSpec, train_gan),
    figures("matched_family", "{{x}}.png", "A/B", "f", each, figure_inputs, gan_family, GanSpec, train_gan),
    figures("wrong_family", "{{x}}.png", "A/B", "f", each, figure_inputs, ae_family, GanSpec, train_gan),
)
VIEW: tuple[AnyJobKind, ...] = KINDS
"""


def heads() -> set[str]:
    """How the stage modules declare their rows (``KINDS``, ``FIGURE_KINDS``): ``KINDS`` and the
    annotation, if any, one per spelling."""
    found = set()
    for path in STAGES:
        text = path.read_text(encoding="utf-8")
        annotations = re.findall(r"^\w*KINDS\b([^=\n]*)=", text, re.MULTILINE)
        assert annotations, f"{path.name}: no KINDS"
        found |= {f"KINDS{annotation}=" for annotation in annotations}
    return found


def test_mypy_reports_a_row_whose_spec_type_or_run_disagrees(tmp_path: Path) -> None:
    assert len(STAGES) >= 9
    modules = []
    for i, head in enumerate(sorted(heads())):
        module = tmp_path / f"planted_{i}.py"
        module.write_text(PLANTED.format(head=head), encoding="utf-8")
        modules.append(module)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml")]
        + ["--follow-imports=skip", "--no-incremental", "--cache-dir", str(tmp_path / "cache")]
        + [str(REPO / "src" / "advgen" / name) for name in CHECKED]
        + [str(m) for m in modules],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    for module in modules:
        lines = module.read_text(encoding="utf-8").splitlines()
        rows = {
            n: row
            for n, line in enumerate(lines, 1)
            for row in re.findall(r'^ +(?:JobKind|figures?)\("(\w+)"', line)
        }
        flagged = {rows.get(int(e.split(":")[1]), e) for e in errors if e.startswith(str(module))}
        assert flagged == {"wrong_type", "wrong_run", "wrong_figure", "wrong_family"}, run.stdout + run.stderr
    assert run.returncode == 1, run.stdout + run.stderr
