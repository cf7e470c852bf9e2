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

from typing import Any, ClassVar

from advgen import paths
from advgen.pipeline.base import NAME, splits
from advgen.pipeline.jobkind import ONCE, JobKind, Values
from advgen.pipeline.jobkinds_robustness import model_files
from advgen.pipeline.plan import Plan
from advgen.robustness import jobs
from advgen.robustness.spec import TransferSettings, TransferSourceSpec, TransferTableSpec


class Matrix:
    """A transfer matrix: its two kinds (:meth:`kinds`), and what differs between the matrices
    (the subclasses): its rules' name, paths and help, which sources (``None``: the config runs no
    such matrix), a source's targets, the attacks and eps its examples are crafted with, the
    table's spec."""

    name: ClassVar[str]
    source_table: ClassVar[str]
    table: ClassVar[str]
    source_help: ClassVar[str]
    help: ClassVar[str]

    def sources(self, plan: Plan) -> list[str] | None:
        raise NotImplementedError

    def targets(self, plan: Plan, source: str) -> list[str]:
        raise NotImplementedError

    def crafted(self, plan: Plan) -> tuple[tuple[str, ...], float]:
        raise NotImplementedError

    def table_spec(self, plan: Plan, sources: tuple[str, ...]) -> TransferTableSpec:
        raise NotImplementedError

    def kinds(self) -> tuple[JobKind[TransferSourceSpec], JobKind[TransferTableSpec]]:
        """``<name>_source``, one job per source model, and ``<name>``, its sources' rows
        concatenated in source order."""
        return source_kind(self), table_kind(self)


class Transfer(Matrix):
    """``robustness.transfer``: every classifier of the block on every one, sources in name order."""

    name = "transfer"
    source_table = paths.TRANSFER_SOURCE
    table = paths.TRANSFER
    source_help = (
        "one source model's rows of the transfer matrix: its adversarial examples on every model, "
        "with noise baselines"
    )
    help = "transfer matrix: adversarial examples from model i evaluated on model j (its sources' rows)"

    @staticmethod
    def settings(plan: Plan) -> TransferSettings:
        settings = plan.robustness.settings.transfer
        assert settings is not None
        return settings

    def sources(self, plan: Plan) -> list[str] | None:
        return sorted(self.settings(plan).classifiers) if plan.robustness.settings.transfer else None

    def targets(self, plan: Plan, source: str) -> list[str]:
        return list(self.settings(plan).classifiers)

    def crafted(self, plan: Plan) -> tuple[tuple[str, ...], float]:
        settings = self.settings(plan)
        return settings.attacks, settings.eps

    def table_spec(self, plan: Plan, sources: tuple[str, ...]) -> TransferTableSpec:
        return TransferTableSpec(sources=sources)


class Capacity(Matrix):
    """The capacity sweep's models: one matrix per seed of its base classifier (a source's targets
    are the models of its seed: the table's ``within``), the matrix's attacks at its eps (its own,
    else the sweep's); each model's width, mode and seed are the table's ``meta``."""

    name = "transfer_capacity"
    source_table = paths.TRANSFER_CAPACITY_SOURCE
    table = paths.TRANSFER_CAPACITY
    source_help = (
        "one source model's rows of the capacity transfer matrix: its examples on the models of its seed"
    )
    help = "transfer matrices across the capacity sweep's models, one per seed of its base classifier"

    @staticmethod
    def meta(plan: Plan) -> dict[str, dict[str, Any]]:
        """Each capacity point's model: its width, mode and seed."""
        points = plan.robustness.sweep_points("capacity")
        return {p.classifier: {"width": p.value, "mode": p.mode, "seed": p.seed} for p in points}

    def sources(self, plan: Plan) -> list[str] | None:
        if plan.robustness.capacity_transfer_eps() is None:
            return None
        return plan.robustness.point_models("capacity")

    def targets(self, plan: Plan, source: str) -> list[str]:
        meta = self.meta(plan)
        return [
            name
            for name in plan.robustness.point_models("capacity")
            if meta[name]["seed"] == meta[source]["seed"]
        ]

    def crafted(self, plan: Plan) -> tuple[tuple[str, ...], float]:
        rob = plan.robustness
        capacity, eps = rob.settings.capacity, rob.capacity_transfer_eps()
        assert capacity is not None and capacity.transfer is not None and eps is not None
        return capacity.transfer.attacks, eps

    def table_spec(self, plan: Plan, sources: tuple[str, ...]) -> TransferTableSpec:
        return TransferTableSpec(sources=sources, within="seed", meta=self.meta(plan))


def source_spec(plan: Plan, source: str, targets: list[str], matrix: Matrix) -> TransferSourceSpec:
    """One source's rows of a matrix of ``targets``, crafted as ``matrix`` says; the noise seed of
    ``robustness.transfer`` (0 without that block)."""
    rob = plan.robustness
    transfer = rob.settings.transfer
    attacks, eps = matrix.crafted(plan)
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


def each_source(plan: Plan, matrix: Matrix) -> list[Values]:
    return [Values(source=source) for source in matrix.sources(plan) or []]


def source_kind(matrix: Matrix) -> JobKind[TransferSourceSpec]:
    """One job per source model of ``matrix``: its adversarial examples and noise baselines on its
    targets, the unit of recomputation."""

    def sources(plan: Plan) -> list[Values]:
        return each_source(plan, matrix)

    def inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
        return source_inputs(plan, matrix.targets(plan, values.source))

    def spec(plan: Plan, values: Values) -> TransferSourceSpec:
        return source_spec(plan, values.source, matrix.targets(plan, values.source), matrix)

    return JobKind(
        f"{matrix.name}_source",
        matrix.source_help,
        outputs={"table": matrix.source_table},
        each=sources,
        inputs=inputs,
        spec=spec,
        spec_type=TransferSourceSpec,
        run=jobs.transfer_source,
        resources={"gpu": 1},
        wildcard_constraints={"source": NAME},
        target=False,  # the matrix's table gathers them
    )


def table_kind(matrix: Matrix) -> JobKind[TransferTableSpec]:
    """The matrix: its sources' rows concatenated in source order."""

    def once(plan: Plan) -> list[Values]:
        return ONCE if matrix.sources(plan) is not None else []

    def tables(plan: Plan, values: Values) -> dict[str, list[str]]:
        """Every source's rows, sources in name order."""
        return {"tables": [paths.fill(matrix.source_table, **job) for job in each_source(plan, matrix)]}

    def spec(plan: Plan, values: Values) -> TransferTableSpec:
        return matrix.table_spec(plan, tuple(job.source for job in each_source(plan, matrix)))

    return JobKind(
        matrix.name,
        matrix.help,
        outputs={"table": matrix.table},
        each=once,
        inputs=tables,
        spec=spec,
        spec_type=TransferTableSpec,
        run=jobs.transfer_table,
    )


KINDS = (*Transfer().kinds(), *Capacity().kinds())
