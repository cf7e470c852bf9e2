"""The declared job kinds: one :class:`~advgen.pipeline.jobkind.JobKind` per kind of job.

``workflow/rules/jobs.smk`` generates each row's rule (name, ``input:``, ``output:``,
``log:``, ``benchmark:``, ``resources:``, ``params: spec``), ``advgen <name with dashes>`` runs
one job through the row's ``run`` function, and ``rule all`` asks for the outputs of every job
``each`` lists. A row's small plan functions (which jobs, their inputs, their typed spec) sit
next to it; they read the other stages' plans through ``plan.stages``.

Adding a job kind (``docs/contributing.md``): its output paths in ``advgen/paths.py``, its
library function and spec dataclass, one row here, and its line in ``docs/reruns.md``.
"""

from __future__ import annotations

from advgen import paths
from advgen.pipeline import jobkinds_data, jobkinds_features, jobkinds_robustness
from advgen.pipeline.jobkind import ONCE, JobKind, Values
from advgen.robustness import by_class, worst_case


# --- attack success per true class (advgen.robustness.by_class)
def if_attacks(plan) -> list[Values]:
    """One job when the config runs any attack."""
    return ONCE if plan.stages["robustness"].attack_jobs else []


def attacked(plan) -> list[tuple[str, str]]:
    """(classifier, attack) of every attack job: classifiers sorted, attacks in config order."""
    rob = plan.stages["robustness"]
    return [(c, a) for c in rob.attacked_classifiers() for a in rob.classifier_attacks(c)]


def by_class_spec(plan, values: Values) -> by_class.SuccessByClassSpec:
    rob = plan.stages["robustness"]
    datasets = {c: rob.classifier_dataset(c) for c in rob.attacked_classifiers()}
    return by_class.SuccessByClassSpec(datasets=datasets, manifests=tuple(sorted(set(datasets.values()))))


def by_class_inputs(plan, values: Values) -> dict[str, list[str]]:
    """Every attack job's per-example table, and the manifest of each attacked data set."""
    return {
        "examples": [paths.fill(paths.ATTACK_EXAMPLES, classifier=c, attack=a) for c, a in attacked(plan)],
        "manifests": [paths.fill(paths.MANIFEST, dataset=d) for d in by_class_spec(plan, values).manifests],
    }


# --- worst case per example over an attack set (advgen.robustness.worst_case)
def if_worst_case(plan) -> list[Values]:
    """One job when some classifier runs every attack of ``robustness.worst_case.attacks``."""
    return ONCE if plan.stages["robustness"].worst_case_classifiers() else []


def worst_case_inputs(plan, values: Values) -> dict[str, list[str]]:
    """The per-example tables of the set's attacks on those classifiers, and of the standard
    attack where it ran on one of them (nothing else: editing another attack reruns nothing)."""
    return {"tables": plan.stages["robustness"].worst_case_inputs()}


def worst_case_spec(plan, values: Values) -> worst_case.WorstCaseSpec:
    settings = plan.stages["robustness"].worst_case()
    return worst_case.WorstCaseSpec(attacks=tuple(settings["attacks"]), standard=settings.get("standard"))


JOB_KINDS: tuple[JobKind, ...] = (
    JobKind(
        "worst_case",
        "worst case per example over a set of attacks, and its gap to AutoAttack's standard budget",
        outputs={"table": paths.WORST_CASE},
        each=if_worst_case,
        inputs=worst_case_inputs,
        spec=worst_case_spec,
        spec_type=worst_case.WorstCaseSpec,
        run=worst_case.worst_case,
    ),
    JobKind(
        "attack_success_by_class",
        "attack success per true class (classifier, attack, eps) from the attacks' per-example tables",
        outputs={"table": paths.ATTACK_SUCCESS_BY_CLASS},
        each=if_attacks,
        inputs=by_class_inputs,
        spec=by_class_spec,
        spec_type=by_class.SuccessByClassSpec,
        run=by_class.attack_success_by_class,
    ),
    *jobkinds_data.KINDS,
    *jobkinds_features.KINDS,
    *jobkinds_robustness.KINDS,
)

#: the rows by name
BY_NAME: dict[str, JobKind] = {kind.name: kind for kind in JOB_KINDS}
