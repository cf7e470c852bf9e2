# CV stage: results/cv/{cv.md,cv.html,cv.typ,cv.pdf} from config/cv/ (see config/cv/README.md).
# The two literal rules of the workflow (every other job is a job kind, jobs.smk): they call
# the CV's own command line, `advgen cv build|stats`, which is also the by-hand tool for the
# CV, not a study job (its spec is the CV's files, not the config's experiments). Both are
# light and local; cv_stats needs the network and is never part of `all`. A config without `cv:`
# asks for no CV: the rules are not defined (and no CV file is read).


if PIPE.cv.wanted:

    localrules:
        cv,
        cv_stats,

    # The CV, built from its three files and the renderer's templates.
    rule cv:
        """the CV (Markdown, HTML, Typst, PDF) built from config/cv/ (advgen cv build)"""
        input:
            cv=PIPE.cv.files()["cv"],
            bib=PIPE.cv.files()["bib"],
            stats=PIPE.cv.files()["stats"],
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

    # Opt-in network fetch: `snakemake --cores 1 -f cv_stats` fetches GitHub star counts into
    # cv.stats_refresh; review that file, then copy it over cv.stats.
    rule cv_stats:
        """GitHub star counts of the CV's repositories, fetched into cv.stats_refresh (advgen cv stats; opt-in, network)"""
        input:
            cv=PIPE.cv.files()["cv"],
            stats=PIPE.cv.files()["stats"],
        output:
            stats=PIPE.cv.files()["stats_refresh"],
        log:
            log("cv_stats", "cv_stats"),
        benchmark:
            benchmark("cv_stats", "cv_stats")
        conda:
            "../envs/advgen.yaml"
        shell:
            "advgen cv stats --cv {input.cv:q} --stats {input.stats:q} --out {output.stats:q} > {log} 2>&1"
