"""Sweep blocks expand into grid points with stable ids; references are checked."""

from __future__ import annotations

import copy

import pytest

from advgen.config import SCHEMA_DIR, validate_config
from advgen.errors import ConfigError
from advgen.sweeps.grid import SWEEPS, expand, plan, point_id


def base_config() -> dict:
    config = {
        "seed": 0,
        "datasets": {"digits": {"source": "digits", "image_size": 28}, "other": {"source": "digits", "image_size": 16}},
        "gans": {"g": {"dataset": "digits"}},
        "autoencoders": {"ae": {"dataset": "digits"}},
        "classifiers": {"c": {"dataset": "digits"}, "c_other": {"dataset": "other"}},
        "sweeps": {
            "inversion": {"generators": ["g", "ae"], "classifier": "c", "restarts": [1, 5], "init": ["random", "encoder"]},
            "inpainting": {"generators": ["g", "ae"], "classifier": "c"},
            "interpolation": {"generators": ["g", "ae"], "classifier": "c"},
            "truncation": {"generators": ["g", "ae"], "classifier": "c", "psi": [0.5, None]},
        },
    }
    # the other stages' sections are validated by their own schemas; keep only ours here
    sweeps = validate_config({"sweeps": config["sweeps"]}, SCHEMA_DIR / "config.schema.yaml")["sweeps"]
    config["sweeps"] = sweeps
    return config


def ids(p, sweep, generator=None):
    return {x.point for x in p.points(sweep) if generator is None or x.generator == generator}


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
        ({"inversion": {"generators": ["g"], "classifier": "c", "restarts": [0]}}, "sweeps.inversion.restarts"),
        ({"inversion": {"generators": ["g"], "classifier": "c", "optimizer": "rmsprop"}}, "sweeps.inversion.optimizer"),
        ({"inpainting": {"generators": ["g"], "classifier": "c", "mask": ["stripes"]}}, "sweeps.inpainting.mask"),
        ({"inversion": {"generators": ["g"]}}, "sweeps.inversion.classifier"),
        ({"inversion": {"generators": ["g"], "classifier": "c", "stepz": 3}}, "sweeps.inversion.stepz"),
        ({"masks": {}}, "sweeps.masks"),
    ]:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            validate_config({"sweeps": bad}, SCHEMA_DIR / "config.schema.yaml")


def test_plan_crosses_generators_and_drops_encoder_points_for_gans():
    p = plan(base_config())
    inv = p.points("inversion")
    assert {(x.generator, x.params["restarts"], x.params["init"]) for x in inv} == {
        ("g", 1, "random"), ("g", 5, "random"),
        ("ae", 1, "random"), ("ae", 5, "random"), ("ae", 1, "encoder"), ("ae", 5, "encoder"),
    }  # fmt: skip
    assert ids(p, "inversion", "g") < ids(p, "inversion", "ae")  # same settings, same id
    assert {x.kind for x in inv} == {"gan", "autoencoder"}
    assert all(x.params["seed"] == 0 and x.params["classifier"] == "c" for x in inv)
    g = next(x for x in inv if x.generator == "g")
    assert g.generator_path == "results/gans/g/checkpoint.pt"
    assert g.classifier_path == "results/classifiers/c/model.pt"
    assert p.get("inversion", "g", g.point) is g
    with pytest.raises(ConfigError, match="no grid point"):
        p.get("inversion", "g", "0000000000")
    assert p.sweeps() == list(SWEEPS)
    # interpolation: encoder latents for the AE (inversion settings blanked), inversion for the GAN
    lat = {x.generator: x.params for x in p.points("interpolation")}
    assert lat["ae"]["latent"] == "encoder" and lat["ae"]["steps"] is None
    assert lat["g"]["latent"] == "inversion" and lat["g"]["steps"] is not None
    assert len(p.points("truncation")) == 4


def test_editing_one_list_entry_changes_only_the_affected_ids():
    before = plan(base_config())
    config = base_config()
    config["sweeps"]["inversion"]["restarts"] = [1, 3]
    config["sweeps"]["inpainting"]["pepper_fraction"] = 0.5
    after = plan(config)
    old, new = ids(before, "inversion"), ids(after, "inversion")
    assert len(old & new) == 2 and len(new - old) == 2  # restarts=1 kept (x2 inits), restarts=3 new
    assert all(after.get("inversion", x.generator, x.point).params["restarts"] == 1 for x in after.points("inversion") if x.point in old)
    # only the pepper points of inpainting change; the other masks ignore pepper_fraction
    changed = {x.params["mask"] for x in after.points("inpainting") if x.point not in ids(before, "inpainting")}
    assert changed == {"pepper"}
    assert ids(before, "truncation") == ids(after, "truncation")


def test_masks_are_shared_across_generators_and_depend_only_on_their_own_size():
    p = plan(base_config())
    masks = p.masks()
    assert len(masks) == 5  # one set per kind, shared by g and ae
    by_mask = {}
    for x in p.points("inpainting"):
        by_mask.setdefault(x.params["mask"], set()).add(x.mask_path())
    assert all(len(paths) == 1 for paths in by_mask.values())
    pepper = masks[by_mask["pepper"].pop()]
    assert pepper == {"dataset": "digits", "mask": "pepper", "num_images": 64, "seed": 0, "pepper_fraction": 0.3}
    assert "square_size" not in masks[by_mask["crosswalk"].pop()]


def test_point_id_is_deterministic_and_key_order_free():
    assert point_id({"a": 1, "b": 2}) == point_id({"b": 2, "a": 1})
    assert point_id({"a": 1}) != point_id({"a": 2})
    assert len(point_id({})) == 10


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["sweeps"]["inversion"].update(generators=["nope"]), r"sweeps\.inversion\.generators: unknown generator 'nope'"),
        (lambda c: c["sweeps"]["truncation"].update(classifier="nope"), r"sweeps\.truncation\.classifier: unknown classifier 'nope'"),
        (lambda c: c["sweeps"]["inpainting"].update(classifier="c_other"), r"trained on dataset 'other' but generator 'g' on 'digits'"),
        (lambda c: c["autoencoders"].update(g={"dataset": "digits"}), r"'g' names both a GAN and an autoencoder"),
    ],
)
def test_bad_references_name_the_key(edit, message):
    config = copy.deepcopy(base_config())
    edit(config)
    with pytest.raises(ConfigError, match=message):
        plan(config, source="my.yaml")
