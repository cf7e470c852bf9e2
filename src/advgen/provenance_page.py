"""The provenance page: which outputs were built by other code than the installed advgen.

Rendered from :func:`advgen.provenance.scan` by the workflow's ``provenance`` job
(:func:`provenance_job`; its spec holds the code digest, so it reruns whenever the installed
code changes, and after any output it reads is rebuilt): an HTML page (a report entry, category
"Provenance") and a reStructuredText paragraph on the report's landing page. Both say when
they were made: a page is as current as the last ``snakemake`` run that wrote it.
No torch here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advgen.jobfiles import Files, refuse_found
from advgen.provenance import Output, rebuild_command
from advgen.specs import job_schema


@dataclass(frozen=True)
class ProvenanceReport:
    """The outputs under a results folder against the installed code's digest."""

    results: str
    digest: str
    outputs: tuple[Output, ...]
    options: str = "--cores all"

    @property
    def stale(self) -> list[Output]:
        """The outputs built by other code, or with no record."""
        return [o for o in self.outputs if not o.current(self.digest)]

    def command(self) -> str:
        """The ``snakemake`` command rebuilding the stale outputs and what depends on them."""
        return rebuild_command([o.path for o in self.stale], self.options)

    def summary(self) -> str:
        """One sentence: every output current, or how many are not."""
        n, short = len(self.outputs), self.digest[:16]
        if not self.stale:
            return (
                f"All {n} checkpoints and tables under {self.results}/ were built by the installed "
                f"advgen code ({short})."
            )
        return (
            f"{len(self.stale)} of {n} checkpoints and tables under {self.results}/ were not built by the "
            f"installed advgen code ({short}); their numbers may differ from what it computes."
        )

    def lines(self) -> list[tuple[str, str]]:
        """``(path, why)`` per stale output."""
        return [
            (str(o.path), "no provenance record" if o.code is None else f"built by code {o.code[:16]}")
            for o in self.stale
        ]

    def html(self) -> str:
        """A static page: the summary, the stale outputs and the rebuild command."""
        e = html.escape
        rows = "\n".join(f"<tr><td><code>{e(p)}</code></td><td>{e(why)}</td></tr>" for p, why in self.lines())
        body = ["<h1>Provenance</h1>", f"<p>{e(self.summary())}</p>"]
        if self.stale:
            body += [
                "<p>Rebuild them and every output made from them with:</p>",
                f"<pre>{e(self.command())}</pre>",
                "<table><thead><tr><th>output</th><th>recorded</th></tr></thead>",
                f"<tbody>\n{rows}\n</tbody></table>",
            ]
        body.append(
            "<p>Each checkpoint and Parquet table records the digest of the advgen code that wrote it. "
            "This page was made by the last <code>snakemake</code> run; "
            f"<code>advgen provenance {e(self.results)}</code> checks again now.</p>"
        )
        style = (
            "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
            "pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:.5em}"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>advgen provenance</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
        )

    def rst(self) -> str:
        """The landing page's paragraph (the list and the command are on the HTML page)."""
        text = f"**Provenance.** {self.summary()}"
        if self.stale:
            text += (
                " The list and the ``snakemake`` command that rebuilds them are under Provenance"
                f" in this report; ``advgen provenance {self.results}`` prints both."
            )
        return text + "\n\n"


def write_pages(report: ProvenanceReport, html_path: str | Path, rst_path: str | Path) -> None:
    """Write both views atomically."""
    from advgen.io import write_text

    write_text(html_path, report.html())
    write_text(rst_path, report.rst())


@dataclass(frozen=True)
class ProvenancePageSpec:
    """The ``provenance`` job's spec: the options its printed rebuild command starts with (this
    run's config files) and the installed code's digest (:func:`advgen.provenance.code_digest`:
    a code change reruns this job alone, Snakemake watching no imported module)."""

    snakemake_options: str = field(
        metadata=job_schema(
            ref="#/$defs/text",
            description="the options the page's rebuild command starts with (this run's config files)",
        )
    )
    code: str = field(
        metadata=job_schema(
            schema={"type": "string", "minLength": 1, "maxLength": 200},
            description="the installed code's digest (advgen.provenance.code_digest; a change reruns the page)",
        )
    )


def provenance_job(inputs: Files, outputs: Files, spec: ProvenancePageSpec) -> None:
    """The ``provenance`` job: scan input ``results`` (a folder: every checkpoint and table
    under it; the other targets are declared so Snakemake runs this job last) and write outputs
    ``html`` (the report's page) and ``rst`` (its landing-page paragraph)."""
    from advgen.provenance import code_digest, scan

    results = inputs.one("results")
    scanned = tuple(scan(results))
    refuse_found(outputs, {f"{results} (scanned)": [output.path for output in scanned]})
    report = ProvenanceReport(str(results).rstrip("/") or "/", code_digest(), scanned, spec.snakemake_options)
    write_pages(report, outputs.one("html"), outputs.one("rst"))
    print_report(report)


def print_report(report: ProvenanceReport) -> None:
    """Each output not built by the installed code and why, then the command rebuilding them
    (or that every output is current)."""
    for path, why in report.lines():
        print(f"{path}: {why}")
    if report.stale:
        print(
            f"{len(report.stale)} of {len(report.outputs)} outputs were not built by the installed code "
            f"({report.digest[:16]}); rebuild them and what depends on them with:"
        )
        print(f"  {report.command()}")
    else:
        n = len(report.outputs)
        print(
            f"{report.results}: all {n} checkpoints and tables built by the installed code ({report.digest[:16]})"
        )


__all__: Sequence[str] = [
    "ProvenancePageSpec",
    "ProvenanceReport",
    "print_report",
    "provenance_job",
    "write_pages",
]
