"""The discriminator studies' jobs: linear probes on frozen features (:func:`probe_job`) and
the eps that flips D's real verdict (:func:`flip_job`).

Each job runs its entries one after the other in one process (the job's spec: the entries'
specs under ``sources`` or ``gans``, :func:`advgen.defense.plan.probe_job` /
:func:`~advgen.defense.plan.flip_job`), each seeded as if it were a job of its own; the tables
hold their rows in that order. The job's device is leased through :func:`advgen.jobs.start_job`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from advgen.defense.spec import FlipJobSpec, FlipSpec, ProbeJobSpec, ProbeSourceSpec
from advgen.errors import ConfigError
from advgen.jobfiles import Files

log = logging.getLogger(__name__)


def probe_source(spec: ProbeSourceSpec, path: str, train: Any, test: Any, device: str):
    """The rows of one feature source (``spec``: a :func:`advgen.defense.plan.probe_spec` spec)."""
    from advgen.classifiers.subsets import eval_subset
    from advgen.probe.features import extract, load_features
    from advgen.probe.linear import ProbedModel, fit_linear_probe, probe_accuracy
    from advgen.probe.robust import probe_rows
    from advgen.seeding import seed_everything

    seed = int(spec.seed)
    fit_idx = eval_subset(train.labels, spec.train_images, seed)
    idx = eval_subset(test.labels, spec.num_images, seed)
    extractor = load_features(spec.family, path, device)
    seed_everything(seed)  # after the control's rebuild, which reseeds
    start = time.perf_counter()
    feats = extract(extractor, train.images[fit_idx]).to(device)
    probe = fit_linear_probe(
        feats,
        train.labels[fit_idx].to(device),
        train.num_classes,
        weight_decay=float(spec.weight_decay),
        max_iter=int(spec.max_iter),
    )
    fit_seconds = time.perf_counter() - start
    train_acc = probe_accuracy(probe, feats, train.labels[fit_idx].to(device))
    model = ProbedModel(extractor, probe).eval()
    x, y = test.images[idx].to(device), test.labels[idx].to(device)
    source = {
        "source": spec.source,
        "family": spec.family,
        "dataset": spec.dataset,
        "loss": spec.loss,
        "unroll_k": spec.unroll_k,
        "mode": spec.mode,
        "feature_dim": int(feats.shape[1]),
        "train_acc": train_acc,
        "fit_seconds": fit_seconds,
    }
    table = probe_rows(model, x, y, spec, source)
    log.info(
        "%s (%s): %d features, probe train accuracy %.3f, test clean %.3f, robust %s",
        spec.source,
        spec.family,
        source["feature_dim"],
        train_acc,
        table["clean_acc"].iloc[0],
        ", ".join(f"eps {e:g}: {a:.3f}" for e, a in zip(table["eps"], table["robust_acc"])),
    )
    return table


def probe_job(
    job: ProbeJobSpec,
    *,
    gans: Mapping[str, str],
    classifiers: Mapping[str, str],
    train: str,
    test: str,
):
    """Every feature source's rows (clean and PGD accuracy of a linear probe per eps).

    Args:
        job: the job's spec; gans, classifiers: name -> checkpoint (GANs serve the ``gan`` and
            ``control`` families); train, test: the prepared splits (fit, evaluation).

    Raises:
        ConfigError: a source of the spec has no checkpoint (naming the option to pass it).
    """
    import pandas as pd

    from advgen.data.prepared import load_prepared
    from advgen.jobs import start_job

    models = {"gan": gans, "control": gans, "classifier": classifiers}
    specs = job.sources
    for spec in specs:
        if spec.source not in models.get(spec.family, {}):
            option = "--classifiers" if spec.family == "classifier" else "--gans"
            raise ConfigError(f"{option}: no checkpoint for {spec.family} source '{spec.source}' (NAME=PATH)")
    train_split, test_split = load_prepared(train), load_prepared(test)
    with start_job(job, seed=False) as device:
        tables = [
            probe_source(spec, models[spec.family][spec.source], train_split, test_split, device)
            for spec in specs
        ]
    return pd.concat(tables, ignore_index=True)


def flip_rows(spec: FlipSpec, path: str, split: Any, device: str):
    """The rows of one GAN (``spec``: a :func:`advgen.defense.plan.flip_spec` spec): per real
    test image, the smallest Linf eps whose PGD makes D call it fake."""
    import pandas as pd
    import torch

    from advgen.classifiers.subsets import eval_subset
    from advgen.defense.tables import FLIP_COLUMNS
    from advgen.models.loading import load_discriminator
    from advgen.probe.flip import RealFakeClassifier, flip_eps, real_score
    from advgen.seeding import seed_everything

    seed = int(spec.seed)
    seed_everything(seed)
    idx = eval_subset(split.labels, spec.num_images, seed)
    loss = spec.loss
    model = RealFakeClassifier(load_discriminator(path, device), loss).eval()
    x = split.images[idx].to(device)
    with torch.no_grad():
        score = real_score(loss, model.discriminator(x)).cpu()
    eps, adv = flip_eps(
        model,
        x,
        eps_max=float(spec.eps_max),
        search_steps=int(spec.search_steps),
        steps=int(spec.pgd_steps),
        seed=seed,
    )
    with torch.no_grad():
        adv_score = real_score(loss, model.discriminator(adv)).cpu()
    real = score > 0.5
    table = pd.DataFrame(
        {
            "gan": spec.gan,
            "loss": loss,
            "unroll_k": int(spec.unroll_k),
            "image": idx.numpy(),
            "label": split.labels[idx].numpy(),
            "score": score.numpy(),
            "initially_real": real.numpy(),
            "flipped": (real & torch.isfinite(eps)).numpy(),
            "flip_eps": eps.numpy(),
            "adv_score": adv_score.numpy(),
            "eps_max": float(spec.eps_max),
        },
        columns=FLIP_COLUMNS,
    )
    flips = table.loc[table["initially_real"], "flip_eps"]
    log.info(
        "%s: D calls %.1f%% of %d real test images real; median flip eps %.4f (%.1f%% flipped within %g)",
        spec.gan,
        100 * real.float().mean(),
        len(table),
        flips.median() if len(flips) else float("nan"),
        100 * table.loc[table["initially_real"], "flipped"].mean() if len(flips) else 0.0,
        spec.eps_max,
    )
    return table


def flip_job(job: FlipJobSpec, *, gans: Mapping[str, str], images: str):
    """``(examples, summary)``: every GAN's rows (:func:`flip_rows`) and one row per GAN
    (:func:`advgen.defense.tables.flip_summary`).

    Raises:
        ConfigError: a GAN of the spec has no checkpoint in ``gans``.
    """
    import pandas as pd

    from advgen.data.prepared import load_prepared
    from advgen.defense.tables import flip_summary
    from advgen.jobs import start_job

    specs = job.gans
    missing = [s.gan for s in specs if s.gan not in gans]
    if missing:
        raise ConfigError(f"--gans: no checkpoint for {', '.join(missing)} (NAME=PATH)")
    split = load_prepared(images)
    with start_job(job, seed=False) as device:
        table = pd.concat(
            [flip_rows(spec, gans[spec.gan], split, device) for spec in specs], ignore_index=True
        )
    summary = flip_summary(table)
    for row in summary.itertuples():
        log.info(
            "%s (%s, k=%d): median flip eps %.4f, %.0f%% called real",
            row.gan,
            row.loss,
            row.unroll_k,
            row.median_eps,
            100 * row.share_real,
        )
    return table, summary


def probe_discriminator(inputs: Files, outputs: Files, spec: ProbeJobSpec) -> None:
    """The probe job: inputs ``gans`` (one per GAN the sources name, probed or control, in their
    order) and ``classifiers`` (one per classifier source), ``train`` and ``test``; output
    ``table`` (one row per source and eps)."""
    from advgen.io import write_parquet

    gans = list(dict.fromkeys(s.source for s in spec.sources if s.family != "classifier"))
    classifiers = [s.source for s in spec.sources if s.family == "classifier"]
    table = probe_job(
        spec,
        gans=inputs.by_name("gans", gans),
        classifiers=inputs.by_name("classifiers", classifiers),
        train=inputs.one("train"),
        test=inputs.one("test"),
    )
    write_parquet(table, outputs.one("table"))


def flip_discriminator(inputs: Files, outputs: Files, spec: FlipJobSpec) -> None:
    """The flip job: inputs ``gans`` (one per GAN of the spec, in its order) and ``images`` (the
    real test images); outputs ``examples`` (one row per GAN and image) and ``summary`` (one row
    per GAN)."""
    from advgen.io import write_parquet

    table, summary = flip_job(
        spec, gans=inputs.by_name("gans", [g.gan for g in spec.gans]), images=inputs.one("images")
    )
    write_parquet(summary, outputs.one("summary"))
    write_parquet(table, outputs.one("examples"))
