# Plots stage: one `plot_<family>` rule per row of the figure table
# (advgen.pipeline.figures.FIGURES): inputs are the stages' Parquet tables (the sample-grid
# families read the stages' PNG grids), outputs the PNG shown in results/report.html plus
# plots.vector_formats copies. Markdown summary tables land in results/tables/.
# All jobs are light and local.
#
# Adding a figure family: the plotting function (registered in advgen/plots/families.py),
# one row of FIGURES, and its caption workflow/report/<family>.rst. Nothing here changes.


for fig in FIGURES:

    rule:
        name:
            fig.rule
        input:
            PIPE.figures.input_function(fig),
        output:
            png=report(
                fig.png,
                caption=fig.caption,
                category=fig.category,
                subcategory=fig.subcategory,
                labels=fig.labels,
            ),
            vectors=PIPE.figures.vectors(fig),
        log:
            fig.log,
        benchmark:
            fig.benchmark
        wildcard_constraints:
            **fig.constraints,
        localrule: True
        conda:
            "../envs/advgen.yaml"
        params:
            # the shell string is formatted when the job runs, after the loop: every value
            # of `fig` it needs must be bound here, at definition
            family=fig.family,
            spec=PIPE.figures.spec_function(fig),
        shell:
            "advgen plot --family {params.family} --input {input:q} --out {output:q}"
            " --spec {params.spec:q} > {log} 2>&1"


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
