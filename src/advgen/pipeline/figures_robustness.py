"""The robustness stage's rows of the figure table (:data:`ROWS`): the accuracy curves, the
minimal perturbations, the transfer matrix, each classifier sweep, the adversarial examples (the
review's Figs. 2-3: each figure runs its classifier's attacks, one job per figure), and the
Markdown tables of the attacks and of the gradient-masking checks (:data:`MASKING_TABLE`, which
the ``masking_table`` job writes); with their small plan functions."""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.base import classifier_model, splits
from advgen.pipeline.figure import FIGURE, ONCE, STAGE, Figure, Options, Values, figure_png, template
from advgen.pipeline.plan import Plan
from advgen.plots import families as render
from advgen.plots import robustness as robustness_plots
from advgen.plots.examples import adversarial_examples
from advgen.plots.families import one_table
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


#: the masking table's Markdown, written by the masking_table job beside its Parquet
MASKING_TABLE = Figure(
    family="table_masking",
    path=paths.TABLE_MD.format(table="masking"),
    category="Tables",
    subcategory=None,
    labels={"table": "masking"},
    job=STAGE,
    rule_name="masking_table",
)

ROWS: tuple[Figure, ...] = (
    Figure(
        family="robustness_curves",
        path=figure_png("robustness/accuracy_vs_eps"),
        category="Robustness",
        subcategory="Attacks",
        labels={"figure": "accuracy vs epsilon"},
        each=if_attacks,
        inputs=template(paths.ATTACKS),
        options=classifiers,
        draw=one_table(robustness_plots.accuracy_curves),
    ),
    Figure(
        family="minimal_perturbation",
        path=figure_png("robustness/minimal_perturbation"),
        category="Robustness",
        subcategory="Attacks",
        labels={"figure": "minimal perturbation"},
        each=if_minimal,
        inputs=template(paths.MINIMAL_PERTURBATION),
        options=classifiers,
        draw=one_table(robustness_plots.minimal_perturbation),
    ),
    Figure(
        family="transfer",
        path=figure_png("robustness/transfer"),
        category="Robustness",
        subcategory="Transfer",
        labels={"figure": "transfer matrix"},
        each=if_transfer,
        inputs=template(paths.TRANSFER),
        options=classifiers,
        draw=one_table(robustness_plots.transfer_heatmaps),
    ),
    Figure(
        family="robustness_sweep",
        path=figure_png("robustness/sweep_{robustness_sweep}"),
        category="Robustness",
        subcategory="Sweeps",
        labels={"sweep": "{robustness_sweep}", "figure": "accuracy vs sweep variable"},
        each=robustness_sweeps,
        inputs=template(paths.fill(paths.ROBUSTNESS_SWEEP, sweep="{robustness_sweep}")),
        options=sweep,
        draw=render.robustness_sweep,
    ),
    # the review's Figs. 2-3: each classifier's figure runs its attacks (one job per figure)
    Figure(
        family="adversarial_examples",
        path=paths.ADVERSARIAL_EXAMPLES + ".png",
        category="Robustness",
        subcategory="Attacks",
        labels={"classifier": "{classifier}", "figure": "adversarial examples"},
        each=example_classifiers,
        inputs=example_inputs,
        options=examples,
        draw=adversarial_examples,
        job=FIGURE,
        rule_name="adversarial_examples",
    ),
    # the Markdown summary table (results/tables/robustness.md)
    Figure(
        family="table_robustness",
        path=paths.TABLE_MD.format(table="robustness"),
        category="Tables",
        subcategory=None,
        labels={"table": "robustness"},
        each=if_attacks,
        inputs=template(paths.ATTACKS, paths.MINIMAL_PERTURBATION),
        draw=render.robustness_table,
        rule_name="table_robustness",
    ),
    MASKING_TABLE,
)
