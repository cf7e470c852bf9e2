"""The ``train_classifier`` job (a job kind of :mod:`advgen.pipeline.jobkinds_robustness`): train
one zoo classifier (standard, FGSM-mix or PGD) and write its checkpoint and per-epoch history.

The resume file is a state output (``--output resume=PATH``: written every epoch, deleted once
the outputs are written; without it the job trains afresh); ``$ADVGEN_STOP_AFTER_EPOCHS``
simulates a preemption (:func:`advgen.training.stop_after_epochs`). torch is imported inside
the function.
"""

from __future__ import annotations

import logging

from advgen.classifiers.spec import ClassifierJobSpec
from advgen.jobfiles import Files

log = logging.getLogger(__name__)


def train_classifier_job(inputs: Files, outputs: Files, spec: ClassifierJobSpec) -> None:
    """Train ``spec.classifier`` on input ``train`` (``test``: the per-epoch accuracy); outputs
    ``model`` and ``history``, and the state output ``resume``."""
    from advgen.classifiers import save_classifier, train_classifier
    from advgen.classifiers.spec import classifier_config
    from advgen.data import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.training import ResumeState, stop_after_epochs

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
    save_classifier(outputs.one("model"), ckpt)
    write_parquet(history, outputs.one("history"))
    if resume is not None:
        resume.finish()
    log.info(
        "%s: test accuracy %.4f",
        spec.name,
        history["test_clean_acc"].iloc[-1] if len(history) else float("nan"),
    )
