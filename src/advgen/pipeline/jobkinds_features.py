"""The robust-features job kinds (Ilyas et al. 2019, "Adversarial Examples Are Not Bugs, They Are
Features", Sec. 3): one ``robust_features`` job per seed pair (the robust and the standard
classifier of one seed, :meth:`advgen.robustness.plan.RobustnessConfig.robust_features_pairs`),
then one ``robust_features_table`` with a seed column. The rows of :data:`KINDS` join
:data:`advgen.pipeline.jobkinds.JOB_KINDS`; their plan functions read the robustness plan
(``plan.robustness``).
"""

from __future__ import annotations

from advgen import paths
from advgen.pipeline.base import classifier_model, splits
from advgen.pipeline.jobkind import ONCE, JobKind, Values
from advgen.pipeline.plan import Plan
from advgen.robustness import robust_features_jobs
from advgen.robustness.plan import FeaturePair
from advgen.robustness.robust_features_spec import RobustFeaturesSpec, RobustFeaturesTableSpec
from advgen.specs import spec_dict, typed_spec


def pairs(plan: Plan) -> dict[str, FeaturePair]:
    """Seed -> the pair's runs, in seed order."""
    return {str(p.seed): p for p in plan.robustness.expansion.robust_features_pairs()}


def each_seed(plan: Plan) -> list[Values]:
    """One job per seed pair."""
    return [Values(seed=seed) for seed in pairs(plan)]


def features_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The pair's robust and standard classifiers, and the splits of the trained classifier's data set."""
    pair = pairs(plan)[str(values.seed)]
    files = {
        "robust": classifier_model(pair.robust_classifier),
        "standard": classifier_model(pair.standard_classifier),
        **splits(plan.robustness.classifier_dataset(pair.classifier)),
    }
    return {name: [path] for name, path in files.items()}


def features_spec(plan: Plan, values: Values) -> RobustFeaturesSpec:
    """``robustness.robust_features`` (schema defaults filled in), the trained classifier's spec
    of the pair's seed, the attack's entry and the evaluation's sizes."""
    rob = plan.robustness
    features = rob.settings.robust_features
    assert features is not None
    pair = pairs(plan)[str(values.seed)]
    evaluation = rob.eval_settings()
    spec = {
        "classifier": spec_dict(rob.classifier_spec(pair.classifier)),
        "attack": spec_dict(rob.attack_spec(features.attack)),
        "eps": features.eps,
        "robust": features.robust,
        "non_robust": features.non_robust,
        "deterministic": features.deterministic,
        "max_train": features.max_train,
        "max_examples": evaluation.max_examples,
        "batch_size": evaluation.batch_size,
        "seed": pair.seed,
        "device": plan.study.device,
    }
    return typed_spec(RobustFeaturesSpec, spec, "robustness.robust_features")


def if_features(plan: Plan) -> list[Values]:
    """One table when the config runs the robust-features experiment."""
    return ONCE if plan.robustness.settings.robust_features else []


def table_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """One table per seed pair, in seed order."""
    return {"tables": [paths.fill(paths.ROBUST_FEATURES_RUN, seed=seed) for seed in pairs(plan)]}


def table_spec(plan: Plan, values: Values) -> RobustFeaturesTableSpec:
    return RobustFeaturesTableSpec()


KINDS = (
    JobKind(
        "robust_features",
        "build D_R (robust-model feature matching) and D_NR (standard-model feature matching or "
        "relabelled targeted adversarial examples), train and attack a CNN on each",
        outputs={"table": paths.ROBUST_FEATURES_RUN, "datasets": paths.ROBUST_FEATURES_DATASETS},
        each=each_seed,
        inputs=features_inputs,
        spec=features_spec,
        spec_type=RobustFeaturesSpec,
        run=robust_features_jobs.robust_features,
        target=False,  # the table job reads them
        resources={"gpu": 1},
        wildcard_constraints={"seed": "[0-9]+"},
        job="seed{seed}",
    ),
    JobKind(
        "robust_features_table",
        "concatenate the per-seed robust-features tables: results/robustness/robust_features.parquet",
        outputs={"table": paths.ROBUST_FEATURES},
        each=if_features,
        inputs=table_inputs,
        spec=table_spec,
        spec_type=RobustFeaturesTableSpec,
        run=robust_features_jobs.robust_features_table,
        job="robust_features",
    ),
)
