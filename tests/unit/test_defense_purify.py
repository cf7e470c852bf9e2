"""Purifiers, BPDA, EOT and the purify evaluation on tiny models (no files)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advgen.attacks import PGD
from advgen.defense.evaluate import evaluate_point
from advgen.defense.purify import (
    EOTPGD,
    IdentityPurifier,
    ProjectionPurifier,
    PurifiedClassifier,
    ReconstructionPurifier,
    bpda,
)
from advgen.defense.spec import PurifySpec
from advgen.defense.tables import PURIFY_COLUMNS as COLUMNS
from advgen.sweeps.inversion import InversionSettings, invert
from tests.unit.defense_helpers import purify_spec
from tests.unit.robust_helpers import blob_split, trained_linear
from tests.unit.sweeps_helpers import TinyGenerator

pytestmark = pytest.mark.usefixtures("one_thread")
SIDE = 6


def _projection(steps: int = 5, restarts: int = 2, seed: int = 0) -> ProjectionPurifier:
    return ProjectionPurifier(
        TinyGenerator(z_dim=3, side=SIDE),
        3,
        InversionSettings(steps=steps, restarts=restarts, lr=0.05),
        seed=seed,
    )


def _spec(**overrides) -> PurifySpec:
    spec = {
        "generator_kind": "gan",
        "optimizer": "adam",
        "lr": 0.05,
        "purifier": "p",
        "method": "project",
        "generator": "g",
        "classifier": "c",
        "point": "L5_R2",
        "operating": True,
        "steps": 5,
        "restarts": 2,
        "attacks": ["fgsm", "pgd", "bpda", "eot"],
        "eps": [0.1, 0.3],
        "pgd_steps": 5,
        "adaptive_steps": 3,
        "eot_samples": 2,
        "seed": 0,
    }
    return purify_spec(**{**spec, **overrides})


def test_bpda_gradient_is_the_identity_gradient():
    purifier = _projection()
    x = torch.rand(4, 1, SIDE, SIDE, requires_grad=True)
    w = torch.randn(4, 1, SIDE, SIDE)
    (grad,) = torch.autograd.grad((w * bpda(x, purifier)).sum(), x)
    assert torch.equal(grad, w)


def test_bpda_passes_the_classifier_gradient_at_the_purified_point():
    purifier, classifier = _projection(), nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 3), nn.Tanh())
    x = torch.rand(4, 1, SIDE, SIDE, requires_grad=True)
    out = bpda(x, purifier)
    x_hat = out.detach().requires_grad_(True)
    (through,) = torch.autograd.grad(classifier(out).square().sum(), x)
    (direct,) = torch.autograd.grad(classifier(x_hat).square().sum(), x_hat)
    assert torch.allclose(through, direct)
    assert not torch.allclose(out.detach(), x.detach())  # the forward pass did purify


def test_projection_draws_fresh_starts_per_call_and_works_without_grad():
    purifier, x = _projection(seed=7), torch.rand(3, 1, SIDE, SIDE)
    with torch.no_grad():
        first, second = purifier.purify(x), purifier.purify(x)
    expected = invert(purifier.generator, x, purifier.settings, seed=7, z_dim=3).images
    assert torch.allclose(first, expected)
    assert not torch.allclose(first, second)
    assert purifier.calls == 2 and purifier.stochastic


def test_exact_gradient_only_for_differentiable_purifiers():
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 3))
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 4))
    decoder = nn.Sequential(nn.Linear(4, SIDE * SIDE), nn.Sigmoid(), nn.Unflatten(1, (1, SIDE, SIDE)))
    recon = ReconstructionPurifier(encoder, decoder)
    x = torch.rand(2, 1, SIDE, SIDE)
    assert torch.allclose(PurifiedClassifier(classifier, recon, "exact")(x), classifier(decoder(encoder(x))))
    with pytest.raises(TypeError, match="bpda or eot"):
        PurifiedClassifier(classifier, _projection(), "exact")(x)


def test_eot_over_identical_samples_is_pgd():
    split = blob_split(n=24, size=SIDE)
    model = PurifiedClassifier(trained_linear(split), IdentityPurifier(), "bpda")
    plain = PGD(model, 0.2, steps=5, seed=3).generate(split.images, split.labels)
    eot = EOTPGD(model, 0.2, steps=5, samples=4, seed=3).generate(split.images, split.labels)
    assert torch.allclose(plain, eot, atol=1e-6)


def test_evaluate_point_rows_and_the_bare_classifier():
    split = blob_split(n=30, size=SIDE)
    classifier = trained_linear(split)
    table = evaluate_point(
        classifier,
        IdentityPurifier(),
        split.images,
        split.labels,
        _spec(method="none", purifier="none", point="bare", attacks=["fgsm", "pgd", "bpda"]),
    )
    assert list(table.columns) == COLUMNS
    assert len(table) == 1 + 3 * 2 + 2 * 2  # + strongest adaptive and grey-box rows per eps
    clean = table[table["attack"] == "none"].iloc[0]
    assert clean["eps"] == 0 and clean["robust_acc"] == clean["clean_acc"] > 0.9
    # without a purifier, BPDA's straight-through PGD is the grey-box PGD
    pgd, bp = (table[table["attack"] == a].set_index("eps")["robust_acc"] for a in ("pgd", "bpda"))
    assert pgd.equals(bp)
    assert (table["robust_acc"] <= table["clean_acc"] + 1e-9).all()
    assert set(table.loc[table["attack"] != "none", "threat"]) == {"greybox", "adaptive", "headline"}


def test_evaluate_point_with_a_projection():
    split = blob_split(n=12, size=SIDE)
    table = evaluate_point(trained_linear(split), _projection(steps=3), split.images, split.labels, _spec())
    assert len(table) == 1 + 4 * 2 + 2 * 2
    assert (table["steps_x_restarts"] == 10).all()
    assert (table["seconds_per_image"] > 0).all()
    assert table["robust_acc"].between(0, 1).all()


def test_a_projection_needs_its_inversion_settings():
    from advgen.defense.loading import load_purifier
    from advgen.defense.spec import PurifierSpec
    from advgen.errors import ConfigError

    spec = PurifierSpec(purifier="p", method="project", seed=0, generator_kind="gan", steps=5, restarts=2)
    with pytest.raises(ConfigError, match=r"^--spec: purifier 'p' \(method project\) needs 'optimizer'$"):
        load_purifier(spec, "unread.pt", "cpu")
