"""Adaptive attacks on purifiers (advgen.defense.adaptive) and the purify headline, on tiny models."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch import nn

from advgen.attacks import PGD
from advgen.defense.adaptive import (
    AdaptiveBudget,
    UnrolledProjection,
    applicable,
    latent_attack,
    run_attack,
    unrolled_projection,
)
from advgen.defense.attacks import attack_size
from advgen.defense.evaluate import GREYBOX_HEADLINE, HEADLINE, evaluate_point
from advgen.defense.purify import (
    EOTPGD,
    IdentityPurifier,
    ProjectionPurifier,
    PurifiedClassifier,
    ReconstructionPurifier,
    dlr_loss,
)
from advgen.defense.tables import HEADLINE_COLUMNS, purify_headline, purify_markdown
from advgen.errors import ConfigError
from advgen.sweeps.inversion import InversionSettings, invert
from tests.unit.defense_helpers import purify_spec
from tests.unit.robust_helpers import blob_split, trained_linear
from tests.unit.sweeps_helpers import TinyGenerator

pytestmark = pytest.mark.usefixtures("one_thread")
SIDE = 6
TINY = AdaptiveBudget(
    steps=4, restarts=1, eot_samples=2, rand_samples=2, short_unroll=2, unroll_restarts=1, latent_steps=5
)


class BandGenerator(nn.Module):
    """G(z) = A z with orthonormal columns spanning the three class bands of blob_split:
    SGD with lr 9 (Hessian 2/36 I) converges to the orthogonal projection."""

    def __init__(self) -> None:
        super().__init__()
        bands = torch.zeros(3, SIDE * SIDE)
        for c in range(3):
            bands[c].view(SIDE, SIDE)[2 * c : 2 * c + 2] = 1
        self.register_buffer("a", torch.linalg.qr(bands.T).Q)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z @ self.a.T).view(-1, 1, SIDE, SIDE)


def _accuracy(classifier, purifier, adv, y) -> float:
    with torch.no_grad():
        return float((classifier(purifier.purify(adv)).argmax(1) == y).float().mean())


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_unrolled_projection_computes_the_inversion(optimizer):
    generator, x = TinyGenerator(z_dim=3, side=SIDE), torch.rand(5, 1, SIDE, SIDE)
    settings = InversionSettings(
        steps=6, restarts=3, optimizer=optimizer, lr=0.05 if optimizer == "adam" else 0.5
    )
    expected = invert(generator, x, settings, seed=4, z_dim=3).images
    for unroll in (None, 2):
        got = unrolled_projection(generator, x, settings, seed=4, z_dim=3, unroll=unroll)
        assert torch.allclose(got, expected, atol=1e-5)


def test_gradients_flow_through_the_unroll():
    generator = TinyGenerator(z_dim=3, side=SIDE)
    settings = InversionSettings(steps=6, restarts=2, lr=0.05)
    grads = {}
    for unroll in (None, 1):
        x = torch.rand(4, 1, SIDE, SIDE, requires_grad=True)
        (grads[unroll],) = torch.autograd.grad(
            unrolled_projection(generator, x, settings, seed=0, z_dim=3, unroll=unroll).sum(), x
        )
        assert torch.isfinite(grads[unroll]).all() and (grads[unroll].flatten(1).abs().sum(1) > 0).all()
    assert not torch.allclose(grads[None], grads[1])  # the full unroll sees more than the last step
    assert all(p.grad is None for p in generator.parameters())
    with pytest.raises(ValueError, match="unroll"):
        unrolled_projection(generator, torch.rand(1, 1, SIDE, SIDE), settings, seed=0, z_dim=3, unroll=0)


def test_unrolled_purifier_draws_fresh_starts_like_the_projection():
    purifier = ProjectionPurifier(
        TinyGenerator(z_dim=3, side=SIDE), 3, InversionSettings(steps=4, restarts=2, lr=0.05)
    )
    unrolled, x = UnrolledProjection(purifier), torch.rand(3, 1, SIDE, SIDE)
    first = unrolled.differentiable(x)
    assert purifier.calls == 1
    assert torch.allclose(
        first, invert(purifier.generator, x, purifier.settings, seed=0, z_dim=3).images, atol=1e-5
    )
    assert not torch.allclose(first, unrolled.differentiable(x))


def test_unrolled_attack_breaks_what_bpda_cannot():
    """A classifier whose weights have large components orthogonal to the generator's range:
    on purified inputs they do nothing, but BPDA's gradient (the classifier's) is dominated
    by them; the unrolled gradient projects them out."""
    split = blob_split(n=30, size=SIDE)
    generator, classifier = BandGenerator(), trained_linear(split)
    with torch.no_grad():
        noise = torch.randn(3, SIDE * SIDE, generator=torch.Generator().manual_seed(1))
        classifier[1].weight += 3 * (noise - noise @ generator.a @ generator.a.T)
    purifier = ProjectionPurifier(
        generator, 3, InversionSettings(steps=12, restarts=1, optimizer="sgd", lr=9.0)
    )
    budget = AdaptiveBudget(steps=10, restarts=1, short_unroll=3, unroll_restarts=1, latent_steps=30)
    assert _accuracy(classifier, purifier, split.images, split.labels) == 1.0
    acc = {
        a: _accuracy(
            classifier,
            purifier,
            run_attack(a, classifier, purifier, split.images, split.labels, 0.36, budget),
            split.labels,
        )
        for a in ("bpda", "unroll_short", "unroll", "latent")
    }
    assert acc["bpda"] == 1.0
    assert acc["unroll"] <= 0.1 and acc["unroll_short"] <= 0.1 and acc["latent"] <= 0.1


def test_identity_purifier_gives_bare_pgd():
    split = blob_split(n=24, size=SIDE)
    classifier = trained_linear(split)
    budget = AdaptiveBudget(steps=5, restarts=3)
    adv = run_attack("bpda", classifier, IdentityPurifier(), split.images, split.labels, 0.3, budget, seed=2)
    bare = PGD(classifier, 0.3, steps=5, restarts=3, seed=2).generate(split.images, split.labels)
    assert torch.equal(adv, bare)
    spec = purify_spec(
        purifier="none",
        method="none",
        generator=None,
        classifier="c",
        point="bare",
        operating=True,
        steps=0,
        restarts=0,
        attacks=["pgd", "bpda"],
        eps=[0.35, 0.5],
        pgd_steps=5,
        adaptive_steps=5,
        eot_samples=2,
        seed=0,
    )
    table = evaluate_point(
        classifier, IdentityPurifier(), split.images, split.labels, spec, AdaptiveBudget(steps=5, restarts=1)
    )
    pgd, bp = (table[table["attack"] == a].set_index("eps")["robust_acc"] for a in ("pgd", "bpda"))
    assert pgd.equals(bp) and pgd.lt(1).any()
    assert applicable(IdentityPurifier()) == ()


def test_headline_is_the_strongest_adaptive_attack_and_greybox_is_kept():
    split = blob_split(n=12, size=SIDE)
    purifier = ProjectionPurifier(
        TinyGenerator(z_dim=3, side=SIDE), 3, InversionSettings(steps=3, restarts=2, lr=0.05)
    )
    attacks = ["fgsm", "pgd", *applicable(purifier)]
    spec = purify_spec(
        purifier="gan",
        method="project",
        generator="g",
        generator_kind="gan",
        classifier="c",
        point="L3_R2",
        operating=True,
        steps=3,
        restarts=2,
        attacks=attacks,
        eps=[0.2, 0.4],
        pgd_steps=3,
        adaptive_steps=3,
        eot_samples=2,
        seed=0,
    )
    table = evaluate_point(trained_linear(split), purifier, split.images, split.labels, spec, TINY)
    for _eps, part in table[table["eps"] > 0].groupby("eps"):
        adaptive = part[part["threat"] == "adaptive"]
        assert set(adaptive["attack"]) == set(applicable(purifier))
        head = part[part["attack"] == HEADLINE].iloc[0]
        assert head["threat"] == "headline" and head["robust_acc"] == adaptive["robust_acc"].min()
        assert head["best_attack"] in set(
            adaptive.loc[adaptive["robust_acc"] == head["robust_acc"], "attack"]
        )
        # per-image worst case over the attacks: at most the strongest single attack's accuracy
        assert 0 <= head["worst_case_acc"] <= head["robust_acc"] and adaptive["worst_case_acc"].isna().all()
        grey = part[part["attack"] == GREYBOX_HEADLINE].iloc[0]
        assert (
            grey["threat"] == "greybox"
            and grey["robust_acc"] == part.loc[part["attack"].isin(["fgsm", "pgd"]), "robust_acc"].min()
        )
    sizes = table.set_index("attack")
    assert (
        sizes.loc["eot_rand", "attack_samples"].iloc[0] == 2 and sizes.loc["unroll", "unroll"].iloc[0] == -1
    )
    head = purify_headline(table)
    assert list(head.columns) == HEADLINE_COLUMNS and len(head) == 2
    assert (head["gap_points"] == 100 * (head["greybox_acc"] - head["adaptive_acc"])).all()
    md = purify_markdown(table)
    assert md.count("\n") == 4 and "| gan | 0.2 |" in md


def test_latent_attack_stays_in_the_ball_and_works_on_reconstruction():
    split = blob_split(n=12, size=SIDE)
    classifier = trained_linear(split)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 3))
    decoder = nn.Sequential(nn.Linear(3, SIDE * SIDE), nn.Sigmoid(), nn.Unflatten(1, (1, SIDE, SIDE)))
    recon = ReconstructionPurifier(encoder, decoder)
    assert applicable(recon) == ("bpda", "exact", "latent")
    adv = latent_attack(classifier, recon, split.images, split.labels, 0.1, steps=5)
    assert adv.shape == split.images.shape and (adv - split.images).abs().max() <= 0.1 + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1
    with pytest.raises(TypeError, match="unroll"):
        run_attack("unroll", classifier, recon, split.images, split.labels, 0.1, TINY)


def test_eot_with_dlr_loss():
    logits = torch.tensor([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0]])
    y = torch.tensor([0, 0])
    loss = dlr_loss(logits, y)
    assert loss[0] == pytest.approx(-(3 - 1) / 3) and loss[1] == pytest.approx(2 / 2)
    split = blob_split(n=24, size=SIDE)
    model = PurifiedClassifier(trained_linear(split), IdentityPurifier(), "bpda")
    adv = EOTPGD(model, 0.3, steps=5, samples=2, loss="dlr").generate(split.images, split.labels)
    assert (adv - split.images).abs().max() <= 0.3 + 1e-6
    with pytest.raises(ValueError, match="loss"):
        EOTPGD(model, 0.3, loss="hinge")


def test_budget_validation_and_sizes():
    assert (
        AdaptiveBudget().steps >= 100
        and AdaptiveBudget().restarts >= 5
        and AdaptiveBudget().rand_samples == 20
    )
    assert AdaptiveBudget.from_mapping({"steps": 7, "latent_weights": [1, 2]}).latent_weights == (1.0, 2.0)
    for bad in ({"steps": -1}, {"restarts": 0}, {"stepz": 3}, {"latent_lr": float("nan")}):
        with pytest.raises(ConfigError, match="budget"):
            AdaptiveBudget.from_mapping(bad)
    legacy = AdaptiveBudget.legacy(purify_spec(adaptive_steps=10, eot_samples=2))
    assert (legacy.steps, legacy.restarts, legacy.eot_samples) == (10, 1, 2)
    assert attack_size("unroll_short", purify_spec(), TINY) == {
        "attack_steps": 4,
        "attack_restarts": 1,
        "attack_samples": 1,
        "unroll": 2,
    }
    assert attack_size("latent", purify_spec(), TINY)["attack_restarts"] == 3
    with pytest.raises(ValueError, match="unknown adaptive attack"):
        run_attack(
            "nope",
            nn.Identity(),
            IdentityPurifier(),
            torch.zeros(1, 1, 2, 2),
            torch.zeros(1).long(),
            0.1,
            TINY,
        )


def test_purify_headline_of_an_old_table_is_empty():
    old = pd.DataFrame({"defense": ["g"], "operating": [True], "attack": ["pgd"], "eps": [0.1]})
    assert purify_headline(old).empty


def test_autoattack_rand_plugs_into_the_pool():
    split = blob_split(n=12, size=SIDE)
    generator, classifier = BandGenerator(), trained_linear(split)
    purifier = ProjectionPurifier(
        generator, 3, InversionSettings(steps=4, restarts=2, optimizer="sgd", lr=9.0)
    )
    adv = run_attack("autoattack_rand", classifier, purifier, split.images, split.labels, 0.2, TINY)
    assert adv.shape == split.images.shape and (adv - split.images).abs().max() <= 0.2 + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1
    assert "autoattack_rand" not in applicable(purifier)  # opt-in: listed in defense.purify.attacks
