"""The model zoo: report parameter counts, shapes, registries vs schema, loaders on [0, 1]."""

from __future__ import annotations

import pytest
import torch

from advgen.checkpoints import save_torch
from advgen.config import SCHEMA_DIR, load_yaml
from advgen.errors import ConfigError
from advgen.models.base import count_parameters
from advgen.models.loading import load_autoencoder, load_discriminator, load_generator
from advgen.models.registry import (
    DISCRIMINATORS,
    GENERATORS,
    build_autoencoder,
    build_discriminator,
    build_generator,
)

SHAPES = {"dcgan": [(3, 32, 32), (3, 64, 64)]} | {
    f"dcgan_{k}{w}": [(3, 32, 32)] for k in ("ngf", "ndf") for w in (32, 128)
}
SMALL = {"dcgan": {"ngf": 8}}  # narrow DCGANs keep the test fast


def test_report_discriminator_m3_has_exactly_1460225_params():
    assert count_parameters(build_discriminator("M3", (1, 28, 28))) == 1_460_225


def test_report_generator_m1_has_675025_params_at_z50():
    assert count_parameters(build_generator("M1", 50, (1, 28, 28))) == 675_025


def test_zoo_has_five_28px_pairs_and_a_colour_dcgan():
    small = [n for n in GENERATORS if not n.startswith("dcgan_") and n != "dcgan"]
    assert (
        len(small) >= 5
        and len([n for n in DISCRIMINATORS if not n.startswith("dcgan_") and n != "dcgan"]) >= 5
    )
    assert "dcgan" in GENERATORS and "dcgan" in DISCRIMINATORS


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_map_noise_to_images_in_tanh_range(name):
    for shape in SHAPES.get(name, [(1, 28, 28)]):
        g = build_generator(name, 16, shape, SMALL.get(name)).eval()
        x = g(torch.randn(3, 16))
        assert x.shape == (3, *shape)
        assert x.min() >= -1 and x.max() <= 1


@pytest.mark.parametrize("name", sorted(DISCRIMINATORS))
def test_discriminators_give_one_logit_and_penultimate_features(name):
    for shape in SHAPES.get(name, [(1, 28, 28)]):
        d = build_discriminator(name, shape, {"ndf": 8} if name == "dcgan" else None).eval()
        x = torch.rand(3, *shape) * 2 - 1
        logits, feats = d(x), d.forward_features(x)
        assert logits.shape == (3,) and feats.ndim == 2 and feats.shape[0] == 3
        assert torch.allclose(d.head(feats).squeeze(1), logits)


def test_celeba_channel_width_variants_differ_only_in_channels():
    base, narrow, wide = (
        build_generator(n, 100, (3, 64, 64)) for n in ("dcgan", "dcgan_ngf32", "dcgan_ngf128")
    )
    assert count_parameters(narrow) < count_parameters(base) < count_parameters(wide)
    assert (
        [type(m) for m in narrow.modules()]
        == [type(m) for m in base.modules()]
        == [type(m) for m in wide.modules()]
    )
    d_narrow, d_wide = (
        build_discriminator("dcgan_ndf32", (3, 64, 64)),
        build_discriminator("dcgan_ndf128", (3, 64, 64)),
    )
    assert (
        count_parameters(d_narrow)
        < count_parameters(build_discriminator("dcgan", (3, 64, 64)))
        < count_parameters(d_wide)
    )


def test_schema_enums_match_the_registries():
    gan = load_yaml(SCHEMA_DIR / "generative.schema.yaml")["$defs"]["gan"]["properties"]
    assert set(gan["generator"]["enum"]) == set(GENERATORS)
    assert set(gan["discriminator"]["enum"]) == set(DISCRIMINATORS)


def test_bad_shape_and_bad_kwargs_are_config_errors():
    with pytest.raises(ConfigError, match="M1"):
        build_generator("M1", 50, (3, 32, 32))
    with pytest.raises(ConfigError, match="power-of-two"):
        build_discriminator("dcgan", (3, 28, 28))
    with pytest.raises(ConfigError, match="unknown generator 'M9'"):
        build_generator("M9", 50, (1, 28, 28))
    with pytest.raises(ConfigError, match="bad keyword"):
        build_discriminator("M3", (1, 28, 28), {"nope": 1})


@pytest.mark.parametrize("size", [28, 32, 64])
def test_autoencoder_round_trips_shapes(size):
    ae = build_autoencoder("conv", (3, size, size), 100)
    recon, z = ae(torch.rand(2, 3, size, size))
    assert recon.shape == (2, 3, size, size) and z.shape == (2, 100)
    assert recon.min() >= 0 and recon.max() <= 1


def _gan_checkpoint(path, ema=None):
    g, d = build_generator("mlp_small", 8, (1, 28, 28)), build_discriminator("mlp_small", (1, 28, 28))
    save_torch(
        {
            "kind": "gan",
            "generator": {"arch": "mlp_small", "kwargs": {}, "z_dim": 8, "image_shape": [1, 28, 28]},
            "discriminator": {"arch": "mlp_small", "kwargs": {}, "image_shape": [1, 28, 28]},
            "G": g.state_dict(),
            "G_ema": ema,
            "D": d.state_dict(),
            "config": {},
        },
        path,
    )
    return g, d


def test_load_generator_and_discriminator_work_on_unit_range(tmp_path):
    g, d = _gan_checkpoint(tmp_path / "gan.pt")
    G, z_dim = load_generator(tmp_path / "gan.pt")
    assert z_dim == 8 and not G.training
    z = torch.randn(5, 8)
    x = G(z)
    assert x.min() >= 0 and x.max() <= 1
    assert torch.allclose(x, (g.eval()(z) + 1) / 2)
    D = load_discriminator(tmp_path / "gan.pt")
    assert not D.training
    assert torch.allclose(D(x), d.eval()(2 * x - 1))
    assert D.forward_features(x).shape == (5, 128)


def test_load_generator_prefers_the_weight_average(tmp_path):
    ema = build_generator("mlp_small", 8, (1, 28, 28))
    _gan_checkpoint(tmp_path / "gan.pt", ema=ema.state_dict())
    G, _ = load_generator(tmp_path / "gan.pt")
    z = torch.randn(2, 8)
    assert torch.allclose(G(z), (ema.eval()(z) + 1) / 2)


def test_load_generator_and_autoencoder_from_an_ae_checkpoint(tmp_path):
    ae = build_autoencoder("conv", (1, 28, 28), 12, {"width": 4}).eval()
    info = {"arch": "conv", "kwargs": {"width": 4}, "z_dim": 12, "image_shape": [1, 28, 28]}
    save_torch(
        {"kind": "autoencoder", "model": info, "state": ae.state_dict(), "config": {}}, tmp_path / "ae.pt"
    )
    G, z_dim = load_generator(tmp_path / "ae.pt")
    assert z_dim == 12
    z = torch.randn(3, 12)
    assert torch.allclose(G(z), ae.decoder(z))
    enc, dec, z_dim = load_autoencoder(tmp_path / "ae.pt")
    x = torch.rand(3, 1, 28, 28)
    assert z_dim == 12 and enc(x).shape == (3, 12) and not enc.training


def test_loaders_reject_wrong_kinds(tmp_path):
    from advgen.errors import CheckpointError

    save_torch({"kind": "classifier"}, tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="c.pt"):
        load_generator(tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="expected a 'gan'"):
        load_discriminator(tmp_path / "c.pt")


def test_mlp_hidden_activation_sigmoid_as_the_report_tried():
    """``activation: sigmoid`` (generator_kwargs / discriminator_kwargs) puts the logistic sigmoid in
    every hidden layer of the MLP pair; the output layers stay (tanh, a logit); an unknown name is
    a config error."""
    import pytest
    import torch
    from torch import nn

    from advgen.errors import ConfigError
    from advgen.models.registry import build_discriminator, build_generator

    g = build_generator("mlp_small", 8, [1, 28, 28], {"activation": "sigmoid"})
    d = build_discriminator("mlp_small", [1, 28, 28], {"activation": "sigmoid"})
    for model in (g, d):
        kinds = {type(m) for m in model.body}
        assert nn.Sigmoid in kinds and nn.LeakyReLU not in kinds
    x = g(torch.randn(4, 8))
    assert x.shape == (4, 1, 28, 28) and x.min() >= -1 and d(x).numel() == 4
    plain = build_generator("mlp_small", 8, [1, 28, 28], {})
    assert nn.LeakyReLU in {type(m) for m in plain.body}
    with pytest.raises(ConfigError, match="activation: unknown 'tanh'"):
        build_discriminator("mlp_small", [1, 28, 28], {"activation": "tanh"})
