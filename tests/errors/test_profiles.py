"""A SLURM profile's resources are checked before anything is submitted: one line naming the
profile's file, line and key, from ``advgen check-profile`` (exit status 2) and from
``snakemake --profile ... -n`` (the workflow's config check, before the DAG is built)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow, snakemake
from tests.errors.conftest import assert_one_line_error, run_cli

SHIPPED = (REPO / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8")

# id -> (the shipped profile with one edit: (old, new)), the line, the words the error names
CASES: dict[str, tuple[tuple[str, str], int, str]] = {
    "mem-not-a-number": (
        ("  mem_mb: 2000 ", "  mem_mb: lots "),
        63,
        "default-resources.mem_mb: 'lots' is not a whole number of MB",
    ),
    "mem-fraction": (("  mem_mb: 2000 ", "  mem_mb: 1.5 "), 63, "default-resources.mem_mb: 1.5"),
    "partition-shell-command": (
        ("  slurm_partition: debug ", "  slurm_partition: 'debug;touch marker' "),
        59,
        "default-resources.slurm_partition: 'debug;touch marker' holds ';'",
    ),
    "account-with-a-space": (
        ("  # slurm_account: myproj ", "  slurm_account: my proj "),
        61,
        "default-resources.slurm_account: 'my proj' is not a SLURM name",
    ),
    "runtime-10-pow-12": (
        ("  runtime: 60 ", "  runtime: 1000000000000 "),
        62,
        "default-resources.runtime: 1000000000000 is not a wall time",
    ),
    "runtime-duration-too-long": (
        ("  runtime: 60 ", "  runtime: 60d "),
        62,
        "default-resources.runtime: '60d'",
    ),
    "cpus-zero": (
        ("  cpus_per_task: threads ", "  cpus_per_task: 0 "),
        64,
        "default-resources.cpus_per_task",
    ),
    "gpu-beyond-the-profile": (
        ("# set-resources:\n#   train_gan:\n", "set-resources:\n  train_gan:\n    gpu: 3\n"),
        72,
        "set-resources.train_gan.gpu: 3 is not a whole number of GPUs between 0 and 1 (the profile's resources: gpu)",
    ),
    "gpu-cap-not-a-number": (("  - gpu=1\n", "  - gpu=many\n"), 53, "resources.gpu: 'many'"),
    "default-resources-a-string": (
        ("default-resources:\n", "default-resources: lots\nignored:\n"),
        58,
        "default-resources: expected a mapping (or a list of name=value)",
    ),
    "resource-without-a-value": (("  - gpu=1\n", "  - gpu\n"), 53, "resources.gpu: has no value"),
    "disk-nan": (
        ("  mem_mb: 2000 ", "  disk_mb: .nan\n  mem_mb: 2000 "),
        63,
        "default-resources.disk_mb: nan",
    ),
    "set-resources-a-list": (
        ("# set-resources:\n", "set-resources: [train_gan]\n"),
        70,
        "set-resources: expected a mapping of rule -> resources",
    ),
    "set-threads-zero": (
        ("show-failed-logs: true ", "set-threads:\n  train_gan: 0\nshow-failed-logs: true "),
        20,
        "set-threads.train_gan: 0 is not a whole number of cores between 1 and 1024",
    ),
    "set-threads-unknown-rule": (
        ("show-failed-logs: true ", "set-threads: [train_ganz=2]\nshow-failed-logs: true "),
        19,
        "set-threads.train_ganz: no rule 'train_ganz' in the workflow",
    ),
    "set-resources-unknown-rule": (
        ("# set-resources:\n#   train_gan:\n", "set-resources:\n  train_gna:\n    runtime: 720\n"),
        71,
        "set-resources.train_gna: no rule 'train_gna' in the workflow",
    ),
    "gpu-cap-beyond-one-job": (
        ("  - gpu=1\n", "  - gpu=3\n"),
        53,
        "resources.gpu: 3 GPUs per SLURM submission, but a submission runs its jobs one after another",
    ),
    "gres-in-slurm-extra": (
        ("  mem_mb: 2000 ", "  slurm_extra: '--qos=normal --gres=gpu:2'\n  mem_mb: 2000 "),
        63,
        "default-resources.slurm_extra: '--qos=normal --gres=gpu:2' holds --gres: the SLURM plugin rejects it",
    ),
    "jobs-negative": (
        ("jobs: 20 ", "jobs: -5 "),
        11,
        "jobs: -5 is not a whole number from 1 (or all, unlimited)",
    ),
    "jobs-5000-digits": (("jobs: 20 ", f"jobs: {'9' * 5000} "), 11, "an integer longer than 100 digits"),
}


def _profile(folder: Path, case: str) -> Path:
    old, new = CASES[case][0]
    assert old in SHIPPED, f"the shipped profile changed: {old!r}"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_shipped_profiles_pass(capsys) -> None:
    for name in ("slurm", "default"):
        code, err = run_cli(["check-profile", str(REPO / "profiles" / name)], capsys)
        assert code == 0, err


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_profile_is_one_line(case: str, workdir: Path, capsys) -> None:
    profile = _profile(workdir / "profile", case)
    code, err = run_cli(["check-profile", str(profile)], capsys)
    assert_one_line_error(code, err, f"{profile / 'config.yaml'}:{CASES[case][1]}:", CASES[case][2])


def test_no_profile_there_is_one_line(workdir: Path, capsys) -> None:
    code, err = run_cli(["check-profile", "nowhere"], capsys)
    assert_one_line_error(code, err, "nowhere: no profile there")
    (workdir / "profile.yaml").write_text("- executor: slurm\n", encoding="utf-8")
    code, err = run_cli(["check-profile", "profile.yaml"], capsys)
    assert_one_line_error(code, err, "profile.yaml: a profile is a mapping of snakemake options")


def test_the_rule_names_are_the_workflows(tmp_path: Path) -> None:
    """set-resources and set-threads are checked against rule_names(): every rule Snakemake
    lists (the paper config defines every kind but the CV's) is among them."""
    from advgen.pipeline.rules import rule_names

    wf = copy_workflow(tmp_path / "wf")
    proc = snakemake(wf, "--list-rules", "--configfile", "config/paper.yaml")
    # each line is a rule's name, then its job kind's help in parentheses
    listed = {
        m.group(1)
        for line in proc.stdout.splitlines()
        if (m := re.fullmatch(r"(\w+)(?: \(.*\))?", line.strip()))
    }
    assert {"all", "train_gan", "attack"} <= listed <= rule_names(), listed - rule_names()  # no cv: section


@pytest.mark.parametrize(
    "case",
    ["mem-not-a-number", "partition-shell-command", "gpu-beyond-the-profile", "set-threads-unknown-rule"],
)
def test_the_workflow_refuses_the_profile_before_the_dag(case: str, tmp_path: Path) -> None:
    wf = copy_workflow(tmp_path / "wf")
    profile = _profile(tmp_path / "profile", case)
    proc = snakemake(
        wf, "--profile", str(profile), "--configfile", ".test/config/data.yaml", "-n", check=False
    )
    out = proc.stdout + proc.stderr
    errors = [line for line in out.splitlines() if line.startswith("config error:")]
    assert proc.returncode != 0 and "Traceback" not in out, out
    assert errors == [
        f"config error: {profile / 'config.yaml'}:{CASES[case][1]}: {errors[0].split(': ', 2)[2]}"
    ]
    assert CASES[case][2] in errors[0]
    assert not (wf / "marker").exists() and not (wf / "results").exists()
