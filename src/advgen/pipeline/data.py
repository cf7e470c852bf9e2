"""Data stage plan: the prepared splits (one job per split); the downloads and the manifests
are declared job kinds (:mod:`advgen.pipeline.jobkinds_data`).

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

    def split_spec(self, wildcards) -> str:
        """The spec of one split's job: the dataset's, without the other split's cap."""
        entry = self.dataset(wildcards.dataset)
        return spec_json({k: v for k, v in entry.items() if k != OTHER_CAP[wildcards.split]})

    def downloads(self, name: str) -> bool:
        """Whether torchvision fetches the dataset's files (``download: true``, a source no
        package ships): a ``download_data`` job."""
        entry = self.dataset(name)
        return entry["source"] not in BUNDLED_SOURCES and entry["download"]

    def download_receipt(self, wildcards) -> list[str] | str:
        if self.downloads(wildcards.dataset):
            return paths.DOWNLOAD_RECEIPT.format(dataset=wildcards.dataset)
        return []
