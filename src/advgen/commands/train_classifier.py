"""``advgen train-classifier``: train one zoo classifier (standard, FGSM-mix or PGD)."""

from __future__ import annotations

import argparse
import logging

from advgen.commands._args import add_input, add_output, add_spec

HELP = "train a classifier: results/classifiers/<name>/{model.pt,history.parquet}"

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="classifier name (key of config 'classifiers')")
    add_spec(
        p, "ClassifierSpec", required=True, help="the classifier's config entry (+ seed, device) as JSON"
    )
    add_input(p, "--train", required=True, help="input: prepared train split (.pt)")
    add_input(p, "--test", required=True, help="input: prepared test split (.pt)")
    add_output(p, "--model", required=True, help="output: checkpoint (.pt)")
    add_output(p, "--history", required=True, help="output: per-epoch history (.parquet)")
    add_output(
        p,
        "--resume",
        default=None,
        help="output: resume file, written every epoch (undeclared; deleted once the outputs are written)",
    )
    p.add_argument(
        "--stop-after-epochs",
        type=int,
        help="exit with an error after this many epochs of this invocation, leaving the resume file "
        "(simulates preemption; default: $ADVGEN_STOP_AFTER_EPOCHS or never)",
    )


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import save_classifier, train_classifier
    from advgen.classifiers.spec import ClassifierSpec, classifier_config
    from advgen.data import load_prepared
    from advgen.io import write_parquet
    from advgen.jobs import load_spec, start_job
    from advgen.training import ResumeState, stop_after_epochs

    spec = load_spec(args.spec, spec_type=ClassifierSpec)
    config = classifier_config(spec)  # the JSON passed: the resume key and the job's provenance
    train, test = load_prepared(args.train), load_prepared(args.test)
    resume = (
        ResumeState(args.resume, config, {"train": args.train, "test": args.test}) if args.resume else None
    )
    with start_job(config, seed=False) as device:
        ckpt, history = train_classifier(
            spec,
            train,
            test,
            name=args.name,
            device=device,
            resume=resume,
            stop_after_epochs=stop_after_epochs(args.stop_after_epochs),
        )
    save_classifier(args.model, ckpt)
    write_parquet(history, args.history)
    if resume is not None:
        resume.finish()
    log.info(
        "%s: test accuracy %.4f",
        args.name,
        history["test_clean_acc"].iloc[-1] if len(history) else float("nan"),
    )
