# Plots stage: one `plot_<family>` rule per row of the figure table
# (advgen.pipeline.figures.FIGURES), with ONE job drawing every figure of the family that the
# config asks for (Python and matplotlib start once per family, not once per figure). Inputs
# are the stages' Parquet tables (the sample-grid families read the stages' PNG grids); the
# outputs name each figure's PNG, each in its own report() entry, then the
# plots.vector_formats copies. Markdown summary tables land in results/tables/.
# All jobs are light and local.
#
# Adding a figure family: the plotting function (registered in advgen/plots/families.py),
# one row of FIGURES, and its caption workflow/report/<family>.rst. Nothing here changes.
# Captions naming snakemake.wildcards.<name> are filled in per figure (figures.caption).

from advgen.pipeline.figures import caption as figure_caption

REPORT_DIR = os.path.join(workflow.basedir, "workflow", "report")

for fig in FIGURES:
    job = PIPE.figures.job(fig)
    if not job.figures:
        continue

    rule:
        name:
            fig.rule
        input:
            job.inputs,
        output:
            figures=[
                report(
                    d.png,
                    caption=figure_caption(d, REPORT_DIR),
                    category=fig.category,
                    subcategory=fig.subcategory,
                    labels=d.labels,
                )
                for d in job.figures
            ],
            vectors=job.vectors,
        log:
            fig.log,
        benchmark:
            fig.benchmark
        localrule: True
        conda:
            "../envs/advgen.yaml"
        params:
            # the shell string is formatted when the job runs, after the loop: every value
            # of `fig` it needs must be bound here, at definition
            family=fig.family,
            figures=job.arguments,
        shell:
            "advgen plot --family {params.family} {params.figures:q} > {log} 2>&1"


rule table_sample_quality:
    input:
        TABLES["sample_quality"]["input"],
    output:
        report(
            paths.TABLE_MD.format(table="sample_quality"),
            caption="../report/table_sample_quality.rst",
            category="Tables",
            labels={"table": "sample quality"},
        ),
    log:
        log("table_sample_quality", "table_sample_quality"),
    benchmark:
        benchmark("table_sample_quality", "table_sample_quality")
    localrule: True
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen summary-table --table sample_quality --input {input:q} --out {output:q} > {log} 2>&1"


rule table_robustness:
    input:
        **TABLES["robustness"],
    output:
        report(
            paths.TABLE_MD.format(table="robustness"),
            caption="../report/table_robustness.rst",
            category="Tables",
            labels={"table": "robustness"},
        ),
    log:
        log("table_robustness", "table_robustness"),
    benchmark:
        benchmark("table_robustness", "table_robustness")
    localrule: True
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen summary-table --table robustness --input {input.input:q}"
        " --minimal {input.minimal:q} --out {output:q} > {log} 2>&1"
