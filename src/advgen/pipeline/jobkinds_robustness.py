"""The robustness stage's job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`) and
their small plan functions (which jobs, their inputs, their typed spec):

- ``train_classifier``: one per classifier (the configured ones and the sweeps' points), its
  resume file a state output;
- ``attack``: one per (classifier, attack): editing one attack's eps grid or parameters reruns
  that attack only (on SLURM, ``profiles/slurm`` bundles these short jobs into group submissions);
- ``attack_table``: the curves concatenated (classifiers sorted, each one's attacks in config
  order), each classifier's table and the minimal-perturbation table;
- ``robustness_sweep_point``: one job per point of a capacity or data-size sweep (its clean and
  robust accuracy), the unit of recomputation;
- ``robustness_sweep``: one table per sweep, its points' rows;
- ``masking_checks`` and ``masking_table``: Carlini et al. 2019's gradient-masking checks, one
  job per (model, check), a model being a checked classifier or a purifier (its operating point,
  BPDA or exact gradients), Square as the black box. Each job's spec carries the config's values
  of only the settings its check reads (:data:`advgen.robustness.tables.MASKING_CHECK_SETTINGS`;
  the others stay at their :class:`~advgen.robustness.masking_spec.MaskingSettings` defaults):
  editing ``long_steps`` reruns the more_steps_restarts jobs only, ``n_queries`` the
  whitebox_vs_blackbox jobs only;
- ``worst_case`` and ``attack_success_by_class``: tables from the attacks' per-example outcomes.

The transfer matrices' kinds (one job per source model, then the table) are
:mod:`advgen.pipeline.jobkinds_transfer`.
"""

from __future__ import annotations

import dataclasses

from advgen import paths
from advgen.attacks.registry import MASKING_BLACKBOX
from advgen.classifiers.jobs import train_classifier_job
from advgen.classifiers.spec import ClassifierJobSpec
from advgen.pipeline.base import NAME, classifier_model, splits
from advgen.pipeline.figure_kinds import report
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values, no_settings
from advgen.pipeline.plan import Plan
from advgen.pipeline.robustness import SWEEP_PATTERN
from advgen.pipeline.training_kinds import per_seed_kind
from advgen.robustness import by_class, jobs, masking_job, worst_case
from advgen.robustness.masking_spec import BlackBoxSpec, MaskingJobSpec, MaskingSettings
from advgen.robustness.spec import AttackJobSpec, AttackTableSpec, SweepPointSpec, SweepSpec
from advgen.robustness.tables import MASKING_CHECK_SETTINGS, MASKING_CHECKS
from advgen.specs import NoSettings

#: the masking checks (wildcard ``{check}`` of masking_checks: one job per check)
MASKING_CHECK_PATTERN = "|".join(MASKING_CHECKS)


def model_files(names: list[str]) -> list[str]:
    """The checkpoints of classifiers ``names``, in that order."""
    return [classifier_model(name) for name in names]


# --- one classifier (advgen.classifiers.jobs)
#: a classifier run's outputs (``train_classifier``'s, and ``collect_classifier_seed``'s where its
#: seeds stack)
CLASSIFIER_OUTPUTS: dict[str, str | Output] = {
    "model": paths.CLASSIFIER_MODEL,
    "history": paths.CLASSIFIER_HISTORY,
}


def every_classifier(plan: Plan) -> list[Values]:
    """The configured classifiers and the sweeps' points, sorted (but the runs a stacked job trains)."""
    stacked = plan.stacking.runs("classifiers")
    return [Values(classifier=name) for name in sorted(plan.robustness.classifiers) if name not in stacked]


def configured_classifiers(plan: Plan) -> list[Values]:
    """The configured classifiers (the sweep tables ask for their points' models), but the runs
    a stacked job trains."""
    stacked = plan.stacking.runs("classifiers")
    return [Values(classifier=name) for name in sorted(plan.study.classifiers) if name not in stacked]


def classifier_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    dataset = plan.robustness.classifier_dataset(values.classifier)
    return {name: [path] for name, path in splits(dataset).items()}


def classifier_spec(plan: Plan, values: Values) -> ClassifierJobSpec:
    name = values.classifier
    return ClassifierJobSpec(name=name, classifier=plan.robustness.classifier_spec(name))


# --- one attack on one classifier (advgen.robustness.jobs.attack)
def every_attack(plan: Plan) -> list[Values]:
    return [Values(classifier=c, attack=a) for c, a in plan.robustness.attack_jobs]


def attack_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The classifier and its test split."""
    dataset = plan.robustness.classifier_dataset(values.classifier)
    return {"model": [classifier_model(values.classifier)], "test": [splits(dataset)["test"]]}


def attack_spec(plan: Plan, values: Values) -> AttackJobSpec:
    """One attack on one classifier: its settings and evaluation subset, nothing else (the unit of
    recomputation of the robustness curves)."""
    rob, classifier, name = plan.robustness, values.classifier, values.attack
    rob.check_attack_job(classifier, name)
    curve = rob.curve_spec(name)
    return AttackJobSpec(
        name=name,
        classifier=classifier,
        attack=curve,
        eval=rob.eval_settings(curve.max_examples),
        device=plan.study.device,
    )


# --- the curve tables (advgen.robustness.jobs.attack_table)
def if_attacks(plan: Plan) -> list[Values]:
    """One job when the config runs any attack."""
    return ONCE if plan.robustness.attack_jobs else []


def attacked(plan: Plan) -> list[tuple[str, str]]:
    """(classifier, attack) of every attack job: classifiers sorted, attacks in config order."""
    rob = plan.robustness
    return [(c, a) for c in rob.attacked_classifiers() for a in rob.classifier_attacks(c)]


def table_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """One curve table per (classifier, attack), classifiers sorted and each classifier's
    attacks in config order (its curve table's row order)."""
    return {"curves": [paths.fill(paths.ATTACK_CURVE, classifier=c, attack=a) for c, a in attacked(plan)]}


def table_spec(plan: Plan, values: Values) -> AttackTableSpec:
    return AttackTableSpec(classifiers=tuple(plan.robustness.attacked_classifiers()))


def classifier_tables(plan: Plan) -> list[str]:
    """Each attacked classifier's rows (``paths.ATTACK``), classifiers sorted."""
    return [paths.fill(paths.ATTACK, classifier=c) for c in plan.robustness.attacked_classifiers()]


# --- capacity / data-size sweep tables (advgen.robustness.jobs.sweep)
def every_sweep(plan: Plan) -> list[Values]:
    return [Values(sweep=s) for s in plan.robustness.sweeps()]


def every_sweep_point(plan: Plan) -> list[Values]:
    """One job per (sweep, point classifier): sweeps in plan order, points in name order."""
    rob = plan.robustness
    return [Values(sweep=s, point=name) for s in rob.sweeps() for name in rob.point_models(s)]


def sweep_point_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The point's classifier and the splits of the sweep's dataset (its first point's)."""
    rob = plan.robustness
    dataset = rob.classifier_dataset(rob.sweep_points(values.sweep)[0].classifier)
    return {"model": [classifier_model(values.point)], **{k: [v] for k, v in splits(dataset).items()}}


def sweep_point_spec(plan: Plan, values: Values) -> SweepPointSpec:
    rob, sweep = plan.robustness, values.sweep
    settings = rob.sweep_settings(sweep)
    point = {p.classifier: p for p in rob.sweep_points(sweep)}[values.point]
    return SweepPointSpec(
        sweep=sweep,
        point=values.point,
        classifier=rob.point_entry(point),
        attack=rob.attack_spec(settings.attack),
        eps=settings.eps,
        eval=rob.eval_settings(),
        device=plan.study.device,
        train_max_examples=settings.train_max_examples,
    )


def sweep_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every point's row, points in name order."""
    points = plan.robustness.point_models(values.sweep)
    return {"tables": [paths.fill(paths.ROBUSTNESS_SWEEP_POINT, sweep=values.sweep, point=p) for p in points]}


def sweep_spec(plan: Plan, values: Values) -> SweepSpec:
    return SweepSpec(sweep=values.sweep, points=tuple(plan.robustness.point_models(values.sweep)))


# --- gradient-masking checks (advgen.robustness.masking_job)
def masking_each(plan: Plan) -> list[Values]:
    """One job per (model, check): models in the robustness plan's order (the classifiers,
    then the purifiers), each model's checks in ``MASKING_CHECKS`` order."""
    return [
        Values(family=family, name=name, check=check)
        for family, name in plan.robustness.masking
        for check in MASKING_CHECKS
    ]


def masking_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The classifier's checkpoint and test split; a purifier's generator checkpoint."""
    rob = plan.robustness
    model = rob.masking[(values.family, values.name)]
    inputs = {
        "model": [classifier_model(model.classifier)],
        "test": [splits(rob.classifier_dataset(model.classifier))["test"]],
    }
    if model.generator:
        inputs["generator"] = [plan.study.generators.checkpoint(model.generator)]
    return inputs


def masking_spec(plan: Plan, values: Values) -> MaskingJobSpec:
    """One check on one model: the config's values of the settings that check reads
    (:data:`advgen.robustness.tables.MASKING_CHECK_SETTINGS`), the black-box attack (the
    registry's ``masking_blackbox`` entry with the config's ``n_queries``) only for the check that
    reads ``n_queries``, the model's purifier, gradient, images and seed, the plan's device."""
    model = plan.robustness.masking[(values.family, values.name)]
    fields = MASKING_CHECK_SETTINGS[values.check]
    spec = MaskingJobSpec(
        name=values.name,
        check=values.check,
        checks=MaskingSettings(**{k: v for k, v in model.checks.sizes().items() if k in fields}),
        blackbox=BlackBoxSpec(MASKING_BLACKBOX, {"n_queries": model.checks.n_queries})
        if "n_queries" in fields
        else None,
        max_examples=model.checks.max_examples,
        seed=model.seed,
        device=plan.study.device,
    )
    if model.purifier is None:
        return spec
    return dataclasses.replace(spec, purifier=model.purifier, gradient=model.gradient or spec.gradient)


def if_masking(plan: Plan) -> list[Values]:
    return ONCE if plan.robustness.masking else []


def masking_tables(plan: Plan, values: Values) -> dict[str, list[str]]:
    """One row per (model, check): models in job order (the classifiers, then the purifiers) and
    each model's checks in ``MASKING_CHECKS`` order."""
    return {"tables": [paths.fill(paths.MASKING_JOB, **job) for job in masking_each(plan)]}


# --- attack success per true class (advgen.robustness.by_class)
def by_class_spec(plan: Plan, values: Values) -> by_class.SuccessByClassSpec:
    rob = plan.robustness
    datasets = {c: rob.classifier_dataset(c) for c in rob.attacked_classifiers()}
    return by_class.SuccessByClassSpec(datasets=datasets, manifests=tuple(sorted(set(datasets.values()))))


def by_class_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every attack job's per-example table, and the manifest of each attacked data set."""
    return {
        "examples": [paths.fill(paths.ATTACK_EXAMPLES, classifier=c, attack=a) for c, a in attacked(plan)],
        "manifests": [paths.fill(paths.MANIFEST, dataset=d) for d in by_class_spec(plan, values).manifests],
    }


# --- worst case per example over an attack set (advgen.robustness.worst_case)
def if_worst_case(plan: Plan) -> list[Values]:
    """One job when some classifier runs every attack of ``robustness.worst_case.attacks``."""
    return ONCE if plan.robustness.worst_case_classifiers() else []


def worst_case_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The per-example tables of the set's attacks on those classifiers, and of the standard
    attack where it ran on one of them (nothing else: editing another attack reruns nothing)."""
    rob = plan.robustness
    return {
        "tables": [
            paths.fill(paths.ATTACK_EXAMPLES, classifier=c, attack=a)
            for c in rob.worst_case_classifiers()
            for a in rob.worst_case_attacks(c)
        ]
    }


def worst_case_spec(plan: Plan, values: Values) -> worst_case.WorstCaseSpec:
    settings = plan.robustness.settings.worst_case
    assert settings is not None
    return worst_case.WorstCaseSpec(attacks=settings.attacks, standard=settings.standard)


KINDS = (
    per_seed_kind(
        "classifiers",
        "train a classifier: results/classifiers/<name>/{model.pt,history.parquet}",
        CLASSIFIER_OUTPUTS,
        paths.CLASSIFIER_RESUME,
        every_classifier,
        classifier_inputs,
        classifier_spec,
        ClassifierJobSpec,
        train_classifier_job,
        target="history",
        target_jobs=configured_classifiers,
    ),
    JobKind(
        "attack",
        "attack a classifier with the attack of its spec over its eps grid: curve and per-example tables",
        outputs={"curve": paths.ATTACK_CURVE, "examples": paths.ATTACK_EXAMPLES},
        each=every_attack,
        inputs=attack_inputs,
        spec=attack_spec,
        spec_type=AttackJobSpec,
        run=jobs.attack,
        resources={"gpu": 1},
        wildcard_constraints={"classifier": NAME, "attack": NAME},
        target=False,  # attack_table concatenates them
    ),
    JobKind(
        "attack_table",
        "concatenate the attack curves; each classifier's rows; the L-BFGS/DeepFool minimal-perturbation table",
        outputs={
            "curves": paths.ATTACKS,
            "minimal": paths.MINIMAL_PERTURBATION,
            "classifiers": Output(each=classifier_tables),
        },
        each=if_attacks,
        inputs=table_inputs,
        spec=table_spec,
        spec_type=AttackTableSpec,
        run=jobs.attack_table,
        target=("curves", "minimal"),
    ),
    JobKind(
        "robustness_sweep_point",
        "one capacity / data-size sweep point: its clean and robust accuracy (and training-set ones)",
        outputs={"table": paths.ROBUSTNESS_SWEEP_POINT},
        each=every_sweep_point,
        inputs=sweep_point_inputs,
        spec=sweep_point_spec,
        spec_type=SweepPointSpec,
        run=jobs.sweep_point,
        resources={"gpu": 1},
        wildcard_constraints={"sweep": SWEEP_PATTERN, "point": NAME},
        target=False,  # the sweep's table gathers them
    ),
    JobKind(
        "robustness_sweep",
        "capacity / data-size sweep table: clean and robust accuracy per point (its points' rows)",
        outputs={"table": paths.ROBUSTNESS_SWEEP},
        each=every_sweep,
        inputs=sweep_inputs,
        spec=sweep_spec,
        spec_type=SweepSpec,
        run=jobs.sweep,
        wildcard_constraints={"sweep": SWEEP_PATTERN},
    ),
    JobKind(
        "masking_checks",
        "one gradient-masking check (Carlini et al. 2019) on a classifier or purifier pipeline -> Parquet",
        outputs={"table": paths.MASKING_JOB},
        each=masking_each,
        inputs=masking_inputs,
        spec=masking_spec,
        spec_type=MaskingJobSpec,
        run=masking_job.masking_checks_job,
        resources={"gpu": 1},
        target=False,  # masking_table concatenates the rows
        wildcard_constraints={"family": "classifier|purifier", "name": NAME, "check": MASKING_CHECK_PATTERN},
    ),
    JobKind(
        "masking_table",
        "concatenate the gradient-masking checks' rows; their Markdown table",
        outputs={
            "table": paths.MASKING,
            "markdown": Output(
                paths.TABLE_MD.format(table="masking"),
                report=report("table_masking", "Tables", {"table": "masking"}),
            ),
        },
        each=if_masking,
        inputs=masking_tables,
        spec=no_settings,
        spec_type=NoSettings,
        run=jobs.masking_table,
        job="masking",
    ),
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
)
