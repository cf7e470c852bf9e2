"""A dataset's spec: one entry of the config's ``datasets`` section, typed.

The workflow passes the validated entry (schema defaults filled in) to ``prepare-data``,
``download-data`` and ``data-manifest``; :func:`dataset_spec` builds the typed spec from such
an entry, filling the schema's defaults (``data.schema.yaml#/$defs/dataset``) where a caller
(a test, a command run by hand) left keys out. No torch here: the config check reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advgen.specs import typed_spec


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


def dataset_spec(entry: Mapping[str, Any], what: str = "--spec") -> DatasetSpec:
    """The typed spec of a ``datasets`` entry, the schema's defaults filled in; a bad entry is
    one line naming ``what`` and the key."""
    from advgen.config import complete_entry

    return typed_spec(DatasetSpec, complete_entry(dict(entry), "data.schema.yaml", "dataset", what), what)
