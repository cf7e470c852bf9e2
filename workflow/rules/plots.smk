# Plots stage: the rules of the figure table (advgen.pipeline.figures.FIGURES), generated
# here. A FAMILY row has ONE job drawing every figure of the family that the config asks for
# (Python and matplotlib start once per family); its outputs name each figure's file, each in
# its own report() entry, then the plots.vector_formats copies. The Markdown summary tables of
# results/tables/ are such rows. A FIGURE row (adversarial examples: a model and attacks per
# figure) has one job per figure. STAGE rows are drawn by their stage's own job (sweeps.smk).
#
# Adding a figure family: the plotting function (advgen/plots/<stage>.py), one row of FIGURES,
# and its caption workflow/report/<family>.rst. Nothing here changes.

from advgen.pipeline.figures import FAMILY, FIGURE, FIGURES

for fig in FIGURES:
    if fig.job == FAMILY:
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
                    report(d.png, **fig.report(d.labels)) if fig.in_report else d.png
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

    elif fig.job == FIGURE:

        rule:
            name:
                fig.rule
            input:
                PIPE.figures.input_function(fig),
            output:
                figure=report(fig.path, **fig.report()),
                vectors=PIPE.figures.vectors(fig),
            log:
                fig.log,
            benchmark:
                fig.benchmark
            conda:
                "../envs/advgen.yaml"
            threads: 1
            params:
                family=fig.family,
                spec=PIPE.figures.spec_function(fig),
            shell:
                "advgen --threads {threads} plot --family {params.family} --input {input:q}"
                " --out {output:q} --spec {params.spec:q} > {log} 2>&1"
