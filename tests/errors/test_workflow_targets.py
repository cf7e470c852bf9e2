"""The workflow from the command line: a requested file that names no entry of the config is one
line, and a config's relative file names resolve the same way from any working folder.

* ``snakemake -n results/gans/nope/status.json`` (a target, or the ``--forcerun`` list that
  ``advgen provenance`` prints, in a study with another config) names the config, the rule
  and the missing entry in one line (``config error: ...``, Snakemake's exit status 1), instead of
  an ``InputFunctionException`` with a ``KeyError`` traceback. The line names the job kind's rule
  and the wildcards no job of the config has (:mod:`advgen.pipeline.jobkind`).
* ``advgen check-config`` and ``snakemake`` resolve the config's ``claims`` and ``cv`` files
  against the workflow's folder (the Snakefile's), so both accept the default config from
  another folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.conftest import REPO, copy_workflow, snakemake
from tests.errors.conftest import run_cli

# target -> the line (after "config error: config/config.yaml: ")
UNKNOWN_TARGETS = {
    "results/gans/nope/status.json": "train_gan: no job 'gan=nope' (a requested file names it; defined: gan=mnist_ce, ",
    "results/autoencoders/nope/metrics.json": "train_ae: no job 'ae=nope'",
    "results/classifiers/nope/model.pt": "train_classifier: no job 'classifier=nope'",
    "results/data/nope/train.pt": (
        "prepare_data: no job 'dataset=nope, split=train' (a requested file names it; defined: "
        "dataset=digits8, split=test, dataset=digits8, split=train, dataset=mnist, split=test, "
    ),
    "results/robustness/attacks/mnist_fc10/nope.parquet": "attack: no job 'classifier=mnist_fc10, attack=nope'",
    "results/robustness/sweeps/data_size_nope.parquet": "robustness_sweep: no job 'sweep=data_size_nope'",
    "results/sweeps/inversion/mnist_report_seed0/nope/final.parquet": (
        "invert: no job 'generator=mnist_report_seed0, point=nope'"
    ),
    "results/defense/purify/nope/L1_R1.parquet": "purify: no job 'purifier=nope, point=L1_R1'",
    "results/robustness/masking/classifier/nope/zero_gradients.parquet": (
        "masking_checks: no job 'family=classifier, name=nope, check=zero_gradients'"
    ),
}
FAST = ["results/gans/nope/status.json"]


def _unknown_target(target: str, tmp_path: Path) -> None:
    wf = copy_workflow(tmp_path / "wf")
    proc = snakemake(wf, "-n", target, check=False, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "Exception" not in out, out
    assert proc.stdout.rstrip().endswith("Building DAG of jobs..."), out  # nothing after the header
    errors = [
        line for line in proc.stderr.splitlines() if not line.startswith("Using workflow specific profile")
    ]
    assert len(errors) == 1, out
    assert errors[0].startswith(f"config error: config/config.yaml: {UNKNOWN_TARGETS[target]}"), errors[0]
    assert not (wf / "results").exists()


@pytest.mark.parametrize("target", FAST)
def test_an_unknown_target_is_one_line(target: str, tmp_path: Path) -> None:
    _unknown_target(target, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(set(UNKNOWN_TARGETS) - set(FAST)))
def test_every_unknown_target_is_one_line(target: str, tmp_path: Path) -> None:
    _unknown_target(target, tmp_path)


def test_check_config_resolves_the_configs_files_from_any_folder(workdir: Path, capsys, monkeypatch) -> None:
    # a CPU with bfloat16 instructions: no warning of emulated bfloat16 (tests/unit/test_training_speed.py)
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {"avx512_bf16": True})
    config = REPO / "config" / "config.yaml"
    code, err = run_cli(["check-config", str(config)], capsys)
    assert (code, err) == (0, "")
    # a config outside the workflow: its relative files resolve against --workflow
    study = workdir / "study.yaml"
    study.write_text("device: cpu\n")
    code, err = run_cli(["check-config", str(config), str(study), "--workflow", str(REPO)], capsys)
    assert (code, err) == (0, "")
    code, err = run_cli(["check-config", str(study)], capsys)  # no Snakefile above it: the working folder
    assert code == 2 and "config/claims.yaml: claims file not found" in err, err


def test_snakemake_resolves_the_configs_files_from_another_folder(tmp_path: Path) -> None:
    wf = copy_workflow(tmp_path / "wf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ("-s", str(wf / "Snakefile"), "--configfile", str(wf / "config" / "config.yaml"), "-n")
    proc = snakemake(elsewhere, *args, "results/claims.html", "results/cv/cv.md", timeout=300)
    assert "claims" in proc.stdout and "rule cv:" in proc.stdout
    assert not list(elsewhere.iterdir()) or sorted(p.name for p in elsewhere.iterdir()) == [".snakemake"]
