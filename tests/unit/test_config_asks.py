"""A DAG holds what its config asks for: a data-only config plans its data jobs alone (no CV, no
claims page, no findings, no provenance page) and reads no CV file; the pages appear where the
config makes what they read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advgen import paths
from advgen.config import SCHEMA_DIR, validate_config
from advgen.errors import ConfigError
from advgen.pipeline import build
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkinds_claims import landing
from tests.unit.test_pipeline import config

REPO = Path(__file__).resolve().parents[2]
PAGES = ("claims", "report_facts", "findings", "provenance")


def planned(plan) -> set[str]:
    """The job kinds with at least one job."""
    return {kind.name for kind in plan.jobs.kinds if plan.jobs.each(kind)}


def write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def cv_unread(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CV's readers replaced by ones that note the file (a plan that reads one fails below)."""
    import advgen.cv.bib
    import advgen.cv.source

    read: list[str] = []

    def note(path, *args, **kwargs):
        read.append(str(path))
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(advgen.cv.source, "load_cv_yaml", note)
    monkeypatch.setattr(advgen.cv.bib, "load_publications", note)
    return read


def test_a_data_only_config_plans_its_data_jobs_alone(cv_unread: list[str]) -> None:
    """The workflow's own check on ``.test/config/data.yaml``: prepared splits and manifests
    only, no CV file read, an empty landing page."""
    plan = checked_pipeline([REPO / ".test/config/data.yaml"], base=REPO)
    assert planned(plan) == {"prepare_data", "data_manifest"}
    assert plan.study.cv is None and plan.cv.targets() == []
    assert sorted(plan.targets()) == [paths.fill(paths.MANIFEST, dataset=d) for d in ("digits", "digits16")]
    assert landing(plan) == {"claims": False, "findings": False, "provenance": False}
    assert cv_unread == []


def test_a_cv_section_asks_for_the_cv(tmp_path: Path, cv_unread: list[str]) -> None:
    """``cv: {}`` plans the CV (from ``config/cv/``); a ``cv`` section's files are checked: one
    missing is one line naming ``cv.cv``, before any YAML of the CV would be parsed."""
    data = yaml.safe_load((REPO / ".test/config/data.yaml").read_text(encoding="utf-8"))
    plan = build(validate_config({**data, "cv": {}}, SCHEMA_DIR / "config.schema.yaml"))
    assert set(plan.cv.targets()) == {paths.CV.format(ext=ext) for ext in paths.CV_FORMATS}
    missing = write(tmp_path, "data.yaml", {**data, "cv": {"cv": str(tmp_path / "missing.yaml")}})
    with pytest.raises(ConfigError, match=r"cv\.cv: .*missing\.yaml: file not found"):
        checked_pipeline([missing], base=REPO)
    assert cv_unread == []


def test_the_pages_follow_what_the_config_makes() -> None:
    """Every page where the robustness config makes the tables they read; a GAN without a
    sample-quality section or roles makes no table a claim or the findings read, but figures of
    the report: the provenance page alone."""
    robustness = build(config("robustness"))
    assert set(PAGES) <= planned(robustness)
    assert landing(robustness) == {"claims": True, "findings": True, "provenance": True}
    assert robustness.claims.measures
    gan_only = build(config("slurm"))
    assert planned(gan_only) & set(PAGES) == {"provenance"}
    assert not gan_only.claims.measures
    assert paths.FINDINGS_RST not in gan_only.targets() and paths.PROVENANCE_HTML in gan_only.targets()
