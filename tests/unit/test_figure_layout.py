"""Every figure of the report (each PNG caption: a figure family's, a stage job's image),
drawn at the demo's size (config/demo.yaml: scikit-learn's 8x8 digits, PNG at 100 dpi, one GAN, one
autoencoder, a two-seed CNN and a PGD-trained one, three attacks, one point of each sweep), draws
no text over another text and none past the figure's edge.

A matplotlib figure is drawn (``fig.canvas.draw()``) while every :class:`~matplotlib.text.Text` the
canvas draws is recorded (titles, suptitles, axis and tick labels, legends, annotations); each
one's ``get_window_extent(renderer)`` (a rotated text: its outline, turned by its angle) is
compared with the others' and with ``fig.bbox``. A pixel mosaic (:func:`advgen.plots.images.mosaic`:
the sample grids and the generators' overview) is drawn by PIL: each ``ImageDraw.text`` call's
``textbbox`` is recorded, with the images pasted, and compared with the others, the images and the
PNG's size. A new family fails here until :func:`demo_figures` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, ImageDraw

from advgen.plots import adversarial, ae, defense, gan, images, overview, robustness, sweeps
from advgen.sweeps import figures as sweep_figures
from tests.unit import plots_data as data

DPI = 100  # config/demo.yaml: plots.dpi
DIGIT = 8  # the demo's images: scikit-learn's 8x8 digits
GRID = 8 * (DIGIT + 2) + 2  # a stage's 64-image sample grid PNG: 8 per row, 2-pixel padding
GAN, AE, CNN, PGD_CNN = "demo_gan", "demo_ae", "demo_cnn", "demo_cnn_pgd"
#: the demo's classifier runs (demo_cnn has two replicates)
RUNS = (CNN, f"{CNN}_seed1", PGD_CNN)
#: the demo's attacks: name, kind, norm, eps grid, params
ATTACKS = (
    ("fgsm", "FGSM", "linf", (0.0, 0.1, 0.2, 0.25, 0.3), "{}"),
    ("pgd40", "PGD", "linf", (0.0, 0.1, 0.2, 0.3), "{}"),
    ("spatial_random", "Spatial", "spatial", (0.0, 0.5, 1.0), data.SPATIAL_PARAMS),
)
#: the demo's sweep points (labels name a point's grid values)
INVERSION_POINT = "restarts-2"
INPAINTING_POINT = "mask-square"
INTERPOLATION_POINT = "default"
#: text boxes may touch: an overlap counts when it is wider and taller than this (pixels)
SLACK = 1.0

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


# --- the demo's inputs, in the stages' formats


def sample_grids(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A GAN's samples/ folder (5 epochs), an autoencoder's novel.png and reconstructions.png
    (two rows of ten classes, each above its reconstruction), and the real digits' grid."""
    folder = tmp_path / "samples"
    folder.mkdir(exist_ok=True)
    for epoch in range(1, 6):
        data.write_grid_png(folder / f"epoch_{epoch:03d}.png", size=GRID, seed=epoch)
    novel = data.write_grid_png(tmp_path / "novel.png", size=GRID, seed=7)
    pairs = np.random.default_rng(8).integers(0, 256, (4 * (DIGIT + 2) + 2, 10 * (DIGIT + 2) + 2))
    reconstructions = tmp_path / "reconstructions.png"
    Image.fromarray(pairs.astype(np.uint8)).save(reconstructions)
    return folder, novel, reconstructions, data.write_grid_png(tmp_path / "real.png", size=GRID, seed=9)


def quality_summary() -> pd.DataFrame:
    """The sample-quality summary of the demo: the real digits, the GAN (two roles, failing two
    bars) and the autoencoder (failing one)."""
    rows = [
        ("digits", "real", 3.1, 10, 0.95, "", "", ""),
        (GAN, "gan", 48.7, 9, 0.71, "ns_gan, report_gan", "fail", "fid 48.7 > 20; mean_max_prob 0.71 < 0.8"),
        (AE, "autoencoder", 61.2, 10, 0.62, "ae_forced", "fail", "mean_max_prob 0.62 < 0.8"),
    ]
    columns = ["model", "family", "fid", "modes", "mean_max_prob", "roles", "gate", "gate_failures"]
    table = pd.DataFrame(rows, columns=columns)
    return table.assign(num_classes=10, class_fractions=[[0.1] * 10, [0.2, 0.15, *[0.0812] * 8], [0.1] * 10])


def attack_table() -> pd.DataFrame:
    """The demo's robustness table: its attacks on its three classifier runs (the random
    spatial attack on the standard CNN's first seed only)."""
    rows = []
    for i, run in enumerate(RUNS):
        clean = 0.93 + 0.01 * i
        for attack, kind, norm, grid, params in ATTACKS:
            if attack == "spatial_random" and run != CNN:
                continue
            for eps in grid:
                acc = (
                    clean - 0.3 * eps
                    if norm == "spatial"
                    else clean * math.exp(-(8 - 5 * (run == PGD_CNN)) * eps)
                )
                rows.append((run, attack, kind, eps, norm, 100, clean, acc, 0.9, 0.1, params))
    columns = ["classifier", "attack", "attack_type", "eps", "norm", "n", "clean_acc", "robust_acc"]
    return pd.DataFrame(rows, columns=[*columns, "success_rate", "rho_adv", "params"])


def minimal_table() -> pd.DataFrame:
    return pd.DataFrame(
        [(run, attack, 0.1 + 0.02 * i) for i, run in enumerate(RUNS) for attack in ("lbfgs", "deepfool")],
        columns=["classifier", "attack", "rho_adv"],
    )


def transfer_table() -> pd.DataFrame:
    rows = [
        (s, a, kind, t, 0.2, 100, (0.9 if s == t else 0.4) if kind == "adversarial" else 0.05)
        for s in RUNS
        for a in ("fgsm", "pgd40")
        for kind in ("adversarial", "gaussian")
        for t in RUNS
    ]
    return pd.DataFrame(rows, columns=["source", "attack", "kind", "target", "eps", "n", "error"])


def examples() -> dict[str, dict[str, Any]]:
    """Three test digits per attack, as :func:`advgen.plots.examples.attack_examples` names them."""
    x = torch.rand(3, 1, DIGIT, DIGIT, generator=torch.Generator().manual_seed(0))
    one = {"clean": x, "adv": (x + 0.2).clamp(0, 1), "label": [3, 1, 8], "pred_clean": [3, 1, 8]}
    one |= {"conf_clean": [0.99, 0.9, 0.97], "pred_adv": [5, 7, 3], "conf_adv": [0.81, 0.6, 0.55]}
    return {"fgsm (eps 0.25)": one, "pgd40 (eps 0.3)": one, "spatial_random (eps 1)": one}


def purify_table() -> pd.DataFrame:
    """A purification table of the demo's generators (the default study's defense section)."""
    rows = []
    for name, method in (("none", "none"), (GAN, "project"), (AE, "reconstruct")):
        for attack in ("none", "fgsm", "pgd", "bpda") if name != "none" else ("none", "fgsm", "pgd"):
            for eps in (0.0,) if attack == "none" else (0.1, 0.2):
                rows.append(
                    {
                        "defense": name,
                        "method": method,
                        "attack": attack,
                        "eps": eps,
                        "steps": 20,
                        "restarts": 2,
                        "steps_x_restarts": 40,
                        "operating": True,
                        "robust_acc": 0.9 - eps,
                        "seconds_per_image": 0.05,
                    }
                )
    return pd.DataFrame(rows)


def probe_table() -> pd.DataFrame:
    sources = ((GAN, "gan"), (CNN, "classifier"), (PGD_CNN, "classifier"))
    rows = [(s, f, eps, 0.8 - eps) for s, f in sources for eps in (0.0, 0.05, 0.1, 0.2)]
    return pd.DataFrame(rows, columns=["source", "family", "eps", "robust_acc"])


def flip_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [(GAN, "ns", 0, bool(rng.random() > 0.2), float(rng.uniform(0, 0.3))) for _ in range(20)]
    return pd.DataFrame(rows, columns=["gan", "loss", "unroll_k", "initially_real", "flip_eps"])


def tiles(n: int, seed: int) -> torch.Tensor:
    return torch.rand(n, 1, DIGIT, DIGIT, generator=torch.Generator().manual_seed(seed))


def interpolation_panel() -> dict[str, Any]:
    """The demo's interpolation point: 4 pairs, 5 alphas, framed by the real end images."""
    return {
        "title": INTERPOLATION_POINT,
        "frames": tiles(20, 1).view(4, 5, 1, DIGIT, DIGIT),
        "labels": torch.arange(20).view(4, 5) % 10,
        "weights": [0.0, 0.25, 0.5, 0.75, 1.0],
        "ends": tiles(8, 2).view(4, 2, 1, DIGIT, DIGIT),
        "end_labels": torch.tensor([[1, 7], [0, 6], [3, 8], [4, 9]]),
    }


def demo_figures(tmp_path: Path, out: list[Path]) -> dict[str, Any]:
    """Per figure family, a call drawing the demo's figure of it into ``out`` (the options its
    family's job passes at the demo's config: :mod:`advgen.plots.families`)."""
    common = {"dpi": DPI}
    samples, novel, reconstructions, real = sample_grids(tmp_path)
    info = {GAN: {"loss": "ns", "unroll_k": 0}}
    gan_steps = data.gan_losses(epochs=5, per_epoch=22)
    return {
        "gan_losses": lambda: gan.loss_curves(gan_steps, out, experiment=GAN, **common),
        "gan_grad_norms": lambda: gan.grad_norms(gan_steps, out, experiment=GAN, **common),
        "gan_samples": lambda: images.gan_epoch_grids(samples, out, experiment=GAN, **common),
        "gan_loss_comparison": lambda: gan.loss_comparison(
            {GAN: gan_steps}, out, info=info, experiment="GAN runs, digits", **common
        ),
        "gan_mode_coverage": lambda: gan.mode_coverage(
            quality_summary(), out, info=info, experiment="GAN runs", **common
        ),
        "ae_losses": lambda: ae.loss_terms(
            data.ae_losses(epochs=3, per_epoch=22), out, experiment=AE, **common
        ),
        "ae_latent_cdf": lambda: ae.latent_cdf(data.latent_cdf(3), out, experiment=AE, **common),
        "ae_samples": lambda: images.sample_grids(
            [("decoded z ~ N(0, I)", novel)], out, experiment=AE, what="Autoencoder: novel samples", **common
        ),
        "ae_reconstructions": lambda: images.sample_grids(
            [("test images / D(E(x))", reconstructions)],
            out,
            experiment=AE,
            what="Autoencoder: reconstructions",
            **common,
        ),
        "generators_overview": lambda: overview.overview(
            quality_summary(),
            real,
            [("report_gan", GAN, "gans", samples), ("ae_forced", AE, "autoencoders", novel)],
            out,
            **common,
        ),
        "inversion_restarts": lambda: sweeps.inversion_restarts(
            data.inversion_steps(images=4, restarts=2), out, experiment=f"{GAN} / {INVERSION_POINT}", **common
        ),
        "inversion_summary": lambda: sweeps.inversion_summary(
            data.inversion_table().query("generator == 'gan' and restarts == 1").assign(generator=GAN),
            out,
            **common,
        ),
        "inpainting": lambda: sweeps.inpainting_errors(
            data.inpainting_table().query("generator == 'gan' and mask == 'square'").assign(generator=GAN),
            out,
            **common,
        ),
        "interpolation_labels": lambda: sweeps.interpolation_labels(
            data.interpolation_frames(pairs=4, alphas=5),
            out,
            experiment=f"{GAN} / {INTERPOLATION_POINT}",
            **common,
        ),
        "truncation": lambda: sweeps.truncation_curves(
            data.truncation_table().query("generator == 'gan' and psi_value == inf").assign(generator=GAN),
            out,
            **common,
        ),
        "truncation_grid": lambda: adversarial.truncation_grid(
            {None: tiles(8, 3).numpy()}, out, experiment=GAN, **common
        ),
        "sweeps_inversion": lambda: sweep_figures.image_rows(
            [(INVERSION_POINT, {"target": tiles(8, 4), "G(z)": tiles(8, 5)})], out[0]
        ),
        "sweeps_inpainting": lambda: sweep_figures.image_rows(
            [(INPAINTING_POINT, {"original": tiles(8, 6), "masked": tiles(8, 7), "restored": tiles(8, 8)})],
            out[0],
        ),
        "sweeps_interpolation": lambda: sweep_figures.interpolation_strips([interpolation_panel()], out[0]),
        "robustness_curves": lambda: robustness.accuracy_curves(attack_table(), out, **common),
        "minimal_perturbation": lambda: robustness.minimal_perturbation(minimal_table(), out, **common),
        "transfer": lambda: robustness.transfer_heatmaps(transfer_table(), out, **common),
        "robustness_sweep": lambda: robustness.sweep_curves(
            data.robustness_sweep("capacity"), out, sweep="capacity", **common
        ),
        "adversarial_examples": lambda: adversarial.adversarial_examples(
            examples(), out, experiment=f"{CNN}_seed0", **common
        ),
        "defense_purify_eps": lambda: defense.purify_curves(purify_table(), out, **common),
        "defense_purify_cost": lambda: defense.purify_cost(purify_table(), out, **common),
        "defense_probe": lambda: defense.probe_bars(probe_table(), out, **common),
        "defense_flip": lambda: defense.flip_eps(flip_table(), out, **common),
    }


#: every family whose file is an image (the others write Markdown or reStructuredText)
#: every report figure that is an image: a caption of workflow/report/ (one per figure family and
#: per stage job's figure, tests/unit/test_pipeline.py) but the pages' and the text files'
FAMILIES = sorted(
    {p.stem for p in (Path(__file__).resolve().parents[2] / "workflow" / "report").glob("*.rst")}
    - {"workflow", "claims", "provenance", "generators_landing"}
    - {"table_masking", "table_robustness", "table_sample_quality"}
)


# --- what the canvas drew, and where


def outline(box: Box) -> np.ndarray:
    """The corners of ``box`` (x0, y0, x1, y1), in order around it."""
    x0, y0, x1, y1 = box
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float)


def overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two rectangles (corners in order, any rotation) overlap by more than
    :data:`SLACK` pixels along each of their sides' normals (the separating axis theorem)."""
    for corners in (a, b):
        for edge in (corners[1] - corners[0], corners[2] - corners[1]):
            normal = np.array([-edge[1], edge[0]]) / max(float(np.hypot(*edge)), 1e-9)
            pa, pb = a @ normal, b @ normal
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= SLACK:
                return False
    return True


def clashes(texts: list[tuple[str, np.ndarray]], canvas: Box, obstacles: Sequence[Box] = ()) -> list[str]:
    """Each text that reaches past ``canvas``, each pair of texts that overlap, and each text
    over one of ``obstacles`` (``texts``: each one's outline, :func:`outline`; boxes: x0, y0,
    x1, y1 in pixels)."""

    def rounded(corners: np.ndarray) -> list[int]:
        return [round(v) for v in (*corners.min(axis=0), *corners.max(axis=0))]

    problems = [
        f"{text!r} {rounded(corners)} cut at the edge of {list(canvas)}"
        for text, corners in texts
        if (corners.min(axis=0) < np.array(canvas[:2]) - SLACK).any()
        or (corners.max(axis=0) > np.array(canvas[2:]) + SLACK).any()
    ]
    for i, (text, corners) in enumerate(texts):
        problems += [
            f"{text!r} {rounded(corners)} overlaps {other!r} {rounded(other_corners)}"
            for other, other_corners in texts[i + 1 :]
            if overlap(corners, other_corners)
        ]
        problems += [
            f"{text!r} {rounded(corners)} over an image {list(b)}"
            for b in obstacles
            if overlap(corners, outline(b))
        ]
    return problems


def text_outline(text: Text, renderer: Any) -> np.ndarray:
    """The rotated rectangle ``text`` covers: its unrotated extent's size, turned by its angle
    about the centre of its window extent (a rotated tick label's box is not its outline)."""
    box = text.get_window_extent(renderer)
    angle = text.get_rotation()
    if angle % 90 == 0:
        return outline(tuple(box.extents))
    text.set_rotation(0)
    flat = text.get_window_extent(renderer)
    text.set_rotation(angle)
    half = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)]) * (flat.width / 2, flat.height / 2)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return half @ np.array([(cos, sin), (-sin, cos)]) + ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)


def drawn_texts(fig: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, np.ndarray]]:
    """The non-empty texts ``fig``'s canvas draws and their outlines (pixels)."""
    drawn: dict[int, Text] = {}
    draw = Text.draw

    def record(self: Text, renderer: Any) -> None:
        draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn[id(self)] = self

    with monkeypatch.context() as patch:
        patch.setattr(Text, "draw", record)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), text_outline(t, renderer)) for t in drawn.values()]


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each figure saved during the test: the problems :func:`clashes` finds on it (matplotlib's
    ``savefig``; a mosaic's PNG: the texts PIL drew, the images pasted, the PNG's size)."""
    seen: list[dict[str, Any]] = []
    savefig = Figure.savefig

    def spy_savefig(fig: Any, *args: Any, **kwargs: Any) -> Any:
        texts = drawn_texts(fig, monkeypatch)
        seen.append({"texts": len(texts), "problems": clashes(texts, tuple(fig.bbox.extents))})
        return savefig(fig, *args, **kwargs)

    texts: list[tuple[str, np.ndarray]] = []
    pasted: list[Box] = []
    text, paste, save = ImageDraw.ImageDraw.text, Image.Image.paste, Image.Image.save

    def spy_text(self: Any, xy: Any, string: str, *args: Any, **kwargs: Any) -> Any:
        options = {k: v for k, v in kwargs.items() if k in ("font", "anchor", "spacing", "align")}
        if string.strip():
            texts.append((string, outline(self.textbbox(xy, string, **options))))
        return text(self, xy, string, *args, **kwargs)

    def spy_paste(self: Any, im: Any, box: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(im, Image.Image) and isinstance(box, tuple) and len(box) == 2:
            pasted.append((box[0], box[1], box[0] + im.width, box[1] + im.height))
        return paste(self, im, box, *args, **kwargs)

    def spy_save(self: Any, *args: Any, **kwargs: Any) -> Any:
        if texts:  # a mosaic: the canvas PIL drew on
            problems = clashes(list(texts), (0, 0, self.width, self.height), list(pasted))
            seen.append({"texts": len(texts), "problems": problems})
            texts.clear()
            pasted.clear()
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy_savefig)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy_text)
    monkeypatch.setattr(Image.Image, "paste", spy_paste)
    monkeypatch.setattr(Image.Image, "save", spy_save)
    return seen


def test_every_image_family_has_a_demo_figure_here(tmp_path):
    assert sorted(demo_figures(tmp_path, [])) == FAMILIES


@pytest.mark.parametrize("family", FAMILIES)
def test_no_text_overlaps_or_leaves_the_figure_at_the_demo_size(family, tmp_path, checked):
    draw = demo_figures(tmp_path, [tmp_path / f"{family}.png"]).get(family)
    assert draw is not None, f"no demo-size figure of {family} in demo_figures: add one"
    draw()
    assert checked and checked[-1]["texts"] >= 2, f"{family}: no figure with a title and a label saved"
    assert checked[-1]["problems"] == [], "\n".join(checked[-1]["problems"])


def test_the_check_sees_overlapping_and_cut_text(tmp_path, checked, monkeypatch):
    """Two titles drawn over each other and a label past the edge, in matplotlib and in PIL."""
    from advgen.plots import style

    with style.figure(1, 2, size=(3, 2)) as (fig, axes):
        fig.set_layout_engine("none")
        axes[0, 0].set_title("a title much too long for its panel")
        axes[0, 1].set_title("the next title")
        axes[0, 1].set_xlabel("a label that runs far past the right edge of the figure", ha="left")
        problems = clashes(drawn_texts(fig, monkeypatch), tuple(fig.bbox.extents))
    assert any("overlaps 'the next title'" in p for p in problems), problems
    assert any(p.startswith("'a label that runs") and "cut at the edge" in p for p in problems), problems
    canvas = Image.new("RGB", (60, 30), "white")
    canvas.paste(Image.new("RGB", (10, 10)), (0, 15))
    draw = ImageDraw.Draw(canvas)
    draw.text((0, 0), "left title", fill="black")
    draw.text((20, 0), "right", fill="black")
    draw.text((0, 12), "over the image", fill="black")
    canvas.save(tmp_path / "clash.png")
    problems = checked[-1]["problems"]
    assert len(problems) >= 3 and any("over an image" in p for p in problems), problems


def test_rotated_labels_count_by_their_outline():
    """Two parallel 45-degree labels side by side: their boxes overlap, their outlines do not
    (the tick labels of a crowded axis), until they are drawn closer."""
    turn = math.sqrt(0.5) * np.array([(1.0, 1.0), (-1.0, 1.0)])
    label = outline((-50, -5, 50, 5)) @ turn
    assert not overlap(label, label + (15, 0))
    assert overlap(label, label + (5, 0))
    assert overlap(outline((0, 0, 100, 10)), outline((90, 5, 120, 20)))
    assert not overlap(outline((0, 0, 100, 10)), outline((99.5, 0, 120, 10)))  # touching
