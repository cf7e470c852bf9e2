"""On SLURM the per-unit jobs share submissions: ``profiles/slurm`` puts the attack, sweep-point,
purifier-point, masking-check and transfer-source jobs (one unit of configuration each, ``docs/reruns.md``) into
group jobs of at most five jobs of one family, one ``sbatch`` each, and leaves every other job a
submission of its own. Checked on Snakemake's dry run with the profile, which forms the group
jobs as a SLURM run would and executes nothing (no SLURM needed)."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, snakemake

#: rule -> the profile's group of its jobs
GROUPED = {
    "attack": "attacks",
    "invert": "sweep_points",
    "inpaint": "sweep_points",
    "interpolate": "sweep_points",
    "truncation": "sweep_points",
    "purify": "purify_points",
    "masking_checks": "masking_checks",
    "transfer_source": "transfer_sources",
    "transfer_capacity_source": "transfer_sources",
    "robustness_sweep_point": "classifier_sweep_points",
}
GROUP_SIZE = 5

_GROUP = re.compile(r"^(?:\[[^]]*\] )?Group job (\S+) \(jobs in lexicogr\. order\):$")
_RULE = re.compile(r"^(\s*)(?:local)?rule (\w+):$")


def submissions(dry_run_stdout: str) -> list[tuple[str | None, list[str]]]:
    """The dry run's submissions: ``(group, [rule, ...])`` for a group job (its jobs are listed
    indented under ``Group job NAME``), ``(None, [rule])`` for a job submitted alone."""
    found: list[tuple[str | None, list[str]]] = []
    in_group = False
    for line in dry_run_stdout.splitlines():
        if group := _GROUP.match(line):
            found.append((group.group(1), []))
            in_group = True
        elif rule := _RULE.match(line):
            if rule.group(1) and in_group:
                found[-1][1].append(rule.group(2))
            else:
                found.append((None, [rule.group(2)]))
                in_group = False
    return [(group, rules) for group, rules in found if rules != ["all"]]


def test_profile_groups_every_per_unit_rule() -> None:
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert dict(entry.split("=") for entry in profile["groups"]) == GROUPED
    sizes = dict(entry.split("=") for entry in profile["group-components"])
    assert sizes == {group: str(GROUP_SIZE) for group in set(GROUPED.values())}


@pytest.mark.parametrize(
    "config, families",
    [
        (
            ".test/config/robustness.yaml",
            {"attacks", "masking_checks", "transfer_sources", "classifier_sweep_points"},
        ),
        (".test/config/sweeps.yaml", {"sweep_points"}),
        (".test/config/defense.yaml", {"purify_points"}),
    ],
)
def test_per_unit_jobs_share_slurm_submissions(workflow_dir: Path, config: str, families: set[str]) -> None:
    dry = snakemake(workflow_dir, "-n", "--profile", "profiles/slurm", "--configfile", config).stdout
    found = submissions(dry)
    jobs = Counter(rule for _, rules in found for rule in rules)
    assert jobs, dry
    for group, rules in found:
        if group is None:
            assert rules[0] not in GROUPED, f"{rules[0]} submitted alone"
        else:
            assert {GROUPED.get(rule) for rule in rules} == {group}, (group, rules)
            assert 1 <= len(rules) <= GROUP_SIZE, (group, rules)
    per_family = Counter(GROUPED[rule] for rule in jobs.elements() if rule in GROUPED)
    assert set(per_family) == families
    for family, n in per_family.items():
        sizes = sorted((len(rules) for group, rules in found if group == family), reverse=True)
        # as few submissions as groups of five allow: full groups, the rest in one
        assert sizes == [GROUP_SIZE] * (n // GROUP_SIZE) + ([n % GROUP_SIZE] if n % GROUP_SIZE else []), (
            family,
            sizes,
        )
        assert len(sizes) == math.ceil(n / GROUP_SIZE) < n, (family, n)
