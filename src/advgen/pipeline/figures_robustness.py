"""The robustness stage's rows of the figure table (:data:`ROWS`): the accuracy curves, the
minimal perturbations, the transfer matrix, each classifier sweep, the adversarial examples (the
review's Figs. 2-3: each figure runs its classifier's attacks, one job per figure), and the
Markdown tables of the attacks and of the gradient-masking checks (:data:`MASKING_TABLE`, which
the ``masking_table`` job writes); with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.base import classifier_model, splits
from advgen.pipeline.figure import (
    FIGURE,
    ONCE,
    STAGE,
    Each,
    Figure,
    Options,
    Plot,
    Values,
    figure_png,
    markdown_table,
    row,
    summary,
    template,
)
from advgen.pipeline.plan import Plan
from advgen.plots import families as render
from advgen.plots.examples import adversarial_examples
from advgen.plots.robustness import accuracy_curves, minimal_perturbation, transfer_heatmaps
from advgen.robustness import plan as expansion


# --- which figures
def if_attacks(plan: Plan) -> list[Values]:
    return ONCE if plan.robustness.attack_jobs else []


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


# --- inputs and options
def example_inputs(plan: Plan, values: Values) -> list[str]:
    """The classifier and its test split."""
    classifier = values.classifier
    return [classifier_model(classifier), splits(plan.robustness.classifier_dataset(classifier))["test"]]


def classifiers(plan: Plan, values: Values) -> Options:
    return {"experiment": f"classifiers on {', '.join(sorted(plan.study.datasets))}"}


def sweep(plan: Plan, values: Values) -> Options:
    """A sweep's title and kind; a named data-size sweep (robustness.data_size_sweeps) names its
    own data set."""
    name = values.robustness_sweep
    if name in expansion.SWEEPS:
        return {"experiment": f"classifiers on {', '.join(sorted(plan.study.datasets))}", "sweep": name}
    rob = plan.robustness
    dataset = rob.classifier_dataset(rob.sweep_settings(name).classifier)
    return {"experiment": f"{name}: classifiers on {dataset}", "sweep": expansion.sweep_kind(name)}


def examples(plan: Plan, values: Values) -> Options:
    """The attacks (each at the one ``examples.eps``), images and seed of one classifier's figure."""
    rob = plan.robustness
    settings = rob.settings.examples
    assert settings is not None
    attacks = {}
    for name in settings.attacks:
        entry = rob.attack(name)
        attacks[name] = {
            "attack": entry.attack,
            "params": entry.params,
            "seed": entry.seed,
            "eps": settings.eps,
        }
    return {
        "attacks": attacks,
        "num_images": settings.num_images,
        "seed": plan.study.seed,
        "experiment": f"classifier {values.classifier}",
    }


def of_classifiers(
    family: str, name: str, where: str, label: str, each: Each, table: str, plot: Plot
) -> Figure:
    """A figure ``robustness/<name>`` of one table over every classifier."""
    return summary(family, f"robustness/{name}", where, label, each, table, classifiers, plot)


#: the masking table's Markdown, written by the masking_table job beside its Parquet
MASKING_TABLE = markdown_table("masking", job=STAGE, rule_name="masking_table")

ROWS: tuple[Figure, ...] = (
    of_classifiers("robustness_curves", "accuracy_vs_eps", "Robustness/Attacks", "accuracy vs epsilon", if_attacks,
                   paths.ATTACKS, accuracy_curves),
    of_classifiers("minimal_perturbation", "minimal_perturbation", "Robustness/Attacks", "minimal perturbation",
                   if_minimal, paths.MINIMAL_PERTURBATION, minimal_perturbation),
    of_classifiers("transfer", "transfer", "Robustness/Transfer", "transfer matrix", if_transfer, paths.TRANSFER,
                   transfer_heatmaps),
    row("robustness_sweep", figure_png("robustness/sweep_{robustness_sweep}"), "Robustness/Sweeps",
        "accuracy vs sweep variable", robustness_sweeps,
        template(paths.fill(paths.ROBUSTNESS_SWEEP, sweep="{robustness_sweep}")), sweep, render.robustness_sweep),
    # the review's Figs. 2-3: each classifier's figure runs its attacks (one job per figure)
    row("adversarial_examples", paths.ADVERSARIAL_EXAMPLES + ".png", "Robustness/Attacks", "adversarial examples",
        example_classifiers, example_inputs, examples, adversarial_examples, job=FIGURE,
        rule_name="adversarial_examples"),
    # the Markdown summary table (results/tables/robustness.md)
    markdown_table("robustness", if_attacks, render.robustness_table, paths.ATTACKS, paths.MINIMAL_PERTURBATION),
    MASKING_TABLE,
)  # fmt: skip
