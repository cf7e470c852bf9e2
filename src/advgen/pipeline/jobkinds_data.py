"""The data stage's job kinds (:data:`KINDS`, rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`;
its plan is :class:`advgen.pipeline.data.DataPlan`): the torchvision downloads, the prepared splits
and the manifests.

The downloads and the manifests take the dataset's validated config entry as their spec
(:class:`~advgen.data.spec.DatasetSpec`, whose JSON is that entry); a split's job takes its
:class:`~advgen.data.spec.PreparedSplitSpec`: the dataset's name, the split and the entry without
the other split's cap: ``max_test`` is not in the training split's spec, ``max_train`` not in the
test split's, so editing ``max_test`` rewrites the test split only and the GANs, which read the
training split alone, do not rerun. The job functions are :mod:`advgen.data.jobs`.
"""

from __future__ import annotations

import dataclasses

from advgen import paths
from advgen.data import jobs
from advgen.data.spec import OTHER_CAP, DatasetSpec, PreparedSplitSpec
from advgen.pipeline.base import NAME
from advgen.pipeline.jobkind import JobKind, Values, no_inputs
from advgen.pipeline.plan import Plan

#: the prepared splits (wildcard ``{split}`` of prepare_data)
SPLITS = ("train", "test")


def spec(plan: Plan, values: Values) -> DatasetSpec:
    """The dataset's config entry, typed."""
    return plan.data.dataset(values.dataset)


# --- the manifest of each dataset (advgen.data.jobs.data_manifest)
def every_dataset(plan: Plan) -> list[Values]:
    return [Values(dataset=name) for name in plan.data.names()]


def manifest_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The two prepared splits."""
    return {split: [paths.fill(paths.PREPARED, split=split, **values)] for split in SPLITS}


# --- the torchvision downloads (advgen.data.jobs.download_data)
def downloaded(plan: Plan) -> list[Values]:
    """The datasets whose files torchvision fetches; their receipts are what ``prepare_data``
    reads first."""
    return [values for values in every_dataset(plan) if plan.data.downloads(values.dataset)]


# --- one prepared split (advgen.data.jobs.prepare_split)
def every_split(plan: Plan) -> list[Values]:
    return [Values(dataset=name, split=split) for name in plan.data.names() for split in SPLITS]


def split_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The download's receipt, where torchvision fetches the files."""
    if plan.data.downloads(values.dataset):
        return {"receipt": [paths.fill(paths.DOWNLOAD_RECEIPT, dataset=values.dataset)]}
    return {}


def split_spec(plan: Plan, values: Values) -> PreparedSplitSpec:
    """The dataset's name, the split, and its entry without the other split's cap."""
    dataset = plan.data.dataset(values.dataset)
    if OTHER_CAP[values.split] == "max_test":
        dataset = dataclasses.replace(dataset, max_test=None)
    else:
        dataset = dataclasses.replace(dataset, max_train=None)
    return PreparedSplitSpec(name=values.dataset, split=values.split, dataset=dataset)


KINDS = (
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
        "prepare_data",
        "prepare one split of a dataset (images as uint8, labels, source indices): results/data/<name>/<split>.pt",
        outputs={"split": paths.PREPARED},
        each=every_split,
        inputs=split_inputs,
        spec=split_spec,
        spec_type=PreparedSplitSpec,
        run=jobs.prepare_split,
        wildcard_constraints={"dataset": NAME, "split": "|".join(SPLITS)},
        job="{dataset}_{split}",
        target=False,  # what the trainings read
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
