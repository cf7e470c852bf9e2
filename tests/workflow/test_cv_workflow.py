"""The cv rules in a scratch copy of the workflow: DAG membership, reruns, a real build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from advgen import paths
from tests.conftest import REPO, copy_workflow, job_counts, snakemake

pytestmark = pytest.mark.slow  # each Snakemake call takes seconds on 2 cores
CV_OUTPUTS = [f"results/cv/cv.{ext}" for ext in ("md", "html", "typ", "pdf")]


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    """A scratch copy of the workflow (its folder created first, which conftest's fixture omits)."""
    (tmp_path / "wf").mkdir()
    wf = copy_workflow(tmp_path / "wf")
    # the CV data is the user's to edit: the tests use the fixture copy, not config/cv/
    for name in ("cv.yaml", "publications.bib", "stats.yaml"):
        shutil.copy2(REPO / "tests" / "data" / "cv" / "march2023" / name, wf / "config" / "cv" / name)
    return wf


def _dry_run(workdir: Path, *args: str) -> dict[str, int]:
    proc = snakemake(workdir, "-n", *args)
    return job_counts(proc.stdout + proc.stderr)


def _mark_everything_done(workdir: Path) -> None:
    """Create every output of the default DAG (empty files; the GAN sample folders, the DAG's
    one ``directory()`` output, as folders) and touch them in DAG order."""
    summary = snakemake(workdir, "--summary").stdout.splitlines()
    folder = re.compile(paths.GAN_SAMPLES.replace("{gan}", "[^/]+") + "$")
    for line in summary[1:]:
        name = line.split("\t")[0]
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if folder.match(name):
            path.mkdir(exist_ok=True)
        else:
            path.touch()
    snakemake(workdir, "--cores", "1", "--touch")
    assert _dry_run(workdir) == {}


def test_default_dag_builds_the_cv_but_never_fetches_stats(workflow_dir: Path) -> None:
    proc = snakemake(workflow_dir, "-n")
    jobs = job_counts(proc.stdout + proc.stderr)
    assert jobs["cv"] == 1
    assert "cv_stats" not in jobs and "cv_stats" not in proc.stdout
    for output in CV_OUTPUTS:
        assert output in proc.stdout


def test_a_config_without_cv_section_asks_for_no_cv(workflow_dir: Path) -> None:
    """The default config without its ``cv:`` plans no CV job; with the CV's files gone (a
    config without ``cv:`` never reads them) the data-only config's DAG still builds, and holds
    its data jobs alone."""
    config = yaml.safe_load((workflow_dir / "config" / "config.yaml").read_text(encoding="utf-8"))
    config.pop("cv", None)
    (workflow_dir / "config" / "nocv.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    jobs = _dry_run(workflow_dir, "--configfile", "config/nocv.yaml")
    assert jobs["train_gan"] and "cv" not in jobs
    shutil.rmtree(workflow_dir / "config" / "cv")
    data = _dry_run(workflow_dir, "--configfile", ".test/config/data.yaml")
    assert data == {"prepare_data": 4, "data_manifest": 2, "all": 1}


def test_stats_refresh_must_not_overwrite_the_stats_the_build_reads(workflow_dir: Path) -> None:
    config = yaml.safe_load((workflow_dir / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["cv"] = {"stats_refresh": "config/cv/stats.yaml"}
    (workflow_dir / "config" / "bad.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = snakemake(workflow_dir, "-n", "--configfile", "config/bad.yaml", check=False)
    assert proc.returncode != 0
    assert "cv.stats_refresh: must differ from cv.stats (config/cv/stats.yaml)" in proc.stderr


def test_editing_one_publication_schedules_only_the_cv(workflow_dir: Path) -> None:
    _mark_everything_done(workflow_dir)
    bib = workflow_dir / "config" / "cv" / "publications.bib"
    text = bib.read_text(encoding="utf-8")
    edited = text.replace(
        "{Scalable Online Planning via Reinforcement Learning Fine-Tuning}", "{Scalable Online Planning}"
    )
    assert edited != text
    bib.write_text(edited, encoding="utf-8")
    # and the report's provenance page, which follows every target
    assert _dry_run(workflow_dir) == {"cv": 1, "provenance": 1, "all": 1}


def test_real_build_then_edit_rebuilds_only_the_cv(workflow_dir: Path) -> None:
    snakemake(workflow_dir, "--cores", "1", *CV_OUTPUTS)
    md = (workflow_dir / "results" / "cv" / "cv.md").read_text(encoding="utf-8")
    assert "55. *[Applying machine learning classifiers" in md
    assert (workflow_dir / "logs" / "cv" / "cv.log").exists()
    assert _dry_run(workflow_dir, *CV_OUTPUTS) == {}
    bib = workflow_dir / "config" / "cv" / "publications.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("{Neural {Potts} Model}", "{Neural Potts Models}"))
    assert _dry_run(workflow_dir, *CV_OUTPUTS) == {"cv": 1}
    snakemake(workflow_dir, "--cores", "1", *CV_OUTPUTS)
    assert "Neural Potts Models" in (workflow_dir / "results" / "cv" / "cv.md").read_text(encoding="utf-8")
    assert not list((workflow_dir / "results" / "cv").glob(".cv-build.*"))
    # an explicit config override reaches the job through params: only the cv reruns
    config = workflow_dir / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"(?m)^  last_updated: null.*$", '  last_updated: "2023-04-01"', text), encoding="utf-8"
    )
    assert _dry_run(workflow_dir, *CV_OUTPUTS) == {"cv": 1}
    snakemake(workflow_dir, "--cores", "1", *CV_OUTPUTS)
    assert "Last updated on April 1, 2023" in (workflow_dir / "results" / "cv" / "cv.md").read_text(
        encoding="utf-8"
    )


def test_an_unparseable_bib_stops_the_run_before_the_cv_job_and_the_last_cv_stays(workflow_dir: Path) -> None:
    """Snakemake deletes a job's outputs when it starts it: the .bib is parsed with the config, so
    a broken one stops `snakemake` (and `advgen check-config`) with FILE:LINE and the CV built
    last stays (config/cv/README.md)."""
    snakemake(workflow_dir, "--cores", "1", *CV_OUTPUTS)
    built = {name: (workflow_dir / name).read_bytes() for name in CV_OUTPUTS}
    bib = workflow_dir / "config" / "cv" / "publications.bib"
    lines = len(bib.read_text(encoding="utf-8").splitlines())
    with bib.open("a", encoding="utf-8") as f:
        f.write("\n@article{broken,\n  title = {Unclosed,\n  year = {2024},\n")
    proc = snakemake(workflow_dir, "--cores", "1", *CV_OUTPUTS, check=False)
    assert proc.returncode == 1
    assert (
        f"config error: config/cv/publications.bib:{lines + 2}: entry 'broken': " in proc.stdout + proc.stderr
    )
    assert {name: (workflow_dir / name).read_bytes() for name in CV_OUTPUTS} == built
