"""The data stage's declared job kinds (:data:`KINDS`, rows of
:data:`advgen.pipeline.jobkinds.JOB_KINDS`): the torchvision downloads and the manifests.

Both take the dataset's validated config entry as their spec
(:class:`~advgen.data.spec.DatasetSpec`, whose JSON is that entry). ``prepare_data`` (one
job per split) is a literal rule of ``workflow/rules/data.smk``: its spec leaves out the other
split's cap but keeps its own even when null, which no one dataclass gives back as the same
JSON, and the dataset and split names it writes into the checkpoint are wildcards, not part of
that spec (adding them would change every split's spec, and so rerun every prepared split and
all that reads it).
"""

from __future__ import annotations

from advgen import paths
from advgen.config import dataset_spec
from advgen.data import jobs
from advgen.data.spec import DatasetSpec
from advgen.pipeline.data import SPLITS
from advgen.pipeline.jobkind import JobKind, Values


def spec(plan, values: Values) -> DatasetSpec:
    """The dataset's config entry, typed."""
    name = values["dataset"]
    entry = plan.stages["data"].dataset(name)
    return dataset_spec(entry, f"{plan.source}: datasets.{name}")


# --- the manifest of each dataset (advgen.data.jobs.data_manifest)
def every_dataset(plan) -> list[Values]:
    return [{"dataset": name} for name in sorted(plan.stages["data"].section("datasets"))]


def manifest_inputs(plan, values: Values) -> dict[str, list[str]]:
    """The two prepared splits."""
    return {split: [paths.fill(paths.PREPARED, split=split, **values)] for split in SPLITS}


# --- the torchvision downloads (advgen.data.jobs.download_data)
def downloaded(plan) -> list[Values]:
    """The datasets whose files torchvision fetches; their receipts are what ``prepare_data``
    reads first."""
    return [values for values in every_dataset(plan) if plan.stages["data"].downloads(values["dataset"])]


def no_inputs(plan, values: Values) -> dict[str, list[str]]:
    return {}


KINDS: tuple[JobKind, ...] = (
    JobKind(
        "download_data",
        "download a dataset with torchvision into its root and write a JSON receipt",
        outputs={"receipt": paths.DOWNLOAD_RECEIPT},
        each=downloaded,
        inputs=no_inputs,
        spec=spec,
        spec_type=DatasetSpec,
        run=jobs.download_data,
        target=False,  # what prepare_data reads first, not a result
    ),
    JobKind(
        "data_manifest",
        "write a dataset's manifest (.parquet) from its prepared train and test splits",
        outputs={"manifest": paths.MANIFEST},
        each=every_dataset,
        inputs=manifest_inputs,
        spec=spec,
        spec_type=DatasetSpec,
        run=jobs.data_manifest,
        local=True,  # reads two small files: no cluster submission of its own
    ),
)
