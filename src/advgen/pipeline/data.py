"""Data stage plan: download receipts, prepared splits (one job per split) and manifests.

Each split is its own job whose spec leaves out the other split's cap (``max_test`` is not in
the training split's spec, ``max_train`` not in the test split's), so editing ``max_test``
rewrites the test split only: the GANs, which read the training split alone, do not rerun.
"""

from __future__ import annotations

from advgen import paths
from advgen.config import spec_json
from advgen.data import BUNDLED_SOURCES
from advgen.pipeline.base import Stage

#: the prepared splits (wildcard ``{split}`` of prepare_data)
SPLITS = ("train", "test")
#: the key of a dataset spec that only the other split reads
OTHER_CAP = {"train": "max_test", "test": "max_train"}


class DataPlan(Stage):
    def dataset(self, name: str) -> dict:
        return self.lookup(self.section("datasets"), name, "datasets", "dataset")

    def dataset_spec(self, wildcards) -> str:
        return spec_json(self.dataset(wildcards.dataset))

    def split_spec(self, wildcards) -> str:
        """The spec of one split's job: the dataset's, without the other split's cap."""
        entry = self.dataset(wildcards.dataset)
        return spec_json({k: v for k, v in entry.items() if k != OTHER_CAP[wildcards.split]})

    def download_receipt(self, wildcards) -> list[str] | str:
        entry = self.dataset(wildcards.dataset)
        if entry["source"] not in BUNDLED_SOURCES and entry["download"]:
            return paths.DOWNLOAD_RECEIPT.format(dataset=wildcards.dataset)
        return []

    def targets(self) -> list[str]:
        return [paths.MANIFEST.format(dataset=d) for d in sorted(self.section("datasets"))]
