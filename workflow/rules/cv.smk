# CV stage: results/cv/{cv.md,cv.html,cv.typ,cv.pdf} from config/cv/ (see config/cv/README.md).
# Both rules are light and local; cv_stats needs the network and is never part of `all`.


localrules:
    cv,
    cv_stats,


rule cv:
    input:
        cv=PIPE.cv.settings["cv"],
        bib=PIPE.cv.settings["bib"],
        stats=PIPE.cv.settings["stats"],
        templates=PIPE.cv.template_files,
    output:
        **PIPE.cv.outputs(),
    log:
        log("cv", "cv"),
    benchmark:
        benchmark("cv", "cv")
    conda:
        "../envs/advgen.yaml"
    params:
        outdir=PIPE.cv.outdir,
        options=PIPE.cv.build_options,
    shell:
        "advgen cv build --cv {input.cv:q} --bib {input.bib:q} --stats {input.stats:q}"
        " --out {params.outdir:q} {params.options} > {log} 2>&1"


# Opt-in: `snakemake --cores 1 -f cv_stats` fetches GitHub star counts into
# cv.stats_refresh; review that file, then copy it over cv.stats.
rule cv_stats:
    input:
        cv=PIPE.cv.settings["cv"],
        stats=PIPE.cv.settings["stats"],
    output:
        stats=PIPE.cv.settings["stats_refresh"],
    log:
        log("cv_stats", "cv_stats"),
    benchmark:
        benchmark("cv_stats", "cv_stats")
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen cv stats --cv {input.cv:q} --stats {input.stats:q} --out {output.stats:q} > {log} 2>&1"
