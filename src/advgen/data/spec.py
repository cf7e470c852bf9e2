"""A dataset's spec: one entry of the config's ``datasets`` section, typed.

The workflow passes the validated entry (schema defaults filled in) to ``download-data`` and
``data-manifest``, and to ``prepare-data`` within a :class:`PreparedSplitSpec`;
:func:`advgen.config.dataset_spec` builds the typed spec from such an entry, filling the
schema's defaults (``data.schema.yaml#/$defs/dataset``) where a caller (a test, a command run by
hand) left keys out. No torch here: the config check
reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from advgen.specs import ConfigEntry, job_schema, spec_dict

#: the key of a dataset spec that only the other split reads
OTHER_CAP = {"train": "max_test", "test": "max_train"}


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's images come from and how they are resized, split and subsampled
    (the keys and their defaults: ``config/README.md``, ``datasets``)."""

    CONFIG_ENTRY: ClassVar[ConfigEntry] = ConfigEntry("data.dataset")

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


@dataclass(frozen=True)
class PreparedSplitSpec:
    """One prepared split's job (``prepare_data``): the dataset's name, the split (``train`` or
    ``test``) and the dataset's spec with the other split's cap left out (``None``: editing
    ``max_test`` leaves the training split, and the GANs reading it, alone)."""

    name: str = field(metadata=job_schema(ref="#/$defs/name"))
    split: str = field(
        metadata=job_schema(
            schema={"enum": ["train", "test"]}, description="the prepared split this job writes"
        )
    )
    dataset: DatasetSpec = field(
        metadata=job_schema(description="the dataset's entry; the other split's cap is null")
    )

    def entry(self) -> dict[str, Any]:
        """The dataset's config entry as the split records it: without the other split's cap."""
        return {k: v for k, v in spec_dict(self.dataset).items() if k != OTHER_CAP[self.split]}
