"""The paper smoke config (advgen.smoke): only sizes shrink, every experiment stays."""

from __future__ import annotations

from pathlib import Path

from advgen.cli import main as cli_main
from advgen.config import load_yaml
from advgen.smoke import cap, ends, smoke_config

REPO = Path(__file__).resolve().parents[2]


def test_ends_keeps_extremes_and_eps_03() -> None:
    assert ends([0.0, 0.1, 0.2, 0.3, 0.4], keep=(0.3,)) == [0.0, 0.3, 0.4]
    assert ends([0.25, 0.5, 1.0, None]) == [0.25, None]
    assert ends([1, 5]) == [1, 5]


def test_cap_sets_or_lowers() -> None:
    d = {"a": 10, "b": 2}
    cap(d, "a", 5), cap(d, "b", 5), cap(d, "c", 5)
    assert d == {"a": 5, "b": 2, "c": 5}


def test_smoke_keeps_every_experiment_of_paper_yaml() -> None:
    paper = load_yaml(REPO / "config" / "paper.yaml")
    smoke = smoke_config(paper)
    assert paper == load_yaml(REPO / "config" / "paper.yaml"), "smoke_config must not modify its input"
    for section in ("datasets", "gans", "autoencoders", "classifiers"):
        assert smoke[section].keys() == paper[section].keys()
    identity = (
        "source",
        "image_size",
        "generator",
        "discriminator",
        "loss",
        "batch_size",
        "z_dim",
        "arch",
        "mode",
        "eps",
        "g_steps",
        "d_steps",
        "unroll_k",
        "latent_forcing",
        "train_subset",
        "real_label",
    )
    for section in ("datasets", "gans", "autoencoders", "classifiers"):
        for name, spec in paper[section].items():
            assert {k: spec[k] for k in identity if k in spec} == {
                k: smoke[section][name][k] for k in identity if k in spec
            }
    for name, spec in paper["robustness"]["attacks"].items():
        small = smoke["robustness"]["attacks"][name]
        assert small["attack"] == spec["attack"] and small["classifiers"] == spec["classifiers"]
        assert small["eps"][0] == spec["eps"][0] and small["eps"][-1] == spec["eps"][-1]
        assert (0.3 in small["eps"]) == (0.3 in spec["eps"])
    assert smoke["sweeps"]["inpainting"]["mask"] == paper["sweeps"]["inpainting"]["mask"]
    assert smoke["sweeps"]["inversion"]["init"] == paper["sweeps"]["inversion"]["init"]
    assert smoke["defense"]["purify"]["purifiers"].keys() == paper["defense"]["purify"]["purifiers"].keys()
    assert smoke["defense"]["probe"]["gans"] == paper["defense"]["probe"]["gans"]
    # and it is small: the DCGAN pair keeps its layers with fewer feature maps
    dcgan = smoke["gans"]["celeba64_dcgan"]
    assert dcgan["generator_kwargs"] == {"ngf": 8} and dcgan["discriminator_kwargs"] == {"ndf": 8}
    assert smoke["robustness"]["capacity"]["widths"] == [0.125, 1.0]
    for name, spec in smoke["gans"].items():
        if spec["generator"].startswith("dcgan"):
            assert spec["generator_kwargs"]["ngf"] == 8 and spec["discriminator_kwargs"]["ndf"] == 8, name
    assert all(s["epochs"] == 1 for s in smoke["gans"].values())
    # seeds: two runs of each replicated entry (the paper config's 3), single runs stay single
    for section in ("gans", "autoencoders", "classifiers"):
        for name, spec in paper[section].items():
            assert smoke[section][name].get("replicates") == (2 if "replicates" in spec else None), name
    assert all(s["max_train"] <= 256 for s in smoke["datasets"].values())


def test_paper_smoke_config_command(tmp_path: Path) -> None:
    out = tmp_path / "smoke.yaml"
    assert cli_main(["paper-smoke-config", str(REPO / "config" / "paper.yaml"), "-o", str(out)]) == 0
    assert out.read_text().startswith("# Derived from")
    assert load_yaml(out) == smoke_config(load_yaml(REPO / "config" / "paper.yaml"))
    assert cli_main(["paper-smoke-config", str(tmp_path / "missing.yaml"), "-o", str(out)]) == 2
