"""``seeds`` / ``replicates`` on a model entry: one entry per seed, references rewritten."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from advgen.cli import main as cli_main
from advgen.config import validate_config
from advgen.config_files import check_config_files
from advgen.errors import ConfigError
from advgen.pipeline.jobkind import Values
from advgen.pipeline.jobkinds_generative import gan_spec
from advgen.pipeline.jobkinds_robustness import classifier_spec
from advgen.replicates import expand_replicates
from advgen.robustness import plan
from advgen.specs import spec_dict

CLF = {"dataset": "digits", "arch": "fc10", "epochs": 1}
GAN = {"dataset": "digits", "generator": "mlp_small", "discriminator": "mlp_small", "epochs": 1}


def config(**sections) -> dict:
    out = {"seed": 0, "datasets": {"digits": {"source": "digits", "image_size": 28}}}
    out.update(sections)
    return out


def test_seeds_and_replicates_expand_to_one_entry_per_seed() -> None:
    cfg = config(
        seed=5,
        classifiers={
            "a": {**CLF, "seeds": [3, 1]},
            "b": {**CLF, "replicates": 2},  # from the top-level seed
            "c": {**CLF, "replicates": 3, "seed": 10},  # from the entry's seed
            "plain": dict(CLF),
        },
        gans={"g": {**GAN, "replicates": 1}},
    )
    runs = expand_replicates(cfg)
    # the first seed's run keeps the entry's name
    assert runs == {
        "g": ["g"],
        "a": ["a", "a_seed1"],
        "b": ["b", "b_seed6"],
        "c": ["c", "c_seed11", "c_seed12"],
    }
    clfs = cfg["classifiers"]
    assert list(clfs) == ["a", "a_seed1", "b", "b_seed6", "c", "c_seed11", "c_seed12", "plain"]
    assert clfs["a"] == {**CLF, "seed": 3, "replicate_of": "a"}
    assert clfs["a_seed1"] == {**CLF, "seed": 1, "replicate_of": "a"}
    assert clfs["c_seed12"]["seed"] == 12 and clfs["c_seed12"]["replicate_of"] == "c"
    assert clfs["plain"] == CLF and "replicate_of" not in clfs["plain"]
    assert cfg["gans"] == {"g": {**GAN, "seed": 5, "replicate_of": "g"}}
    again = copy.deepcopy(cfg)
    assert expand_replicates(again) == {} and again == cfg  # idempotent


def test_references_lists_take_every_run_singles_the_first() -> None:
    cfg = config(
        classifiers={"net": {**CLF, "seeds": [0, 1, 2]}, "other": dict(CLF)},
        gans={"g": {**GAN, "seeds": [4, 2]}},
        sample_quality={"classifier": "net"},
        robustness={
            "attacks": {
                "fgsm": {"classifiers": ["other", "net"]},
                "one": {"classifiers": ["net_seed1"]},
                "first": {"classifiers": ["net_seed0"]},  # the first seed's run, by its seed
            },
            "robust_features": {
                "robust_classifier": "net_seed0",
                "standard_classifier": "other",
                "classifier": "net",
            },
        },
        sweeps={"truncation": {"generators": ["g"], "classifier": "net"}},
        defense={
            "purify": {"classifier": "net", "purifiers": {"p": {"generator": "g"}}},
            "probe": {"gans": ["g"]},
        },
    )
    expand_replicates(cfg)
    rob = cfg["robustness"]
    assert rob["attacks"]["fgsm"]["classifiers"] == ["other", "net", "net_seed1", "net_seed2"]
    assert rob["attacks"]["one"]["classifiers"] == ["net_seed1"]
    assert rob["attacks"]["first"]["classifiers"] == ["net"]
    assert rob["robust_features"] == {
        "robust_classifier": "net",
        "standard_classifier": "other",
        "classifier": "net",
    }
    assert cfg["sample_quality"]["classifier"] == "net"
    assert cfg["sweeps"]["truncation"] == {"generators": ["g", "g_seed2"], "classifier": "net"}
    assert cfg["defense"]["purify"] == {"classifier": "net", "purifiers": {"p": {"generator": "g"}}}
    assert cfg["defense"]["probe"]["gans"] == ["g", "g_seed2"]


def test_an_entry_and_its_run_in_one_list_is_an_error() -> None:
    cfg = config(
        classifiers={"net": {**CLF, "replicates": 2}},
        robustness={"attacks": {"fgsm": {"classifiers": ["net", "net_seed1"]}}},
    )
    with pytest.raises(
        ConfigError, match=r"robustness\.attacks\.fgsm\.classifiers: 'net_seed1' is listed twice"
    ):
        expand_replicates(cfg)


def test_a_replicate_name_taken_by_another_entry_is_an_error() -> None:
    cfg = config(classifiers={"net": {**CLF, "replicates": 2}, "net_seed1": dict(CLF)})
    with pytest.raises(ConfigError, match=r"classifiers\.net: replicate name 'net_seed1'"):
        expand_replicates(cfg)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"seeds": []}, r"classifiers\.net\.seeds: expected a non-empty list"),
        ({"seeds": [1, 2, 1]}, r"classifiers\.net\.seeds: 1 is listed twice \(items 0 and 2\)"),
        ({"seeds": [1], "replicates": 2}, r"classifiers\.net: give one of 'seeds' and 'replicates'"),
        ({"replicates": 0}, r"classifiers\.net\.replicates: 0 is less than the minimum of 1"),
    ],
)
def test_bad_seeds_name_file_line_and_key(tmp_path: Path, entry: dict, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config(classifiers={"net": {**CLF, **entry}}), sort_keys=False))
    with pytest.raises(ConfigError, match=message) as info:
        check_config_files([path])
    text = str(info.value)
    assert text.startswith(f"{path}:") and "\n" not in text
    line = int(text.split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip().split(":")[0] in ("net", "seeds", "replicates")


def test_check_config_exits_2_on_a_repeated_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config(gans={"g": {**GAN, "seeds": [0, 0]}})))
    assert cli_main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1 and "gans.g.seeds: 0 is listed twice (items 0 and 1)" in err[0] and str(path) in err[0]
    )


def test_check_config_files_expands_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    cfg = config(
        classifiers={"net": {**CLF, "replicates": 2}},
        robustness={"capacity": {"classifier": "net", "attack": "fgsm", "eps": 0.1, "widths": [0.5, 1.0],
                                 "modes": ["standard"]},
                    "attacks": {"fgsm": {"attack": "FGSM", "eps": [0.1], "classifiers": ["net"]}}},
    )  # fmt: skip
    path.write_text(yaml.safe_dump(cfg))
    out = check_config_files([path])
    assert sorted(out["classifiers"]) == ["net", "net_seed1"]
    assert out["robustness"]["attacks"]["fgsm"]["classifiers"] == ["net", "net_seed1"]
    # the sweep names the first run and runs on every run: a point equal to a run reuses it,
    # new models replicate nothing
    assert out["robustness"]["capacity"]["classifier"] == "net"
    robustness = plan.of(out)
    points = {p.classifier: p.spec for p in robustness.sweep_points("capacity")}
    assert sorted(points) == ["net", "net_seed1", "net_seed1_standard_w0p5", "net_standard_w0p5"]
    assert points["net"] == robustness.classifiers["net"] and points["net_seed1"].seed == 1
    assert points["net_standard_w0p5"].width == 0.5 and points["net_standard_w0p5"].seed == 0
    assert points["net_seed1_standard_w0p5"].seed == 1
    assert {"net_standard_w0p5", "net_seed1_standard_w0p5"} <= set(robustness.all_classifiers())


def test_an_entry_that_gains_seeds_keeps_its_run() -> None:
    """Adding ``replicates`` (or ``seeds`` starting with its seed) to an entry keeps its run: the same
    name and the same job spec, so only the new seeds' jobs run (docs/reruns.md)."""
    from advgen.pipeline import build

    plain = config(classifiers={"net": dict(CLF)}, gans={"g": dict(GAN)})
    replicated = config(classifiers={"net": {**CLF, "replicates": 2}}, gans={"g": {**GAN, "seeds": [0, 7]}})
    specs = []
    for cfg in (plain, replicated):
        validate_config(cfg)
        expand_replicates(cfg)
        pipe = build(cfg)
        # the rules' params.spec: the same JSON, the same job
        specs.append(
            (
                spec_dict(classifier_spec(pipe, Values(classifier="net"))),
                spec_dict(gan_spec(pipe, Values(gan="g"))),
            )
        )
    assert specs[0] == specs[1]
    assert sorted(replicated["classifiers"]) == ["net", "net_seed1"] and sorted(replicated["gans"]) == [
        "g",
        "g_seed7",
    ]


def test_the_first_seeds_name_is_taken_too() -> None:
    cfg = config(classifiers={"net": {**CLF, "replicates": 2}, "net_seed0": dict(CLF)})
    with pytest.raises(ConfigError, match=r"classifiers\.net: replicate name 'net_seed0'"):
        expand_replicates(cfg)
