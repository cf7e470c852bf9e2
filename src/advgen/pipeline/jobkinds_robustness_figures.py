"""The robustness stage's figure families (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`,
:mod:`advgen.pipeline.figure_kinds`): the accuracy curves, the minimal perturbations, the
transfer matrix, each classifier sweep, the adversarial examples (the review's Figs. 2-3: each
figure runs its classifier's attacks, one job per classifier) and the Markdown table of the
attacks; with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.base import classifier_model, splits
from advgen.pipeline.figure_kinds import figure, figures, png, table_input, template
from advgen.pipeline.jobkind import ONCE, Values, no_settings
from advgen.pipeline.jobkinds_robustness import if_attacks
from advgen.pipeline.plan import Plan
from advgen.plots import families
from advgen.plots.examples import adversarial_examples
from advgen.plots.figure_specs import ExampleAttack, ExamplesSpec, OneTableSpec, SweepCurvesSpec, SweepPlot
from advgen.plots.robustness import accuracy_curves, minimal_perturbation, transfer_heatmaps
from advgen.robustness import plan as expansion
from advgen.specs import NoSettings


# --- which figures
def if_minimal(plan: Plan) -> list[Values]:
    rob = plan.robustness
    return ONCE if rob.attack_jobs and rob.minimal_attacks else []


def if_transfer(plan: Plan) -> list[Values]:
    return ONCE if plan.robustness.settings.transfer else []


def robustness_sweeps(plan: Plan) -> list[Values]:
    return [Values(robustness_sweep=s) for s in plan.robustness.sweeps()]


def example_classifiers(plan: Plan) -> list[Values]:
    examples = plan.robustness.settings.examples
    return [Values(classifier=name) for name in (examples.classifiers if examples else ())]


# --- inputs and specs
def classifiers_figure(plan: Plan, values: Values) -> OneTableSpec:
    """A figure of one table over every classifier."""
    return OneTableSpec(f"classifiers on {', '.join(sorted(plan.study.datasets))}", plan.study.plots.dpi)


def sweep_plot(plan: Plan, values: Values) -> SweepPlot:
    """A sweep's title and kind; a named data-size sweep (robustness.data_size_sweeps) names its
    own data set."""
    name = values.robustness_sweep
    if name in expansion.SWEEPS:
        return SweepPlot(f"classifiers on {', '.join(sorted(plan.study.datasets))}", name)
    rob = plan.robustness
    dataset = rob.classifier_dataset(rob.sweep_settings(name).classifier)
    return SweepPlot(f"{name}: classifiers on {dataset}", expansion.sweep_kind(name))


def sweeps_spec(plan: Plan, sweeps: list[Values]) -> SweepCurvesSpec:
    return SweepCurvesSpec(tuple(sweep_plot(plan, s) for s in sweeps), plan.study.plots.dpi)


def example_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The classifier and its test split."""
    classifier = values.classifier
    test = splits(plan.robustness.classifier_dataset(classifier))["test"]
    return {"classifier": [classifier_model(classifier)], "images": [test]}


def examples_spec(plan: Plan, values: Values) -> ExamplesSpec:
    """The attacks (each at the one ``examples.eps``), images and seed of one classifier's figure."""
    rob = plan.robustness
    settings = rob.settings.examples
    assert settings is not None
    attacks = {}
    for name in settings.attacks:
        entry = rob.attack(name)
        attacks[name] = ExampleAttack(entry.attack, entry.params, entry.seed, settings.eps)
    return ExamplesSpec(
        f"classifier {values.classifier}", attacks, settings.num_images, plan.study.seed, plan.study.plots.dpi
    )


def attack_tables(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The attack table and the minimal-perturbation table."""
    return {"attacks": [paths.ATTACKS], "minimal": [paths.MINIMAL_PERTURBATION]}


ATTACKS = "Robustness/Attacks"
SWEEP_TABLE = paths.fill(paths.ROBUSTNESS_SWEEP, sweep="{robustness_sweep}")

KINDS = (
    figure("robustness_curves", png("robustness/accuracy_vs_eps"), ATTACKS, "accuracy vs epsilon", if_attacks,
           table_input(paths.ATTACKS), classifiers_figure, OneTableSpec,
           families.one_table(accuracy_curves)),
    figure("minimal_perturbation", png("robustness/minimal_perturbation"), ATTACKS, "minimal perturbation",
           if_minimal, table_input(paths.MINIMAL_PERTURBATION), classifiers_figure, OneTableSpec,
           families.one_table(minimal_perturbation)),
    figure("transfer", png("robustness/transfer"), "Robustness/Transfer", "transfer matrix", if_transfer,
           table_input(paths.TRANSFER), classifiers_figure, OneTableSpec,
           families.one_table(transfer_heatmaps)),
    figures("robustness_sweep", png("robustness/sweep_{robustness_sweep}"), "Robustness/Sweeps",
            "accuracy vs sweep variable", robustness_sweeps, template(SWEEP_TABLE), sweeps_spec, SweepCurvesSpec,
            families.robustness_sweep),
    # the review's Figs. 2-3: each classifier's figure runs its attacks (one job per figure)
    figure("adversarial_examples", paths.ADVERSARIAL_EXAMPLES + ".png", ATTACKS, "adversarial examples",
           example_classifiers, example_inputs, examples_spec, ExamplesSpec, adversarial_examples,
           rule="adversarial_examples"),
    # the Markdown summary table (results/tables/robustness.md)
    figure("table_robustness", paths.TABLE_MD.format(table="robustness"), "Tables", "robustness", if_attacks,
           attack_tables, no_settings, NoSettings, families.table_robustness, rule="table_robustness", what="table"),
)  # fmt: skip
