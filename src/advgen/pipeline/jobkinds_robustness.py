"""The declared job kinds of the robustness stage (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`)
and their small plan functions (which jobs, their inputs, their typed spec).

``masking_checks``: Carlini et al. 2019's gradient-masking checks, one job per (model, check),
a model being a checked classifier or a purifier (its operating point, BPDA or exact
gradients), Square as the black box. Each job's spec carries the config's values of only the
settings its check reads (:data:`advgen.robustness.tables.MASKING_CHECK_SETTINGS`; the others
stay at their :class:`~advgen.robustness.masking_spec.MaskingSettings` defaults): editing
``long_steps`` reruns the more_steps_restarts jobs only, ``n_queries`` the
whitebox_vs_blackbox jobs only. The models come from the robustness plan
(:attr:`advgen.pipeline.robustness.RobustnessPlan.masking`).
"""

from __future__ import annotations

from advgen import paths
from advgen.attacks.registry import MASKING_BLACKBOX
from advgen.generators import generator_checkpoint
from advgen.pipeline.base import NAME, classifier_model, splits
from advgen.pipeline.jobkind import JobKind, Values
from advgen.robustness import masking_job
from advgen.robustness.masking_spec import BlackBoxSpec, MaskingJobSpec, MaskingSettings
from advgen.robustness.tables import MASKING_CHECK_SETTINGS, MASKING_CHECKS

#: the masking checks (wildcard ``{check}`` of masking_checks: one job per check)
MASKING_CHECK_PATTERN = "|".join(MASKING_CHECKS)


# --- gradient-masking checks (advgen.robustness.masking_job)
def masking_each(plan) -> list[Values]:
    """One job per (model, check): models in the robustness plan's order (the classifiers,
    then the purifiers), each model's checks in ``MASKING_CHECKS`` order."""
    return [
        {"family": family, "name": name, "check": check}
        for family, name in plan.stages["robustness"].masking
        for check in MASKING_CHECKS
    ]


def masking_inputs(plan, values: Values) -> dict[str, list[str]]:
    """The classifier's checkpoint and test split; a purifier's generator checkpoint."""
    rob = plan.stages["robustness"]
    model = rob.masking[(values["family"], values["name"])]
    inputs = {
        "model": [classifier_model(model.classifier)],
        "test": [splits(rob.classifier_dataset(model.classifier))["test"]],
    }
    if model.generator:
        inputs["generator"] = [generator_checkpoint(rob.config, model.generator)]
    return inputs


def masking_spec(plan, values: Values) -> MaskingJobSpec:
    """One check on one model: the config's values of the settings that check reads
    (:data:`advgen.robustness.tables.MASKING_CHECK_SETTINGS`), the black-box attack (the
    registry's ``masking_blackbox`` entry with the config's ``n_queries``) only for the check that
    reads ``n_queries``, the model's purifier, gradient, images and seed, the plan's device."""
    rob = plan.stages["robustness"]
    model = rob.masking[(values["family"], values["name"])]
    fields = MASKING_CHECK_SETTINGS[values["check"]]
    purifier = {"purifier": model.purifier, "gradient": model.gradient} if model.purifier is not None else {}
    return MaskingJobSpec(
        name=values["name"],
        check=values["check"],
        checks=MaskingSettings(**{k: v for k, v in model.checks.items() if k in fields}),
        blackbox=BlackBoxSpec(MASKING_BLACKBOX, {"n_queries": model.n_queries})
        if "n_queries" in fields
        else None,
        max_examples=model.max_examples,
        seed=model.seed,
        device=rob.device,
        **purifier,
    )


KINDS: tuple[JobKind, ...] = (
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
)
