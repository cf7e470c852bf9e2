"""Pilot of the generators' training recipes: the default study's generator settings, chosen by a
rule fixed before the pilot ran (docs/generators.md, "Selection rule").

Every candidate is trained with advgen's own training code (:func:`advgen.gan.runner.train_gan`,
:func:`advgen.ae.train.train_autoencoder`) on the default study's MNIST split and scored by
:func:`advgen.metrics.sample_quality.sample_quality_row`, the function of the ``sample_quality`` job (reference
classifier ``mnist_cnn_small_seed0``, 1,000 samples, its features for the FID), with the settings
of ``config/config.yaml`` for the data set, the classifier and the scoring. The candidates are
stated below as changes to the settings the default study had before this pilot (``TODAY_*``),
so the pilot reruns the same way after the config changes.

Roles and candidates:

* ``report_gan`` (the DCGAN the sweeps invert): today's 12 epochs against 20 epochs plain, and
  DiffAugment (translation + cutout, Zhao et al. 2020) alone and with spectral norm (Miyato et
  al. 2018), the R1 penalty (Mescheder et al. 2018, gamma 10), two learning rates (TTUR, Heusel
  et al. 2017: D 4e-4, G 1e-4) at 20 epochs, and DiffAugment at 30 epochs;
* ``ns_gan`` (the non-saturating MLP GAN; the CE, MSE and unrolled entries share its settings):
  today's 25 epochs against 50 and 75, and the recipes at 50 epochs;
* ``ae_forced``: the report's moment forcing at today's 5 and the report's 20 epochs, per
  dimension, and with the covariance term (:func:`advgen.ae.losses.covariance_mse`); ``ae`` (the
  plain autoencoder) at 5 and 20 epochs.

Then the rule picks each role's recipe (:func:`select`), and the other MLP losses (``ce_gan``,
``mse_gan``, ``ns_unrolled_gan``) are trained with today's settings and with the recipe chosen
for ``ns_gan`` (they differ from it only in the loss). CPU seconds are the process time of the
training call (one torch thread per worker; the job's start-up, about the same for every
candidate, is not in them). ``--workers 2`` runs two trainings at a time.

    python benchmarks/pilot_generators.py                      # full size (about 30 min on 2 cores)
    python benchmarks/pilot_generators.py --roles ae_forced,ae # one part
    python benchmarks/pilot_generators.py --round 2            # round 2: the report GAN's D
    python benchmarks/pilot_generators.py --smoke              # tiny data, 1 epoch, 1 seed (CI)
    python benchmarks/pilot_generators.py --memorisation --work W  # D's memorisation, runs of W

Each GAN row also gets ``d_auc``: P(D(x_train) > D(x_test)) of its final D on the training and
the test digits (:mod:`advgen.gan.overfitting`; 0.5 = D does not tell the digits it trained on
from held-out ones, the condition DiffAugment is a remedy for).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli_options import add_json, add_smoke, add_threads

ROOT = Path(__file__).resolve().parents[1]
DA = ["translation", "cutout"]

#: the default study's settings before this pilot (config/config.yaml at 3884ad9)
TODAY_MLP: dict[str, Any] = {
    "dataset": "mnist",
    "generator": "mlp_small",
    "discriminator": "mlp_small",
    "z_dim": 50,
    "loss": "non_saturating",
    "real_label": 0.9,
    "lr_g": 2.0e-4,
    "lr_d": 2.0e-4,
    "batch_size": 64,
    "epochs": 25,
    "g_ema": 0.995,
}
TODAY_REPORT: dict[str, Any] = {**TODAY_MLP, "generator": "dcgan28", "discriminator": "dcgan28", "epochs": 12}
TODAY_AE: dict[str, Any] = {"dataset": "mnist", "epochs": 5}
TODAY_AE_FORCED: dict[str, Any] = {**TODAY_AE, "latent_forcing": True}
TTUR = {"lr_d": 4.0e-4, "lr_g": 1.0e-4}  # the report's CelebA rates (D 4e-4, G 1e-4)

#: the default study's settings before rounds 3 and 4 (config/config.yaml at b44cd1d): rounds 1-2's choices
NOW_MLP: dict[str, Any] = {**TODAY_MLP, "epochs": 50, "recipe": {"spectral_norm": True}}
NOW_REPORT: dict[str, Any] = {
    **NOW_MLP,
    "generator": "dcgan28",
    "discriminator": "conv_sn",
    "epochs": 30,
    "recipe": {},
}
NOW_AE_FORCED: dict[str, Any] = {
    **TODAY_AE,
    "epochs": 20,
    "latent_forcing": True,
    "moments_over": "per_dimension",
    "covariance": 1.0,
}
#: the speed levers (advgen.training.speed) of round 3: the conv models take all three, the MLP GAN
#: the fused Adam only (bfloat16 slows its small matrix products: benchmarks/train_step.py --levers)
LEVERS_CONV = {"autocast": "auto", "channels_last": True, "fused_adam": True}
LEVERS_AE = {"autocast": "auto", "fused_adam": True}
LEVERS_MLP = {"fused_adam": True}
DA_BG = {"diffaugment": DA}  # fill: background (the schema's default since the fill was fixed)


@dataclass(frozen=True)
class Candidate:
    role: str
    name: str
    what: str
    kind: str  # "gan" or "autoencoder"
    spec: dict[str, Any] = field(hash=False)
    #: a learning curve: the epochs at which one long run per seed is scored (() = the spec's epochs)
    curve: tuple[int, ...] = ()


def _gan(role: str, name: str, what: str, base: dict[str, Any], **changes: Any) -> Candidate:
    return Candidate(role, name, what, "gan", copy.deepcopy({**base, **changes}))


def _ae(role: str, name: str, what: str, base: dict[str, Any], **changes: Any) -> Candidate:
    return Candidate(role, name, what, "autoencoder", copy.deepcopy({**base, **changes}))


def candidates(round_: int = 1, choice: dict[str, str] | None = None) -> list[Candidate]:
    """Every candidate of a round of the selection (each fixed before its round ran); round 4's
    follow round 3's ``choice`` (role -> candidate name, :func:`round_three_choice`)."""
    if round_ == 2:
        return round_two()
    if round_ == 3:
        return round_three()
    if round_ == 4:
        return round_four(choice or {})
    r, m = TODAY_REPORT, TODAY_MLP
    return [
        _gan("report_gan", "today", "12 epochs (744 iterations)", r),
        _gan("report_gan", "e20", "20 epochs", r, epochs=20),
        _gan("report_gan", "da20", "DiffAugment, 20 epochs", r, epochs=20, recipe={"diffaugment": DA}),
        _gan(
            "report_gan",
            "da_sn20",
            "DiffAugment + spectral norm, 20 epochs",
            r,
            epochs=20,
            recipe={"diffaugment": DA, "spectral_norm": True},
        ),
        _gan(
            "report_gan",
            "da_r1_20",
            "DiffAugment + R1 (gamma 10), 20 epochs",
            r,
            epochs=20,
            recipe={"diffaugment": DA, "r1_gamma": 10.0},
        ),
        _gan(
            "report_gan",
            "da_ttur20",
            "DiffAugment + TTUR (D 4e-4, G 1e-4), 20 epochs",
            r,
            epochs=20,
            recipe={"diffaugment": DA},
            **TTUR,
        ),
        _gan("report_gan", "da30", "DiffAugment, 30 epochs", r, epochs=30, recipe={"diffaugment": DA}),
        _gan("ns_gan", "today", "25 epochs (1,550 iterations)", m),
        _gan("ns_gan", "e50", "50 epochs", m, epochs=50),
        _gan("ns_gan", "e75", "75 epochs", m, epochs=75),
        _gan("ns_gan", "da50", "DiffAugment, 50 epochs", m, epochs=50, recipe={"diffaugment": DA}),
        _gan("ns_gan", "sn50", "spectral norm, 50 epochs", m, epochs=50, recipe={"spectral_norm": True}),
        _gan(
            "ns_gan",
            "da_sn50",
            "DiffAugment + spectral norm, 50 epochs",
            m,
            epochs=50,
            recipe={"diffaugment": DA, "spectral_norm": True},
        ),
        _gan("ns_gan", "r1_50", "R1 (gamma 10), 50 epochs", m, epochs=50, recipe={"r1_gamma": 10.0}),
        _gan("ns_gan", "ttur50", "TTUR (D 4e-4, G 1e-4), 50 epochs", m, epochs=50, **TTUR),
        _ae("ae_forced", "today", "moments over all of z, 5 epochs", TODAY_AE_FORCED),
        _ae(
            "ae_forced", "all20", "moments over all of z, 20 epochs (the report)", TODAY_AE_FORCED, epochs=20
        ),
        _ae(
            "ae_forced",
            "dim20",
            "moments per dimension, 20 epochs",
            TODAY_AE_FORCED,
            epochs=20,
            moments_over="per_dimension",
        ),
        _ae(
            "ae_forced",
            "dim_cov20",
            "moments per dimension + covariance, 20 epochs",
            TODAY_AE_FORCED,
            epochs=20,
            moments_over="per_dimension",
            covariance=1.0,
        ),
        _ae(
            "ae_forced",
            "all_cov20",
            "moments over all of z + covariance, 20 epochs",
            TODAY_AE_FORCED,
            epochs=20,
            covariance=1.0,
        ),
        _ae("ae", "today", "plain MSE, 5 epochs", TODAY_AE),
        _ae("ae", "e20", "plain MSE, 20 epochs", TODAY_AE, epochs=20),
    ]


def round_two() -> list[Candidate]:
    """Round 2 (report GAN only; docs/generators.md): after round 1 left every DiffAugment candidate
    worse than today, two development runs (seed 0) pointed at D's batch norm: D spectrally
    normalised without batch norm (the zoo's ``conv_sn``, Miyato et al. 2018's setting) and a
    weaker R1 (gamma 1). Fixed before round 2 ran; the same rule as round 1."""
    r = TODAY_REPORT
    return [
        _gan("report_gan", "today", "12 epochs (744 iterations)", r),
        _gan("report_gan", "r1g1_12", "R1 (gamma 1), 12 epochs", r, recipe={"r1_gamma": 1.0}),
        _gan("report_gan", "r1g1_20", "R1 (gamma 1), 20 epochs", r, epochs=20, recipe={"r1_gamma": 1.0}),
        _gan(
            "report_gan",
            "snd20",
            "D conv_sn (spectral norm, no batch norm), 20 epochs",
            r,
            discriminator="conv_sn",
            epochs=20,
        ),
        _gan("report_gan", "snd30", "D conv_sn, 30 epochs", r, discriminator="conv_sn", epochs=30),
        _gan(
            "report_gan",
            "snd_r1g1_20",
            "D conv_sn + R1 (gamma 1), 20 epochs",
            r,
            discriminator="conv_sn",
            epochs=20,
            recipe={"r1_gamma": 1.0},
        ),
        _gan(
            "report_gan",
            "snd_da30",
            "D conv_sn + DiffAugment (translation), 30 epochs",
            r,
            discriminator="conv_sn",
            epochs=30,
            recipe={"diffaugment": ["translation"]},
        ),
    ]


def round_three() -> list[Candidate]:
    """Round 3 (docs/generators.md, "Round 3"; fixed before it ran): the default study's settings
    (``NOW_*``, "today") in float32 against the speed levers, narrower models with the levers,
    and DiffAugment with its fill fixed (the data's background), with the reference code's 0
    fill and with a quarter-side cutout, all at today's epochs."""
    r, m, a = NOW_REPORT, NOW_MLP, NOW_AE_FORCED
    # DiffAugment with the background fill, on both GANs: (name, the augmentation, its recipe)
    fixed_fill = [
        ("da", "translation, cutout; background fill", DA_BG),
        ("da_t", "translation; background fill", {"diffaugment": ["translation"]}),
    ]
    return [
        _gan("report_gan", "today", "D conv_sn, 30 epochs, float32", r),
        _gan(
            "report_gan",
            "levers",
            "speed levers (bf16 autocast auto, channels_last, fused Adam)",
            r,
            speed=LEVERS_CONV,
        ),
        _gan(
            "report_gan",
            "levers_ngf32",
            "speed levers + generator ngf 32 (64)",
            r,
            speed=LEVERS_CONV,
            generator_kwargs={"ngf": 32},
        ),
        *[
            _gan("report_gan", name, f"levers + DiffAugment ({what})", r, speed=LEVERS_CONV, recipe=recipe)
            for name, what, recipe in fixed_fill
        ],
        _gan("ns_gan", "today", "spectral norm, 50 epochs, float32", m),
        _gan("ns_gan", "levers", "fused Adam", m, speed=LEVERS_MLP),
        *[
            _gan(
                "ns_gan",
                name,
                f"levers + DiffAugment ({what})",
                m,
                speed=LEVERS_MLP,
                recipe={**m["recipe"], **recipe},
            )
            for name, what, recipe in [
                ("da_zero", "translation, cutout; 0 fill, as before", {**DA_BG, "fill": "zero"}),
                *fixed_fill,
                (
                    "da_c25",
                    "translation, cutout of a quarter side; background fill",
                    {**DA_BG, "cutout_ratio": 0.25},
                ),
            ]
        ],
        _ae("ae_forced", "today", "per dimension + covariance, 20 epochs, float32", a),
        _ae("ae_forced", "levers", "speed levers (bf16 autocast auto, fused Adam)", a, speed=LEVERS_AE),
        _ae("ae_forced", "levers_w16", "speed levers + width 16 (32)", a, speed=LEVERS_AE, width=16),
    ]


#: round 4's learning curves: multiples of today's epochs at which each seed's one long run is
#: scored (8x: with the report GAN's bfloat16 speed-up on an AMX host, about 5x today's CPU)
CURVE_MULTIPLES = (1, 1.5, 2, 3, 4, 6, 8)


def round_four(choice: dict[str, str]) -> list[Candidate]:
    """Round 4 (docs/generators.md, "Round 4"; fixed before it ran): per role, the learning curve
    of the candidate round 3's rule chose (``choice``: role -> its name in :func:`round_three`);
    today's float32 runs, the CPU reference, are round 3's (the same specs and seeds)."""
    three = {(c.role, c.name): c for c in round_three()}
    out = []
    for role, name in choice.items():
        chosen = three[(role, name)]
        curve = tuple(int(round(int(chosen.spec["epochs"]) * k)) for k in CURVE_MULTIPLES)
        out.append(Candidate(role, "curve", f"{name}: {chosen.what}", chosen.kind, chosen.spec, curve))
    return out


#: the other MLP GANs: today's settings and the recipe chosen for ns_gan, with their own loss
FOLLOWERS = {
    "ce_gan": {"loss": "cross_entropy"},
    "mse_gan": {"loss": "mse"},
    "ns_unrolled_gan": {"unroll_k": 4},
}


@dataclass(frozen=True)
class Rule:
    """A role's selection rule (docs/generators.md): among candidates whose median CPU per run is at
    most ``cap`` x today's, those passing ``keep`` in every seed, the best by ``score``; when no
    candidate passes ``keep``, the best by ``score`` among those within the cap."""

    cap: float
    score: str  # a column of the sample-quality row, averaged over seeds
    lower_is_better: bool
    keep: Callable[[dict[str, Any]], bool] | None
    keep_text: str


RULES = {
    "report_gan": Rule(
        2.5, "fid", True, lambda row: row["modes"] >= 9, ">= 9 classes at >= 5 % in every seed"
    ),
    "ns_gan": Rule(
        3.0, "fid", True, lambda row: row["status"] != "mode_collapse", "no seed flagged mode_collapse"
    ),
    # amended after round 1 ran (docs/generators.md): the cap was written as 4x to admit the report's
    # 20 epochs, which measured 4.1-4.5x today's 5 (the per-epoch evaluation included); 5x admits them
    "ae_forced": Rule(5.0, "mean_max_prob", False, None, ""),
}


# -- one run (in a worker) -------------------------------------------------------------------------
def _init_worker(threads: int) -> None:
    import logging

    import torch

    torch.set_num_threads(threads)
    logging.basicConfig(level=logging.WARNING)


def run_one(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Train one candidate seed and score it: one row (scores, CPU seconds of the training), or
    one row per epoch budget of its learning curve (``task["curve"]``: the run is scored after
    each budget and trained on; CPU seconds cumulative)."""
    from advgen.ae.spec import AeSpec
    from advgen.ae.train import AeRun
    from advgen.checkpoints import save_torch
    from advgen.gan.spec import GanSpec, complete_spec
    from advgen.gan.train import GanRun
    from advgen.io import write_json
    from advgen.metrics.sample_quality import sample_quality_row
    from advgen.metrics.spec import SampleQualitySpec
    from advgen.specs import typed_spec
    from advgen.training.driver import train_epochs

    folder = Path(task["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    spec = complete_spec(task["spec"], task["kind"])
    gan = task["kind"] == "gan"
    cpu, wall = time.process_time(), time.perf_counter()
    if gan:
        run: Any = GanRun(typed_spec(GanSpec, spec), task["train"])
    else:
        run = AeRun(typed_spec(AeSpec, spec), task["train"], task["test"])
    spent_cpu, spent_wall = time.process_time() - cpu, time.perf_counter() - wall
    rows = []
    for epochs in task["curve"] or (spec["epochs"],):
        cpu, wall = time.process_time(), time.perf_counter()
        last_good = train_epochs(run, epochs)  # from the epoch the run is at
        spent_cpu += time.process_time() - cpu
        spent_wall += time.perf_counter() - wall
        model, info = folder / f"epoch_{epochs:04d}.pt", folder / f"epoch_{epochs:04d}.json"
        save_torch(last_good, model)
        if gan:
            write_json(info, {"status": run.tracker.status})
        else:
            diverged = run.diverged_iteration is not None
            test_mse = run.epochs_info[-1]["test_mse"] if run.epochs_info else math.nan
            write_json(info, {"status": "diverged" if diverged else "ok", "test_mse": test_mse})
        row = sample_quality_row(
            typed_spec(SampleQualitySpec, task["sq"]),
            name=task["label"],
            dataset=spec["dataset"],
            classifier=task["classifier"],
            reference=task["train"],
            device="cpu",
            model=model,
            info=info,
        )
        keep = (
            "fid",
            "modes",
            "min_class_fraction",
            "mean_max_prob",
            "precision",
            "recall",
            "status",
            "test_mse",
        )
        # does D tell its training digits from held-out ones? (why DiffAugment did not help)
        d_auc = d_memorisation(model, task["train"], task["test"])["auc"] if gan else math.nan
        name = f"{task['name']}@{epochs}" if task["curve"] else task["name"]
        rows.append(
            {
                **{k: task[k] for k in ("role", "what", "seed")},
                "name": name,
                "candidate": task["name"],
                "epochs": int(last_good["epoch"]),
                **{k: row[k] for k in keep},
                "d_auc": d_auc,
                "cpu_s": spent_cpu,
                "wall_s": spent_wall,
            }
        )
        if row["status"] == "diverged" or last_good["epoch"] < epochs:  # stopped: no later budget
            break
    return rows


def d_memorisation(model: str | Path, train: str, held_out: str) -> dict[str, float]:
    """A GAN checkpoint's D on the training split against the held-out test split
    (:func:`advgen.gan.overfitting.memorisation`: ``auc`` 0.5 = D cannot tell them apart)."""
    from advgen.data.prepared import load_prepared
    from advgen.gan.overfitting import memorisation
    from advgen.models.loading import load_discriminator

    d = load_discriminator(model)  # on images in [0, 1], as the prepared splits hold them
    return memorisation(d, load_prepared(train).images, load_prepared(held_out).images)


def memorisation_table(work: Path) -> str:
    """Every GAN checkpoint a round left in ``work`` (``ROLE/CANDIDATE/seedK/epoch_E.pt``): its D's
    memorisation of the training digits against the test digits, one row per checkpoint."""
    lines = [
        "| run | epochs | P(D(train) > D(test)) | r_t train | r_t test | mean logit gap |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for model in sorted(work.glob("*/*/seed*/epoch_*.pt")):
        info = model.with_suffix(".json")
        if not info.exists() or "test_mse" in json.loads(info.read_text()):
            continue  # an autoencoder's, or a run still training
        m = d_memorisation(model, str(work / "train.pt"), str(work / "test.pt"))
        run = "/".join(model.parts[-4:-1])
        lines.append(
            f"| {run} | {int(model.stem.split('_')[1])} | {m['auc']:.3f} | {m['rt_train']:.3f} | "
            f"{m['rt_held_out']:.3f} | {m['mean_logit_gap']:.3f} |"
        )
    return "\n".join(lines)


# -- setup: data, classifier, specs ----------------------------------------------------------------
def setup(work: Path, config: Path, smoke: bool) -> dict[str, Any]:
    """Prepare the split, train the reference classifier; the paths and the scoring spec."""
    from advgen.classifiers.checkpoint import save_classifier
    from advgen.classifiers.training import train_classifier
    from advgen.config import dataset_spec
    from advgen.config_files import check_config_files
    from advgen.data.prepared import load_prepared, save_prepared
    from advgen.data.registry import SOURCES, load_source
    from advgen.pipeline.check import checked_pipeline

    pipe = checked_pipeline([config])
    cfg = check_config_files([str(config)])  # the validated config, its replicates expanded
    sq = {**cfg["sample_quality"], "seed": cfg["seed"]}
    clf_name = (
        f"{sq['classifier']}_seed0" if f"{sq['classifier']}_seed0" in cfg["classifiers"] else sq["classifier"]
    )
    clf_spec = pipe.robustness.classifier_spec(clf_name)  # the train_classifier job's spec
    data_spec = dict(cfg["datasets"][clf_spec.dataset])
    if smoke:
        data_spec.update(max_train=320, max_test=100)
        clf_spec = dataclasses.replace(clf_spec, epochs=1)
        sq.update(n_samples=100, is_splits=2)
    train_split, test_split = load_source(dataset_spec(data_spec), download=False)
    paths = {
        "train": str(work / "train.pt"),
        "test": str(work / "test.pt"),
        "classifier": str(work / "clf.pt"),
    }
    num_classes = SOURCES[data_spec["source"]].num_classes
    for split, name in ((train_split, "train"), (test_split, "test")):
        save_prepared(split, paths[name], dataset="mnist", name=name, num_classes=num_classes, spec=data_spec)
    train, test = load_prepared(paths["train"]), load_prepared(paths["test"])
    ckpt, _ = train_classifier(clf_spec, train, test, name=clf_name)
    save_classifier(paths["classifier"], ckpt)
    return {**paths, "sq": sq, "classifier_name": clf_name}


def tasks_of(
    cands: list[Candidate], seeds: list[int], env: dict[str, Any], work: Path, smoke: bool
) -> list[dict]:
    out = []
    for c in cands:
        for seed in seeds:
            spec = {**c.spec, "seed": seed}
            curve = list(c.curve)
            if smoke:
                spec.update(epochs=1, batch_size=32)
                curve = [1, 2] if curve else []
            if curve:
                spec["epochs"] = max(curve)
            label = f"{c.role}/{c.name}/seed{seed}"
            out.append(
                {
                    "role": c.role,
                    "name": c.name,
                    "what": c.what,
                    "seed": seed,
                    "kind": c.kind,
                    "spec": spec,
                    "curve": curve,
                    "label": label,
                    "folder": str(work / label),
                    **{k: env[k] for k in ("train", "test", "classifier", "sq")},
                }
            )
    return sorted(out, key=_cost, reverse=True)  # longest first: the two workers end together


def _cost(task: dict[str, Any]) -> float:
    """A rough relative cost of a training (per-epoch CPU measured on EPYC-2: MLP GAN 1, DCGAN 12, AE 3)."""
    spec = task["spec"]  # its epochs: the curve's last budget
    if task["kind"] != "gan":
        return 3.0 * spec["epochs"] * (0.5 if spec.get("width") == 16 else 1.0)
    per_epoch = 12.0 if spec["generator"] == "dcgan28" else 1.0
    if spec.get("speed"):
        per_epoch *= 0.6 if spec["generator"] == "dcgan28" else 0.95
    return per_epoch * spec["epochs"] * (1 + 2 * spec.get("unroll_k", 0))


def run_all(tasks: list[dict], workers: int, threads: int) -> list[dict[str, Any]]:
    rows = []
    if workers <= 1:
        _init_worker(threads)
        for i, t in enumerate(tasks):
            rows += run_one(t)
            _progress(rows[-1], i + 1, len(tasks))
        return rows
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(threads,)) as pool:
        for i, done in enumerate(pool.map(run_one, tasks)):
            rows += done
            _progress(done[-1], i + 1, len(tasks))
    return rows


def _progress(row: dict[str, Any], done: int, total: int) -> None:
    print(
        f"[{done}/{total}] {row['role']}/{row['name']} seed {row['seed']}: FID {row['fid']:.1f}, "
        f"{row['modes']} classes, max-prob {row['mean_max_prob']:.3f}, precision {row['precision']:.3f}, "
        f"recall {row['recall']:.3f}, {row['status']}, {row['cpu_s']:.1f} CPU s",
        flush=True,
    )


# -- the table and the selection -------------------------------------------------------------------
def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per (role, candidate): means over seeds, per-seed classes, CPU per run and its ratio."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["role"], r["name"]), []).append(r)
    today_cpu = {
        role: statistics.median(r["cpu_s"] for r in rs)
        for (role, name), rs in groups.items()
        if name == "today"
    }
    out = []
    for (role, name), rs in groups.items():
        rs = sorted(rs, key=lambda r: r["seed"])
        cpu = statistics.median(r["cpu_s"] for r in rs)
        out.append(
            {
                "role": role,
                "name": name,
                "what": rs[0]["what"],
                "seeds": len(rs),
                "fid": statistics.mean(r["fid"] for r in rs),
                "fid_min": min(r["fid"] for r in rs),
                "fid_max": max(r["fid"] for r in rs),
                "modes": [r["modes"] for r in rs],
                "min_class_fraction": min(r["min_class_fraction"] for r in rs),
                "mean_max_prob": statistics.mean(r["mean_max_prob"] for r in rs),
                "max_prob_min": min(r["mean_max_prob"] for r in rs),
                "max_prob_max": max(r["mean_max_prob"] for r in rs),
                "precision": statistics.mean(r.get("precision", math.nan) for r in rs),
                "recall": statistics.mean(r.get("recall", math.nan) for r in rs),
                "epochs": statistics.median(r.get("epochs", 0) for r in rs),
                "collapsed": sum(r["status"] == "mode_collapse" for r in rs),
                "test_mse": statistics.mean(r["test_mse"] for r in rs),
                "cpu_s": cpu,
                "cpu_ratio": cpu / today_cpu[role] if role in today_cpu else float("nan"),
                "runs": rs,
            }
        )
    return out


def select(summary: list[dict[str, Any]], role: str) -> dict[str, Any] | None:
    """The candidate the role's rule picks (:data:`RULES`), or None without candidates; its
    ``kept`` says whether it passed the rule's ``keep`` (False: no eligible candidate did)."""
    rule = RULES[role]
    pool = [s for s in summary if s["role"] == role and s["cpu_ratio"] <= rule.cap]
    if not pool:
        return None
    kept = [s for s in pool if rule.keep is None or all(rule.keep(r) for r in s["runs"])]
    sign = 1.0 if rule.lower_is_better else -1.0
    return {**min(kept or pool, key=lambda s: (sign * s[rule.score], s["cpu_s"])), "kept": bool(kept)}


# -- rounds 3 and 4: the levers, DiffAugment, the learning curve and the budget ------------------
#: the widths of round 3 (narrower models with the levers)
WIDTHS = {"report_gan": "levers_ngf32", "ae_forced": "levers_w16"}


def _by_name(summary: list[dict[str, Any]], role: str) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in summary if s["role"] == role}


def _not_worse(cand: dict[str, Any], base: dict[str, Any], both_ways: bool = False) -> bool:
    """``cand``'s mean FID and mean max-prob within ``base``'s seed spread (max - min over its
    seeds) of ``base``'s means (``both_ways``: on either side; else only not worse), and no seed
    of ``cand`` with fewer classes than ``base``'s fewest minus one."""
    fid_spread, prob_spread = base["fid_max"] - base["fid_min"], base["max_prob_max"] - base["max_prob_min"]
    fid_ok = cand["fid"] - base["fid"] <= fid_spread and (
        not both_ways or base["fid"] - cand["fid"] <= fid_spread
    )
    prob_ok = base["mean_max_prob"] - cand["mean_max_prob"] <= prob_spread and (
        not both_ways or cand["mean_max_prob"] - base["mean_max_prob"] <= prob_spread
    )
    return fid_ok and prob_ok and min(cand["modes"]) >= min(base["modes"]) - 1


def round_three_choice(summary: list[dict[str, Any]], role: str) -> dict[str, Any]:
    """Round 3's rule (docs/generators.md, "Round 3"), for one role: which of the levers, the
    narrower model and DiffAugment it adopts, and the recipe its learning curve (round 4) trains."""
    c = _by_name(summary, role)
    today, levers = c["today"], c["levers"]
    out: dict[str, Any] = {"levers": _not_worse(levers, today, both_ways=True)}
    recipe = "levers" if out["levers"] else "today"
    width = WIDTHS.get(role)
    if width in c:
        out["width"] = out["levers"] and _not_worse(c[width], today)
        if out["width"]:
            recipe = width
    da = [s for name, s in c.items() if name in ("da", "da_t", "da_c25")]  # the background fill
    if da:
        best = min(da, key=lambda s: (s["fid"], s["cpu_s"]))
        base = c["levers"]
        out["diffaugment"] = (
            best["name"] if best["fid_max"] < base["fid"] and min(best["modes"]) >= min(base["modes"]) else ""
        )
        if out["diffaugment"] and out["levers"]:
            recipe = best["name"]
    out["recipe"] = recipe
    return out


#: round 4's targets (each seed; the issue's), the quality bar of docs/generators.md, and the cap
#: of each role's CPU per run in x today's float32 run (its share of the budget: docs/generators.md)
TARGETS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "report_gan": lambda r: r["fid"] <= 12 and r["modes"] >= 10 and r["mean_max_prob"] >= 0.85,
    "ns_gan": lambda r: r["fid"] <= 50 and r["status"] != "mode_collapse",
    "ae_forced": lambda r: r["fid"] <= 30 and r["mean_max_prob"] >= 0.80,
}
BAR: Callable[[dict[str, Any]], bool] = lambda r: r["fid"] <= 50 and r["modes"] >= 9  # noqa: E731
CAPS = {"report_gan": 3.0, "ns_gan": 1.5, "ae_forced": 2.4}


def budget_choice(summary: list[dict[str, Any]], role: str, cap: float | None) -> dict[str, Any] | None:
    """Round 4's rule for one role's curve (docs/generators.md, "Round 4"): within ``cap`` x today's
    CPU per run (None: the whole curve), the smallest budget that meets the role's targets in
    every seed; else the lowest mean FID among the budgets whose every seed passes the bar; else
    the lowest mean FID. ``met``: "targets", "bar" or ""."""
    curve = sorted((s for s in summary if s["role"] == role and "@" in s["name"]), key=lambda s: s["epochs"])
    pool = [s for s in curve if cap is None or s["cpu_ratio"] <= cap]
    if not pool:
        return None
    for s in pool:
        if all(TARGETS[role](r) for r in s["runs"]):
            return {**s, "met": "targets"}
    barred = [s for s in pool if all(BAR(r) for r in s["runs"])]
    best = min(barred or pool, key=lambda s: (s["fid"], s["cpu_s"]))
    return {**best, "met": "bar" if barred else ""}


def markdown(
    summary: list[dict[str, Any]], chosen: dict[str, str], caps: dict[str, float] | None = None
) -> str:
    head = (
        "| role | candidate | FID mean [min, max] | classes >= 5 % per seed | min class share | "
        "mean max-prob | precision | recall | collapsed seeds | CPU s per run (x today) | chosen |\n"
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    for s in summary:
        cap = (caps if caps is not None else {r: rule.cap for r, rule in RULES.items()}).get(s["role"])
        within = "" if cap is None or s["cpu_ratio"] <= cap else " (over the cap)"
        lines.append(
            f"| {s['role']} | {s['name']}: {s['what']} | {s['fid']:.1f} [{s['fid_min']:.1f}, {s['fid_max']:.1f}] | "
            f"{'/'.join(map(str, s['modes']))} | {s['min_class_fraction']:.3f} | {s['mean_max_prob']:.3f} | "
            f"{s['precision']:.3f} | {s['recall']:.3f} | "
            f"{s['collapsed']} | {s['cpu_s']:.1f} ({s['cpu_ratio']:.2f}x){within} | "
            f"{'**chosen**' if chosen.get(s['role']) == s['name'] else ''} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_smoke(p, "tiny split, 1-2 epochs, 1 seed, a few candidates a role")
    p.add_argument(
        "--config", default=str(ROOT / "config" / "config.yaml"), help="data, classifier and scoring"
    )
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds per candidate")
    p.add_argument("--roles", default="", help="comma-separated roles to run (default: all)")
    p.add_argument(
        "--round",
        type=int,
        choices=(1, 2, 3, 4),
        default=1,
        help="the round of candidates (docs/generators.md)",
    )
    p.add_argument("--workers", type=int, default=1, help="trainings at a time (processes)")
    add_threads(p, 1, per=" per training")
    add_json(p, "every run's row and the summary")
    p.add_argument("--figure", default="", help="round 4: write the learning curves here (PNG)")
    p.add_argument("--after", default="", help="round 4: round 3's --json (its rule's choice of recipes)")
    p.add_argument("--work", default="", help="folder for the runs' outputs (default: a temporary one)")
    p.add_argument(
        "--memorisation",
        action="store_true",
        help="print each GAN checkpoint's D memorisation (train vs test digits) of a finished --work",
    )
    args = p.parse_args(argv)
    if args.memorisation:
        if not args.work:
            p.error("--memorisation reads the runs of --work")
        print(memorisation_table(Path(args.work)))
        return 0

    seeds = [0] if args.smoke else [int(s) for s in args.seeds.split(",")]
    roles = set(filter(None, args.roles.split(","))) or None
    choice, earlier = None, []
    if args.round == 4:
        if not args.after:
            p.error("--round 4 needs --after: round 3's --json")
        after = json.loads(Path(args.after).read_text())
        choice = {role: d["recipe"] for role, d in after["round3"].items() if roles is None or role in roles}
        earlier = [r for r in after["rows"] if r["name"] == "today" and r["role"] in choice]
    cands = [c for c in candidates(args.round, choice) if roles is None or c.role in roles]
    if args.smoke:  # today's and the candidates with the most options of each role, one curve
        smoke = {
            "report_gan": ("today", "da_r1_20", "da_sn20", "snd_r1g1_20", "da"),
            "ns_gan": ("today", "da_sn50", "levers", "da_zero", "da_c25"),
            "ae_forced": ("today", "dim_cov20", "levers_w16"),
            "ae": ("today",),
        }
        every = candidates(1) + candidates(2)[1:] + round_three()[1:]
        cands = [c for c in every if c.name in smoke[c.role]]
        ns = {c.name: c for c in round_three() if c.role == "ns_gan"}
        cands.append(Candidate("ns_gan", "curve", ns["levers"].what, "gan", ns["levers"].spec, (1, 2)))
    start = time.perf_counter()
    chosen: dict[str, str] = {}
    picks: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pilot_generators_") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        env = setup(work, Path(args.config), args.smoke)
        rows = earlier + run_all(tasks_of(cands, seeds, env, work, args.smoke), args.workers, args.threads)
        summary = summarise(rows)
        if args.round in (1, 2) or args.smoke:
            picks = {role: s for role in RULES if (s := select(summary, role)) is not None}
            chosen = {role: s["name"] for role, s in picks.items()}
        follow = chosen.get("ns_gan") if args.round == 1 and not args.smoke else None
        if follow is not None and (roles is None or roles & set(FOLLOWERS)):
            ns = {c.name: c for c in candidates() if c.role == "ns_gan"}
            more = [
                Candidate(role, name, ns[name].what, "gan", {**ns[name].spec, **change})
                for role, change in FOLLOWERS.items()
                if roles is None or role in roles
                for name in dict.fromkeys(("today", follow))
            ]
            rows += run_all(tasks_of(more, seeds, env, work, args.smoke), args.workers, args.threads)
            summary = summarise(rows)
            chosen.update({role: follow for role in FOLLOWERS})
    later = args.round >= 3 or args.smoke
    three, four = {}, {}
    if later:
        names = {(s["role"], s["name"]) for s in summary}
        for role in sorted({s["role"] for s in summary}):
            if (role, "today") in names and (role, "levers") in names:
                three[role] = round_three_choice(summary, role)
                chosen[role] = three[role]["recipe"]
            if role in TARGETS and any(s["role"] == role and "@" in s["name"] for s in summary):
                four[role] = {
                    "default": budget_choice(summary, role, CAPS[role]),
                    "long": budget_choice(summary, role, None),
                }
                if four[role]["default"] is not None:
                    chosen[role] = four[role]["default"]["name"]
    print()
    print(markdown(summary, chosen, CAPS if later else None))
    print()
    for role, rule in RULES.items():
        if role in picks:
            keep = ""
            if rule.keep_text:
                keep = (
                    f", {rule.keep_text}" if picks[role]["kept"] else f"; no candidate had {rule.keep_text}"
                )
            print(
                f"{role}: chosen {picks[role]['name']} (best mean {rule.score} within {rule.cap}x "
                f"today's CPU per run{keep})"
            )
    for role, choice in three.items():
        print(f"round 3 rule, {role}: {choice}")
    for role, budgets in four.items():
        for label, b in (("within the cap", budgets["default"]), ("whole curve", budgets["long"])):
            if b is not None:
                print(
                    f"round 4 rule, {role}, {label}: {b['name']} ({b['epochs']:.0f} epochs, "
                    f"{b['cpu_ratio']:.2f}x today's CPU; met: {b['met'] or 'neither targets nor bar'}; "
                    f"mean FID {b['fid']:.1f})"
                )
    if args.figure and four:
        curve_figure(summary, Path(args.figure))
    print(f"pilot: {len(rows)} rows in {time.perf_counter() - start:.0f} s wall")
    if args.json:
        strip = [{k: v for k, v in s.items() if k != "runs"} for s in summary]
        plain4 = {
            role: {
                k: None if v is None else {x: y for x, y in v.items() if x != "runs"} for k, v in b.items()
            }
            for role, b in four.items()
        }
        payload = {"rows": rows, "summary": strip, "chosen": chosen, "round3": three, "round4": plain4}
        Path(args.json).write_text(json.dumps(payload, indent=1))
    return 0


def curve_figure(summary: list[dict[str, Any]], path: Path) -> None:
    """The learning curves: FID, classes >= 5 %, mean max-prob, precision and recall (mean over the
    seeds, the seeds' range shaded) against the CPU seconds per run, each role's today marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (
        ("fid", "classifier FID (log)"),
        ("modes", "classes >= 5 %"),
        ("mean_max_prob", "mean max-prob"),
        ("precision", "precision (k = 3)"),
        ("recall", "recall (k = 3)"),
    )
    fig, axes = plt.subplots(1, len(panels), figsize=(4.0 * len(panels), 3.4))
    for role, colour in zip(TARGETS, ("C0", "C1", "C2")):
        curve = sorted(
            (s for s in summary if s["role"] == role and "@" in s["name"]), key=lambda s: s["epochs"]
        )
        today = next((s for s in summary if s["role"] == role and s["name"] == "today"), None)
        if not curve:
            continue
        x = [s["cpu_s"] for s in curve]
        for ax, (key, title) in zip(axes, panels):
            values = [[r[key] for r in s["runs"]] for s in curve]
            mean = [statistics.mean(v) for v in values]
            ax.plot(x, mean, "o-", color=colour, ms=3, label=role)
            ax.fill_between(x, [min(v) for v in values], [max(v) for v in values], color=colour, alpha=0.15)
            if today is not None:
                ax.plot(
                    [today["cpu_s"]],
                    [statistics.mean(r[key] for r in today["runs"])],
                    "x",
                    color=colour,
                    ms=7,
                )
            ax.set_title(title, fontsize=9)
            ax.set_xscale("log")
            if key == "fid":
                ax.set_yscale("log")
    for ax in axes:
        ax.set_xlabel("CPU s per run (one thread)", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(
        "Learning curves, seeds 0-2 (line: mean; band: range; x: today's settings in float32)", fontsize=9
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
