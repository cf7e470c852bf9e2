"""Provenance stage plan: the report's page of outputs built by other code than the installed advgen.

One job after every other stage's targets. Its ``params:`` hold the installed code's digest
(:func:`advgen.provenance.code_digest`), so Snakemake reruns it whenever the code changes
(which reruns nothing else: Snakemake does not watch imported modules) and after any output
it reads is rebuilt; the page then lists what older code built and the command rebuilding it.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from advgen import paths
from advgen.pipeline.base import Stage, display
from advgen.provenance import code_digest

#: the folder the job scans (every path of advgen.paths is under it)
RESULTS = "results"


class ProvenancePlan(Stage):
    """``results/provenance.html`` and its landing-page paragraph, from every other stage's outputs."""

    def __init__(self, config: Mapping[str, Any], stages: Mapping[str, Stage], source: str = "config"):
        super().__init__(config, source)
        self.stages = stages

    def targets(self) -> list[str]:
        return [paths.PROVENANCE_HTML, paths.PROVENANCE_RST]

    def inputs(self) -> list[str]:
        """Every other stage's targets: the job runs after the last of them."""
        return [t for stage in self.stages.values() for t in stage.targets()]

    def results(self, wildcards: Any = None) -> str:
        """Params function of ``rule provenance``: the folder it scans."""
        return RESULTS

    def digest(self) -> str:
        """The installed code's digest (the job's params: a code change reruns it)."""
        return code_digest()

    def snakemake_options(self, configfiles: Sequence[str]) -> str:
        """The options of the printed rebuild command: this run's config file(s), relative to the
        working folder when below it (so a moved or copied study does not rerun the page)."""
        files = " ".join(shlex.quote(display(f)) for f in configfiles)
        return f"--cores all --configfile {files}" if files else "--cores all"
