"""The claims page of a run (``results/claims.html``): every claim of the claims file tested on
the run's tables (:mod:`advgen.claims`), in four views: the HTML page, Markdown, the verdict
table (Parquet) and the report's landing text (reStructuredText).

:func:`evaluate_page` reads what a page needs (the claims file, the tables under the results
folder, each dataset's manifest) and keeps the files it read; :func:`write_page` writes the
views asked for. :func:`claims_page` is the workflow's ``claims`` job (a job kind of
:mod:`advgen.pipeline.jobkinds_claims`); ``advgen claims --configfile`` makes the same page by
hand. No torch here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advgen.claims.freeze import freeze_reader
from advgen.claims.page.page_spec import ClaimsPageSpec
from advgen.jobfiles import Files, refuse_found


@dataclass
class Page:
    """An evaluated claims page: the verdict table, the page header and the files read."""

    table: Any
    header: dict[str, Any]
    line: str
    found: dict[str, list[Path]] = field(default_factory=dict)

    def views(self) -> dict[str, Callable[[], str]]:
        """The text views by output name: ``html``, ``md`` and ``rst``."""
        from advgen.claims.page.views import html, markdown, rst

        return {
            "html": lambda: html(self.table, self.header),
            "md": lambda: markdown(self.table, header=self.line, budgets=self.header["budgets"]),
            "rst": lambda: rst(self.table),
        }


def _recording_context() -> type:
    """:class:`advgen.claims.measuring.measure.Context` noting every table it reads (``read``: paths relative to
    the results folder), so that no output overwrites one."""
    from advgen.claims.measuring.measure import Context

    @dataclass
    class ReadTables(Context):
        read: set[str] = field(default_factory=set)

        def table(self, rel: str) -> Any:
            frame = super().table(rel)
            self.read.add(rel)
            return frame

    return ReadTables


def evaluate_page(claims_path: str, results: Path, spec: ClaimsPageSpec) -> Page:
    """Every claim of ``claims_path`` on the tables under ``results`` (``spec``: the roles, the
    tables the run produces, its data); the files it read are the page's ``found``."""
    from advgen.claims import data_header, evaluate_all
    from advgen.claims.freeze import freeze_record as fr
    from advgen.claims.freeze.phase import freeze_path, phase_of
    from advgen.claims.page.round_header import facts, read_record, table_seeds
    from advgen.claims.page.round_header import line as round_line
    from advgen.claims.page.table import frame
    from advgen.claims.reading.claims_file import read_claims_file
    from advgen.claims.shown_path import shown_path
    from advgen.errors import AdvgenError

    claims_file = read_claims_file(claims_path)
    if not results.is_dir():
        raise AdvgenError(f"{results}: results folder not found")
    record = freeze_path(claims_file)
    frozen = freeze_reader.read_freeze(record) if record else None
    phase = phase_of(
        claims_file,
        frozen,
        (seed for runs in spec.seeds.values() for seed in runs.values()),
        run=spec.run_parts(),
        analysis=fr.analysis_digest(),
        program=fr.program() if frozen is not None and frozen.program else None,
        versions=fr.versions() if frozen is not None and frozen.versions else None,
    )
    header = data_header(spec, results)
    header["results"] = shown_path(results)
    header["config"] = ", ".join(shown_path(part.strip()) for part in str(header["config"]).split(","))
    header["phase"] = phase.header()
    header["phase"]["record"] = shown_path(header["phase"]["record"]) if header["phase"]["record"] else ""
    ctx = _recording_context()(
        results,
        {role: list(runs) for role, runs in spec.roles.items()},
        set(spec.produced),
        generators=frozenset(spec.generators),
        budgets=header["budget_by_name"],
        seeds={run: seed for runs in spec.seeds.values() for run, seed in runs.items()},
        bars={role: dict(bar) for role, bar in spec.bars.items()},
    )
    table = frame(evaluate_all(claims_file.claims, ctx, claims_path), phase)
    host = fr.host_text(fr.run_host())
    table["run_host"] = host
    raw = read_record(record) if record and phase.freeze is not None else None
    header["round"] = facts(raw, table_seeds(table), run_host=host, mismatch=phase.mismatch)
    line = (
        round_line(header["round"])
        + "\n\n"
        + f"Phase: {phase.phase}"
        + (f" ({phase.why})" if phase.why else "")
        + f"; claims file sha256 {phase.sha256}"
    )
    if phase.freeze is not None:
        line += f", frozen on {phase.freeze.date} ({phase.freeze.claims_sha256})"
    line += "\n\nData: " + "; ".join(
        f"{d['name']}: {d['label']}"
        + (f", {d['resolution']}" if d["resolution"] else "")
        + (f", {d['train']} train / {d['test']} test images" if d["train"] is not None else "")
        for d in header["datasets"]
    )
    if header["budgets"]:
        line += (
            "\n\nTraining budgets, this study vs the source (a row refers to its budget by number): "
            + "; ".join(
                f"{i}. {b['what']}: {b['ours']} vs {b['source']}"
                for i, b in enumerate(header["budgets"], start=1)
            )
        )
    sources = Path(claims_file.path).parent
    found = {
        "--results (a table the claims read)": [results / rel for rel in sorted(ctx.read)],
        "--results (a dataset's manifest)": [
            results / "data" / name / "manifest.parquet" for name in spec.datasets
        ],
        "--config (a source text)": [sources / rel for rel in claims_file.sources.values()],
    }
    return Page(table, header, line, found)


def write_page(page: Page, outputs: dict[str, str | None]) -> None:
    """Write the views named in ``outputs`` (``html``, ``md``, ``parquet``, ``rst`` -> a path or
    None); the texts are made before anything is written."""
    from advgen.io import write_parquet, write_text

    texts = {outputs[name]: make() for name, make in page.views().items() if outputs.get(name)}
    parquet = outputs.get("parquet")
    if parquet:
        write_parquet(page.table, parquet)
    for path, text in texts.items():
        assert path is not None
        write_text(path, text)


def claims_page(inputs: Files, outputs: Files, spec: ClaimsPageSpec) -> None:
    """The ``claims`` job: inputs ``claims`` (the claims file; its ``sources``, the ``tables``
    and ``manifests`` are declared so Snakemake orders the job after them) and ``results`` (the
    folder the tables are read under); outputs ``html``, ``md``, ``parquet`` and ``rst``."""
    page = evaluate_page(inputs.one("claims"), Path(inputs.one("results")), spec)
    refuse_found(outputs, page.found)
    write_page(page, {name: outputs.one(name) for name in ("html", "md", "parquet", "rst")})
