"""Claims stage (issue 15): the verdicts of ``config/claims.yaml`` on this run's tables.

The claims rule reads the claims file plus every table a claim names that this run's DAG
produces (the final outputs of the other stages and the GAN/autoencoder loss tables of the
configured models); a table no job produces stays off the inputs and its claims are "not
measured" on the page (:mod:`advgen.claims`), never a missing-input error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advgen import paths
from advgen.pipeline.base import Stage

#: the folder the claims' table paths are relative to
RESULTS = "results"


class ClaimsPlan(Stage):
    """``results/tables/claims.{md,parquet,rst}`` from the claims file and the run's tables."""

    def __init__(self, config: Mapping[str, Any], stages: Mapping[str, Stage], source: str = "config"):
        super().__init__(config, source)
        self.stages = stages

    @property
    def claims_file(self) -> str | None:
        return self.config.get("claims")

    def targets(self) -> list[str]:
        if not self.claims_file:
            return []
        return [paths.CLAIMS_MD, paths.CLAIMS_PARQUET, paths.CLAIMS_RST]

    def produced(self) -> set[str]:
        """Every table path the DAG can make that a claim may read."""
        out = {t for stage in self.stages.values() for t in stage.targets()}
        out |= {paths.fill(paths.GAN_LOSSES, gan=g) for g in self.section("gans")}
        out |= {paths.fill(paths.AE_LOSSES, ae=a) for a in self.section("autoencoders")}
        return out

    def tables(self) -> list[str]:
        """The claims' tables this run produces (paths under ``results/``), sorted."""
        from advgen.claims.spec import load_claims

        read = {f"{RESULTS}/{t.table}" for c in load_claims(self.claims_file) for t in c.terms}
        return sorted(read & self.produced())

    def results(self, wildcards: Any = None) -> str:
        """Params function of ``rule claims``: the folder the claims' tables are relative to."""
        return RESULTS

    def inputs(self, wildcards: Any = None) -> dict[str, Any]:
        """Input function of ``rule claims``: the claims file and the tables it reads."""
        return {"claims": self.claims_file, "tables": self.tables()}
