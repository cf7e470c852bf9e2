"""The transfer matrices' job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`) and
their small plan functions; the jobs are :mod:`advgen.robustness.jobs`' ``transfer_source`` and
``transfer_table`` (Szegedy et al. 2014; Goodfellow et al. 2015; Madry et al. 2018 for the
capacity matrix):

- ``transfer_source``: one job per source model of ``robustness.transfer`` (its adversarial
  examples and noise baselines on every model of the matrix), the unit of recomputation;
- ``transfer``: the matrix, its sources' rows concatenated in name order;
- ``transfer_capacity_source`` and ``transfer_capacity``: the same for the capacity sweep's
  models, one matrix per seed of its base classifier (a source's targets are the models of its
  seed; the table's ``within``; width and mode as columns from its ``meta``).
"""

from __future__ import annotations

from typing import Any

from advgen import paths
from advgen.pipeline.base import NAME, splits
from advgen.pipeline.jobkind import ONCE, JobKind, Values
from advgen.pipeline.jobkinds_robustness import model_files
from advgen.pipeline.plan import Plan
from advgen.robustness import jobs
from advgen.robustness.spec import TransferSettings, TransferSourceSpec, TransferTableSpec


def transfer_settings(plan: Plan) -> TransferSettings:
    settings = plan.robustness.settings.transfer
    assert settings is not None
    return settings


def transfer_sources(plan: Plan) -> list[Values]:
    """One job per classifier of the matrix, name order."""
    if not plan.robustness.settings.transfer:
        return []
    return [Values(source=name) for name in sorted(transfer_settings(plan).classifiers)]


def source_spec(
    plan: Plan, source: str, targets: list[str], attacks: tuple[str, ...], eps: float
) -> TransferSourceSpec:
    """One source's rows of a matrix of ``targets`` crafted by ``attacks`` at ``eps``; the noise
    seed of ``robustness.transfer`` (0 without that block)."""
    rob = plan.robustness
    transfer = rob.settings.transfer
    return TransferSourceSpec(
        source=source,
        targets=tuple(sorted(targets)),
        attacks={name: rob.attack_spec(name) for name in attacks},
        eps=eps,
        noise_seed=transfer.noise_seed if transfer else 0,
        eval=rob.eval_settings(),
        device=plan.study.device,
    )


def source_inputs(plan: Plan, targets: list[str]) -> dict[str, list[str]]:
    """The models of the matrix (name order: the source and its targets) and the first one's
    test split."""
    dataset = plan.robustness.classifier_dataset(sorted(targets)[0])
    return {"models": model_files(sorted(targets)), "test": [splits(dataset)["test"]]}


def transfer_source_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    return source_inputs(plan, list(transfer_settings(plan).classifiers))


def transfer_source_spec(plan: Plan, values: Values) -> TransferSourceSpec:
    settings = transfer_settings(plan)
    return source_spec(plan, values.source, list(settings.classifiers), settings.attacks, settings.eps)


def if_transfer(plan: Plan) -> list[Values]:
    return ONCE if plan.robustness.settings.transfer else []


def transfer_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every source's rows, sources in name order."""
    return {"tables": [paths.fill(paths.TRANSFER_SOURCE, **job) for job in transfer_sources(plan)]}


def transfer_spec(plan: Plan, values: Values) -> TransferTableSpec:
    return TransferTableSpec(sources=tuple(job.source for job in transfer_sources(plan)))


def capacity_meta(plan: Plan) -> dict[str, dict[str, Any]]:
    """Each capacity point's model: its width, mode and seed."""
    points = plan.robustness.sweep_points("capacity")
    return {p.classifier: {"width": p.value, "mode": p.mode, "seed": p.seed} for p in points}


def capacity_sources(plan: Plan) -> list[Values]:
    """One job per model of the capacity sweep, name order (none without its matrix)."""
    if plan.robustness.capacity_transfer_eps() is None:
        return []
    return [Values(source=name) for name in plan.robustness.point_models("capacity")]


def capacity_targets(plan: Plan, source: str) -> list[str]:
    """The capacity sweep's models of ``source``'s seed (its matrix), name order."""
    meta = capacity_meta(plan)
    return [
        name
        for name in plan.robustness.point_models("capacity")
        if meta[name]["seed"] == meta[source]["seed"]
    ]


def capacity_source_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    return source_inputs(plan, capacity_targets(plan, values.source))


def capacity_source_spec(plan: Plan, values: Values) -> TransferSourceSpec:
    """A source of the capacity matrix: the models of its seed, the matrix's attacks, its eps
    (its own, else the sweep's)."""
    rob = plan.robustness
    capacity, eps = rob.settings.capacity, rob.capacity_transfer_eps()
    assert capacity is not None and capacity.transfer is not None and eps is not None
    targets = capacity_targets(plan, values.source)
    return source_spec(plan, values.source, targets, capacity.transfer.attacks, eps)


def if_capacity_transfer(plan: Plan) -> list[Values]:
    return ONCE if plan.robustness.capacity_transfer_eps() is not None else []


def capacity_transfer_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every source's rows, sources in name order."""
    return {"tables": [paths.fill(paths.TRANSFER_CAPACITY_SOURCE, **job) for job in capacity_sources(plan)]}


def capacity_transfer_spec(plan: Plan, values: Values) -> TransferTableSpec:
    """The capacity sweep's models (one matrix per seed of the base classifier: ``within``),
    each model's width, mode and seed (``meta``)."""
    sources = tuple(job.source for job in capacity_sources(plan))
    return TransferTableSpec(sources=sources, within="seed", meta=capacity_meta(plan))


KINDS = (
    JobKind(
        "transfer_source",
        "one source model's rows of the transfer matrix: its adversarial examples on every model, with noise baselines",
        outputs={"table": paths.TRANSFER_SOURCE},
        each=transfer_sources,
        inputs=transfer_source_inputs,
        spec=transfer_source_spec,
        spec_type=TransferSourceSpec,
        run=jobs.transfer_source,
        resources={"gpu": 1},
        wildcard_constraints={"source": NAME},
        target=False,  # transfer concatenates them
    ),
    JobKind(
        "transfer",
        "transfer matrix: adversarial examples from model i evaluated on model j (its sources' rows)",
        outputs={"table": paths.TRANSFER},
        each=if_transfer,
        inputs=transfer_inputs,
        spec=transfer_spec,
        spec_type=TransferTableSpec,
        run=jobs.transfer_table,
    ),
    JobKind(
        "transfer_capacity_source",
        "one source model's rows of the capacity transfer matrix: its examples on the models of its seed",
        outputs={"table": paths.TRANSFER_CAPACITY_SOURCE},
        each=capacity_sources,
        inputs=capacity_source_inputs,
        spec=capacity_source_spec,
        spec_type=TransferSourceSpec,
        run=jobs.transfer_source,
        resources={"gpu": 1},
        wildcard_constraints={"source": NAME},
        target=False,  # transfer_capacity gathers them
    ),
    JobKind(
        "transfer_capacity",
        "transfer matrices across the capacity sweep's models, one per seed of its base classifier",
        outputs={"table": paths.TRANSFER_CAPACITY},
        each=if_capacity_transfer,
        inputs=capacity_transfer_inputs,
        spec=capacity_transfer_spec,
        spec_type=TransferTableSpec,
        run=jobs.transfer_table,
    ),
)
