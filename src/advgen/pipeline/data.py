"""Data stage plan: the datasets of the config, each a :class:`~advgen.data.spec.DatasetSpec`, and
which of them torchvision downloads. The jobs are job kinds (:mod:`advgen.pipeline.jobkinds_data`)."""

from __future__ import annotations

from advgen.data.sources import BUNDLED_SOURCES
from advgen.data.spec import DatasetSpec
from advgen.pipeline.base import Stage


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
