"""The figure rules are in the DAG: one plot_<family> rule per figure family of what the
config defines, with one job drawing every figure of the family, inputs Parquet (or the
stages' sample grids), plus the Markdown tables."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import snakemake

pytestmark = pytest.mark.slow

#: one job per family, whatever the number of figures (Python start-up once per family)
DEFAULT_FIGURES = (
    "plot_gan_losses",
    "plot_gan_grad_norms",
    "plot_gan_samples",
    "plot_gan_loss_comparison",
    "plot_ae_losses",
    "plot_ae_latent_cdf",
    "plot_ae_samples",
    "plot_ae_reconstructions",
    "plot_inversion_restarts",
    "plot_inversion_summary",
    "plot_inpainting",
    "plot_interpolation_labels",
    "plot_truncation",
    "plot_truncation_grid",
    "plot_robustness_curves",
    "plot_minimal_perturbation",
    "plot_transfer",
    "plot_robustness_sweep",
    "table_robustness",
    "plot_generators_overview",
    "plot_generators_landing",
)


def job_counts(stdout: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", stdout, re.M)}


def test_default_config_schedules_every_figure_family(workflow_dir):
    out = snakemake(workflow_dir, "-n", "--quiet", "rules").stdout
    counts = job_counts(out)
    config = yaml.safe_load((workflow_dir / "config" / "config.yaml").read_text())
    for rule in DEFAULT_FIGURES:
        assert counts.get(rule) == 1, (rule, counts.get(rule))
    # the claims page, Ilyas et al.'s datasets, the capacity transfer matrix, and the
    # adversarial-example figures of robustness.examples
    examples = len(config["robustness"]["examples"]["classifiers"])
    assert counts["claims"] == 1 and counts["transfer_capacity"] == 1
    # the transfer matrices: one job per source model (22: the 100-100 net has 5 seeds, the
    # half-data nets 4 each; the capacity matrix's 48: 8 seeds x 2 modes x 3 widths), then their tables
    assert counts["transfer"] == 1 and counts["transfer_source"] == 22
    assert counts["transfer_capacity_source"] == 48
    # robust features once per seed of its replicated classifiers, then one table
    seeds = config["classifiers"][config["robustness"]["robust_features"]["robust_classifier"]]["replicates"]
    assert counts["robust_features"] == seeds == 8 and counts["robust_features_table"] == 1
    assert counts["adversarial_examples"] == examples


def test_figures_follow_the_config(workflow_dir):
    out = snakemake(workflow_dir, "-n", "--quiet", "rules", "--configfile", ".test/config/plots.yaml").stdout
    counts = job_counts(out)
    plots = {r for r in counts if r.startswith(("plot_", "table_"))}
    assert plots == {
        "plot_gan_losses",
        "plot_gan_grad_norms",
        "plot_gan_samples",
        "plot_gan_loss_comparison",
        "plot_gan_mode_coverage",
        "plot_ae_losses",
        "plot_ae_latent_cdf",
        "plot_ae_samples",
        "plot_ae_reconstructions",
        "plot_robustness_curves",
        "plot_minimal_perturbation",
        "table_robustness",
        "table_sample_quality",
        "plot_generators_overview",
        "plot_generators_landing",
    }


def test_figure_outputs_and_vector_formats(workflow_dir):
    config = yaml.safe_load((workflow_dir / ".test/config/plots.yaml").read_text())
    config["plots"]["vector_formats"] = ["svg", "pdf"]
    (workflow_dir / "c.yaml").write_text(yaml.safe_dump(config))
    out = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", "-p").stdout
    assert (
        "--output figures=results/figures/gans/tiny_gan/losses.png "
        "vectors=results/figures/gans/tiny_gan/losses.svg vectors=results/figures/gans/tiny_gan/losses.pdf"
        in out
    )
    assert (
        'plot-gan-mode-coverage --spec \'{"dpi":' in out
        and "--input summary=results/sample_quality/summary.parquet" in out
    )
    assert "advgen plot " not in out  # every figure family is a job kind: advgen plot-<family>
    # the two GANs of the family job: figure1, figure2, one spec each
    config["gans"]["tiny_gan2"] = dict(config["gans"]["tiny_gan"], unroll_k=2)
    (workflow_dir / "c.yaml").write_text(yaml.safe_dump(config))
    out = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", "-p", "--quiet", "rules").stdout
    assert job_counts(out)["plot_gan_losses"] == 1
    out = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", "-p").stdout
    command = next(line for line in out.splitlines() if " plot-gan-losses " in line)
    for i, gan in enumerate(("tiny_gan", "tiny_gan2"), 1):
        assert f"figure{i}=results/gans/{gan}/losses.parquet" in command
        assert f"figures=results/figures/gans/{gan}/losses.png" in command
    assert command.count('"experiment"') == 2


def test_unknown_plots_key_is_one_line(workflow_dir):
    config = yaml.safe_load((workflow_dir / ".test/config/plots.yaml").read_text())
    config["plots"]["colour"] = "red"
    (workflow_dir / "c.yaml").write_text(yaml.safe_dump(config))
    proc = snakemake(workflow_dir, "-n", "--configfile", "c.yaml", check=False)
    assert proc.returncode != 0
    assert "plots.colour: unknown key 'colour'" in proc.stdout + proc.stderr
