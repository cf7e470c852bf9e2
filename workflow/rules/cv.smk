# CV stage: results/cv/{cv.md,cv.html,cv.typ,cv.pdf} from config/cv/ (see config/cv/README.md).
# Both rules are light and local; cv_stats needs the network and is never part of `all`.


localrules:
    cv,
    cv_stats,


rule cv:
    input:
        cv=CV["cv"],
        bib=CV["bib"],
        stats=CV["stats"],
        templates=cv_template_files,
    output:
        md="results/cv/cv.md",
        html="results/cv/cv.html",
        typ="results/cv/cv.typ",
        pdf="results/cv/cv.pdf",
    log:
        "logs/cv/cv.log",
    conda:
        "../envs/advgen.yaml"
    params:
        outdir=cv_outdir,
        options=cv_build_options,
    shell:
        "advgen cv build --cv {input.cv:q} --bib {input.bib:q} --stats {input.stats:q}"
        " --out {params.outdir:q} {params.options} > {log} 2>&1"


# Opt-in: `snakemake --cores 1 -f cv_stats` fetches GitHub star counts into
# cv.stats_refresh; review that file, then copy it over cv.stats.
rule cv_stats:
    input:
        cv=CV["cv"],
        stats=CV["stats"],
    output:
        stats=CV["stats_refresh"],
    log:
        "logs/cv_stats/cv_stats.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen cv stats --cv {input.cv:q} --stats {input.stats:q} --out {output.stats:q} > {log} 2>&1"
