"""Every figure family, drawn at the default study's size (9 classifiers x 3 seeds, 5 GANs x 3 seeds,
long run names), keeps its legends, titles and axis labels on the canvas, and draws one legend
entry per model, not per seed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from advgen.config_files import check_config_files
from advgen.pipeline import build
from advgen.pipeline.figure_kinds import draws_figures
from advgen.pipeline.jobkinds import JOB_KINDS
from advgen.plots import adversarial, ae, defense, gan, images, overview, robustness, style, sweeps
from tests.unit import plots_data as data

SEEDS = ("", "_seed1", "_seed2")
CLASSIFIERS = (
    "mnist_fc10",
    "mnist_fc100_100",
    "mnist_fc200_200",
    "mnist_fc100_100_half_a",
    "mnist_fc100_100_half_b",
    "mnist_cnn_small",
    "mnist_cnn_fgsm",
    "mnist_cnn_pgd",
    "mnist_fc100_100_pool",
)
GANS = ("mnist_mse", "mnist_ce", "mnist_ce_d5", "mnist_ns", "mnist_ns_unroll4")
SPATIAL = '{"max_rotation": 30.0, "max_translation": 3.0, "random": false, "rotations": 7, "translations": 3}'


def attack_table() -> pd.DataFrame:
    """The default study's attacks on every run of its nine classifiers."""
    rows = []
    attacks = (
        ("fgsm", "FGSM", "linf", (0.0, 0.1, 0.2, 0.25, 0.3), "{}"),
        ("pgd40", "PGD", "linf", (0.0, 0.1, 0.2, 0.3), "{}"),
        ("autoattack", "AutoAttack", "linf", (0.0, 0.2, 0.3), "{}"),
        ("pgd_l2", "PGD", "l2", (0.0, 0.5, 1.0, 2.0, 3.0), "{}"),
        ("deepfool", "DeepFool", "l2", (0.0, 0.5, 1.0, 2.0, 3.0, math.inf), "{}"),
        ("onepixel", "OnePixel", "l0", (0.0, 1.0, 3.0), "{}"),
        ("spatial", "Spatial", "spatial", (0.0, 0.5, 1.0), SPATIAL),
    )
    for i, entry in enumerate(CLASSIFIERS):
        for k, seed in enumerate(SEEDS):
            clean = 0.9 + 0.01 * i - 0.005 * k
            for attack, kind, norm, grid, params in attacks:
                for eps in grid:
                    acc = (
                        0.0 if math.isinf(eps) else clean * math.exp(-(3 + i + k) * eps / max(grid[-1], 1e-9))
                    )
                    rows.append((entry + seed, attack, kind, eps, norm, 500, clean, acc, 0.9, 0.05, params))
    columns = ["classifier", "attack", "attack_type", "eps", "norm", "n", "clean_acc", "robust_acc"]
    return pd.DataFrame(rows, columns=[*columns, "success_rate", "rho_adv", "params"])


def gan_runs() -> dict[str, pd.DataFrame]:
    return {g + s: data.gan_losses() for g in GANS for s in SEEDS}


def gan_info() -> dict[str, dict]:
    return {
        g + s: {"loss": g.split("_")[1], "unroll_k": 4 if "unroll" in g else 0} for g in GANS for s in SEEDS
    }


def quality() -> pd.DataFrame:
    runs = list(gan_info())
    fractions = [list(np.roll(np.linspace(0.05, 0.15, 10), i)) for i in range(len(runs))]
    return pd.DataFrame(
        {
            "model": runs,
            "modes": [9 - i % 4 for i in range(len(runs))],
            "num_classes": 10,
            "class_fractions": fractions,
        }
    )


def minimal() -> pd.DataFrame:
    rows = [
        (c + s, a, 0.1 + 0.01 * i)
        for i, c in enumerate(CLASSIFIERS)
        for s in SEEDS
        for a in ("lbfgs", "deepfool")
    ]
    return pd.DataFrame(rows, columns=["classifier", "attack", "rho_adv"])


def transfer() -> pd.DataFrame:
    models = [c + "_seed0" for c in CLASSIFIERS[:5]]
    rows = [
        (s, a, kind, t, 0.2, 100, 0.9 if s == t else 0.3)
        for s in models
        for a in ("fgsm", "lbfgs", "pgd40")
        for kind in ("adversarial", "gaussian")
        for t in models
    ]
    return pd.DataFrame(rows, columns=["source", "attack", "kind", "target", "eps", "n", "error"])


def robustness_sweep(sweep: str) -> pd.DataFrame:
    table = data.robustness_sweep(sweep)
    return pd.concat([table.assign(seed=k, clean_acc=table["clean_acc"] - 0.01 * k) for k in range(3)])


def truncation() -> pd.DataFrame:
    table = data.truncation_table()
    return pd.concat([table.assign(generator=table["generator"] + s) for s in SEEDS])


def purify() -> pd.DataFrame:
    rows = []
    for name, method in (
        ("none", "none"),
        ("gan_ns", "project"),
        ("ae_recon", "reconstruct"),
        ("ae_project", "project"),
    ):
        attacks = (
            ["none", "pgd", "fgsm"]
            if name == "none"
            else ["none", "fgsm", "pgd", "bpda", "eot", "strongest_greybox", "strongest_adaptive"]
        )
        for steps, restarts in ((10, 1), (25, 4), (50, 4)) if name == "gan_ns" else ((25, 1),):
            for attack in attacks:
                for eps in [0.0] if attack == "none" else [0.05, 0.1, 0.15, 0.2]:
                    rows.append(
                        {
                            "defense": name,
                            "method": method,
                            "attack": attack,
                            "eps": eps,
                            "steps": steps,
                            "restarts": restarts,
                            "steps_x_restarts": steps * restarts,
                            "operating": steps == 50 or name != "gan_ns",
                            "robust_acc": 0.9 - eps,
                            "seconds_per_image": 0.01 * steps * restarts,
                        }
                    )
    return pd.DataFrame(rows)


def probe() -> pd.DataFrame:
    sources = [(g + "_seed0", "gan") for g in GANS[:4]] + [("mnist_ns_seed0", "control")]
    sources += [("mnist_cnn_small_seed0", "classifier"), ("mnist_cnn_pgd_seed0", "classifier")]
    rows = [(s, f, eps, 0.8 - eps) for s, f in sources for eps in (0.0, 0.02, 0.05, 0.1, 0.2)]
    return pd.DataFrame(rows, columns=["source", "family", "eps", "robust_acc"])


def flip() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        (
            g + "_seed0",
            g.split("_")[1],
            4 if "unroll" in g else 0,
            bool(rng.random() > 0.2),
            float(rng.uniform(0, 0.3)),
        )
        for g in GANS[:4]
        for _ in range(20)
    ]
    return pd.DataFrame(rows, columns=["gan", "loss", "unroll_k", "initially_real", "flip_eps"])


def grids(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "samples"
    folder.mkdir(exist_ok=True)
    for e in range(1, 7):
        data.write_grid_png(folder / f"epoch_{e:03d}.png", seed=e)
    return folder, data.write_grid_png(tmp_path / "novel.png", seed=9)


def examples() -> dict:
    x = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    ex = {"clean": x, "adv": (x + 0.1).clamp(0, 1), "label": [3, 1], "pred_clean": [3, 1]}
    ex |= {"conf_clean": [0.99, 0.9], "pred_adv": [5, 7], "conf_adv": [0.81, 0.6]}
    return {"fgsm": ex, "pgd40": ex}


def overview_summary() -> pd.DataFrame:
    rows = [
        ("mnist", "real", 1.3, 10, 0.94, "", "", ""),
        ("mnist_report", "gan", 35.0, 10, 0.85, "report_gan", "pass", ""),
        ("mnist_ae_forced", "autoencoder", 60.0, 10, 0.71, "ae_forced", "fail", "mean_max_prob 0.71 < 0.8"),
    ]
    return pd.DataFrame(
        rows, columns=["model", "family", "fid", "modes", "mean_max_prob", "roles", "gate", "gate_failures"]
    )


def renders(tmp_path: Path, out: list[Path]) -> dict:
    """Per figure family, a call drawing one of its figures into ``out`` from the tables above."""
    common = {"dpi": 60}

    def samples() -> Path:
        return grids(tmp_path)[0]

    def novel() -> Path:
        return grids(tmp_path)[1]

    return {
        "gan_losses": lambda: gan.loss_curves(
            data.gan_losses(), out, experiment="mnist_ns_unroll4_seed2", **common
        ),
        "gan_grad_norms": lambda: gan.grad_norms(
            data.gan_losses(vanish_from=60), out, experiment="mnist_ce", patience=20, **common
        ),
        "gan_samples": lambda: images.gan_epoch_grids(
            samples(), out, experiment="mnist_ns_unroll4_seed2", **common
        ),
        "gan_loss_comparison": lambda: gan.loss_comparison(
            gan_runs(), out, info=gan_info(), smoothing=5, **common
        ),
        "gan_mode_coverage": lambda: gan.mode_coverage(quality(), out, info=gan_info(), **common),
        "ae_losses": lambda: ae.loss_terms(data.ae_losses(), out, experiment="mnist_ae_forced", **common),
        "ae_latent_cdf": lambda: ae.latent_cdf(
            data.latent_cdf(8), out, experiment="mnist_ae_forced", **common
        ),
        "ae_samples": lambda: images.sample_grids(
            [("decoded z ~ N(0, I)", novel())],
            out,
            experiment="mnist_ae_forced",
            what="Autoencoder: novel samples",
            **common,
        ),
        "ae_reconstructions": lambda: images.sample_grids(
            [("test images / D(E(x))", novel())],
            out,
            experiment="mnist_ae",
            what="Autoencoder: reconstructions",
            **common,
        ),
        "generators_overview": lambda: overview.overview(
            overview_summary(),
            novel(),
            [
                ("report_gan", "mnist_report", "gans", samples()),
                ("ae_forced", "mnist_ae_forced", "autoencoders", novel()),
            ],
            out,
            scale=1,
            **common,
        ),
        "inversion_restarts": lambda: sweeps.inversion_restarts(
            data.inversion_steps(4, 5),
            out,
            experiment="mnist_report_seed0 / restarts-5_init-random_optimizer-sgd",
            **common,
        ),
        "inversion_summary": lambda: sweeps.inversion_summary(data.inversion_table(), out, **common),
        "inpainting": lambda: sweeps.inpainting_errors(data.inpainting_table(), out, **common),
        "interpolation_labels": lambda: sweeps.interpolation_labels(
            data.interpolation_frames(8, 9), out, experiment="mnist_ae_seed0 / latent-inversion", **common
        ),
        "truncation": lambda: sweeps.truncation_curves(truncation(), out, **common),
        "truncation_grid": lambda: adversarial.truncation_grid(
            {0.5: np.random.default_rng(0).random((8, 1, 28, 28)), None: np.zeros((8, 1, 28, 28))},
            out,
            experiment="mnist_report",
            **common,
        ),
        "robustness_curves": lambda: robustness.accuracy_curves(attack_table(), out, **common),
        "minimal_perturbation": lambda: robustness.minimal_perturbation(minimal(), out, **common),
        "transfer": lambda: robustness.transfer_heatmaps(transfer(), out, **common),
        "robustness_sweep": lambda: robustness.sweep_curves(
            robustness_sweep("capacity"), out, sweep="capacity", **common
        ),
        "adversarial_examples": lambda: adversarial.adversarial_examples(
            examples(), out, experiment="mnist_cnn_small_seed0", **common
        ),
        "defense_purify_eps": lambda: defense.purify_curves(purify(), out, **common),
        "defense_purify_cost": lambda: defense.purify_cost(purify(), out, **common),
        "defense_probe": lambda: defense.probe_bars(probe(), out, **common),
        "defense_flip": lambda: defense.flip_eps(flip(), out, **common),
    }


#: families that write text, not a figure
TEXT_FAMILIES = {"generators_landing", "table_sample_quality", "table_robustness"}
FAMILIES = {kind.name.removeprefix("plot_"): kind for kind in JOB_KINDS if draws_figures(kind)}
DRAWN = sorted(set(FAMILIES) - TEXT_FAMILIES)


def raster_families() -> set[str]:
    """The families drawn as pictures of pixels: without the vector copies that the plots config
    asks of the other figures (it draws every generative family)."""
    config = Path(__file__).resolve().parents[2] / ".test" / "config" / "plots.yaml"
    pipe = build(check_config_files([str(config)]))
    return {
        family
        for family, kind in FAMILIES.items()
        if family in DRAWN and pipe.jobs.each(kind) and not pipe.jobs.outputs(kind)["vectors"]
    }


#: the sample-grid families are pixel mosaics (:func:`advgen.plots.images.mosaic`): their labels
#: are drawn into cells the mosaic sizes to fit them, with no matplotlib legend or title to check
MATPLOTLIB = sorted(set(DRAWN) - raster_families())


@pytest.fixture
def checked(monkeypatch):
    """``style.save`` that first records what leaves the canvas and the figure's legend labels."""
    seen: list[dict] = []
    save = style.save

    def spy(fig, paths, **kwargs):
        labels = [
            t.get_text()
            for lg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
            if lg
            for t in lg.get_texts()
        ]
        seen.append({"off": data.off_canvas(fig), "labels": labels})
        save(fig, paths, **kwargs)

    monkeypatch.setattr(style, "save", spy)
    return seen


def test_every_drawn_family_is_checked_here(tmp_path):
    assert sorted(renders(tmp_path, [])) == DRAWN
    for family in sorted(set(DRAWN) - set(MATPLOTLIB)):  # the mosaics: drawn, a PNG without matplotlib
        out = tmp_path / f"{family}.png"
        renders(tmp_path, [out])[family]()
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", family


@pytest.mark.parametrize("family", MATPLOTLIB)
def test_legends_titles_and_labels_stay_on_the_canvas(family, tmp_path, checked):
    renders(tmp_path, [tmp_path / f"{family}.png"])[family]()
    assert checked, f"{family} drew nothing"
    assert checked[0]["off"] == [], checked[0]["off"]


def test_seeded_curves_have_one_legend_entry_per_model(tmp_path, checked):
    robustness.accuracy_curves(attack_table(), [tmp_path / "curves.png"], dpi=60)
    labels = checked[0]["labels"]
    assert sorted(set(labels) - {lab for lab in labels if "AutoAttack" in lab}) == sorted(CLASSIFIERS)
    gan.loss_comparison(gan_runs(), [tmp_path / "losses.png"], info=gan_info(), smoothing=5, dpi=60)
    assert len(checked[1]["labels"]) == len(GANS) and all("3 seeds" in lab for lab in checked[1]["labels"])
    gan.mode_coverage(quality(), [tmp_path / "modes.png"], info=gan_info(), dpi=60)
    assert len([lab for lab in checked[2]["labels"] if "(k=" in lab]) == len(GANS)


def test_spatial_axis_reads_degrees_and_pixels(tmp_path, checked):
    table = attack_table()
    robustness.accuracy_curves(
        table[table["attack"].isin(["spatial", "onepixel", "pgd_l2"])], [tmp_path / "s.svg"], dpi=60
    )
    text = (tmp_path / "s.svg").read_text()
    assert (
        "largest rotation and translation (eps 1: ±30°, ±3 px)" in text and "15°" in text and "1.5 px" in text
    )
    assert "pixels changed (L0)" in text and "epsilon, L2 norm" in text and "spatial norm" not in text


def test_the_check_sees_a_legend_cut_at_the_edge():
    """The old curves figure: one legend entry per seed in one row, wider than the figure."""
    with style.figure(1, 1, size=(6, 4)) as (fig, axes):
        for i, run in enumerate(c + s for c in CLASSIFIERS for s in SEEDS):
            axes[0, 0].plot([0, 1], [1, 0.1 * (i % 10)], label=run)
        fig.legend(loc="outside lower center", ncols=9)
        fig.suptitle("Robust accuracy vs epsilon (robustness)")
        problems = data.off_canvas(fig)
    assert len(problems) == 1 and problems[0].startswith("'Legend'")
