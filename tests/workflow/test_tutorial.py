"""docs/tutorial.md runs as written, and every figure of the demo it starts from keeps its legends and
titles on the canvas.

The tutorial's fenced blocks run in order in a scratch copy of the checkout: each ``bash`` block must
succeed; each ``console`` block's ``$ COMMAND`` runs (it may fail) and its output must show the lines
printed under it (a ``Job stats`` table: the same jobs and counts). ``make`` runs the checkout's own
Makefile, on a ``.venv`` whose ``advgen`` and ``snakemake`` are this test process's fork-server
clients (tests/forkserver.py), so the demo's jobs cost milliseconds of start-up each.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow, job_counts, tool_env
from tests.workflow.make_checkout import fake_venv

pytestmark = pytest.mark.slow

TUTORIAL = REPO / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def blocks(text: str) -> list[tuple[str, str]]:
    """The fenced blocks of ``text``: (language, body), in order."""
    return FENCE.findall(text)


def console(body: str) -> list[tuple[str, str]]:
    """The (command, output shown under it) pairs of a ``console`` block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(shown)) for command, shown in pairs]


def shows(output: str, shown: str) -> bool:
    """``output`` shows ``shown``: the same job counts for a ``Job stats`` table, else each of its
    lines among the output's lines (spaces at the ends ignored)."""
    if "Job stats:" in shown:
        return job_counts(output) == job_counts(shown) != {}
    lines = {line.strip() for line in output.splitlines()}
    return all(line.strip() in lines for line in shown.splitlines() if line.strip())


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory) -> Path:
    """A checkout in which every block of the tutorial ran; returns it."""
    checkout = copy_workflow(tmp_path_factory.mktemp("tutorial") / "checkout")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, checkout / name)
    bin_dir = fake_venv(checkout)
    env = tool_env({"CORES": "2"})
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    for lang, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if lang == "bash":
            proc = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", body],
                cwd=checkout,
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            assert proc.returncode == 0, f"{body}\nfailed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        elif lang == "console":
            for command, shown in console(body):
                proc = subprocess.run(
                    ["bash", "-c", command],
                    cwd=checkout,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                out = proc.stdout + proc.stderr
                assert shows(out, shown), f"$ {command}\nshould show:\n{shown}\nbut printed:\n{out}"
    return checkout


def test_the_blocks_are_what_the_test_runs():
    kinds = [lang for lang, _ in blocks(TUTORIAL.read_text(encoding="utf-8"))]
    assert set(kinds) <= {"bash", "console"}, kinds  # any other block would be skipped unseen
    assert kinds.count("bash") >= 3 and kinds.count("console") >= 2
    assert shows(
        "Job stats:\njob  count\n---  -----\nattack  5\ntotal  5\n",
        "Job stats:\njob count\n--- ---\nattack 5\ntotal 5",
    )
    assert not shows(
        "Job stats:\njob  count\n---  -----\nattack  4\ntotal  4\n",
        "Job stats:\njob count\n--- ---\nattack 5\ntotal 5",
    )
    assert console("$ a -n\nx\n  y\n$ b\n") == [("a -n", "x\n  y"), ("b", "")]


def test_the_tutorial_runs_and_makes_what_it_says(tutorial):
    results = tutorial / "demo" / "results"
    for page in ("report.html", "claims.html", "cv/cv.pdf", "figures/robustness/accuracy_vs_eps.png"):
        assert (results / page).is_file(), page
    table = (results / "tables" / "robustness.md").read_text(encoding="utf-8")
    fgsm = table.split("## fgsm")[1].split("##")[0]
    assert "eps=0.15" in fgsm and "| demo_cnn_wide |" in fgsm
    assert "**demo_cnn**: mean of 2 seeds" in fgsm
    assert not (tutorial / "results").exists()  # the demo never writes the checkout's results/


def test_every_figure_of_the_demo_keeps_its_legends_and_titles_on_the_canvas(tutorial, tmp_path, monkeypatch):
    from advgen.jobfiles import Files
    from advgen.pipeline.check import checked_pipeline
    from advgen.pipeline.figure_kinds import draws_figures
    from advgen.plots import style
    from advgen.specs import typed_spec
    from tests.unit.plots_data import off_canvas

    pipe = checked_pipeline([str(tutorial / "config" / "demo.yaml"), str(tutorial / "my.yaml")])
    problems: dict[str, list[str]] = {}
    save = style.save

    def spy(fig, paths, **kwargs):
        problems[str(paths[0])] = off_canvas(fig)
        save(fig, paths, **kwargs)

    monkeypatch.setattr(style, "save", spy)
    monkeypatch.chdir(tutorial / "demo")
    drawn = set()
    for kind in (k for k in pipe.jobs.kinds if draws_figures(k)):
        for values in pipe.jobs.each(kind):
            name = "figures" if "figures" in kind.outputs else "figure"
            pngs = [p for p in kind.files(pipe, values)[name] if p.endswith(".png")]
            if not pngs:  # a Markdown table, the landing page
                continue
            outs = [str(tmp_path / f"{len(drawn) + i}.png") for i in range(len(pngs))]
            spec = typed_spec(kind.spec_type, json.loads(pipe.jobs.spec(kind, values)))
            kind.run(Files(pipe.jobs.inputs(kind, values)), Files({name: outs}, "--output"), spec)
            drawn |= set(pngs)
    made = {
        str(p.relative_to(tutorial / "demo"))
        for p in (tutorial / "demo" / "results" / "figures").rglob("*.png")
    }
    # every figure of the demo; the pixel mosaics (sample grids, the overview) draw no matplotlib
    # legend or title (tests/unit/test_plots_canvas.py)
    assert made == drawn and len(problems) >= 10
    assert {k: v for k, v in problems.items() if v} == {}
