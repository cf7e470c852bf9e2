"""Malformed config files: one line naming FILE:LINE and the key, exit status 2, nothing run.

Most cases go through ``advgen check-config`` (in-process, fast): alone for syntax and shape
errors, merged over the default config (as ``--configfile config/config.yaml FILE``) for
schema errors. A handful go through ``snakemake -n`` to check the workflow gives the same line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow, snakemake
from tests.errors.conftest import assert_one_line_error, run_cli

DEFAULT = REPO / "config" / "config.yaml"
GAN = "gans:\n  x:\n    dataset: mnist\n    generator: mlp_small\n    discriminator: mlp_small\n"
AE = "autoencoders:\n  x:\n    dataset: mnist\n"
AA = "robustness:\n  attacks:\n    autoattack:\n"
PURIFY = "defense:\n  purify:\n"
CLF = "classifiers:\n  c:\n    dataset: mnist\n    arch: fc10\n"

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
    "duplicate-experiment": (
        GAN + "  x:\n    dataset: mnist\n",
        True,
        6,
        "duplicate key 'x' (first defined at line 2)",
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
    "classifier-lr-nan": (
        CLF + "    lr: .nan\n",
        True,
        5,
        "classifiers.c.lr: expected a finite number, got nan",
    ),
    "classifier-lr-inf": (
        CLF + "    lr: .inf\n",
        True,
        5,
        "classifiers.c.lr: expected a finite number, got inf",
    ),
    "gan-lr-minus-inf": (GAN + "    lr_g: -.inf\n", True, 6, "gans.x.lr_g: expected a finite number"),
    "gan-lr-zero": (GAN + "    lr_d: 0\n", True, 6, "gans.x.lr_d"),
    "ae-lr-negative": (AE + "    lr: -0.1\n", True, 4, "autoencoders.x.lr"),
    "gan-real-label-nan": (GAN + "    real_label: .nan\n", True, 6, "gans.x.real_label"),
    "classifier-width-nan": (CLF + "    width: .NaN\n", True, 5, "classifiers.c.width"),
    "classifier-eps-inf": (CLF + "    eps: .Inf\n", True, 5, "classifiers.c.eps"),
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
    "gan-seed-too-big": (GAN + "    seed: 99999999999\n", True, 6, "gans.x.seed"),
    "split-seed-too-big": (
        "datasets:\n  mnist:\n    split_seed: 4294967296\n",
        True,
        3,
        "datasets.mnist.split_seed",
    ),
    "subset-seed-negative": (CLF + "    subset_seed: -3\n", True, 5, "classifiers.c.subset_seed"),
    "z-dim-1e12": (GAN + "    z_dim: 1000000000000\n", True, 6, "gans.x.z_dim"),
    "z-dim-zero": (GAN + "    z_dim: 0\n", True, 6, "gans.x.z_dim"),
    "z-dim-float-1e12": (GAN + "    z_dim: 1.0e+12\n", True, 6, "gans.x.z_dim"),
    "batch-size-huge": (AE + "    batch_size: 1000000000\n", True, 4, "autoencoders.x.batch_size"),
    "epochs-zero": (CLF + "    epochs: 0\n", True, 5, "classifiers.c.epochs"),
    "epochs-bool": (GAN + "    epochs: true\n", True, 6, "gans.x.epochs"),
    "max-train-huge": (
        "datasets:\n  mnist:\n    max_train: 1000000000000\n",
        True,
        3,
        "datasets.mnist.max_train",
    ),
    "n-novel-too-many": (AE + "    n_novel: 5000\n", True, 4, "autoencoders.x.n_novel"),
    "betas-three": (GAN + "    betas: [0.5, 0.9, 0.99]\n", True, 6, "gans.x.betas"),
    "betas-one": (GAN + "    betas: [0.5, 1.0]\n", True, 6, "gans.x.betas"),
    "plots-dpi-huge": ("plots:\n  dpi: 100000\n", True, 2, "plots.dpi"),
    "sample-quality-n-inf": (
        "sample_quality:\n  classifier: mnist_cnn_small\n  n_samples: .inf\n",
        True,
        3,
        "sample_quality.n_samples",
    ),
    # unknown keys, enums, references, types
    "unknown-top-level": ("sedd: 1\n", True, 1, "sedd: unknown key 'sedd'"),
    "unknown-gan-key": (GAN + "    lr: 0.1\n", True, 6, "gans.x.lr: unknown key 'lr'"),
    "missing-required": (
        "gans:\n  x:\n    generator: mlp_small\n    discriminator: mlp_small\n",
        True,
        2,
        "gans.x.dataset: missing required key 'dataset'",
    ),
    "unknown-dataset": (GAN.replace("mnist", "digits"), True, 3, "gans.x.dataset: unknown dataset 'digits'"),
    "loss-enum": (GAN + "    loss: wasserstein\n", True, 6, "gans.x.loss"),
    "device-enum": ("device: gpu\n", True, 1, "device"),
    "classifier-mode-enum": (CLF + "    mode: trades\n", True, 5, "classifiers.c.mode"),
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
    # issue 12: AutoAttack entries and the purify stage's adaptive budget
    "autoattack-attack-name": (
        AA + "      attack: AutoAtack\n",
        True,
        4,
        "robustness.attacks.autoattack.attack",
    ),
    "autoattack-version": (
        AA + "      params: {version: fast}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.version",
    ),
    "autoattack-norm": (
        AA + "      params: {norm: l1}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.norm",
    ),
    "autoattack-n-iter-negative": (
        AA + "      params: {n_iter: -5}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.n_iter",
    ),
    "autoattack-n-queries-negative": (
        AA + "      params: {n_queries: -1}\n",
        True,
        4,
        "robustness.attacks.autoattack.params.n_queries",
    ),
    "autoattack-eps-negative": (AA + "      eps: [-0.1]\n", True, 4, "robustness.attacks.autoattack.eps"),
    "autoattack-unknown-classifier": (
        AA + "      classifiers: [digits_cnn_nope]\n",
        True,
        4,
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
    "purify-attack-enum": (PURIFY + "    attacks: [bpda, autoatack]\n", True, 3, "defense.purify.attacks"),
    "cv-fold-before-future": ("cv:\n  fold_before: 3000\n", True, 2, "cv.fold_before"),
    # replicates: `seeds` (non-empty, distinct, non-negative) or `replicates: N`, not both
    "seeds-empty": (GAN + "    seeds: []\n", True, 6, "gans.x.seeds: expected a non-empty list"),
    "seeds-repeated": (GAN + "    seeds: [0, 2, 0]\n", True, 6, "gans.x.seeds: seed 0 is repeated"),
    "seeds-negative": (CLF + "    seeds: [1, -1]\n", True, 5, "classifiers.c.seeds.1"),
    "seeds-not-a-list": (AE + "    seeds: 3\n", True, 4, "autoencoders.x.seeds: expected array"),
    "seeds-and-replicates": (
        GAN + "    seeds: [0, 1]\n    replicates: 2\n",
        True,
        2,
        "gans.x: give one of 'seeds' and 'replicates', not both",
    ),
    "replicates-zero": (CLF + "    replicates: 0\n", True, 5, "classifiers.c.replicates"),
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
        "robustness.transfer.classifiers: 'c_seed0' is listed twice",
    ),
}


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


def test_default_and_paper_configs_pass(capsys) -> None:
    for name in ("config.yaml", "paper.yaml"):
        code, err = run_cli(["check-config", str(REPO / "config" / name)], capsys)
        assert code == 0 and err == ""


# Through Snakemake: errors its own parser lets through reach advgen's check in common.smk.
SNAKEMAKE_CASES = ["duplicate-nested", "classifier-lr-nan", "seed-2-pow-70", "unknown-dataset"]


@pytest.mark.parametrize("case", SNAKEMAKE_CASES)
def test_workflow_reports_the_same_line(case: str, tmp_path: Path) -> None:
    wf = copy_workflow(tmp_path / "wf")
    content, _, line, words = CASES[case]
    (wf / "bad.yaml").write_text(content)
    proc = snakemake(wf, "-n", "--configfile", "config/config.yaml", "bad.yaml", check=False, timeout=120)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    errors = [ln for ln in out.splitlines() if ln.startswith("config error:")]
    assert errors == [errors[0]] and f"bad.yaml:{line}:" in errors[0] and words in errors[0], out
    assert not (wf / "results").exists()
