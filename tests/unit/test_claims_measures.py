"""The measurements the repaired and added claims read: image statistics (sharpness, speckle,
digit area), the interpolation's controls, the random spatial transform and the report's facts."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from advgen.attacks.spatial import Spatial
from advgen.sweeps import image_stats
from advgen.sweeps.interpolation import approach, blend_frames, endpoint_mse

pytestmark = pytest.mark.usefixtures("one_thread")


def digits(n: int = 6, seed: int = 0) -> torch.Tensor:
    """Bars of ink on black: sharp edges."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 1, 28, 28)
    for i in range(n):
        top = int(torch.randint(4, 10, (1,), generator=gen))
        x[i, 0, top : top + 14, 10 + i % 4 : 14 + i % 4] = 1.0
    return x


def test_blur_lowers_the_variance_of_the_laplacian() -> None:
    sharp = digits()
    blurred = F.avg_pool2d(F.pad(sharp, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    assert bool((image_stats.sharpness(sharp) > 2 * image_stats.sharpness(blurred)).all())


def test_speckle_counts_impulses_not_strokes() -> None:
    clean = digits()
    assert float(image_stats.speckle(clean).max()) == 0.0  # a stroke is not an impulse
    noisy = clean.clone()
    noisy[:, 0, 0, 0] = 1.0  # salt in a black corner
    noisy[:, 0, 20, 20] = 1.0
    assert image_stats.speckle(noisy) == pytest.approx(torch.full((6,), 2 / 784))


def test_ink_is_the_digits_area() -> None:
    x = digits()
    assert image_stats.ink(x) == pytest.approx(torch.full((6,), 14 * 4 / 784))


def test_interpolation_controls() -> None:
    start, end = digits(3, 1), digits(3, 2).flip(-1)
    weights = torch.linspace(0, 1, 9)
    straight = blend_frames(torch.stack([start, end], 1), weights)  # (3, 9, 1, 28, 28)
    assert torch.allclose(straight[:, 0], start) and torch.allclose(straight[:, -1], end)
    assert approach(straight, straight[:, -1]) == pytest.approx(torch.ones(3, dtype=torch.float64))
    assert approach(straight.flip(1), straight[:, -1]) == pytest.approx(-torch.ones(3, dtype=torch.float64))
    ends = torch.stack([start, end], 1)
    assert endpoint_mse(straight, ends) == pytest.approx(torch.zeros(3))


def test_random_spatial_transforms_are_seeded_draws_within_the_range() -> None:
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    x, y = digits(20), torch.zeros(20, dtype=torch.long)
    out = Spatial(model, random=True, seed=3).sweep(x, y, [0.0, 0.5, 1.0])
    again = Spatial(model, random=True, seed=3).sweep(x, y, [0.0, 0.5, 1.0])
    assert torch.equal(out[2].adv, again[2].adv) and torch.equal(out[0].adv, x)
    assert float(out[1].norm.max()) <= 0.5 + 1e-6 and float(out[2].norm.max()) <= 1.0 + 1e-6
    assert float(out[2].norm.min()) > 0.0  # one transform per image, not the identity
    other = Spatial(model, random=True, seed=4).sweep(x, y, [1.0])[0]
    assert not torch.equal(other.adv, out[2].adv)


def test_the_reports_facts() -> None:
    from advgen.report_facts import report_facts

    facts = report_facts().set_index("fact")["measured"]
    assert facts["parameters_m1"] == 675025 and facts["parameters_m3"] == 1460225
    assert facts["conv_grad_input"] < 1e-9 and facts["conv_grad_filter"] < 1e-9
    assert facts["conv_grad_input_no_flip"] > 1e-3 and facts["conv_grad_filter_no_flip"] > 1e-3


def test_a_success_rate_counts_the_correctly_classified_attacked_digits(tmp_path) -> None:
    """``success_rate`` is a share of the digits the model classifies correctly: the claims rebuild
    its count from ``n * clean_acc`` (the loader refuses ``count: n`` for it), so the side holds
    exactly the correctly classified attacked digits, the fooled ones among them as ones."""
    from advgen.attacks.fgsm import FGSM
    from advgen.claims.measuring.measure import Context, measure
    from advgen.claims.reading.model import Term
    from advgen.robustness.evaluate import attack_curve
    from advgen.robustness.spec import CurveAttackSpec

    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    x = torch.rand(90, 1, 4, 4, generator=gen)
    y = torch.randint(0, 3, (90,), generator=gen)  # random labels: about a third right
    curve = attack_curve(model, x, y, CurveAttackSpec("FGSM", {}, 0, (0.3,)), classifier="m", attack="fgsm")
    (tmp_path / "robustness").mkdir()
    curve.to_parquet(tmp_path / "robustness" / "attacks.parquet", index=False)
    result = FGSM(model, eps=0.3)(x, y)
    correct, fooled = int(result.clean_correct.sum()), int(result.success.sum())
    assert 0 < correct < len(y) and 0 < fooled
    term = Term(
        "robustness/attacks.parquet",
        "success_rate",
        models=(("classifier", "m"),),
        per="proportion",
        count="n * clean_acc",
    )
    run = measure(Context(tmp_path, {"m": ["m"]}), term, "c").side.runs[0]
    assert (len(run), int(run.sum())) == (correct, fooled)
    over_all = dataclasses.replace(term, count="n")
    assert len(measure(Context(tmp_path, {"m": ["m"]}), over_all, "c").side.runs[0]) == len(
        y
    )  # the old count
