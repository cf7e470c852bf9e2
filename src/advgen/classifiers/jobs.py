"""The ``train_classifier`` job (a job kind of :mod:`advgen.pipeline.jobkinds_robustness`): train
one zoo classifier (standard, FGSM-mix or PGD) and write its checkpoint and per-epoch history.

The resume file is a state output (``--output resume=PATH``: written every epoch, deleted once
the outputs are written; without it the job trains afresh); ``$ADVGEN_STOP_AFTER_EPOCHS``
simulates a preemption (:func:`advgen.training.resume.stop_after_epochs`). torch is imported inside
the function.
"""

from __future__ import annotations

import logging

from advgen.classifiers.spec import ClassifierJobSpec, ClassifierSeedsJobSpec
from advgen.jobfiles import Files
from advgen.stacked_bundle import remove_empty

log = logging.getLogger(__name__)


def train_classifier_job(inputs: Files, outputs: Files, spec: ClassifierJobSpec) -> None:
    """Train ``spec.classifier`` on input ``train`` (``test``: the per-epoch accuracy); outputs
    ``model`` and ``history``, and the state output ``resume``."""
    from advgen.classifiers.checkpoint import save_classifier
    from advgen.classifiers.spec import classifier_config
    from advgen.classifiers.training import train_classifier
    from advgen.data.prepared import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.output_set import output_set
    from advgen.training.resume import ResumeState, stop_after_epochs

    config = classifier_config(spec.classifier)  # the resume key and the checkpoint's config
    train_path, test_path = inputs.one("train"), inputs.one("test")
    train, test = load_prepared(train_path), load_prepared(test_path)
    state = outputs.optional("resume")
    resume = ResumeState(state, config, {"train": train_path, "test": test_path}) if state else None
    with start_job(config, seed=False) as device:
        ckpt, history = train_classifier(
            spec.classifier,
            train,
            test,
            name=spec.name,
            device=device,
            resume=resume,
            stop_after_epochs=stop_after_epochs(None),
        )
    with output_set():  # the model and its history together (a full disk leaves neither)
        save_classifier(outputs.one("model"), ckpt)
        write_parquet(history, outputs.one("history"))
    if resume is not None:
        resume.finish()
    log.info(
        "%s: test accuracy %.4f",
        spec.name,
        history["test_clean_acc"].iloc[-1] if len(history) else float("nan"),
    )


def train_classifier_seeds_job(inputs: Files, outputs: Files, spec: ClassifierSeedsJobSpec) -> None:
    """Train the seeds of one classifier entry as one stacked model on input ``train`` (``test``:
    the per-epoch accuracy; :func:`advgen.classifiers.replicates.train_classifier_replicates`);
    output ``bundle``: each run's ``model`` and ``history`` in ``<bundle>/<run>/``
    (:mod:`advgen.stacked_bundle`), state output ``resume``: the folder of the stacked resume state."""
    from pathlib import Path

    from advgen import paths
    from advgen.classifiers.checkpoint import save_classifier
    from advgen.classifiers.replicates import train_classifier_replicates
    from advgen.classifiers.spec import classifier_config
    from advgen.data.prepared import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.stacked_bundle import run_relative
    from advgen.training.resume import stop_after_epochs

    train_path, test_path = inputs.one("train"), inputs.one("test")
    bundle, resume = Path(outputs.one("bundle")), Path(outputs.one("resume"))
    model = run_relative(paths.CLASSIFIER_MODEL, "classifier")
    history = run_relative(paths.CLASSIFIER_HISTORY, "classifier")
    with start_job(classifier_config(spec.classifier), seed=False) as device:
        results = train_classifier_replicates(
            spec.classifier,
            spec.seeds,
            load_prepared(train_path),
            load_prepared(test_path),
            names=spec.names,
            device=device,
            mode="stacked",
            resume_dir=resume,
            inputs={"train": train_path, "test": test_path},
            stop_after_epochs=stop_after_epochs(None),
        )
    for name, (ckpt, frame) in zip(spec.names, results, strict=True):
        save_classifier(bundle / name / model, ckpt)
        write_parquet(frame, bundle / name / history)
        log.info(
            "%s: test accuracy %.4f", name, frame["test_clean_acc"].iloc[-1] if len(frame) else float("nan")
        )
    (resume / "stacked.pt").unlink(missing_ok=True)  # the outputs are written: nothing to resume
    remove_empty(resume)
