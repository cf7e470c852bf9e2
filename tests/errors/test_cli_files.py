"""Bad files handed to the CLI: one line naming the file, exit status 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.errors.conftest import assert_one_line_error, filled, run_cli
from tests.jobs import job_argv, plot_argv
from tests.unit.gen_helpers import TINY_AE, TINY_GAN

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
GAN_SPEC = {**TINY_GAN, "epochs": 1}
AE_SPEC = {**TINY_AE, "epochs": 1}
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
    "source": "a",
    "targets": ["a", "b"],
    "attacks": {"fgsm": {"attack": "FGSM", "params": {}, "seed": 0}},
    "eps": 0.2,
    "noise_seed": 0,
    "device": "cpu",
    "eval": {"batch_size": 8, "max_examples": 8},
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
SWEEP_POINT_SPEC = {
    "attack": {"attack": "FGSM", "params": {}, "seed": 0},
    "classifier": CLF_SPEC,
    "device": "cpu",
    "eps": 0.2,
    "eval": {"batch_size": 8, "max_examples": 8},
    "point": "a",
}
#: keys every family below draws (each fills the other settings it draws from their defaults)
PLOT_SPEC = {"dpi": 50, "experiment": "x"}


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


def gan_spec() -> dict:
    """GAN_SPEC with the schema's defaults: a train_gan job's complete spec."""
    from advgen.gan.spec import complete_spec

    return complete_spec(dict(GAN_SPEC), "gan")


def ae_spec() -> dict:
    """AE_SPEC with the schema's defaults: a train_ae job's complete spec."""
    from advgen.config import complete_entry

    return complete_entry(dict(AE_SPEC), "generative.schema.yaml", "autoencoder")


def invert(generator: str, kind: str = "gan") -> list[str]:
    """``advgen invert`` of INVERT_SPEC (its ``generator_kind``: ``kind``) on ``generator``."""
    inputs = {"generator": generator, "classifier": "{G}/clf.pt", "images": "{G}/test.pt"}
    outputs = {
        "final": "results/f.parquet",
        "steps": "results/s.parquet",
        "latents": "results/z.pt",
        "figure": "results/r.png",
    }
    return job_argv("invert", j({**INVERT_SPEC, "generator_kind": kind}), inputs, outputs)


def train_clf(train: str, test: str) -> list[str]:
    outputs = {"model": "results/m.pt", "history": "results/h.parquet", "resume": "results/resume/last.pt"}
    spec = j({"name": "c", "classifier": CLF_SPEC})
    return job_argv("train-classifier", spec, {"train": train, "test": test}, outputs)


def train_gan(train: str) -> list[str]:
    outputs = {
        "checkpoint": "results/g/checkpoint.pt",
        "losses": "results/g/l.parquet",
        "samples": "results/g/samples",
        "status": "results/g/s.json",
        "resume": "results/g/resume",
    }
    return job_argv("train-gan", j({"gan": gan_spec(), "device": "cpu"}), {"train": train}, outputs)


def train_ae(train: str, test: str) -> list[str]:
    outputs = {
        "checkpoint": "results/a/c.pt",
        "losses": "results/a/l.parquet",
        "latent_cdf": "results/a/cdf.parquet",
        "novel": "results/a/n.png",
        "reconstructions": "results/a/r.png",
        "metrics": "results/a/m.json",
        "resume": "results/a/resume",
    }
    spec = j({"autoencoder": ae_spec(), "device": "cpu"})
    return job_argv("train-ae", spec, {"train": train, "test": test}, outputs)


def attack(model: str, test: str) -> list[str]:
    """``advgen attack`` of ATTACK_SPEC on classifier ``c`` (``model``) and the split ``test``."""
    outputs = {"curve": "results/a.parquet", "examples": "results/e.parquet"}
    return job_argv("attack", j({**ATTACK_SPEC, "classifier": "c"}), {"model": model, "test": test}, outputs)


def attack_table(curves: str) -> list[str]:
    outputs = {"curves": "results/c.parquet", "minimal": "results/m.parquet"}
    return job_argv("attack-table", j({"classifiers": []}), {"curves": curves}, outputs)


def purify(classifier: str, images: str) -> list[str]:
    inputs = {"classifier": classifier, "images": images}
    return job_argv("purify", j(PURIFY_SPEC), inputs, {"table": "results/p.parquet"})


def sweep_point(model: str, sweep_name: str = "capacity") -> list[str]:
    """``advgen robustness-sweep-point`` of SWEEP_POINT_SPEC (its point ``a``: ``model``)."""
    inputs = {"model": model, "train": "{G}/train.pt", "test": "{G}/test.pt"}
    spec = j({**SWEEP_POINT_SPEC, "sweep": sweep_name})
    return job_argv("robustness-sweep-point", spec, inputs, {"table": "results/r.parquet"})


def truncation(generator: str, images: str) -> list[str]:
    inputs = {"generator": generator, "classifier": "{G}/clf.pt", "images": images}
    outputs = {"table": "results/t.parquet", "samples": "results/t.npz"}
    return job_argv("truncation", j(TRUNC_SPEC), inputs, outputs)


def table_job(command: str, spec: dict, table: str, outputs: dict | None = None) -> list[str]:
    """A table job concatenating the one input table ``table``."""
    return job_argv(command, j(spec), {"tables": table}, outputs or {"table": "results/t.parquet"})


# (id, argv with {G} = good files, {B} = bad files, the bad path that the line must name)
CASES = [
    ("train-classifier-train-missing", train_clf("{B}/missing.pt", "{G}/test.pt"), "{B}/missing.pt"),
    ("train-classifier-train-garbage", train_clf("{B}/garbage.pt", "{G}/test.pt"), "{B}/garbage.pt"),
    ("train-classifier-train-empty", train_clf("{B}/empty.pt", "{G}/test.pt"), "{B}/empty.pt"),
    ("train-classifier-train-is-classifier", train_clf("{G}/clf.pt", "{G}/test.pt"), "{G}/clf.pt"),
    ("train-classifier-test-list", train_clf("{G}/train.pt", "{B}/list.pt"), "{B}/list.pt"),
    ("train-classifier-test-folder", train_clf("{G}/train.pt", "{B}/folder.pt"), "{B}/folder.pt"),
    # the spec says gan: an autoencoder's checkpoint is the wrong kind, and so is a GAN's for an autoencoder
    (
        "invert-gan-spec-autoencoder-checkpoint",
        invert("{G}/ae.pt"),
        "{G}/ae.pt: expected a 'gan' checkpoint, found kind='autoencoder'",
    ),
    (
        "invert-autoencoder-spec-gan-checkpoint",
        invert("{G}/gan/checkpoint.pt", "autoencoder"),
        "{G}/gan/checkpoint.pt: expected a 'autoencoder' checkpoint, found kind='gan'",
    ),
    ("train-gan-train-garbage", train_gan("{B}/garbage.pt"), "{B}/garbage.pt"),
    ("train-gan-train-missing", train_gan("{B}/missing.pt"), "{B}/missing.pt"),
    ("train-gan-train-kind", train_gan("{B}/kind_gan.pt"), "{B}/kind_gan.pt"),
    ("train-ae-train-empty", train_ae("{B}/empty.pt", "{G}/test.pt"), "{B}/empty.pt"),
    ("train-ae-test-missing", train_ae("{G}/train.pt", "{B}/missing.pt"), "{B}/missing.pt"),
    ("attack-model-garbage", attack("{B}/garbage.pt", "{G}/test.pt"), "{B}/garbage.pt"),
    ("attack-model-missing", attack("{B}/missing.pt", "{G}/test.pt"), "{B}/missing.pt"),
    ("attack-model-is-gan", attack("{G}/gan/checkpoint.pt", "{G}/test.pt"), "{G}/gan/checkpoint.pt"),
    ("attack-model-kind-only", attack("{B}/kind_classifier.pt", "{G}/test.pt"), "{B}/kind_classifier.pt"),
    ("attack-test-garbage", attack("{G}/clf.pt", "{B}/garbage.pt"), "{B}/garbage.pt"),
    ("attack-table-other-columns", attack_table("{B}/other.parquet"), "{B}/other.parquet"),
    ("attack-table-not-parquet", attack_table("{B}/text.parquet"), "{B}/text.parquet"),
    ("attack-table-missing", attack_table("{B}/missing.parquet"), "{B}/missing.parquet"),
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
        table_job("aggregate-sweep", {"sweep": "inversion"}, "{B}/other.parquet"),
        "{B}/other.parquet",
    ),
    (
        "aggregate-sweep-missing",
        table_job("aggregate-sweep", {"sweep": "truncation"}, "{B}/missing.parquet"),
        "{B}/missing.parquet",
    ),
    ("purify-table-other-columns", table_job("purify-table", {}, "{B}/other.parquet"), "{B}/other.parquet"),
    (
        "masking-table-text",
        table_job(
            "masking-table",
            {},
            "{B}/text.parquet",
            {"table": "results/d.parquet", "markdown": "results/d.md"},
        ),
        "{B}/text.parquet",
    ),
    ("purify-classifier-garbage", purify("{B}/garbage.pt", "{G}/test.pt"), "{B}/garbage.pt"),
    ("purify-images-kind", purify("{G}/clf.pt", "{B}/kind_gan.pt"), "{B}/kind_gan.pt"),
    (
        "transfer-source-model-garbage",
        job_argv(
            "transfer-source",
            j(TRANSFER_SPEC),
            {"models": ["{G}/clf.pt", "{B}/garbage.pt"], "test": "{G}/test.pt"},
            {"table": "results/t.parquet"},
        ),
        "{B}/garbage.pt",
    ),
    (
        "transfer-capacity-within-without-meta-key",
        job_argv(
            "transfer-capacity",
            j({"sources": ["a", "b"], "within": "seed", "meta": {"a": {"seed": 0}, "b": {"width": 1}}}),
            {"tables": ["{B}/other.parquet", "{B}/other.parquet"]},
            {"table": "results/t.parquet"},
        ),
        "--spec: meta: no 'seed' for model(s) b (within)",
    ),
    (
        "transfer-table-other-columns",
        table_job("transfer", {"sources": ["a"]}, "{B}/other.parquet"),
        "{B}/other.parquet",
    ),
    (
        "robust-features-table-other-columns",
        table_job("robust-features-table", {}, "{B}/other.parquet", {"table": "results/rf.parquet"}),
        "{B}/other.parquet",
    ),
    ("robustness-sweep-point-model-is-gan", sweep_point("{G}/gan/checkpoint.pt"), "{G}/gan/checkpoint.pt"),
    (
        "robustness-sweep-other-columns",
        table_job("robustness-sweep", {"sweep": "capacity", "points": ["a"]}, "{B}/other.parquet"),
        "{B}/other.parquet",
    ),
    ("truncation-images-garbage", truncation("{G}/gan/checkpoint.pt", "{B}/garbage.pt"), "{B}/garbage.pt"),
    (
        "flip-discriminator-gan-is-classifier",
        job_argv(
            "flip-discriminator",
            j(FLIP_SPEC),
            {"gans": "{G}/clf.pt", "images": "{G}/test.pt"},
            {"examples": "results/f.parquet", "summary": "results/fs.parquet"},
        ),
        "{G}/clf.pt",
    ),
    (
        "probe-discriminator-model-garbage",
        job_argv(
            "probe-discriminator",
            j(PROBE_SPEC),
            {"gans": "{B}/garbage.pt", "train": "{G}/train.pt", "test": "{G}/test.pt"},
            {"table": "results/p.parquet"},
        ),
        "{B}/garbage.pt",
    ),
    ("truncation-generator-garbage", truncation("{B}/garbage.pt", "{G}/train.pt"), "{B}/garbage.pt"),
    (
        "plot-input-other-columns",
        plot_argv("ae_latent_cdf", ["{B}/other.parquet"], ["results/f.png"], PLOT_SPEC),
        "{B}/other.parquet",
    ),
    (
        "plot-input-missing",
        plot_argv("gan_losses", ["{B}/missing.parquet"], ["results/f.png"], PLOT_SPEC),
        "{B}/missing.parquet",
    ),
    (
        "plot-truncation-grid-not-npz",
        plot_argv("truncation_grid", ["{B}/garbage.pt"], ["results/f.png"], PLOT_SPEC),
        "{B}/garbage.pt",
    ),
    (
        "robustness-sweep-point-unknown-sweep",
        sweep_point("{G}/clf.pt", "widths"),
        "--spec: sweep: 'widths' does not match",
    ),
    (
        "plot-truncation-grid-missing",
        plot_argv("truncation_grid", ["{B}/missing.npz"], ["results/f.png"], PLOT_SPEC),
        "{B}/missing.npz",
    ),
]


@pytest.mark.parametrize(("argv", "named"), [pytest.param(a, n, id=i) for i, a, n in CASES])
def test_bad_file_is_one_line(argv, named, good_files: Path, bad_files: Path, workdir: Path, capsys) -> None:
    folders = {"{G}": good_files, "{B}": bad_files}
    code, err = run_cli([filled(a, folders) for a in argv], capsys)
    assert_one_line_error(code, err, filled(named, folders), workdir=workdir)


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
    from tests.conftest import python_module, tool_env

    folders = {"{G}": good_files, "{B}": bad_files}
    args = [filled(a, folders) for a in argv]
    proc = python_module("advgen", *args, cwd=tmp_path, env=tool_env(), timeout=120)
    assert_one_line_error(proc.returncode, proc.stderr, filled(named, folders), workdir=tmp_path)


@pytest.mark.parametrize(
    ("key", "name", "named"),
    [
        (
            "losses",
            "l" * 242 + ".pt",
            "is 245 bytes, more than the 241 the file system takes here (NAME_MAX 255, less 14",
        ),
        ("samples", "s" * 300, "is 300 bytes, more than the 241"),
        (
            "status",
            "d" * 256 + "/s.json",
            "is 256 bytes, more than the 255 the file system takes here (NAME_MAX 255)",
        ),
    ],
)
def test_an_output_name_too_long_is_refused_before_training(
    key: str, name: str, named: str, good_files: Path, workdir: Path, capsys, monkeypatch
) -> None:
    """A name the file system cannot hold (with the temporary name an output is written under
    first) failed at the first write, after training; now before the job starts."""
    import advgen.gan.runner

    started = []
    monkeypatch.setattr(advgen.gan.runner, "train_gan", lambda *a, **k: started.append(1))
    argv = train_gan(str(good_files / "train.pt"))
    argv = [a.replace(f"{key}=", f"{key}=results/g/{name}#", 1) for a in argv]
    argv = [a.split("#", 1)[0] if a.startswith(f"{key}=") else a for a in argv]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, f"--output results/g/{name}", named, workdir=workdir)
    assert not started


@pytest.mark.parametrize("value", ["-1", "0", "one", "9" * 5000, "²"])
def test_a_stop_after_epochs_that_is_no_epoch_count_is_one_line(
    value: str, good_files: Path, workdir: Path, capsys, monkeypatch
) -> None:
    """$ADVGEN_STOP_AFTER_EPOCHS=-1 stopped after one epoch; now refused before training."""
    monkeypatch.setenv("ADVGEN_STOP_AFTER_EPOCHS", value)
    code, err = run_cli(train_gan(str(good_files / "train.pt")), capsys)
    assert_one_line_error(
        code, err, "$ADVGEN_STOP_AFTER_EPOCHS: expected a whole number of epochs from 1, got", workdir=workdir
    )
