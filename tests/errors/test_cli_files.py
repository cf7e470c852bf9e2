"""Bad files handed to the CLI: one line naming the file, exit status 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.errors.conftest import assert_one_line_error, run_cli

CLF_SPEC = {
    "arch": "fc10",
    "batch_size": 16,
    "dataset": "digits",
    "device": "cpu",
    "epochs": 1,
    "eps": 0.3,
    "eps_warmup_epochs": 0,
    "fgsm_alpha": 0.5,
    "lr": 0.001,
    "mode": "standard",
    "momentum": 0.9,
    "optimizer": "adam",
    "pgd_step_factor": 2.5,
    "pgd_steps": 3,
    "seed": 0,
    "subset_seed": 0,
    "train_fraction": 1.0,
    "train_subset": "all",
    "weight_decay": 0.0,
    "width": 1.0,
}
GAN_SPEC = {
    "dataset": "digits",
    "generator": "mlp_small",
    "discriminator": "mlp_small",
    "z_dim": 8,
    "batch_size": 16,
    "epochs": 1,
    "grid_size": 16,
    "seed": 0,
}
AE_SPEC = {
    "dataset": "digits",
    "z_dim": 6,
    "width": 4,
    "batch_size": 16,
    "epochs": 1,
    "cdf_levels": 9,
    "n_novel": 8,
    "seed": 0,
}
ATTACK_SPEC = {
    "name": "fgsm",
    "attack": {"attack": "FGSM", "eps": [0.1], "max_examples": 8, "params": {}, "seed": 0},
    "eval": {"batch_size": 8, "max_examples": 8},
    "device": "cpu",
}
PURIFY_SPEC = {
    "adaptive_steps": 1,
    "classifier": "c",
    "dataset": "digits",
    "device": "cpu",
    "eot_samples": 1,
    "eps": [0.1],
    "generator": None,
    "generator_kind": None,
    "method": "none",
    "num_images": 4,
    "pgd_steps": 1,
    "attacks": ["fgsm"],
    "operating": True,
    "point": "bare",
    "restarts": 0,
    "steps": 0,
    "purifier": "none",
    "seed": 0,
}
TRANSFER_SPEC = {
    "attacks": {"fgsm": {"attack": "FGSM", "params": {}, "seed": 0}},
    "device": "cpu",
    "eval": {"batch_size": 8, "max_examples": 8},
    "transfer": {"attacks": ["fgsm"], "classifiers": ["a", "b"], "eps": 0.2, "noise_seed": 0},
}
PROBE_SPEC = {
    "device": "cpu",
    "sources": [
        {
            "dataset": "digits",
            "eps": [0.1],
            "family": "gan",
            "loss": "non_saturating",
            "max_iter": 5,
            "num_images": 8,
            "pgd_steps": 1,
            "restarts": 1,
            "seed": 0,
            "source": "g",
            "train_images": 16,
            "unroll_k": 0,
            "weight_decay": 0.0001,
        }
    ],
}
FLIP_SPEC = {
    "device": "cpu",
    "gans": [
        {
            "dataset": "digits",
            "eps_max": 0.5,
            "gan": "g",
            "loss": "mse",
            "num_images": 4,
            "pgd_steps": 1,
            "search_steps": 2,
            "seed": 0,
            "unroll_k": 0,
        }
    ],
}
TRUNC_SPEC = {
    "classifier": "c",
    "dataset": "digits",
    "device": "cpu",
    "generator": "g",
    "generator_kind": "gan",
    "num_samples": 16,
    "point": "p",
    "psi": 0.5,
    "seed": 0,
    "sweep": "truncation",
}
SWEEP_SPEC = {
    "attack": {"attack": "FGSM", "params": {}, "seed": 0},
    "device": "cpu",
    "eps": 0.2,
    "eval": {"batch_size": 8, "max_examples": 8},
    "points": {"a": CLF_SPEC},
}
PLOT_SPEC = {
    "cdf_panels": 8,
    "dpi": 50,
    "experiment": "x",
    "interpolation_pairs": 8,
    "inversion_images": 4,
    "sample_panels": 6,
    "sample_scale": 2,
    "smoothing": 25,
    "vector_formats": [],
}


INVERT_SPEC = {
    "classifier": "c",
    "clip": None,
    "dataset": "digits",
    "device": "cpu",
    "generator": "g",
    "generator_kind": "gan",
    "init": "random",
    "lr": 0.1,
    "num_images": 4,
    "optimizer": "adam",
    "point": "p",
    "prior_weight": 0.0,
    "restarts": 1,
    "seed": 0,
    "steps": 2,
    "sweep": "inversion",
}


def j(spec: dict) -> str:
    return json.dumps(spec)


INVERT = ["invert", "--spec", j(INVERT_SPEC), "--classifier", "{G}/clf.pt", "--images", "{G}/test.pt"]
INVERT += ["--final", "results/f.parquet", "--steps", "results/s.parquet", "--latents", "results/z.pt"]
INVERT += ["--figure", "results/r.png"]


TRAIN_CLF = [
    "train-classifier",
    "--name",
    "c",
    "--spec",
    j(CLF_SPEC),
    "--model",
    "results/m.pt",
    "--history",
    "results/h.parquet",
    "--resume",
    "results/resume/last.pt",
]
TRAIN_GAN = [
    "train-gan",
    "--spec",
    j(GAN_SPEC),
    "--checkpoint",
    "results/g/checkpoint.pt",
    "--losses",
    "results/g/l.parquet",
    "--samples",
    "results/g/samples",
    "--status",
    "results/g/s.json",
    "--device",
    "cpu",
]
TRAIN_AE = [
    "train-ae",
    "--spec",
    j(AE_SPEC),
    "--checkpoint",
    "results/a/c.pt",
    "--losses",
    "results/a/l.parquet",
    "--latent-cdf",
    "results/a/cdf.parquet",
    "--novel",
    "results/a/n.png",
    "--reconstructions",
    "results/a/r.png",
    "--metrics",
    "results/a/m.json",
    "--device",
    "cpu",
]
ATTACK = ["attack", "--classifier", "c", "--spec", j(ATTACK_SPEC), "--out", "results/a.parquet"]

# (id, argv with {G} = good files, {B} = bad files, the bad path that the line must name)
CASES = [
    (
        "train-classifier-train-missing",
        TRAIN_CLF + ["--train", "{B}/missing.pt", "--test", "{G}/test.pt"],
        "{B}/missing.pt",
    ),
    (
        "train-classifier-train-garbage",
        TRAIN_CLF + ["--train", "{B}/garbage.pt", "--test", "{G}/test.pt"],
        "{B}/garbage.pt",
    ),
    (
        "train-classifier-train-empty",
        TRAIN_CLF + ["--train", "{B}/empty.pt", "--test", "{G}/test.pt"],
        "{B}/empty.pt",
    ),
    (
        "train-classifier-train-is-classifier",
        TRAIN_CLF + ["--train", "{G}/clf.pt", "--test", "{G}/test.pt"],
        "{G}/clf.pt",
    ),
    (
        "train-classifier-test-list",
        TRAIN_CLF + ["--train", "{G}/train.pt", "--test", "{B}/list.pt"],
        "{B}/list.pt",
    ),
    (
        "train-classifier-test-folder",
        TRAIN_CLF + ["--train", "{G}/train.pt", "--test", "{B}/folder.pt"],
        "{B}/folder.pt",
    ),
    # the spec says gan: an autoencoder's checkpoint is the wrong kind, and so is a GAN's for an autoencoder
    (
        "invert-gan-spec-autoencoder-checkpoint",
        INVERT + ["--generator", "{G}/ae.pt"],
        "{G}/ae.pt: expected a 'gan' checkpoint, found kind='autoencoder'",
    ),
    (
        "invert-autoencoder-spec-gan-checkpoint",
        [a.replace('"generator_kind": "gan"', '"generator_kind": "autoencoder"') for a in INVERT]
        + ["--generator", "{G}/gan/checkpoint.pt"],
        "{G}/gan/checkpoint.pt: expected a 'autoencoder' checkpoint, found kind='gan'",
    ),
    ("train-gan-train-garbage", TRAIN_GAN + ["--train", "{B}/garbage.pt"], "{B}/garbage.pt"),
    ("train-gan-train-missing", TRAIN_GAN + ["--train", "{B}/missing.pt"], "{B}/missing.pt"),
    ("train-gan-train-kind", TRAIN_GAN + ["--train", "{B}/kind_gan.pt"], "{B}/kind_gan.pt"),
    ("train-ae-train-empty", TRAIN_AE + ["--train", "{B}/empty.pt", "--test", "{G}/test.pt"], "{B}/empty.pt"),
    (
        "train-ae-test-missing",
        TRAIN_AE + ["--train", "{G}/train.pt", "--test", "{B}/missing.pt"],
        "{B}/missing.pt",
    ),
    (
        "attack-model-garbage",
        ATTACK + ["--model", "{B}/garbage.pt", "--test", "{G}/test.pt"],
        "{B}/garbage.pt",
    ),
    (
        "attack-model-missing",
        ATTACK + ["--model", "{B}/missing.pt", "--test", "{G}/test.pt"],
        "{B}/missing.pt",
    ),
    (
        "attack-model-is-gan",
        ATTACK + ["--model", "{G}/gan/checkpoint.pt", "--test", "{G}/test.pt"],
        "{G}/gan/checkpoint.pt",
    ),
    (
        "attack-model-kind-only",
        ATTACK + ["--model", "{B}/kind_classifier.pt", "--test", "{G}/test.pt"],
        "{B}/kind_classifier.pt",
    ),
    ("attack-test-garbage", ATTACK + ["--model", "{G}/clf.pt", "--test", "{B}/garbage.pt"], "{B}/garbage.pt"),
    (
        "attack-table-other-columns",
        [
            "attack-table",
            "--curves",
            "{B}/other.parquet",
            "--out",
            "results/c.parquet",
            "--minimal",
            "results/m.parquet",
        ],
        "{B}/other.parquet",
    ),
    (
        "attack-table-not-parquet",
        [
            "attack-table",
            "--curves",
            "{B}/text.parquet",
            "--out",
            "results/c.parquet",
            "--minimal",
            "results/m.parquet",
        ],
        "{B}/text.parquet",
    ),
    (
        "attack-table-missing",
        [
            "attack-table",
            "--curves",
            "{B}/missing.parquet",
            "--out",
            "results/c.parquet",
            "--minimal",
            "results/m.parquet",
        ],
        "{B}/missing.parquet",
    ),
    (
        "sample-quality-table-other-columns",
        ["sample-quality-table", "--inputs", "{B}/other.parquet", "--out", "results/s.parquet"],
        "{B}/other.parquet",
    ),
    (
        "sample-quality-table-truncated",
        ["sample-quality-table", "--inputs", "{B}/truncated.parquet", "--out", "results/s.parquet"],
        "{B}/truncated.parquet",
    ),
    (
        "summary-table-sq-other-columns",
        [
            "summary-table",
            "--table",
            "sample_quality",
            "--input",
            "{B}/other.parquet",
            "--out",
            "results/t.md",
        ],
        "{B}/other.parquet",
    ),
    (
        "summary-table-robustness-other-columns",
        ["summary-table", "--table", "robustness", "--input", "{B}/other.parquet", "--out", "results/t.md"],
        "{B}/other.parquet",
    ),
    (
        "summary-table-robustness-text",
        ["summary-table", "--table", "robustness", "--input", "{B}/text.parquet", "--out", "results/t.md"],
        "{B}/text.parquet",
    ),
    (
        "aggregate-sweep-other-columns",
        ["aggregate-sweep", "--sweep", "inversion", "--out", "results/s.parquet", "{B}/other.parquet"],
        "{B}/other.parquet",
    ),
    (
        "aggregate-sweep-missing",
        ["aggregate-sweep", "--sweep", "truncation", "--out", "results/s.parquet", "{B}/missing.parquet"],
        "{B}/missing.parquet",
    ),
    (
        "aggregate-defense-other-columns",
        ["aggregate-defense", "--table", "purify", "--out", "results/d.parquet", "{B}/other.parquet"],
        "{B}/other.parquet",
    ),
    (
        "aggregate-defense-text",
        ["aggregate-defense", "--table", "masking", "--out", "results/d.parquet", "{B}/text.parquet"],
        "{B}/text.parquet",
    ),
    (
        "purify-classifier-garbage",
        [
            "purify",
            "--spec",
            j(PURIFY_SPEC),
            "--classifier",
            "{B}/garbage.pt",
            "--images",
            "{G}/test.pt",
            "--out",
            "results/p.parquet",
        ],
        "{B}/garbage.pt",
    ),
    (
        "purify-images-kind",
        [
            "purify",
            "--spec",
            j(PURIFY_SPEC),
            "--classifier",
            "{G}/clf.pt",
            "--images",
            "{B}/kind_gan.pt",
            "--out",
            "results/p.parquet",
        ],
        "{B}/kind_gan.pt",
    ),
    (
        "transfer-model-garbage",
        [
            "transfer",
            "--spec",
            j(TRANSFER_SPEC),
            "--models",
            "a={G}/clf.pt",
            "b={B}/garbage.pt",
            "--test",
            "{G}/test.pt",
            "--out",
            "results/t.parquet",
        ],
        "{B}/garbage.pt",
    ),
    (
        "transfer-within-without-meta-key",
        [
            "transfer",
            "--spec",
            j({**TRANSFER_SPEC, "transfer": {**TRANSFER_SPEC["transfer"], "within": "seed"}}),
            "--models",
            "a={G}/clf.pt",
            "b={G}/clf.pt",
            "--meta",
            '{"a": {"seed": 0}, "b": {"width": 1}}',
            "--test",
            "{G}/test.pt",
            "--out",
            "results/t.parquet",
        ],
        "--meta: no 'seed' for model(s) b (transfer.within)",
    ),
    (
        "robust-features-table-other-columns",
        [
            "robust-features-table",
            "--spec",
            "{}",
            "--input",
            "tables={B}/other.parquet",
            "--output",
            "table=results/rf.parquet",
        ],
        "{B}/other.parquet",
    ),
    (
        "robustness-sweep-model-is-gan",
        [
            "robustness-sweep",
            "--sweep",
            "capacity",
            "--spec",
            j(SWEEP_SPEC),
            "--models",
            "a={G}/gan/checkpoint.pt",
            "--train",
            "{G}/train.pt",
            "--test",
            "{G}/test.pt",
            "--out",
            "results/r.parquet",
        ],
        "{G}/gan/checkpoint.pt",
    ),
    (
        "truncation-images-garbage",
        [
            "truncation",
            "--spec",
            j(TRUNC_SPEC),
            "--generator",
            "{G}/gan/checkpoint.pt",
            "--classifier",
            "{G}/clf.pt",
            "--images",
            "{B}/garbage.pt",
            "--out",
            "results/t.parquet",
            "--samples",
            "results/t.npz",
        ],
        "{B}/garbage.pt",
    ),
    (
        "flip-discriminator-gan-is-classifier",
        [
            "flip-discriminator",
            "--spec",
            j(FLIP_SPEC),
            "--gans",
            "g={G}/clf.pt",
            "--images",
            "{G}/test.pt",
            "--out",
            "results/f.parquet",
            "--summary",
            "results/fs.parquet",
        ],
        "{G}/clf.pt",
    ),
    (
        "probe-discriminator-model-garbage",
        [
            "probe-discriminator",
            "--spec",
            j(PROBE_SPEC),
            "--gans",
            "g={B}/garbage.pt",
            "--train",
            "{G}/train.pt",
            "--test",
            "{G}/test.pt",
            "--out",
            "results/p.parquet",
        ],
        "{B}/garbage.pt",
    ),
    (
        "truncation-generator-garbage",
        [
            "truncation",
            "--spec",
            j(TRUNC_SPEC),
            "--generator",
            "{B}/garbage.pt",
            "--classifier",
            "{G}/clf.pt",
            "--images",
            "{G}/train.pt",
            "--out",
            "results/t.parquet",
            "--samples",
            "results/t.npz",
        ],
        "{B}/garbage.pt",
    ),
    (
        "plot-input-other-columns",
        [
            "plot",
            "--family",
            "ae_latent_cdf",
            "--input",
            "{B}/other.parquet",
            "--out",
            "results/f.png",
            "--spec",
            j(PLOT_SPEC),
        ],
        "{B}/other.parquet",
    ),
    (
        "plot-input-missing",
        [
            "plot",
            "--family",
            "gan_losses",
            "--input",
            "{B}/missing.parquet",
            "--out",
            "results/f.png",
            "--spec",
            j(PLOT_SPEC),
        ],
        "{B}/missing.parquet",
    ),
    (
        "plot-truncation-grid-not-npz",
        [
            "plot",
            "--family",
            "truncation_grid",
            "--input",
            "{B}/garbage.pt",
            "--out",
            "results/f.png",
            "--spec",
            j(PLOT_SPEC),
        ],
        "{B}/garbage.pt",
    ),
    (
        "robustness-sweep-unknown-sweep",
        [
            "robustness-sweep",
            "--sweep",
            "widths",
            "--spec",
            j(SWEEP_SPEC),
            "--models",
            "a={G}/clf.pt",
            "--train",
            "{G}/train.pt",
            "--test",
            "{G}/test.pt",
            "--out",
            "results/r.parquet",
        ],
        "--sweep: unknown robustness sweep 'widths'",
    ),
    (
        "plot-truncation-grid-missing",
        [
            "plot",
            "--family",
            "truncation_grid",
            "--input",
            "{B}/missing.npz",
            "--out",
            "results/f.png",
            "--spec",
            j(PLOT_SPEC),
        ],
        "{B}/missing.npz",
    ),
]


@pytest.mark.parametrize(("argv", "named"), [pytest.param(a, n, id=i) for i, a, n in CASES])
def test_bad_file_is_one_line(argv, named, good_files: Path, bad_files: Path, workdir: Path, capsys) -> None:
    fill = {"{G}": str(good_files), "{B}": str(bad_files)}

    def sub(text: str) -> str:
        for key, value in fill.items():
            text = text.replace(key, value)
        return text

    code, err = run_cli([sub(a) for a in argv], capsys)
    assert_one_line_error(code, err, sub(named), workdir=workdir)


@pytest.mark.parametrize(
    "exc",
    [
        MemoryError(),
        RuntimeError(
            "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you tried "
            "to allocate 4000000000000 bytes. Error code 12 (Cannot allocate memory)"
        ),
    ],
    ids=["MemoryError", "cpu-allocator"],
)
def test_running_out_of_memory_is_one_line(exc, monkeypatch, workdir: Path, capsys) -> None:
    import advgen.commands.check_config as command

    def main(args):
        raise exc

    monkeypatch.setattr(command, "main", main)
    code, err = run_cli(["check-config", "x.yaml"], capsys)
    assert_one_line_error(
        code, err, "advgen check-config: error: out of memory", "lower batch_size", workdir=workdir
    )


def test_other_runtime_errors_keep_their_traceback(monkeypatch, capsys) -> None:
    import advgen.commands.check_config as command

    def main(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(command, "main", main)
    with pytest.raises(RuntimeError, match="a bug"):
        run_cli(["check-config", "x.yaml"], capsys)


@pytest.mark.parametrize(
    ("argv", "named"), [pytest.param(a, n, id=i) for i, a, n in CASES[:3] + CASES[16:17]]
)
def test_bad_file_as_a_process(argv, named, good_files: Path, bad_files: Path, tmp_path: Path) -> None:
    """The same in a real process: stderr as Snakemake's log file gets it."""
    import subprocess
    import sys

    from tests.conftest import tool_env

    fill = {"{G}": str(good_files), "{B}": str(bad_files)}
    args = [a.replace("{G}", fill["{G}"]).replace("{B}", fill["{B}"]) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "advgen", *args],
        cwd=tmp_path,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(
        proc.returncode,
        proc.stderr,
        named.replace("{B}", fill["{B}"]).replace("{G}", fill["{G}"]),
        workdir=tmp_path,
    )
