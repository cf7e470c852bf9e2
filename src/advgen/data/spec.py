"""A dataset's spec: one entry of the config's ``datasets`` section, typed.

The workflow passes the validated entry (schema defaults filled in) to ``prepare-data``,
``download-data`` and ``data-manifest``; :func:`advgen.config.dataset_spec` builds the typed
spec from such an entry, filling the schema's defaults (``data.schema.yaml#/$defs/dataset``)
where a caller (a test, a command run by hand) left keys out. No torch here: the config check
reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's images come from and how they are resized, split and subsampled
    (the keys and their defaults: ``config/README.md``, ``datasets``)."""

    source: str
    image_size: int
    download: bool
    test_fraction: float
    split_seed: int
    max_train: int | None
    max_test: int | None
    center_crop: int
    celeba_attribute: str
    root: str | None = None

    @property
    def folder(self) -> str:
        """The torchvision-layout folder: ``root``, else ``resources/<source>``."""
        return self.root or f"resources/{self.source}"
