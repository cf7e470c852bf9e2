# Plots stage: one `plot_<family>` rule per figure family (advgen.plots.families), inputs
# are the stages' Parquet tables (the sample-grid families read the stages' PNG grids),
# outputs the PNG shown in results/report.html plus plots.vector_formats copies.
# Markdown summary tables land in results/tables/. All jobs are light and local.
#
# Adding a figure family: write and register it in src/advgen/plots/ (see the docstring
# of advgen/plots/families.py), add a rule below (copy one: report() around the PNG,
# figure_vectors() for the copies), a spec function and its target in the plots block of
# workflow/rules/common.smk, and a caption workflow/report/<family>.rst.


localrules:
    plot_gan_losses,
    plot_gan_grad_norms,
    plot_gan_samples,
    plot_gan_loss_comparison,
    plot_gan_mode_coverage,
    plot_ae_losses,
    plot_ae_latent_cdf,
    plot_ae_samples,
    plot_inversion_restarts,
    plot_inversion_summary,
    plot_inpainting,
    plot_interpolation_labels,
    plot_truncation,
    plot_robustness_curves,
    plot_minimal_perturbation,
    plot_transfer,
    plot_robustness_sweep,
    table_sample_quality,
    table_robustness,


rule plot_gan_losses:
    input:
        "results/gans/{gan}/losses.parquet",
    output:
        png=report(
            "results/figures/gans/{gan}/losses.png",
            caption="../report/gan_losses.rst",
            category="Generative",
            subcategory="GAN training",
            labels={"run": "{gan}", "figure": "G vs D losses"},
        ),
        vectors=figure_vectors("results/figures/gans/{gan}/losses"),
    log:
        "logs/plot_gan_losses/{gan}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gan_plot_spec,
    shell:
        "advgen plot --family gan_losses --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_gan_grad_norms:
    input:
        "results/gans/{gan}/losses.parquet",
    output:
        png=report(
            "results/figures/gans/{gan}/grad_norms.png",
            caption="../report/gan_grad_norms.rst",
            category="Generative",
            subcategory="GAN training",
            labels={"run": "{gan}", "figure": "gradient norms"},
        ),
        vectors=figure_vectors("results/figures/gans/{gan}/grad_norms"),
    log:
        "logs/plot_gan_grad_norms/{gan}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gan_plot_spec,
    shell:
        "advgen plot --family gan_grad_norms --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_gan_samples:
    input:
        "results/gans/{gan}/samples",
    output:
        png=report(
            "results/figures/gans/{gan}/samples.png",
            caption="../report/gan_samples.rst",
            category="Generative",
            subcategory="GAN samples",
            labels={"run": "{gan}", "figure": "samples per epoch"},
        ),
        vectors=figure_vectors("results/figures/gans/{gan}/samples"),
    log:
        "logs/plot_gan_samples/{gan}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gan_plot_spec,
    shell:
        "advgen plot --family gan_samples --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_gan_loss_comparison:
    input:
        gan_comparison_losses,
    output:
        png=report(
            "results/figures/gans/loss_comparison_{dataset}.png",
            caption="../report/gan_loss_comparison.rst",
            category="Generative",
            subcategory="GAN comparison",
            labels={"dataset": "{dataset}", "figure": "loss comparison"},
        ),
        vectors=figure_vectors("results/figures/gans/loss_comparison_{dataset}"),
    log:
        "logs/plot_gan_loss_comparison/{dataset}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gan_comparison_spec,
    shell:
        "advgen plot --family gan_loss_comparison --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_gan_mode_coverage:
    input:
        "results/sample_quality/summary.parquet",
    output:
        png=report(
            "results/figures/gans/mode_coverage.png",
            caption="../report/gan_mode_coverage.rst",
            category="Generative",
            subcategory="GAN comparison",
            labels={"figure": "mode coverage vs unroll k"},
        ),
        vectors=figure_vectors("results/figures/gans/mode_coverage"),
    log:
        "logs/plot_gan_mode_coverage/gan_mode_coverage.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gan_mode_coverage_spec,
    shell:
        "advgen plot --family gan_mode_coverage --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_ae_losses:
    input:
        "results/autoencoders/{ae}/losses.parquet",
    output:
        png=report(
            "results/figures/autoencoders/{ae}/losses.png",
            caption="../report/ae_losses.rst",
            category="Generative",
            subcategory="Autoencoders",
            labels={"run": "{ae}", "figure": "loss terms"},
        ),
        vectors=figure_vectors("results/figures/autoencoders/{ae}/losses"),
    log:
        "logs/plot_ae_losses/{ae}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=ae_plot_spec,
    shell:
        "advgen plot --family ae_losses --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_ae_latent_cdf:
    input:
        "results/autoencoders/{ae}/latent_cdf.parquet",
    output:
        png=report(
            "results/figures/autoencoders/{ae}/latent_cdf.png",
            caption="../report/ae_latent_cdf.rst",
            category="Generative",
            subcategory="Autoencoders",
            labels={"run": "{ae}", "figure": "latent CDF"},
        ),
        vectors=figure_vectors("results/figures/autoencoders/{ae}/latent_cdf"),
    log:
        "logs/plot_ae_latent_cdf/{ae}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=ae_plot_spec,
    shell:
        "advgen plot --family ae_latent_cdf --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_ae_samples:
    input:
        "results/autoencoders/{ae}/novel.png",
    output:
        png=report(
            "results/figures/autoencoders/{ae}/samples.png",
            caption="../report/ae_samples.rst",
            category="Generative",
            subcategory="Autoencoders",
            labels={"run": "{ae}", "figure": "novel samples"},
        ),
        vectors=figure_vectors("results/figures/autoencoders/{ae}/samples"),
    log:
        "logs/plot_ae_samples/{ae}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=ae_plot_spec,
    shell:
        "advgen plot --family ae_samples --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_inversion_restarts:
    input:
        "results/sweeps/inversion/{generator}/{point}/steps.parquet",
    output:
        png=report(
            "results/figures/sweeps/inversion/{generator}/{point}.png",
            caption="../report/inversion_restarts.rst",
            category="Sweeps",
            subcategory="Inversion",
            labels={
                "generator": "{generator}",
                "point": "{point}",
                "figure": "loss per restart",
            },
        ),
        vectors=figure_vectors("results/figures/sweeps/inversion/{generator}/{point}"),
    log:
        "logs/plot_inversion_restarts/{generator}/{point}.log",
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    params:
        spec=sweep_point_plot_spec,
    shell:
        "advgen plot --family inversion_restarts --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_inversion_summary:
    input:
        "results/sweeps/inversion.parquet",
    output:
        png=report(
            "results/figures/sweeps/inversion_summary.png",
            caption="../report/inversion_summary.rst",
            category="Sweeps",
            subcategory="Inversion",
            labels={"figure": "final MSE vs restarts"},
        ),
        vectors=figure_vectors("results/figures/sweeps/inversion_summary"),
    log:
        "logs/plot_inversion_summary/inversion_summary.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=sweep_plot_spec,
    shell:
        "advgen plot --family inversion_summary --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_inpainting:
    input:
        "results/sweeps/inpainting.parquet",
    output:
        png=report(
            "results/figures/sweeps/inpainting.png",
            caption="../report/inpainting.rst",
            category="Sweeps",
            subcategory="Inpainting",
            labels={"figure": "error by mask type"},
        ),
        vectors=figure_vectors("results/figures/sweeps/inpainting"),
    log:
        "logs/plot_inpainting/inpainting.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=sweep_plot_spec,
    shell:
        "advgen plot --family inpainting --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_interpolation_labels:
    input:
        "results/sweeps/interpolation/{generator}/{point}/frames.parquet",
    output:
        png=report(
            "results/figures/sweeps/interpolation/{generator}/{point}.png",
            caption="../report/interpolation_labels.rst",
            category="Sweeps",
            subcategory="Interpolation",
            labels={
                "generator": "{generator}",
                "point": "{point}",
                "figure": "labels along the path",
            },
        ),
        vectors=figure_vectors(
            "results/figures/sweeps/interpolation/{generator}/{point}"
        ),
    log:
        "logs/plot_interpolation_labels/{generator}/{point}.log",
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    params:
        spec=sweep_point_plot_spec,
    shell:
        "advgen plot --family interpolation_labels --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_truncation:
    input:
        "results/sweeps/truncation.parquet",
    output:
        png=report(
            "results/figures/sweeps/truncation.png",
            caption="../report/truncation.rst",
            category="Sweeps",
            subcategory="Truncation",
            labels={"figure": "FID and modes vs psi"},
        ),
        vectors=figure_vectors("results/figures/sweeps/truncation"),
    log:
        "logs/plot_truncation/truncation.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=sweep_plot_spec,
    shell:
        "advgen plot --family truncation --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_robustness_curves:
    input:
        "results/robustness/attacks.parquet",
    output:
        png=report(
            "results/figures/robustness/accuracy_vs_eps.png",
            caption="../report/robustness_curves.rst",
            category="Robustness",
            subcategory="Attacks",
            labels={"figure": "accuracy vs epsilon"},
        ),
        vectors=figure_vectors("results/figures/robustness/accuracy_vs_eps"),
    log:
        "logs/plot_robustness_curves/robustness_curves.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=robustness_plot_spec,
    shell:
        "advgen plot --family robustness_curves --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_minimal_perturbation:
    input:
        "results/robustness/minimal_perturbation.parquet",
    output:
        png=report(
            "results/figures/robustness/minimal_perturbation.png",
            caption="../report/minimal_perturbation.rst",
            category="Robustness",
            subcategory="Attacks",
            labels={"figure": "minimal perturbation"},
        ),
        vectors=figure_vectors("results/figures/robustness/minimal_perturbation"),
    log:
        "logs/plot_minimal_perturbation/minimal_perturbation.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=robustness_plot_spec,
    shell:
        "advgen plot --family minimal_perturbation --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_transfer:
    input:
        "results/robustness/transfer.parquet",
    output:
        png=report(
            "results/figures/robustness/transfer.png",
            caption="../report/transfer.rst",
            category="Robustness",
            subcategory="Transfer",
            labels={"figure": "transfer matrix"},
        ),
        vectors=figure_vectors("results/figures/robustness/transfer"),
    log:
        "logs/plot_transfer/transfer.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=robustness_plot_spec,
    shell:
        "advgen plot --family transfer --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_robustness_sweep:
    input:
        "results/robustness/sweeps/{robustness_sweep}.parquet",
    output:
        png=report(
            "results/figures/robustness/sweep_{robustness_sweep}.png",
            caption="../report/robustness_sweep.rst",
            category="Robustness",
            subcategory="Sweeps",
            labels={
                "sweep": "{robustness_sweep}",
                "figure": "accuracy vs sweep variable",
            },
        ),
        vectors=figure_vectors("results/figures/robustness/sweep_{robustness_sweep}"),
    log:
        "logs/plot_robustness_sweep/{robustness_sweep}.log",
    wildcard_constraints:
        robustness_sweep="capacity|data_size",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=robustness_plot_spec,
    shell:
        "advgen plot --family robustness_sweep --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule table_sample_quality:
    input:
        "results/sample_quality/summary.parquet",
    output:
        report(
            "results/tables/sample_quality.md",
            caption="../report/table_sample_quality.rst",
            category="Tables",
            labels={"table": "sample quality"},
        ),
    log:
        "logs/table_sample_quality/table_sample_quality.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen summary-table --table sample_quality --input {input:q} --out {output:q} > {log} 2>&1"


rule table_robustness:
    input:
        attacks="results/robustness/attacks.parquet",
        minimal="results/robustness/minimal_perturbation.parquet",
    output:
        report(
            "results/tables/robustness.md",
            caption="../report/table_robustness.rst",
            category="Tables",
            labels={"table": "robustness"},
        ),
    log:
        "logs/table_robustness/table_robustness.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen summary-table --table robustness --input {input.attacks:q}"
        " --minimal {input.minimal:q} --out {output:q} > {log} 2>&1"
