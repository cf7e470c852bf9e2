"""Adversarial-example, truncation-grid and interpolation-strip figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from advgen.errors import AdvgenError
from advgen.plots.adversarial import (
    adversarial_examples,
    interpolation_strips,
    perturbation_view,
    truncation_grid,
)
from advgen.plots.images import read_png


def test_perturbation_view_is_magnified_around_grey() -> None:
    clean = torch.zeros(1, 2, 2)
    adv = clean.clone()
    adv[0, 0, 0] = 0.02
    view = perturbation_view(clean, adv, magnify=10)
    assert view[0, 0] == pytest.approx(0.7) and view[1, 1] == pytest.approx(0.5)


def test_adversarial_examples_figure(tmp_path: Path) -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(2, 1, 8, 8, generator=gen)
    ex = {
        "clean": x,
        "adv": (x + 0.1).clamp(0, 1),
        "label": [3, 1],
        "pred_clean": [3, 1],
        "conf_clean": [0.99, 0.9],
        "pred_adv": [5, 7],
        "conf_adv": [0.81, 0.6],
    }
    out = tmp_path / "adv.png"
    adversarial_examples({"fgsm": ex, "pgd40": ex}, [out, tmp_path / "adv.svg"], experiment="test")
    img = read_png(out)
    assert img.shape[0] > img.shape[1]  # 4 rows of 3 panels
    assert "→ 5 (81%)" in (tmp_path / "adv.svg").read_text()
    with pytest.raises(AdvgenError, match="no examples"):
        adversarial_examples({}, [out], experiment="t")


def test_truncation_grid_and_interpolation_strips(tmp_path: Path) -> None:
    samples = {0.5: np.random.default_rng(0).random((4, 1, 8, 8)), None: np.zeros((5, 1, 8, 8))}
    truncation_grid(samples, [tmp_path / "t.svg"], experiment="t")
    text = (tmp_path / "t.svg").read_text()
    assert "ψ = 0.5" in text and "ψ = ∞" in text
    frames = np.random.default_rng(1).random((2, 3, 1, 8, 8))

    def strips(starts: int, path: Path, labels: list[list[int]] | None = None) -> None:
        """``starts`` black start images, the two paths' frames at three alphas, two white ends."""
        ends = np.ones((2, 1, 8, 8))
        interpolation_strips(
            np.zeros((starts, 1, 8, 8)), frames, ends, [0, 0.5, 1], [path], experiment="t", labels=labels
        )

    strips(2, tmp_path / "i.svg", labels=[[1, 4, 7], [2, 2, 2]])
    text = (tmp_path / "i.svg").read_text()
    assert "image 1" in text and "image 2" in text and "α=0.5" in text
    with pytest.raises(AdvgenError, match="do not match"):
        strips(1, tmp_path / "x.png")


def test_adversarial_examples_family(tmp_path: Path) -> None:
    from advgen.classifiers.checkpoint import save_classifier
    from advgen.classifiers.training import train_classifier
    from advgen.cli import main as cli_main
    from advgen.data.prepared import save_prepared
    from advgen.data.split import Split
    from tests.jobs import plot_argv
    from tests.unit.robust_helpers import blob_split
    from tests.unit.test_classifiers import spec

    split = blob_split(60, size=8)
    ckpt, _ = train_classifier(spec(epochs=3), split, split, name="c")
    save_classifier(tmp_path / "c.pt", ckpt)
    save_prepared(
        Split(split.images, split.labels, torch.arange(60)),
        tmp_path / "test.pt",
        dataset="blobs",
        name="test",
        num_classes=3,
        spec={},
    )
    job = {
        "attacks": {
            "fgsm": {"attack": "FGSM", "eps": 0.3, "params": {}, "seed": 0},
            "pgd": {"attack": "PGD", "eps": 0.3, "params": {"steps": 5}, "seed": 0},
        },
        "num_images": 2,
        "seed": 0,
    }
    out = tmp_path / "adv.svg"
    inputs = {"classifier": tmp_path / "c.pt", "images": tmp_path / "test.pt"}
    assert cli_main(plot_argv("adversarial_examples", inputs, [out], job)) == 0
    text = out.read_text()
    assert "fgsm (eps 0.3)" in text and "pgd (eps 0.3)" in text
    job["attacks"]["fgsm"]["eps"] = [0.1, 0.2]
    assert cli_main(plot_argv("adversarial_examples", inputs, [tmp_path / "x.svg"], job)) == 2
    assert not (tmp_path / "x.svg").exists()
