# Defense stage: inversion as a defense (Defense-GAN, Samangouei et al. 2018) under
# grey-box and adaptive (BPDA / EOT, Athalye et al. 2018) attacks, and how robust a GAN's
# discriminator is: linear probes on its frozen features vs classifiers' features and an
# untrained D, and PGD on its real/fake score. Tables in results/defense/, figures in
# results/figures/defense/. One purify job per (purifier, point), one probe and one flip
# job; jobs, paths and specs come from PIPE.defense (advgen.pipeline.defense);
# the figures are rows of the figure table (advgen.pipeline.figures, plots.smk).


rule purify:
    input:
        unpack(PIPE.defense.purify_inputs),
    output:
        paths.PURIFY,
    log:
        log("purify", "{purifier}/{point}"),
    benchmark:
        benchmark("purify", "{purifier}/{point}")
    wildcard_constraints:
        purifier=NAME,
        point=NAME,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.defense.purify_spec,
        generator=PIPE.defense.purify_generator_option,
    shell:
        "advgen --threads {threads} purify --spec {params.spec:q}"
        " --classifier {input.classifier} --images {input.images} {params.generator}"
        " --out {output} > {log} 2>&1"


rule purify_table:
    input:
        PIPE.defense.purify_tables,
    output:
        paths.fill(paths.DEFENSE_TABLE, table="purify"),
    log:
        log("purify_table", "purify"),
    benchmark:
        benchmark("purify_table", "purify")
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table purify --out {output} {input:q} > {log} 2>&1"


rule probe_discriminator:
    input:
        unpack(PIPE.defense.probe_inputs),
    output:
        paths.fill(paths.DEFENSE_TABLE, table="probe"),
    log:
        log("probe_discriminator", "probe"),
    benchmark:
        benchmark("probe_discriminator", "probe")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.defense.probe_spec,
        models=PIPE.defense.probe_models,
    shell:
        "advgen --threads {threads} probe-discriminator --spec {params.spec:q} {params.models}"
        " --train {input.train} --test {input.test} --out {output} > {log} 2>&1"


rule flip_discriminator:
    input:
        unpack(PIPE.defense.flip_inputs),
    output:
        examples=paths.FLIP_EXAMPLES,
        summary=paths.FLIP_SUMMARY,
    log:
        log("flip_discriminator", "flip"),
    benchmark:
        benchmark("flip_discriminator", "flip")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.defense.flip_spec,
        gans=PIPE.defense.flip_models,
    shell:
        "advgen --threads {threads} flip-discriminator --spec {params.spec:q} --gans {params.gans}"
        " --images {input.images} --out {output.examples} --summary {output.summary} > {log} 2>&1"
