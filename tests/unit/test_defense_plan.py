"""The defense config section: schema defaults, references and the job plan (no torch)."""

from __future__ import annotations

import copy
import json

import pytest

from advgen.config import SCHEMA_DIR, spec_json, validate_config
from advgen.defense import plan
from advgen.defense.spec import FlipJobSpec, ProbeJobSpec
from advgen.errors import ConfigError
from advgen.specs import spec_dict, typed_spec

BASE = {
    "seed": 3,
    "datasets": {
        "digits": {"source": "digits", "image_size": 8},
        "other": {"source": "digits", "image_size": 8},
    },
    "gans": {
        "g_ns": {
            "dataset": "digits",
            "generator": "mlp_small",
            "discriminator": "mlp_small",
            "loss": "non_saturating",
        },
        "g_mse": {
            "dataset": "digits",
            "generator": "mlp_small",
            "discriminator": "mlp_small",
            "loss": "mse",
            "unroll_k": 2,
        },
        "g_other": {"dataset": "other", "generator": "mlp_small", "discriminator": "mlp_small"},
    },
    "autoencoders": {"ae": {"dataset": "digits"}},
    "classifiers": {
        "cnn": {"dataset": "digits", "arch": "cnn_small"},
        "cnn_pgd": {"dataset": "digits", "arch": "cnn_small", "mode": "pgd"},
    },
    "defense": {
        "purify": {
            "classifier": "cnn",
            "purifiers": {
                "gan": {
                    "generator": "g_ns",
                    "steps": 20,
                    "restarts": 2,
                    "tradeoff": {"steps": [10, 20], "restarts": [1, 2]},
                },
                "recon": {"generator": "ae", "method": "reconstruct"},
            },
        },
        "probe": {"gans": ["g_ns", "g_mse"], "classifiers": ["cnn", "cnn_pgd"], "controls": ["g_ns"]},
    },
}


def config(edit=None) -> dict:
    cfg = copy.deepcopy(BASE)
    if edit:
        edit(cfg)
    return validate_config(cfg, SCHEMA_DIR / "config.schema.yaml", source="test.yaml")


def test_schema_fills_the_papers_defaults():
    cfg = config()
    purify, probe = cfg["defense"]["purify"], cfg["defense"]["probe"]
    assert purify["purifiers"]["recon"]["steps"] == 200 and purify["purifiers"]["recon"]["restarts"] == 10
    assert purify["pgd_steps"] == 40 and purify["eps"] == [0.1, 0.2, 0.3]
    assert probe["flip"] == {"num_images": None, "eps_max": 0.5, "search_steps": 10, "pgd_steps": 40}


def test_none_is_reserved_and_unknown_keys_are_named():
    with pytest.raises(ConfigError, match="none"):
        config(lambda c: c["defense"]["purify"]["purifiers"].update(none={"generator": "g_ns"}))
    with pytest.raises(ConfigError, match="defense.purify.purifiers.gan.step"):
        config(lambda c: c["defense"]["purify"]["purifiers"]["gan"].update(step=3))


def test_purify_points_cover_the_grid_and_the_operating_point():
    points = plan.of(config()).purify_points()
    ids = [(p.purifier, p.point) for p in points]
    assert ids == [
        ("none", "bare"),
        ("gan", "L10_R1"),
        ("gan", "L10_R2"),
        ("gan", "L20_R1"),
        ("gan", "L20_R2"),
        ("recon", "recon"),
    ]
    specs = {key: p.spec for key, p in zip(ids, points)}
    operating = specs[("gan", "L20_R2")]
    assert operating.operating and operating.attacks == ("fgsm", "pgd", "bpda", "eot")
    assert specs[("gan", "L10_R1")].attacks == ("pgd",) and not specs[("gan", "L10_R1")].operating
    assert specs[("recon", "recon")].attacks == ("fgsm", "pgd", "bpda", "exact")  # deterministic: no eot
    assert specs[("none", "bare")].attacks == ("fgsm", "pgd")
    assert all(s.seed == 3 and s.dataset == "digits" for s in specs.values())
    assert specs[("gan", "L20_R2")].generator_kind == "gan"
    # the JSON the workflow passes: optimizer and lr only where the purifier projects
    assert "optimizer" not in spec_dict(specs[("recon", "recon")]) and "lr" not in spec_dict(
        specs[("none", "bare")]
    )
    assert spec_dict(operating)["optimizer"] == "adam" and spec_dict(operating)["eps"] == [0.1, 0.2, 0.3]


def test_one_job_per_purifier_and_point():
    cfg = config()
    jobs = plan.of(cfg).purify_jobs()
    assert list(jobs) == ["none", "gan", "recon"]
    assert list(jobs["gan"]) == ["L10_R1", "L10_R2", "L20_R1", "L20_R2"]
    assert jobs["gan"]["L10_R2"].steps == 10 and jobs["gan"]["L10_R2"].restarts == 2
    specs = [spec for points in jobs.values() for spec in points.values()]
    assert specs == [p.spec for p in plan.of(cfg).purify_points()]


def test_one_probe_job_and_one_flip_job_hold_every_source():
    cfg = config()
    probe = plan.of(cfg).probe_job()
    assert probe == ProbeJobSpec(
        sources=tuple(plan.of(cfg).probe_spec(f, n) for f, n in plan.of(cfg).probe_sources())
    )
    assert [(s.family, s.source) for s in probe.sources] == plan.of(cfg).probe_sources()
    flip = plan.of(cfg).flip_job()
    assert flip == FlipJobSpec(gans=tuple(plan.of(cfg).flip_spec(g) for g in ("g_ns", "g_mse")))
    assert all(g.eps_max == 0.5 and g.dataset == "digits" for g in flip.gans)
    assert list(spec_dict(probe)) == ["sources"] and list(spec_dict(flip)) == ["gans"]  # no device yet


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: c["defense"]["purify"].update(classifier="nope"),
            "defense.purify.classifier: unknown classifier 'nope'",
        ),
        (
            lambda c: c["defense"]["purify"]["purifiers"]["gan"].update(generator="nope"),
            "purifiers.gan.generator: unknown generator",
        ),
        (
            lambda c: c["defense"]["purify"]["purifiers"]["gan"].update(method="reconstruct"),
            "reconstruct needs an autoencoder",
        ),
        (
            lambda c: c["defense"]["purify"]["purifiers"]["gan"].update(generator="g_other"),
            "trained on 'other'",
        ),
        (
            lambda c: c["defense"]["probe"].update(gans=["g_ns", "nope"]),
            "defense.probe.gans: unknown gan 'nope'",
        ),
        (lambda c: c["defense"]["probe"].update(controls=["g_other"]), "must share one dataset"),
    ],
)
def test_references_are_checked(edit, message):
    with pytest.raises(ConfigError, match=message):
        plan.of(config(edit), "test.yaml").check_references()


def test_probe_and_flip_specs():
    cfg = config()
    assert plan.of(cfg).probe_sources() == [
        ("gan", "g_ns"),
        ("gan", "g_mse"),
        ("control", "g_ns"),
        ("classifier", "cnn"),
        ("classifier", "cnn_pgd"),
    ]
    spec = plan.of(cfg).probe_spec("gan", "g_mse")
    assert spec.loss == "mse" and spec.unroll_k == 2 and spec.family == "gan" and spec.seed == 3
    assert "flip" not in spec_dict(spec) and "gans" not in spec_dict(spec) and "mode" not in spec_dict(spec)
    classifier = plan.of(cfg).probe_spec("classifier", "cnn_pgd")
    assert classifier.mode == "pgd" and "loss" not in spec_dict(classifier)
    flip = plan.of(cfg).flip_spec("g_ns")
    assert flip.loss == "non_saturating" and flip.unroll_k == 0 and flip.eps_max == 0.5


def test_no_defense_section_no_jobs():
    cfg = config(lambda c: c.pop("defense"))
    assert plan.of(cfg).purify_points() == [] and plan.of(cfg).probe_sources() == []
    plan.of(cfg).check_references()


def test_specs_cross_the_command_line_unchanged():
    """spec_dict gives the JSON the workflow passes; the command's typed spec of it is the plan's."""
    cfg = config()
    specs = [p.spec for p in plan.of(cfg).purify_points()] + [
        plan.of(cfg).probe_job(),
        plan.of(cfg).flip_job(),
    ]
    for spec in specs:
        text = spec_json(spec_dict(spec))
        assert typed_spec(type(spec), json.loads(text)) == spec
        assert spec_json(spec_dict(typed_spec(type(spec), json.loads(text)))) == text
