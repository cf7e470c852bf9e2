"""A toy-scale config (``toy_scale: true``, config/demo.yaml) is labelled as such on the claims
page and on the report's landing page; the study's config is not."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from advgen.claims.page import html as page
from advgen.config_files import check_config_files
from advgen.pipeline import build

REPO = Path(__file__).resolve().parents[2]
LABEL = "Toy scale: verdicts not meaningful."


def spec_of(config: str):
    return build(check_config_files([str(REPO / "config" / config)])).claims.command_spec()


def html(toy_scale: bool) -> str:
    digest = SimpleNamespace(counts=[], holds=[], fails=[], not_counted=[], post_hoc=[])
    header = {"datasets": [], "budgets": [], "seeds": {}, "config": "c.yaml", "results": "results"}
    return page.render(
        header={**header, "toy_scale": toy_scale},
        counts=["", ""],
        method="",
        sections=[],
        verdict_cell=str,
        level=str,
        p_text=str,
        n_text=str,
        control_label=str,
        digest=digest,
        filters=[],
        group_of=str,
        control_words=str,
        scale_ref=str,
    )


def test_the_demo_is_toy_scale_and_the_study_is_not() -> None:
    assert spec_of("demo.yaml").toy_scale is True
    assert spec_of("config.yaml").toy_scale is False


def test_the_claims_page_says_so() -> None:
    assert LABEL in html(True) and "(c.yaml)" in html(True)
    assert "Toy scale" not in html(False)


def test_the_report_landing_says_so_where_the_config_does() -> None:
    from jinja2 import Environment

    text = (REPO / "workflow" / "report" / "workflow.rst").read_text(encoding="utf-8")

    def landing(config: dict) -> str:
        return Environment().from_string(text).render(snakemake=SimpleNamespace(config=config))

    base = {"datasets": {"digits": {}}, "device": "cpu", "seed": 0}
    assert f"**{LABEL}**" in landing({**base, "toy_scale": True})
    assert "Toy scale" not in landing(base)
