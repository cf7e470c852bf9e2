"""Data stage plan: the datasets of the config (:class:`~advgen.data.spec.DatasetSpec` each) and
which of them torchvision downloads. The stage's jobs (the downloads, one ``prepare_data`` job
per split, the manifests) are job kinds (:mod:`advgen.pipeline.jobkinds_data`).

Each split is its own job whose spec leaves out the other split's cap (``max_test`` is not in
the training split's spec, ``max_train`` not in the test split's), so editing ``max_test``
rewrites the test split only: the GANs, which read the training split alone, do not rerun.
"""

from __future__ import annotations

from advgen.data import BUNDLED_SOURCES
from advgen.data.spec import DatasetSpec
from advgen.pipeline.base import Stage

#: the prepared splits (wildcard ``{split}`` of prepare_data)
SPLITS = ("train", "test")


class DataPlan(Stage):
    def dataset(self, name: str) -> DatasetSpec:
        return self.lookup(self.study.datasets, name, "datasets", "dataset")

    def names(self) -> list[str]:
        """The datasets, sorted."""
        return sorted(self.study.datasets)

    def downloads(self, name: str) -> bool:
        """Whether torchvision fetches the dataset's files (``download: true``, a source no
        package ships): a ``download_data`` job."""
        spec = self.dataset(name)
        return spec.source not in BUNDLED_SOURCES and spec.download
