"""Malformed config files: one line naming FILE:LINE and the key, exit status 2, nothing run.

Most cases go through ``advgen check-config`` (in-process, fast): alone for syntax and shape
errors, merged over the default config (as ``--configfile config/config.yaml FILE``) for
schema errors. A handful go through ``snakemake -n`` to check the workflow gives the same line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.conftest import REPO, copy_workflow, snakemake
from tests.errors.conftest import assert_one_line_error, run_cli

DEFAULT = REPO / "config" / "config.yaml"
GAN = "gans:\n  x:\n    dataset: mnist\n    generator: mlp_small\n    discriminator: mlp_small\n"
AE = "autoencoders:\n  x:\n    dataset: mnist\n"
AA = "robustness:\n  attacks:\n    autoattack:\n"
PURIFY = "defense:\n  purify:\n"
CLF = "classifiers:\n  c:\n    dataset: mnist\n    arch: fc10\n"


def added(base: str, lines: str, words: str) -> tuple[str, bool, int, str]:
    """A case that adds ``lines`` to the entry ``base`` (GAN, AE, ...), merged over the default
    config: the error names the first added line."""
    return base + lines, True, base.count("\n") + 1, words


# id -> (file content, merge over the default config?, the line, the key or words the error names)
CASES: dict[str, tuple[bytes | str, bool, int | None, str]] = {
    # syntax: FILE:LINE:COLUMN
    "unclosed-flow-list": ("seed: [1\n", False, 2, "YAML syntax error"),
    "tab-indentation": ("gans:\n\tx: 1\n", False, 2, "YAML syntax error"),
    "over-indented-key": ("seed: 1\n  device: cpu\n", False, 2, "YAML syntax error"),
    "unclosed-quote": ('device: "cpu\nseed: 1\n', False, 3, "YAML syntax error"),
    "two-documents": ("seed: 1\n---\nseed: 2\n", False, 2, "YAML syntax error"),
    "undefined-alias": ("seed: *nothing\n", False, 1, "YAML syntax error"),
    "python-tag": ("seed: !!python/object/apply:os.system [ls]\n", False, 1, "YAML syntax error"),
    "list-as-key": ("? [a, b]\n: 1\n", False, 1, "key must be a scalar"),
    "colon-in-plain-value": ("seed: 1\ndevice: a: b\n", False, 2, "YAML syntax error"),
    "bad-block-sequence": ("datasets:\n  - a\n  b: 1\n", False, 3, "YAML syntax error"),
    # duplicate keys name both lines
    "duplicate-top-level": (
        "seed: 1\ndevice: cpu\nseed: 2\n",
        False,
        3,
        "duplicate key 'seed' (first defined at line 1)",
    ),
    "duplicate-experiment": added(
        GAN, "  x:\n    dataset: mnist\n", "duplicate key 'x' (first defined at line 2)"
    ),
    "duplicate-nested": (
        GAN + "    z_dim: 8\n    z_dim: 9\n",
        True,
        7,
        "duplicate key 'z_dim' (first defined at line 6)",
    ),
    "duplicate-in-flow": ("plots: {dpi: 100, dpi: 200}\n", True, 1, "duplicate key 'dpi'"),
    # encoding and shape: FILE (and byte offset)
    "latin1-byte": (b"seed: 1\n# caf\xe9\n", False, None, "byte 13: not valid UTF-8"),
    "binary-garbage": (b"\xff\xfe\x00\x01", False, None, "byte 0: not valid UTF-8"),
    "nul-byte": (b"seed: 1\x00\n", False, None, "byte 7: NUL byte"),
    "empty-file": ("", False, None, "the config file is empty"),
    "only-comments": ("# nothing here\n\n", False, None, "the config file is empty"),
    "top-level-list": ("- seed: 1\n", False, None, "found a list"),
    "top-level-string": ("just a sentence\n", False, None, "found a str scalar"),
    "top-level-number": ("42\n", False, None, "found a int scalar"),
    # non-finite and out-of-range numbers
    "classifier-lr-nan": added(CLF, "    lr: .nan\n", "classifiers.c.lr: expected a finite number, got nan"),
    "classifier-lr-inf": added(CLF, "    lr: .inf\n", "classifiers.c.lr: expected a finite number, got inf"),
    "gan-lr-minus-inf": added(GAN, "    lr_g: -.inf\n", "gans.x.lr_g: expected a finite number"),
    "gan-lr-zero": added(GAN, "    lr_d: 0\n", "gans.x.lr_d"),
    "ae-lr-negative": added(AE, "    lr: -0.1\n", "autoencoders.x.lr"),
    "gan-real-label-nan": added(GAN, "    real_label: .nan\n", "gans.x.real_label"),
    "classifier-width-nan": added(CLF, "    width: .NaN\n", "classifiers.c.width"),
    "classifier-eps-inf": added(CLF, "    eps: .Inf\n", "classifiers.c.eps"),
    "seed-2-pow-70": (
        "seed: 1180591620717411303424\n",
        True,
        1,
        "seed: 1180591620717411303424 is greater than the maximum",
    ),
    "seed-2-pow-32": ("seed: 4294967296\n", True, 1, "seed"),
    "seed-negative": ("seed: -1\n", True, 1, "seed"),
    "seed-string": ("seed: '2**70'\n", True, 1, "seed: expected integer"),
    "seed-float": ("seed: 1.5\n", True, 1, "seed"),
    "gan-seed-too-big": added(GAN, "    seed: 99999999999\n", "gans.x.seed"),
    "split-seed-too-big": (
        "datasets:\n  mnist:\n    split_seed: 4294967296\n",
        True,
        3,
        "datasets.mnist.split_seed",
    ),
    "subset-seed-negative": added(CLF, "    subset_seed: -3\n", "classifiers.c.subset_seed"),
    "z-dim-1e12": added(GAN, "    z_dim: 1000000000000\n", "gans.x.z_dim"),
    "z-dim-zero": added(GAN, "    z_dim: 0\n", "gans.x.z_dim"),
    "z-dim-float-1e12": added(GAN, "    z_dim: 1.0e+12\n", "gans.x.z_dim"),
    "batch-size-huge": added(AE, "    batch_size: 1000000000\n", "autoencoders.x.batch_size"),
    "epochs-zero": added(CLF, "    epochs: 0\n", "classifiers.c.epochs"),
    "epochs-bool": added(GAN, "    epochs: true\n", "gans.x.epochs"),
    "max-train-huge": (
        "datasets:\n  mnist:\n    max_train: 1000000000000\n",
        True,
        3,
        "datasets.mnist.max_train",
    ),
    "n-novel-too-many": added(AE, "    n_novel: 5000\n", "autoencoders.x.n_novel"),
    "betas-three": added(GAN, "    betas: [0.5, 0.9, 0.99]\n", "gans.x.betas"),
    "betas-one": added(GAN, "    betas: [0.5, 1.0]\n", "gans.x.betas"),
    "plots-dpi-huge": ("plots:\n  dpi: 100000\n", True, 2, "plots.dpi"),
    "sample-quality-n-inf": (
        "sample_quality:\n  classifier: mnist_cnn_small\n  n_samples: .inf\n",
        True,
        3,
        "sample_quality.n_samples",
    ),
    # unknown keys, enums, references, types
    "unknown-top-level": ("sedd: 1\n", True, 1, "sedd: unknown key 'sedd'"),
    "unknown-gan-key": added(GAN, "    lr: 0.1\n", "gans.x.lr: unknown key 'lr'"),
    "missing-required": (
        "gans:\n  x:\n    generator: mlp_small\n    discriminator: mlp_small\n",
        True,
        2,
        "gans.x.dataset: missing required key 'dataset'",
    ),
    "unknown-dataset": (GAN.replace("mnist", "digits"), True, 3, "gans.x.dataset: unknown dataset 'digits'"),
    # an overlay given alone: the message says how to merge it over its base config
    "overlay-alone": (
        CLF,
        False,
        3,
        "classifiers.c.dataset: unknown dataset 'mnist' (defined: none); if ",
    ),
    "overlay-alone-names-the-base-first": (
        "robustness:\n  attacks:\n    fgsm:\n      eps: [0.1]\n      classifiers: [mnist_cnn_wide]\n",
        False,
        3,
        "robustness.attacks.fgsm.attack: missing required key 'attack'; if ",
    ),
    "overlay-alone-unknown-classifier": (
        "robustness:\n  attacks:\n    fgsm:\n      attack: FGSM\n      eps: [0.1]\n      classifiers: [wide]\n",
        False,
        6,
        "adds to another config, name that one first (files merge in order): --configfile config/config.yaml ",
    ),
    "loss-enum": added(GAN, "    loss: wasserstein\n", "gans.x.loss"),
    "device-enum": ("device: gpu\n", True, 1, "device"),
    "classifier-mode-enum": added(CLF, "    mode: trades\n", "classifiers.c.mode"),
    "gans-is-a-list": ("gans: [a, b]\n", True, 1, "gans"),
    "experiment-is-null": ("gans:\n  x:\n", True, 2, "gans.x"),
    "bad-experiment-name": ("gans:\n  1bad:\n    dataset: digits\n", True, 1, "gans: '1bad' does not match"),
    "sample-quality-classifier": (
        "sample_quality:\n  classifier: nope\n",
        True,
        1,
        "sample_quality: unknown classifier 'nope'",
    ),
    "robustness-unknown-key": ("robustness:\n  max_exampels: 10\n", True, 2, "robustness.max_exampels"),
    "attack-eps-nan": (
        "robustness:\n  attacks:\n    fgsm:\n      eps: [0.1, .nan]\n",
        True,
        4,
        "robustness.attacks.fgsm.eps",
    ),
    "cv-unknown-key": ("cv:\n  colour: red\n", True, 2, "cv.colour"),
    # AutoAttack entries and the purify stage's adaptive budget
    "autoattack-attack-name": added(AA, "      attack: AutoAtack\n", "robustness.attacks.autoattack.attack"),
    "autoattack-version": added(
        AA, "      params: {version: fast}\n", "robustness.attacks.autoattack.params.version"
    ),
    "autoattack-norm": added(AA, "      params: {norm: l1}\n", "robustness.attacks.autoattack.params.norm"),
    "autoattack-n-iter-negative": added(
        AA, "      params: {n_iter: -5}\n", "robustness.attacks.autoattack.params.n_iter"
    ),
    "autoattack-n-queries-negative": added(
        AA, "      params: {n_queries: -1}\n", "robustness.attacks.autoattack.params.n_queries"
    ),
    "autoattack-eps-negative": added(AA, "      eps: [-0.1]\n", "robustness.attacks.autoattack.eps"),
    "autoattack-unknown-classifier": added(
        AA,
        "      classifiers: [digits_cnn_nope]\n",
        "robustness.attacks.autoattack.classifiers: unknown classifier 'digits_cnn_nope'",
    ),
    "purify-budget-negative": (
        PURIFY + "    budget:\n      steps: -1\n",
        True,
        4,
        "defense.purify.budget.steps",
    ),
    "purify-budget-nan": (
        PURIFY + "    budget:\n      latent_lr: .nan\n",
        True,
        4,
        "defense.purify.budget.latent_lr",
    ),
    "purify-budget-unknown-key": (
        PURIFY + "    budget:\n      stepz: 3\n",
        True,
        4,
        "defense.purify.budget.stepz",
    ),
    "purify-attack-enum": added(PURIFY, "    attacks: [bpda, autoatack]\n", "defense.purify.attacks"),
    "cv-fold-before-future": ("cv:\n  fold_before: 3000\n", True, 2, "cv.fold_before"),
    # replicates: `seeds` (non-empty, distinct, non-negative) or `replicates: N`, not both
    "seeds-empty": added(GAN, "    seeds: []\n", "gans.x.seeds: expected a non-empty list"),
    "seeds-repeated": added(GAN, "    seeds: [0, 2, 0]\n", "gans.x.seeds: 0 is listed twice (items 0 and 2)"),
    "seeds-negative": added(CLF, "    seeds: [1, -1]\n", "classifiers.c.seeds.1"),
    "seeds-not-a-list": added(AE, "    seeds: 3\n", "autoencoders.x.seeds: expected array"),
    "seeds-and-replicates": (
        GAN + "    seeds: [0, 1]\n    replicates: 2\n",
        True,
        2,
        "gans.x: give one of 'seeds' and 'replicates', not both",
    ),
    "replicates-zero": added(CLF, "    replicates: 0\n", "classifiers.c.replicates"),
    "replicate-name-taken": (
        CLF + "    replicates: 2\n  c_seed1:\n    dataset: mnist\n    arch: fc10\n",
        True,
        2,
        "classifiers.c: replicate name 'c_seed1' is already the name of another entry",
    ),
    "replicate-listed-twice": (
        CLF + "    replicates: 2\nrobustness:\n  transfer:\n    classifiers: [c, c_seed0]\n",
        True,
        8,
        "robustness.transfer.classifiers: 'c' is listed twice",  # c_seed0 is the run c, the first seed's
    ),
    # seed_base (advgen.seed_base): a moved seed past the largest, an alias that names two runs
    "seed-base-negative": ("seed_base: -1\n", True, 1, "seed_base: -1 is less than the minimum of 0"),
    "seed-base-past-largest-seed": (
        "seed_base: 1000000000\n" + CLF + "    seed: 4000000000\n",
        True,
        6,
        "classifiers.c.seed: seed 4000000000 + seed_base 1000000000 = 5000000000 is past the largest seed",
    ),
    "seed-base-inside-the-seeds": (
        "seed_base: 1\ndatasets:\n  d: {source: digits, image_size: 8}\n"
        "classifiers:\n  c:\n    dataset: d\n    arch: fc10\n    replicates: 3\n",
        False,
        5,
        "classifiers.c: with seed_base 1, 'c_seed2' would name the run of seed 3 and the run of seed 2",
    ),
    # Ilyas et al.'s D_det (robustness.robust_features.deterministic) and a sweep's seed
    "robust-features-deterministic-eps": (
        "robustness:\n  robust_features:\n    deterministic: {eps: -1.0}\n",
        True,
        3,
        "robustness.robust_features.deterministic.eps: -1.0 is less than or equal to the minimum of 0",
    ),
    "sweep-seed-unknown-word": (
        "sweeps:\n  inversion:\n    seed: run\n",
        True,
        3,
        "sweeps.inversion.seed: 'run' is not valid",
    ),
    # limited-data recipes and the quality gate's bars (docs/generators.md)
    "gan-recipe-unknown-option": (
        GAN + "    recipe:\n      diffaugment: [translation]\n      r1: 10\n",
        True,
        8,
        "gans.x.recipe.r1: unknown key 'r1'",
    ),
    "gan-recipe-unknown-transformation": added(
        GAN, "    recipe: {diffaugment: [color]}\n", "gans.x.recipe.diffaugment.0"
    ),
    "bar-unknown-metric": (
        "sample_quality:\n  classifier: mnist_cnn_small\n  bars:\n    report_gan: {fid: 40, clases: 9}\n",
        True,
        4,
        "sample_quality.bars.report_gan.clases: unknown key 'clases'",
    ),
    "bar-unknown-role": (
        "sample_quality:\n  classifier: mnist_cnn_small\n  bars:\n    report_gna: {fid: 40}\n",
        True,
        4,
        "sample_quality.bars.report_gna: unknown role",
    ),
}


# cross-references, masking checks, purify budgets, sweeps, names: the workflow's plan checks
NEW_CASES: dict[str, tuple[bytes | str, bool, int | None, str]] = {
    "masking-unknown-classifier": (
        "robustness:\n  masking:\n    classifiers: [mnist_cnn_small, nope]\n",
        True,
        3,
        "robustness.masking.classifiers: unknown classifier 'nope'",
    ),
    "masking-unknown-purifier": (
        "robustness:\n  masking:\n    purifiers: [nope]\n",
        True,
        3,
        "robustness.masking.purifiers: unknown purifier 'nope'",
    ),
    "masking-classifiers-string": (
        "robustness:\n  masking:\n    classifiers: digits_cnn_small\n",
        True,
        3,
        "robustness.masking.classifiers: 'digits_cnn_small' is not valid under any of the given sch",
    ),
    "masking-checks-eps-negative": (
        "robustness:\n  masking:\n    checks: {eps: -0.1}\n",
        True,
        3,
        "robustness.masking.checks.eps: -0.1 is less than or equal to the minimum of 0",
    ),
    "masking-checks-unknown-key": (
        "robustness:\n  masking:\n    checks: {epz: 0.1}\n",
        True,
        3,
        "robustness.masking.checks.epz: unknown key 'epz'",
    ),
    "masking-long-steps-zero": (
        "robustness:\n  masking:\n    checks: {long_steps: 0}\n",
        True,
        3,
        "robustness.masking.checks.long_steps: 0 is less than the minimum of 1",
    ),
    "masking-n-queries-nan": (
        "robustness:\n  masking:\n    checks: {n_queries: .nan}\n",
        True,
        3,
        "robustness.masking.checks.n_queries: expected a finite integer, got nan",
    ),
    "masking-purifier-checks-unknown": (
        "robustness:\n  masking:\n    purifier_checks: {foo: 1}\n",
        True,
        3,
        "robustness.masking.purifier_checks.foo: unknown key 'foo'",
    ),
    "masking-unknown-key": (
        "robustness:\n  masking:\n    clasifiers: [digits_cnn_small]\n",
        True,
        3,
        "robustness.masking.clasifiers: unknown key 'clasifiers'",
    ),
    "masking-eps-grid-string": (
        "robustness:\n  masking:\n    checks: {eps_grid: [0.0, high]}\n",
        True,
        3,
        "robustness.masking.checks.eps_grid.1: expected number, got str 'high'",
    ),
    "attack-unknown-classifier": (
        "robustness:\n  attacks:\n    fgsm:\n      classifiers: [nope]\n",
        True,
        4,
        "robustness.attacks.fgsm.classifiers: unknown classifier 'nope'",
    ),
    "transfer-unknown-attack": (
        "robustness:\n  transfer:\n    attacks: [nope]\n",
        True,
        3,
        "robustness.transfer.attacks: unknown attack 'nope'",
    ),
    "transfer-unknown-classifier": (
        "robustness:\n  transfer:\n    classifiers: [mnist_fc10, nope]\n",
        True,
        3,
        "robustness.transfer.classifiers: unknown classifier 'nope'",
    ),
    "transfer-deepfool": (
        "robustness:\n  transfer:\n    attacks: [deepfool]\n",
        True,
        3,
        "robustness.transfer.attacks: 'deepfool' is not a transferable attack (FGSM, PGD or LBFGS)",
    ),
    "transfer-two-datasets": (
        "robustness:\n  transfer:\n    classifiers: [mnist_fc10, digits8_cnn_small]\n",
        True,
        3,
        "robustness.transfer.classifiers: all must share one dataset",
    ),
    "capacity-unknown-classifier": (
        "robustness:\n  capacity:\n    classifier: nope\n",
        True,
        3,
        "robustness.capacity.classifier: unknown classifier 'nope'",
    ),
    "capacity-unknown-attack": (
        "robustness:\n  capacity:\n    attack: nope\n",
        True,
        3,
        "robustness.capacity.attack: unknown attack 'nope'",
    ),
    "capacity-transfer-deepfool": (
        "robustness:\n  capacity:\n    transfer: {attacks: [deepfool]}\n",
        True,
        3,
        "robustness.capacity.transfer.attacks: 'deepfool' is not a transferable attack with a budget (FGSM or PGD)",
    ),
    "capacity-widths-empty": (
        "robustness:\n  capacity:\n    widths: []\n",
        True,
        3,
        "robustness.capacity.widths: [] should be non-empty",
    ),
    "data-size-unknown-attack": (
        "robustness:\n  data_size:\n    attack: nope\n",
        True,
        3,
        "robustness.data_size.attack: unknown attack 'nope'",
    ),
    "data-size-fraction-above-one": (
        "robustness:\n  data_size:\n    fractions: [0.5, 1.5]\n",
        True,
        3,
        "robustness.data_size.fractions.1: 1.5 is greater than the maximum of 1",
    ),
    "robust-features-unknown-classifier": (
        "robustness:\n  robust_features:\n    robust_classifier: nope\n",
        True,
        3,
        "robustness.robust_features.robust_classifier: unknown classifier 'nope'",
    ),
    "robust-features-seeds-differ": (
        "classifiers:\n  other_cnn:\n    dataset: mnist\n    arch: cnn_small\n    seeds: [0, 1, 5]\n"
        "robustness:\n  robust_features:\n    standard_classifier: other_cnn\n",
        True,
        8,
        "robustness.robust_features.standard_classifier: its runs have seeds [2000, 2001, 2005], those "
        "of robust_classifier [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007]",  # the default's base 2000 moves both
    ),
    "examples-unknown-attack": (
        "robustness:\n  examples:\n    attacks: [nope]\n",
        True,
        3,
        "robustness.examples.attacks: unknown attack 'nope'",
    ),
    "examples-unknown-classifier": (
        "robustness:\n  examples:\n    classifiers: [nope]\n",
        True,
        3,
        "robustness.examples.classifiers: unknown classifier 'nope'",
    ),
    # names and dates match whole (no trailing newline); names differ in more than case
    "gan-name-newline": (
        'gans:\n  "x\\n":\n    dataset: mnist\n    generator: mlp_small\n    discriminator: mlp_small\n',
        True,
        1,
        "gans: 'x\\n' does not match",
    ),
    "cv-date-word": (
        "cv:\n  last_updated: yesterday\n",
        True,
        2,
        "cv.last_updated: 'yesterday' does not match",
    ),
    "cv-date-newline": (
        'cv:\n  last_updated: "2024-01-01\\n"\n',
        True,
        2,
        "cv.last_updated: '2024-01-01\\n'",
    ),
    "names-differ-in-case": (
        GAN + "autoencoders:\n  X:\n    dataset: mnist\n",
        True,
        7,
        "autoencoders.X: the name differs only in case from gans.x",
    ),
    "classifier-names-differ-in-case": (
        "classifiers:\n  MNIST_CNN_SMALL:\n    dataset: mnist\n    arch: fc10\n",
        True,
        2,
        "the name differs only in case",
    ),
    # what failed only at run time: architectures and their arguments, the CV's files
    "dcgan-on-8px": (
        "datasets:\n  d8:\n    source: digits\n    image_size: 8\n"
        "gans:\n  x:\n    dataset: d8\n    generator: dcgan\n    discriminator: mlp_small\n",
        True,
        8,
        "gans.x.generator: 'dcgan' takes square power-of-two images of at least 16 px",
    ),
    "dcgan28-on-8px": (
        "datasets:\n  d8:\n    source: digits\n    image_size: 8\n"
        "gans:\n  x:\n    dataset: d8\n    generator: mlp_small\n    discriminator: dcgan28\n",
        True,
        9,
        "gans.x.discriminator: 'dcgan28' takes 28x28 px images only",
    ),
    "generator-kwargs-unknown": added(
        GAN,
        "    generator_kwargs: {ngf: 8}\n",
        "gans.x.generator_kwargs.ngf: 'mlp_small' takes no argument 'ngf'",
    ),
    "discriminator-kwargs-unknown": added(
        GAN, "    discriminator_kwargs: {dropuot: 0.1}\n", "gans.x.discriminator_kwargs.dropuot"
    ),
    "cv-bib-missing": ("cv:\n  bib: nowhere/publications.bib\n", True, 2, "cv.bib: "),
    "cv-data-is-a-folder": ("cv:\n  cv: config\n", True, 2, "cv.cv: "),
    # bounded YAML: aliases expanded past 100,000 values, nesting past 64 levels
    "alias-bomb": (
        "x0: &a0 [l, l, l, l, l, l, l, l, l, l]\n"
        + "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7)),
        False,
        5,
        "expands to more than 100,000 values through its aliases",
    ),
    "nesting-100-deep": (
        "seed: " + "[" * 100 + "]" * 100 + "\n",
        False,
        1,
        "nested more than 64 levels deep",
    ),
    # one name, two models: a role naming it would read either
    "gan-and-classifier-share-a-name": (
        CLF.replace("  c:", "  x:") + GAN,
        True,
        6,
        "gans.x: also the name of classifiers.x; roles and the claims page name a model by its entry's name",
    ),
    "gan-and-autoencoder-share-a-name": (GAN + AE, True, 7, "autoencoders.x: also the name of gans.x"),
    "gan-replicate-and-classifier-share-a-name": (
        CLF.replace("  c:", "  x_seed1:") + GAN + "    seeds: [0, 1]\n",
        True,
        6,
        "gans.x: run name 'x_seed1' is also a name of classifiers.x_seed1",
    ),
    # an integer past Python's conversion limit (4,300 digits) was a ValueError traceback
    "integer-5000-digits": ("seed: " + "9" * 5000 + "\n", False, 1, "an integer longer than 100 digits"),
    "integer-5000-digits-tagged": (
        "seed: !!int " + "9" * 5000 + "\n",
        False,
        1,
        "an integer longer than 100 digits",
    ),
    "integer-5000-digits-nested": (
        "gans:\n  x:\n    epochs: " + "1" * 5000 + "\n",
        True,
        3,
        "an integer longer than 100 digits",
    ),
    # the total of jobs, before the DAG
    "max-jobs-exceeded": ("max_jobs: 100\n", True, 1, "max_jobs: the config makes"),
    "max-jobs-zero": ("max_jobs: 0\n", True, 1, "max_jobs: 0 is less than the minimum of 1"),
    "classifier-unknown-dataset": (
        "classifiers:\n  c:\n    dataset: nope\n    arch: fc10\n",
        True,
        3,
        "classifiers.c.dataset: unknown dataset 'nope'",
    ),
    "classifier-unknown-arch": (
        "classifiers:\n  c:\n    dataset: digits\n    arch: resnet50\n",
        True,
        4,
        "classifiers.c.arch: 'resnet50' is not one of ['fc10', 'fc100_100', 'fc200_200', 'fc123_456",
    ),
    "ae-unknown-dataset": (
        "autoencoders:\n  a:\n    dataset: nope\n",
        True,
        3,
        "autoencoders.a.dataset: unknown dataset 'nope'",
    ),
    "purify-unknown-classifier": (
        "defense:\n  purify:\n    classifier: nope\n",
        True,
        3,
        "defense.purify.classifier: unknown classifier 'nope'",
    ),
    "purify-unknown-generator": (
        "defense:\n  purify:\n    purifiers:\n      p:\n        generator: nope\n",
        True,
        5,
        "defense.purify.purifiers.p.generator: unknown generator 'nope'",
    ),
    "purify-reconstruct-gan": (
        "defense:\n  purify:\n    purifiers:\n      p:\n        generator: mnist_ns\n        method: reconstruct\n",
        True,
        6,
        "defense.purify.purifiers.p.method: reconstruct needs an autoencoder",
    ),
    "purify-other-dataset": (
        GAN.replace("x:", "g8:").replace("mnist", "digits8")
        + PURIFY
        + "    purifiers:\n      p:\n        generator: g8\n",
        True,
        10,
        "defense.purify.purifiers.p.generator: 'g8' is trained on 'digits8', the classifier 'mnist",
    ),
    "purify-budget-steps-zero": (
        "defense:\n  purify:\n    budget:\n      steps: 0\n",
        True,
        4,
        "defense.purify.budget.steps: 0 is less than the minimum of 1",
    ),
    "purify-budget-restarts-float": (
        "defense:\n  purify:\n    budget:\n      restarts: 1.5\n",
        True,
        4,
        "defense.purify.budget.restarts: expected integer, got float 1.5",
    ),
    "purify-budget-eot-string": (
        "defense:\n  purify:\n    budget:\n      eot_samples: two\n",
        True,
        4,
        "defense.purify.budget.eot_samples: expected integer, got str 'two'",
    ),
    "purify-eps-nan": (
        "defense:\n  purify:\n    eps: [0.1, .nan]\n",
        True,
        3,
        "defense.purify.eps.1: expected a finite number, got nan",
    ),
    "purify-tradeoff-unknown-key": (
        "defense:\n  purify:\n    purifiers:\n      gan_ns:\n        tradeoff: {stepz: [1]}\n",
        True,
        5,
        "defense.purify.purifiers.gan_ns.tradeoff.stepz: unknown key 'stepz'",
    ),
    "purify-num-images-zero": (
        "defense:\n  purify:\n    num_images: 0\n",
        True,
        3,
        "defense.purify.num_images: 0 is less than the minimum of 1",
    ),
    "probe-unknown-gan": (
        "defense:\n  probe:\n    gans: [nope]\n",
        True,
        3,
        "defense.probe.gans: unknown gan 'nope'",
    ),
    "probe-unknown-control": (
        "defense:\n  probe:\n    controls: [nope]\n",
        True,
        3,
        "defense.probe.controls: unknown gan 'nope'",
    ),
    "probe-unknown-classifier": (
        "defense:\n  probe:\n    classifiers: [nope]\n",
        True,
        3,
        "defense.probe.classifiers: unknown classifier 'nope'",
    ),
    "probe-two-datasets": (
        "defense:\n  probe:\n    classifiers: [digits8_cnn_small]\n",
        True,
        2,
        "defense.probe: the probed models must share one dataset",
    ),
    "sweeps-unknown-generator": (
        "sweeps:\n  inversion:\n    generators: [nope]\n",
        True,
        3,
        "sweeps.inversion.generators: unknown generator 'nope'",
    ),
    "sweeps-unknown-classifier": (
        "sweeps:\n  inpainting:\n    classifier: nope\n",
        True,
        3,
        "sweeps.inpainting.classifier: unknown classifier 'nope'",
    ),
    "sweeps-restarts-zero": (
        "sweeps:\n  inversion:\n    restarts: [0]\n",
        True,
        3,
        "sweeps.inversion.restarts.0: 0 is less than the minimum of 1",
    ),
    "sweeps-mask-enum": (
        "sweeps:\n  inpainting:\n    mask: [checkerboard]\n",
        True,
        3,
        "sweeps.inpainting.mask.0: 'checkerboard' is not one of ['pepper', 'crosswalk', 'square', '",
    ),
    "sweeps-psi-negative": (
        "sweeps:\n  truncation:\n    psi: [-1.0]\n",
        True,
        3,
        "sweeps.truncation.psi.0: -1.0 is less than or equal to the minimum of 0",
    ),
    "sweeps-unknown-sweep": (
        "sweeps:\n  warp:\n    generators: [digits_ns]\n",
        True,
        2,
        "sweeps.warp: unknown key 'warp'",
    ),
    "sweeps-num-pairs-zero": (
        "sweeps:\n  interpolation:\n    num_pairs: 0\n",
        True,
        3,
        "sweeps.interpolation.num_pairs: 0 is less than the minimum of 1",
    ),
    "name-classifier-dash": (
        "classifiers:\n  bad-name:\n    dataset: digits\n    arch: fc10\n",
        True,
        1,
        "classifiers: 'bad-name' does not match '^[A-Za-z][A-Za-z0-9_]*$'",
    ),
    "name-dataset-digit-first": (
        "datasets:\n  9x:\n    source: digits\n    image_size: 28\n",
        True,
        1,
        "datasets: '9x' does not match '^[A-Za-z][A-Za-z0-9_]*$'",
    ),
    "name-ae-space": (
        "autoencoders:\n  'a b':\n    dataset: digits\n",
        True,
        1,
        "autoencoders: 'a b' does not match '^[A-Za-z][A-Za-z0-9_]*$'",
    ),
    "name-attack-accent": (
        "robustness:\n  attacks:\n    fgsmé:\n      attack: FGSM\n      eps: [0.1]\n      classifiers: [digits_fc10]\n",
        True,
        2,
        "robustness.attacks: 'fgsmé' does not match '^[A-Za-z][A-Za-z0-9_]*$'",
    ),
    "name-purifier-dot": (
        "defense:\n  purify:\n    purifiers:\n      a.b:\n        generator: digits_ns\n",
        True,
        3,
        "defense.purify.purifiers: 'a.b' does not match '^[A-Za-z][A-Za-z0-9_]*$'",
    ),
    "autoattack-target-classes-zero": (
        "robustness:\n  attacks:\n    autoattack:\n      params: {n_target_classes: 0}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.n_target_classes: 0 is less than the minimum of 1",
    ),
    "autoattack-unknown-param": (
        "robustness:\n  attacks:\n    autoattack:\n      params: {n_restartz: 2}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.n_restartz: unknown key 'n_restartz'",
    ),
    "autoattack-eps-string": (
        "robustness:\n  attacks:\n    autoattack:\n      eps: [small]\n",
        True,
        4,
        "robustness.attacks.autoattack.eps.0: expected number, got str 'small'",
    ),
    "sample-quality-by-dataset-unknown": (
        "sample_quality:\n  classifier_by_dataset: {digits: nope}\n",
        True,
        1,
        "sample_quality: unknown classifier 'nope'",
    ),
    "worst-case-unknown-attack": (
        "robustness:\n  worst_case:\n    attacks: [pgd40, nope]\n",
        True,
        3,
        "robustness.worst_case.attacks: unknown attack 'nope'",
    ),
    "worst-case-unknown-standard": (
        "robustness:\n  worst_case:\n    standard: nope\n",
        True,
        3,
        "robustness.worst_case.standard: unknown attack 'nope'",
    ),
    "worst-case-standard-in-the-set": (
        "robustness:\n  worst_case:\n    standard: pgd40\n",
        True,
        3,
        "robustness.worst_case.standard: 'pgd40' is also one of robustness.worst_case.attacks",
    ),
    "worst-case-one-attack": (
        "robustness:\n  worst_case:\n    attacks: [pgd40]\n",
        True,
        3,
        "robustness.worst_case.attacks: ['pgd40'] is too short",
    ),
    "attack-unknown-kind": (
        "robustness:\n  attacks:\n    x:\n      attack: CW\n      eps: [0.1]\n      classifiers: [digits_fc10]\n",
        True,
        4,
        "robustness.attacks.x.attack: 'CW' is not one of ['FGSM', 'PGD', 'LBFGS', 'DeepFool', 'OneP",
    ),
}
CASES.update(NEW_CASES)

LONG = "a" * 101
# splits that lack a class, names, duplicates in any list (one rule), sizes
LIMIT_CASES: dict[str, tuple[bytes | str, bool, int | None, str]] = {
    "split-test-fraction-empty": (
        "datasets:\n  mnist:\n    test_fraction: 1.0e-9\n",
        True,
        3,
        "datasets.mnist.test_fraction: 1e-09 puts 0 of each class's 500 images in the test split; "
        "every split needs every class",
    ),
    "split-test-fraction-train-empty": (
        "datasets:\n  mnist:\n    test_fraction: 0.9999\n",
        True,
        3,
        "datasets.mnist.test_fraction: 0.9999 puts 0 of each class's 500 images in the train split",
    ),
    "split-digits-fewer-than-classes": (
        "datasets:\n  digits8:\n    test_fraction: 0.001\n",
        True,
        3,
        "datasets.digits8.test_fraction: 0.001 puts 2 of the 1,797 images in the test split, fewer than "
        "the 10 classes",
    ),
    "split-max-test-one-class": (
        "datasets:\n  mnist:\n    max_test: 1\n",
        True,
        3,
        "datasets.mnist.max_test: 1 test images, fewer than the 10 classes; every split needs every class",
    ),
    "split-max-train-below-classes": (
        "datasets:\n  digits8:\n    max_train: 9\n",
        True,
        3,
        "datasets.digits8.max_train: 9 train images, fewer than the 10 classes",
    ),
    "name-gan-over-limit": (
        GAN.replace("  x:", f"  {LONG}:") + "    replicates: 2\n",
        True,
        1,
        "gans: 'aaaaaaaaaaaaaaaaaaaaaaaa'... has 101 characters, more than the limit of 100",
    ),
    "name-classifier-300": (
        CLF.replace("  c:", f"  {'c' * 300}:"),
        True,
        1,
        "classifiers: 'cccccccccccccccccccccccc'... has 300 characters, more than the limit of 100",
    ),
    "name-attack-over-limit": (
        f"robustness:\n  attacks:\n    {LONG}:\n      attack: FGSM\n      eps: [0.1]\n"
        "      classifiers: [mnist_fc10]\n",
        True,
        2,
        "robustness.attacks: 'aaaaaaaaaaaaaaaaaaaaaaaa'... has 101 characters, more than the limit of 100",
    ),
    "name-periodic": (
        CLF.replace("  c:", f"  c{'ab' * 25}:"),
        True,
        1,
        f"classifiers: name 'c{'ab' * 25}' ends in 'ab' repeated 25 times, which Snakemake refuses in a "
        "wildcard (at most 19 repeats)",
    ),
    "duplicate-sweep-restarts": (
        "sweeps:\n  inversion:\n    restarts: [1, 2, 1]\n",
        True,
        3,
        "sweeps.inversion.restarts: 1 is listed twice (items 0 and 2); the values of a list must differ",
    ),
    "duplicate-sweep-psi": (
        "sweeps:\n  truncation:\n    psi: [0.5, 0.5]\n",
        True,
        3,
        "sweeps.truncation.psi: 0.5 is listed twice (items 0 and 1)",
    ),
    "duplicate-sweep-steps-int-and-float": (
        "sweeps:\n  inversion:\n    steps: [5, 5.0]\n",
        True,
        3,
        "sweeps.inversion.steps: 5 is listed twice (items 0 and 1)",
    ),
    "duplicate-attack-eps": (
        "robustness:\n  attacks:\n    fgsm:\n      eps: [0.1, 0.2, 0.1]\n",
        True,
        4,
        "robustness.attacks.fgsm.eps: 0.1 is listed twice (items 0 and 2)",
    ),
    "duplicate-masking-eps-grid": (
        "robustness:\n  masking:\n    checks: {eps_grid: [0.0, 0.1, 0.1]}\n",
        True,
        3,
        "robustness.masking.checks.eps_grid: 0.1 is listed twice (items 1 and 2)",
    ),
    "duplicate-classifier-list": (
        "robustness:\n  transfer:\n    classifiers: [mnist_fc10, mnist_fc10]\n",
        True,
        3,
        "robustness.transfer.classifiers: 'mnist_fc10' is listed twice (items 0 and 1)",
    ),
    "duplicate-tradeoff-steps": (
        "defense:\n  purify:\n    purifiers:\n      gan_ns:\n        tradeoff: {steps: [4, 4]}\n",
        True,
        5,
        "defense.purify.purifiers.gan_ns.tradeoff.steps: 4 is listed twice (items 0 and 1)",
    ),
    "duplicate-capacity-widths": (
        "robustness:\n  capacity:\n    widths: [0.5, 1, 0.5]\n",
        True,
        3,
        "robustness.capacity.widths: 0.5 is listed twice (items 0 and 2)",
    ),
    "seeds-over-limit": (
        GAN + f"    seeds: [{', '.join(map(str, range(1001)))}]\n",
        True,
        6,
        "gans.x.seeds: 1001 items, more than the limit of 1000",
    ),
    "replicates-past-the-largest-seed": (
        "seed_base: 0\n" + GAN + "    seed: 4294967295\n    replicates: 2\n",  # the default's base: 1000
        True,
        8,
        "gans.x.replicates: 2 seeds from 4294967295 run up to 4294967296, more than the largest seed "
        "4294967295",
    ),
    "sweep-grid-over-limit": (
        "sweeps:\n  truncation:\n    generators: [mnist_ns]\n    psi: ["
        + ", ".join(f"{0.001 * i:.3f}" for i in range(1, 1001))
        + "]\n",
        True,
        2,
        "sweeps.truncation: 4 generators x 1,000 psi values make up to 4,000 jobs, more than the limit "
        "of 1,000 per grid",
    ),
    "purify-tradeoff-over-limit": (
        "defense:\n  purify:\n    purifiers:\n      gan_ns:\n        tradeoff: {steps: ["
        + ", ".join(map(str, range(1, 41)))
        + "], restarts: ["
        + ", ".join(map(str, range(1, 31)))
        + "]}\n",
        True,
        5,
        "defense.purify.purifiers.gan_ns.tradeoff: 40 steps values x 30 restarts values make up to 1,200 "
        "jobs, more than the limit of 1,000 per grid",
    ),
    "capacity-grid-over-limit": (
        "robustness:\n  capacity:\n    widths: ["
        + ", ".join(f"{0.01 * i:.2f}" for i in range(1, 201))
        + "]\n",
        True,
        2,
        "robustness.capacity: 8 runs x 2 modes x 200 widths make up to 3,200 jobs, more than the limit "
        "of 1,000 per grid",
    ),
}
CASES.update(LIMIT_CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_config_is_one_line(case: str, workdir: Path, capsys) -> None:
    content, merged, line, words = CASES[case]
    path = workdir / f"{case}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    files = [str(DEFAULT), str(path)] if merged else [str(path)]
    code, err = run_cli(["check-config", *files], capsys)
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert_one_line_error(code, err, where, words, workdir=workdir)


def test_default_and_paper_configs_pass(capsys, monkeypatch) -> None:
    # a CPU with bfloat16 instructions: no warning of emulated bfloat16 (tests/unit/test_training_speed.py)
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {"avx512_bf16": True})
    for name in ("config.yaml", "paper.yaml"):
        code, err = run_cli(["check-config", str(REPO / "config" / name)], capsys)
        assert code == 0 and err == ""


# Snakemake parses every --configfile itself before advgen's code runs; it rejects these files
# with its own message (no file or line: README, "Config files Snakemake rejects itself"), so
# for them only the exit status is compared. Run `advgen check-config` on such a file.
SNAKEMAKE_PARSER_CASES = {
    # YAML syntax: "Config file is not valid JSON or YAML"
    "bad-block-sequence",
    "colon-in-plain-value",
    "list-as-key",
    "over-indented-key",
    "python-tag",
    "tab-indentation",
    "two-documents",
    "unclosed-flow-list",
    "unclosed-quote",
    "undefined-alias",
    # encoding: Snakemake's UnicodeDecodeError, or "not valid JSON or YAML" for a NUL byte
    "binary-garbage",
    "latin1-byte",
    "nul-byte",
    # shape: "Config file must be given as JSON or YAML with keys at top level"
    "empty-file",
    "only-comments",
    "top-level-list",
    "top-level-number",
    "top-level-string",
    # an integer past Python's conversion limit: Snakemake's own ValueError, loading --configfile
    "integer-5000-digits",
    "integer-5000-digits-nested",
    "integer-5000-digits-tagged",
}

# one case per kind, through Snakemake in the default suite; every case in the slow suite
FAST_WORKFLOW_CASES = [
    "duplicate-nested",
    "overlay-alone",
    "classifier-lr-nan",
    "seed-2-pow-70",
    "unknown-dataset",
    "masking-unknown-classifier",
    "masking-unknown-purifier",
    "purify-other-dataset",
    "dcgan-on-8px",
    "alias-bomb",
]


def _write_case(case: str, folder: Path) -> list[str]:
    """Write case's file as ``bad.yaml`` in ``folder``; the --configfile list, relative to it."""
    content, merged, _, _ = CASES[case]
    path = folder / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return ["config/config.yaml", "bad.yaml"] if merged else ["bad.yaml"]


def _same_answer(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """`advgen check-config FILES` and `snakemake -n --configfile FILES` give the same line."""
    wf = copy_workflow(tmp_path / "wf")
    files = _write_case(case, wf)
    monkeypatch.chdir(wf)
    code, err = run_cli(["check-config", *files], capsys)
    assert code == 2, err
    checker = err.strip().removeprefix("advgen check-config: error: ")
    proc = snakemake(wf, "-n", "--configfile", *files, check=False, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert not (wf / "results").exists()
    if case in SNAKEMAKE_PARSER_CASES:
        return
    assert "Traceback" not in out
    errors = [ln.removeprefix("config error: ") for ln in out.splitlines() if ln.startswith("config error:")]
    assert errors == [checker], f"check-config: {checker}\nworkflow:\n{out}"


@pytest.mark.parametrize("case", FAST_WORKFLOW_CASES)
def test_workflow_gives_the_same_answer(case: str, tmp_path: Path, monkeypatch, capsys) -> None:
    _same_answer(case, tmp_path, monkeypatch, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(set(CASES) - set(FAST_WORKFLOW_CASES)))
def test_workflow_gives_the_same_answer_on_the_whole_corpus(
    case: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    _same_answer(case, tmp_path, monkeypatch, capsys)
