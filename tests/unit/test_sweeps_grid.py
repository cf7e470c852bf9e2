"""Sweep blocks expand into grid points named by their axis values; references are checked."""

from __future__ import annotations

import copy

import pytest

from advgen.config import SCHEMA_DIR, validate_config
from advgen.errors import ConfigError
from advgen.sweeps.grid import GridPoint, SweepPlan, expand
from advgen.sweeps.grid import of as grid_of
from advgen.sweeps.registry import SWEEPS


def base_config() -> dict:
    config = {
        "seed": 0,
        "datasets": {
            "digits": {"source": "digits", "image_size": 28},
            "other": {"source": "digits", "image_size": 16},
        },
        "gans": {"g": {"dataset": "digits"}},
        "autoencoders": {"ae": {"dataset": "digits"}},
        "classifiers": {"c": {"dataset": "digits"}, "c_other": {"dataset": "other"}},
        "sweeps": {
            "inversion": {
                "generators": ["g", "ae"],
                "classifier": "c",
                "restarts": [1, 5],
                "init": ["random", "encoder"],
            },
            "inpainting": {"generators": ["g", "ae"], "classifier": "c"},
            "interpolation": {"generators": ["g", "ae"], "classifier": "c"},
            "truncation": {"generators": ["g", "ae"], "classifier": "c", "psi": [0.5, None]},
        },
    }
    # the other stages' sections are validated by their own schemas; keep only ours here
    sweeps = validate_config({"sweeps": config["sweeps"]}, SCHEMA_DIR / "config.schema.yaml")["sweeps"]
    config["sweeps"] = sweeps
    return config


def labels(p, sweep, generator=None):
    return {x.label for x in p.points(sweep, generator)}


def test_expand_is_the_cartesian_product_of_lists():
    points = expand({"generators": ["g"], "classifier": "c", "a": [1, 2], "b": ["x", "y", "z"], "s": 3})
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": "x", "s": 3} and points[-1] == {"a": 2, "b": "z", "s": 3}
    assert expand({"generators": ["g"], "classifier": "c", "s": 1}) == [{"s": 1}]


def test_schema_fills_defaults_and_rejects_bad_values():
    config = base_config()
    inv = config["sweeps"]["inversion"]
    assert inv["steps"] > 0 and inv["optimizer"] in ("sgd", "adam") and inv["seed"] is None
    assert config["sweeps"]["inpainting"]["mask"] == ["pepper", "crosswalk", "square", "center", "left_half"]
    for bad, key in [
        (
            {"inversion": {"generators": ["g"], "classifier": "c", "restarts": [0]}},
            "sweeps.inversion.restarts",
        ),
        (
            {"inversion": {"generators": ["g"], "classifier": "c", "optimizer": "rmsprop"}},
            "sweeps.inversion.optimizer",
        ),
        (
            {"inpainting": {"generators": ["g"], "classifier": "c", "mask": ["stripes"]}},
            "sweeps.inpainting.mask",
        ),
        ({"inversion": {"generators": ["g"]}}, "sweeps.inversion.classifier"),
        ({"inversion": {"generators": ["g"], "classifier": "c", "stepz": 3}}, "sweeps.inversion.stepz"),
        ({"masks": {}}, "sweeps.masks"),
    ]:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            validate_config({"sweeps": bad}, SCHEMA_DIR / "config.schema.yaml")


def test_plan_crosses_generators_and_drops_encoder_points_for_gans():
    p = grid_of(base_config())
    inv = p.points("inversion")
    assert {(x.generator, x.params["restarts"], x.params["init"]) for x in inv} == {
        ("g", 1, "random"),
        ("g", 5, "random"),
        ("ae", 1, "random"),
        ("ae", 5, "random"),
        ("ae", 1, "encoder"),
        ("ae", 5, "encoder"),
    }
    assert labels(p, "inversion", "g") < labels(p, "inversion", "ae")  # same settings, same name
    assert labels(p, "inversion", "ae") == {
        "init-random_restarts-1",
        "init-random_restarts-5",
        "init-encoder_restarts-1",
        "init-encoder_restarts-5",
    }
    assert {x.kind for x in inv} == {"gan", "autoencoder"}
    assert all(x.params["seed"] == 0 and x.params["classifier"] == "c" for x in inv)
    g = next(x for x in inv if x.generator == "g")
    assert g.generator_path == "results/gans/g/checkpoint.pt"
    assert g.classifier_path == "results/classifiers/c/model.pt"
    assert g.spec("cpu")["point"] == g.label
    assert p.by_label("inversion", "g", g.label) is g
    with pytest.raises(ConfigError, match="no grid point named 'init-encoder_restarts-1' for generator 'g'"):
        p.by_label("inversion", "g", "init-encoder_restarts-1")
    # the aggregate's order: the generators in config order, each with its points in grid order
    assert p.generators("inversion") == ["g", "ae"]
    assert [x.generator for x in inv] == ["g"] * 2 + ["ae"] * 4
    assert [x.label for x in p.points("inversion", "ae")] == [
        "init-random_restarts-1",
        "init-random_restarts-5",
        "init-encoder_restarts-1",
        "init-encoder_restarts-5",
    ]
    assert p.sweeps() == list(SWEEPS)
    # interpolation: encoder latents for the AE (inversion settings blanked), inversion for the GAN
    lat = {x.generator: x.params for x in p.points("interpolation")}
    assert lat["ae"]["latent"] == "encoder" and lat["ae"]["steps"] is None
    assert lat["g"]["latent"] == "inversion" and lat["g"]["steps"] is not None
    assert len(p.points("truncation")) == 4


def test_points_that_do_not_differ_collapse_and_a_name_clash_is_an_error():
    config = base_config()
    # restarts does not matter for encoder-latent interpolation: the AE's two points are one
    config["sweeps"]["interpolation"]["restarts"] = [1, 5]
    p = grid_of(config)
    assert labels(p, "interpolation", "ae") == {"latent-encoder"}
    assert labels(p, "interpolation", "g") == {"latent-inversion_restarts-1", "latent-inversion_restarts-5"}
    point = p.points("truncation", "g")[0]
    clash = GridPoint("truncation", "g", "gan", point.label, "digits", "c", {**point.params, "psi": 0.75})
    with pytest.raises(ConfigError, match="two grid points of 'g' are both named 'psi-0.5'"):
        SweepPlan([point, clash])


def test_a_point_name_must_be_a_folder_name():
    # a point's label names its folder and its jobs' {point} wildcard (values the schema lets
    # through are safe; this one bypasses it)
    config = base_config()
    config["sweeps"]["inversion"]["optimizer"] = ["adam", "my/opt"]
    with pytest.raises(ConfigError, match="grid point 'init-random_optimizer-my/opt_restarts-1' of 'g'"):
        grid_of(config)


def test_mask_specs_are_shared_across_generators_and_depend_only_on_their_own_size():
    p = grid_of(base_config())
    specs = {}
    for x in p.points("inpainting"):
        specs.setdefault(x.params["mask"], []).append(x.mask_spec())
    assert len(specs) == 5 and all(len(s) == 2 and s[0] == s[1] for s in specs.values())  # g and ae alike
    assert specs["pepper"][0] == {
        "dataset": "digits",
        "mask": "pepper",
        "num_images": 64,
        "seed": 0,
        "pepper_fraction": 0.3,
    }
    assert "square_size" not in specs["crosswalk"][0]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: c["sweeps"]["inversion"].update(generators=["nope"]),
            r"sweeps\.inversion\.generators: unknown generator 'nope'",
        ),
        (
            lambda c: c["sweeps"]["truncation"].update(classifier="nope"),
            r"sweeps\.truncation\.classifier: unknown classifier 'nope'",
        ),
        (
            lambda c: c["sweeps"]["inpainting"].update(classifier="c_other"),
            r"trained on dataset 'other' but generator 'g' on 'digits'",
        ),
        (
            lambda c: c["autoencoders"].update(g={"dataset": "digits"}),
            r"'g' names both a GAN and an autoencoder",
        ),
    ],
)
def test_bad_references_name_the_key(edit, message):
    config = copy.deepcopy(base_config())
    edit(config)
    with pytest.raises(ConfigError, match=message):
        grid_of(config, source="my.yaml")


def test_seed_generator_draws_each_runs_images_from_its_own_seed():
    """``seed: generator``: a point takes its generator run's training seed, so the runs of a
    replicated generator draw their own images and runs of equal seeds share them; null keeps the
    global seed for every run."""
    config = base_config()
    config["gans"] = {
        "g": {"dataset": "digits", "seed": 0, "replicate_of": "g"},
        "g_seed1": {"dataset": "digits", "seed": 1, "replicate_of": "g"},
    }
    config["autoencoders"] = {"ae": {"dataset": "digits"}, "ae_seed1": {"dataset": "digits", "seed": 1}}
    config["seed"] = 5
    for sweep in ("inversion", "inpainting", "interpolation"):
        config["sweeps"][sweep]["generators"] = ["g", "g_seed1", "ae", "ae_seed1"]
        config["sweeps"][sweep]["seed"] = "generator"
    config["sweeps"]["truncation"]["generators"] = ["g", "g_seed1"]
    p = grid_of(config)
    for sweep in ("inversion", "inpainting", "interpolation"):
        seeds = {x.generator: x.params["seed"] for x in p.points(sweep)}
        assert seeds == {"g": 0, "g_seed1": 1, "ae": 5, "ae_seed1": 1}  # ae has no seed: the global one
    assert {x.params["seed"] for x in p.points("truncation")} == {5}
    # runs of equal seeds share the mask set, runs of other seeds draw their own
    masks = {x.generator: x.mask_spec() for x in p.points("inpainting") if x.label.startswith("mask-square")}
    assert masks["g_seed1"] == masks["ae_seed1"] != masks["g"]
    bad = {"inversion": {"generators": ["g"], "classifier": "c", "seed": "run"}}
    with pytest.raises(ConfigError, match=r"sweeps\.inversion\.seed"):
        validate_config({"sweeps": bad}, SCHEMA_DIR / "config.schema.yaml")
