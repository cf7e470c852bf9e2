"""Data stage plan: download receipts and prepared splits."""

from __future__ import annotations

from advgen import paths
from advgen.config import spec_json
from advgen.data import BUNDLED_SOURCES
from advgen.pipeline.base import Stage


class DataPlan(Stage):
    def dataset(self, name: str) -> dict:
        return self.lookup(self.section("datasets"), name, "datasets", "dataset")

    def dataset_spec(self, wildcards) -> str:
        return spec_json(self.dataset(wildcards.dataset))

    def download_receipt(self, wildcards) -> list[str] | str:
        spec = self.dataset(wildcards.dataset)
        if spec["source"] not in BUNDLED_SOURCES and spec["download"]:
            return paths.DOWNLOAD_RECEIPT.format(dataset=wildcards.dataset)
        return []

    def targets(self) -> list[str]:
        return [paths.MANIFEST.format(dataset=d) for d in sorted(self.section("datasets"))]
