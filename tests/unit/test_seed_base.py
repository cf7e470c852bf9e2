"""``seed_base``: one top-level line moves every seed of the study; 0 changes nothing."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from advgen.cli import main as cli_main
from advgen.config import validate_config
from advgen.config_files import check_config_files
from advgen.errors import ConfigError
from advgen.pipeline.study import Study, resolve_roles, runs_of
from advgen.replicates import expand_replicates
from advgen.seed_base import apply_seed_base, run_seeds

CLF = {"dataset": "digits", "arch": "fc10", "epochs": 1}
GAN = {"dataset": "digits", "generator": "mlp_small", "discriminator": "mlp_small", "epochs": 1}


def study(**top) -> dict:
    """A config with a seed in every place one can be: model entries (plain, `seed`, `seeds`,
    `replicates`), an attack, the transfer noise, a sweep axis, the defense, the sample quality."""
    return {
        "seed": 0,
        **top,
        "datasets": {"digits": {"source": "digits", "image_size": 28, "split_seed": 4}},
        "classifiers": {
            "net": {**CLF, "replicates": 3},
            "half": {**CLF, "train_subset": "half_a", "subset_seed": 5},
            "fixed": {**CLF, "seed": 7},
        },
        "gans": {"g": {**GAN, "seeds": [0, 2]}},
        "sample_quality": {"classifier": "net", "seed": 3},
        "robustness": {
            "attacks": {
                "fgsm": {"attack": "FGSM", "eps": [0.1], "classifiers": ["net"]},
                "first": {"attack": "FGSM", "eps": [0.1], "classifiers": ["net_seed0", "net_seed2"]},
            },
            "transfer": {"classifiers": ["net"], "attacks": ["fgsm"]},
        },
        "sweeps": {
            "truncation": {"generators": ["g_seed2"], "classifier": "net", "seed": [1, 2]},
            "inversion": {"generators": ["g"], "classifier": "net_seed1"},
        },
        "defense": {
            "purify": {"classifier": "net", "purifiers": {"p": {"generator": "g"}}, "seed": 9},
            "probe": {"gans": ["g"]},
        },
    }


def checked(cfg: dict) -> dict:
    """As the config check does: validate (defaults filled), move the seeds, expand the runs."""
    validate_config(cfg)
    apply_seed_base(cfg)
    expand_replicates(cfg)
    return cfg


def test_seed_base_zero_changes_nothing() -> None:
    plain = validate_config(study())
    expand_replicates(plain)
    assert checked(study(seed_base=0)) == {**plain, "seed_base": 0}


def test_seed_base_moves_every_seed_and_the_run_names() -> None:
    cfg = checked(study(seed_base=1000))
    assert cfg["seed"] == 1000
    clfs = cfg["classifiers"]
    assert list(clfs) == ["net", "net_seed1001", "net_seed1002", "half", "fixed"]
    assert [clfs[n]["seed"] for n in ("net", "net_seed1001", "net_seed1002", "fixed")] == [
        1000,
        1001,
        1002,
        1007,
    ]
    assert "seed" not in clfs["half"]  # the global seed, 1000, is filled into its job spec
    assert clfs["half"]["subset_seed"] == 5 and cfg["datasets"]["digits"]["split_seed"] == 4  # the data stays
    assert {n: g["seed"] for n, g in cfg["gans"].items()} == {"g": 1000, "g_seed1002": 1002}
    assert cfg["sample_quality"]["seed"] == 1003
    rob = cfg["robustness"]
    assert rob["attacks"]["fgsm"]["seed"] == 1000 and rob["transfer"]["noise_seed"] == 1000
    assert cfg["sweeps"]["truncation"]["seed"] == [1001, 1002]
    assert cfg["sweeps"]["inversion"]["seed"] is None  # null: the moved global seed
    assert cfg["defense"]["purify"]["seed"] == 1009
    assert run_seeds(cfg) == {
        "g": 1000, "g_seed1002": 1002, "fixed": 1007, "half": 1000, "net": 1000, "net_seed1001": 1001,
        "net_seed1002": 1002,
    }  # fmt: skip


def test_references_name_seeds_relative_to_the_base() -> None:
    cfg = checked(study(seed_base=1000))
    attacks = cfg["robustness"]["attacks"]
    assert attacks["fgsm"]["classifiers"] == ["net", "net_seed1001", "net_seed1002"]
    assert attacks["first"]["classifiers"] == ["net", "net_seed1002"]  # net_seed0, net_seed2
    assert cfg["sweeps"]["truncation"]["generators"] == ["g_seed1002"]
    assert cfg["sweeps"]["inversion"]["classifier"] == "net_seed1001"
    assert cfg["sample_quality"]["classifier"] == "net"
    runs = runs_of(Study.of(cfg))
    assert runs["net"] == ["net", "net_seed1001", "net_seed1002"]
    assert runs["net_seed0"] == ["net"] and runs["net_seed2"] == ["net_seed1002"]
    assert runs["g_seed2"] == ["g_seed1002"] and runs["fixed"] == ["fixed"]


def test_the_same_references_hold_in_both_phases() -> None:
    """The config's references resolve to the runs of the same relative seeds under any base."""

    def relative(cfg: dict) -> dict:
        seeds = {
            name: entry["seed"] - cfg["seed_base"]
            for name, entry in cfg["classifiers"].items()
            if "seed" in entry
        }
        return {a: [seeds[c] for c in e["classifiers"]] for a, e in cfg["robustness"]["attacks"].items()}

    assert relative(checked(study(seed_base=0))) == relative(checked(study(seed_base=500)))


def test_a_base_inside_the_entrys_seeds_is_ambiguous() -> None:
    cfg = study(seed_base=1)  # net: seeds 1, 2, 3; net_seed2 would be the run of seed 2 and seed 1 + 2
    with pytest.raises(
        ConfigError, match=r"classifiers\.net: with seed_base 1, 'net_seed2' would name the run of seed 3"
    ):
        checked(cfg)


def test_an_alias_taken_by_another_entry_is_an_error() -> None:
    cfg = study(seed_base=100)
    cfg["classifiers"]["net_seed1"] = dict(CLF)  # would be the alias of net's run of seed 101
    with pytest.raises(
        ConfigError, match=r"classifiers\.net: replicate name 'net_seed1' is already the name"
    ):
        checked(cfg)


def test_a_moved_seed_past_the_largest_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = study(seed_base=1_000_000_000)
    cfg["classifiers"]["fixed"]["seed"] = 4_000_000_000
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    with pytest.raises(
        ConfigError, match=r"classifiers\.fixed\.seed: seed 4000000000 \+ seed_base 1000000000"
    ):
        check_config_files([path])
    assert cli_main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path}:" in err[0] and "past the largest seed 4294967295" in err[0]


def test_check_config_applies_the_base_once(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(study(seed_base=10), sort_keys=False))
    out = check_config_files([path])
    assert out["seed"] == 10 and sorted(out["classifiers"]) == [
        "fixed",
        "half",
        "net",
        "net_seed11",
        "net_seed12",
    ]
    again = copy.deepcopy(out)
    expand_replicates(again)  # the expansion is idempotent; the base is applied by the check alone
    assert again == out


def test_the_default_study_moves_onto_fresh_seeds_with_one_line(tmp_path: Path) -> None:
    """config/config.yaml with its one ``seed_base`` line set to 1000 (the confirmatory run's): every
    run of every role, every sweep point and every attack trains or draws with a seed of at least
    1000, and every reference resolves; with the line at 0 the seeds start at 0 (the exploratory runs)."""
    import re

    from advgen.sweeps.grid import of as sweeps_plan

    root = Path(__file__).resolve().parents[2]
    text = (root / "config" / "config.yaml").read_text()
    assert len(re.findall(r"(?m)^seed_base: \d+$", text)) == 1
    path = tmp_path / "confirmatory.yaml"
    path.write_text(re.sub(r"(?m)^seed_base: \d+$", "seed_base: 0", text))
    assert min(run_seeds(check_config_files([path])).values()) == 0
    path.write_text(re.sub(r"(?m)^seed_base: \d+$", "seed_base: 1000", text))
    cfg = check_config_files([path])
    assert cfg["seed_base"] == 1000
    seeds = {
        n: e.get("seed", cfg["seed"])
        for s in ("gans", "autoencoders", "classifiers")
        for n, e in cfg[s].items()
    }
    assert min(seeds.values()) == 1000
    roles = resolve_roles(Study.of(cfg, str(path)), None)
    assert all(seeds[run] >= 1000 for runs in roles.values() for run in runs)
    assert min(p.params["seed"] for s in ("inversion", "inpainting", "interpolation", "truncation")
               for p in sweeps_plan(cfg).points(s)) >= 1000  # fmt: skip
    assert min(a["seed"] for a in cfg["robustness"]["attacks"].values()) >= 1000
