"""Linear probes, the untrained-D control, probe robustness rows and the real->fake flip search."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from advgen.checkpoints import save_torch
from advgen.defense.spec import ProbeSourceSpec
from advgen.probe.columns import COLUMNS
from advgen.probe.features import FeatureExtractor, extract, initial_discriminator
from advgen.probe.flip import RealFakeClassifier, flip_eps, real_margin, real_score
from advgen.probe.linear import ProbedModel, fit_linear_probe, probe_accuracy
from advgen.probe.robust import probe_rows
from tests.unit.robust_helpers import blob_split

pytestmark = pytest.mark.usefixtures("one_thread")


def test_probe_fits_a_separable_toy_set():
    gen = torch.Generator().manual_seed(0)
    centers = 4.0 * torch.randn(5, 12, generator=gen)
    labels = torch.arange(200) % 5
    features = centers[labels] + 0.3 * torch.randn(200, 12, generator=gen)
    features[:, 3] = 7.0  # a constant (dead) unit must not break the standardisation
    probe = fit_linear_probe(features, labels, 5, max_iter=100)
    assert probe_accuracy(probe, features, labels) == 1.0
    assert not any(p.requires_grad for p in probe.parameters())
    assert torch.isfinite(probe(features)).all()


class Net(nn.Module):
    """A small MLP with a narrow penultimate layer and ``forward_features``, like the zoo's models."""

    def __init__(self, side: int, width: int = 6, classes: int = 10) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(side * side, 32),
            nn.LeakyReLU(0.2),
            nn.Linear(32, width),
            nn.LeakyReLU(0.2),
        )
        self.head = nn.Linear(width, classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))


def _nuisance_split(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """10 classes as weak +-1 templates under strong low-rank nuisance: few random features
    of it mostly see the nuisance; features trained on the labels see the classes."""
    fixed = torch.Generator().manual_seed(123)
    templates, nuisance = torch.randn(10, 100, generator=fixed).sign(), torch.randn(30, 100, generator=fixed)
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    x = 0.5 * templates[labels] + 1.5 * torch.randn(n, 30, generator=gen) @ nuisance / 30**0.5
    return x.view(n, 1, 10, 10), labels


def test_the_untrained_control_is_below_the_trained_features_on_clean_data():
    (x_train, y_train), (x_test, y_test) = _nuisance_split(500, 0), _nuisance_split(300, 1)
    torch.manual_seed(0)
    control, trained = Net(10), Net(10)
    trained.load_state_dict(control.state_dict())  # same initialisation, then training
    opt = torch.optim.Adam(trained.parameters(), lr=0.01)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.cross_entropy(trained(x_train), y_train).backward()
        opt.step()
    acc = {}
    for name, net in (("control", control), ("trained", trained)):
        extractor = FeatureExtractor(net)
        probe = fit_linear_probe(extract(extractor, x_train), y_train, 10)
        acc[name] = probe_accuracy(probe, extract(extractor, x_test), y_test)
    assert acc["trained"] > 0.9
    assert acc["control"] < acc["trained"] - 0.2


def test_initial_discriminator_is_the_d_training_started_from(tmp_path):
    from advgen.config import dataset_spec
    from advgen.data.prepared import save_prepared
    from advgen.data.registry import load_source
    from advgen.gan.spec import GanSpec, complete_spec
    from advgen.gan.train import GanRun
    from advgen.specs import typed_spec

    spec = {
        "source": "digits",
        "image_size": 8,
        "max_train": 40,
        "max_test": 10,
        "split_seed": 0,
        "test_fraction": 0.2,
    }
    train, _ = load_source(dataset_spec(spec))
    save_prepared(train, tmp_path / "train.pt", dataset="digits", name="train", num_classes=10, spec=spec)
    gan = complete_spec(
        {
            "dataset": "digits",
            "generator": "mlp_small",
            "discriminator": "mlp_small",
            "z_dim": 4,
            "batch_size": 8,
            "epochs": 1,
            "grid_size": 4,
            "seed": 5,
        },
        "gan",
    )
    run = GanRun(typed_spec(GanSpec, gan), str(tmp_path / "train.pt"))
    start = {k: v.clone() for k, v in run.D.state_dict().items()}
    trained = run.state_dict(with_log=False)
    trained["D"] = {k: v + 1.0 for k, v in start.items()}  # as if training had moved D
    save_torch(trained, tmp_path / "gan.pt")
    rebuilt = initial_discriminator(tmp_path / "gan.pt").discriminator.state_dict()
    assert rebuilt.keys() == start.keys()
    assert all(torch.equal(rebuilt[k], start[k]) for k in start)


def test_probe_rows_columns_and_the_clean_row():
    train = blob_split(n=60, size=6, num_classes=3, seed=0)
    torch.manual_seed(0)
    extractor = FeatureExtractor(Net(6, width=8, classes=3))
    model = ProbedModel(extractor, fit_linear_probe(extract(extractor, train.images), train.labels, 3))
    spec = ProbeSourceSpec(
        family="control",
        source="d",
        dataset="blobs",
        train_images=None,
        num_images=None,
        eps=(0.05, 0.3),
        pgd_steps=5,
        restarts=1,
        weight_decay=0.0001,
        max_iter=200,
        seed=0,
        loss="mse",
        unroll_k=0,
    )
    # the source's row: what the spec names it, then its probe's fit
    source = {key: getattr(spec, key) for key in ("source", "family", "dataset", "loss", "unroll_k", "mode")}
    source |= {"feature_dim": 8, "train_acc": 1.0, "fit_seconds": 0.1}
    table = probe_rows(model, train.images, train.labels, spec, source)
    assert list(table.columns) == COLUMNS
    assert table["eps"].tolist() == [0.0, 0.05, 0.3]
    assert table["robust_acc"].iloc[0] == table["clean_acc"].iloc[0]
    assert table["robust_acc"].iloc[-1] <= table["robust_acc"].iloc[0]
    assert (table["family"] == "control").all() and (table["feature_dim"] == 8).all()


class LinearD(nn.Module):
    """D(x) = w . (x - 0.5) + b: the smallest Linf flip is margin / ||w||_1, in closed form."""

    def __init__(self, w: torch.Tensor, b: torch.Tensor) -> None:
        super().__init__()
        self.w, self.b = w, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x - 0.5).flatten(1) * self.w.flatten()).sum(1) + self.b


@pytest.mark.parametrize("loss", ["non_saturating", "mse"])
def test_flip_eps_finds_the_closed_form_budget(loss):
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(1, 4, 4, generator=gen) / 16
    l1 = float(w.abs().sum())
    boundary = 0.5 if loss == "mse" else 0.0
    # margins in units of ||w||_1: flips at 0.02, 0.1, 0.2; already fake; beyond eps_max
    b = torch.tensor([0.02, 0.1, 0.2, -0.05, 0.45]) * l1 + boundary
    x = 0.5 + 0.01 * (torch.rand(5, 1, 4, 4, generator=gen) - 0.5)
    offsets = ((x - 0.5).flatten(1) * w.flatten()).sum(1)
    d = LinearD(w, b - offsets)  # D(x_i) = b_i exactly on image i
    model = RealFakeClassifier(ConstantPerRow(d), loss)
    eps, adv = flip_eps(model, x, eps_max=0.3, search_steps=12, steps=20)
    expected = torch.tensor([0.02, 0.1, 0.2, 0.0, math.inf], dtype=torch.float64)
    assert torch.allclose(eps[:3], expected[:3], atol=0.3 / 2**12 + 1e-4)
    assert eps[3] == 0.0 and math.isinf(eps[4])
    margin = real_margin(loss, model.discriminator(adv))
    assert (margin[:3] <= 0).all() and margin[4] > 0
    assert torch.equal(
        real_score(loss, torch.tensor([0.3])),
        torch.tensor([0.3]) if loss == "mse" else torch.sigmoid(torch.tensor([0.3])),
    )


class ConstantPerRow(nn.Module):
    """Applies a per-image D whose bias depends on the row (images are attacked as one batch)."""

    def __init__(self, d: LinearD) -> None:
        super().__init__()
        self.d = d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x - 0.5).flatten(1) * self.d.w.flatten()).sum(1) + self.d.b[: len(x)]
