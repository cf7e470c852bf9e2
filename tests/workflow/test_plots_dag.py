"""The figure rules are in the DAG: one plot_<family> rule per figure family of what the
config defines, inputs Parquet (or the stages' sample grids), plus the Markdown tables."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import snakemake

pytestmark = pytest.mark.slow

DEFAULT_FIGURES = {
    "plot_gan_losses": 4,
    "plot_gan_grad_norms": 4,
    "plot_gan_samples": 4,
    "plot_gan_loss_comparison": 1,
    "plot_ae_losses": 2,
    "plot_ae_latent_cdf": 2,
    "plot_ae_samples": 2,
    "plot_ae_reconstructions": 2,
    "plot_inversion_restarts": None,  # one per inversion grid point
    "plot_inversion_summary": 1,
    "plot_inpainting": 1,
    "plot_interpolation_labels": None,
    "plot_truncation": 1,
    "plot_robustness_curves": 1,
    "plot_minimal_perturbation": 1,
    "plot_transfer": 1,
    "plot_robustness_sweep": 2,
    "table_robustness": 1,
}


def job_counts(stdout: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", stdout, re.M)}


def test_default_config_schedules_every_figure_family(workflow_dir):
    out = snakemake(workflow_dir, "-n", "--quiet", "rules").stdout
    counts = job_counts(out)
    config = yaml.safe_load((workflow_dir / "config" / "config.yaml").read_text())
    expected = dict(DEFAULT_FIGURES)
    for family in ("plot_gan_losses", "plot_gan_grad_norms", "plot_gan_samples"):
        expected[family] = len(config["gans"])  # one per GAN experiment
    for family in ("plot_ae_losses", "plot_ae_latent_cdf", "plot_ae_samples", "plot_ae_reconstructions"):
        expected[family] = len(config["autoencoders"])
    for rule, n in expected.items():
        assert rule in counts, f"{rule} missing from the dry run"
        if n is not None:
            assert counts[rule] == n, (rule, counts[rule])
    assert counts["plot_inversion_restarts"] >= 2 and counts["plot_interpolation_labels"] >= 2
    # issue 15: the claims page, Ilyas et al.'s datasets, the capacity transfer matrix, and the
    # adversarial-example figures of robustness.examples
    examples = len(config["robustness"]["examples"]["classifiers"])
    assert counts["claims"] == 1 and counts["robust_features"] == 1 and counts["transfer_capacity"] == 1
    assert counts["adversarial_examples"] == examples


def test_figures_follow_the_config(workflow_dir):
    out = snakemake(workflow_dir, "-n", "--quiet", "rules", "--configfile", ".test/config/plots.yaml").stdout
    counts = job_counts(out)
    plots = {r for r in counts if r.startswith(("plot_", "table_"))}
    assert plots == {
        "plot_gan_losses", "plot_gan_grad_norms", "plot_gan_samples", "plot_gan_loss_comparison",
        "plot_gan_mode_coverage", "plot_ae_losses", "plot_ae_latent_cdf", "plot_ae_samples",
        "plot_ae_reconstructions", "plot_robustness_curves", "plot_minimal_perturbation", "table_robustness", "table_sample_quality",
    }


def test_figure_outputs_and_vector_formats(workflow_dir):
    config = yaml.safe_load((workflow_dir / ".test/config/plots.yaml").read_text())
    config["plots"]["vector_formats"] = ["svg", "pdf"]
    (workflow_dir / "c.yaml").write_text(yaml.safe_dump(config))
    out = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", "-p").stdout
    assert "results/figures/gans/tiny_gan/losses.png results/figures/gans/tiny_gan/losses.svg results/figures/gans/tiny_gan/losses.pdf" in out
    assert "advgen plot --family gan_mode_coverage --input results/sample_quality/summary.parquet" in out


def test_unknown_plots_key_is_one_line(workflow_dir):
    config = yaml.safe_load((workflow_dir / ".test/config/plots.yaml").read_text())
    config["plots"]["colour"] = "red"
    (workflow_dir / "c.yaml").write_text(yaml.safe_dump(config))
    proc = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", check=False)
    assert proc.returncode != 0
    assert "plots.colour: unknown key 'colour'" in proc.stdout + proc.stderr
