# Defense stage: inversion as a defense (Defense-GAN, Samangouei et al. 2018) under
# grey-box and adaptive (BPDA / EOT, Athalye et al. 2018) attacks, and how robust a GAN's
# discriminator is: linear probes on its frozen features vs classifiers' features and an
# untrained D, and PGD on its real/fake score. Tables in results/defense/, figures in
# results/figures/defense/. Jobs, paths and specs come from PIPE.defense (advgen.pipeline.defense);
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
        point=DEFENSE_POINT,
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


rule probe_discriminator:
    input:
        unpack(PIPE.defense.probe_inputs),
    output:
        paths.PROBE,
    log:
        log("probe_discriminator", "{family}/{source}"),
    benchmark:
        benchmark("probe_discriminator", "{family}/{source}")
    wildcard_constraints:
        family=PROBE_FAMILY,
        source=NAME,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.defense.probe_spec,
    shell:
        "advgen --threads {threads} probe-discriminator --spec {params.spec:q}"
        " --model {input.model} --train {input.train} --test {input.test}"
        " --out {output} > {log} 2>&1"


rule flip_discriminator:
    input:
        unpack(PIPE.defense.flip_inputs),
    output:
        paths.FLIP,
    log:
        log("flip_discriminator", "{gan}"),
    benchmark:
        benchmark("flip_discriminator", "{gan}")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.defense.flip_spec,
    shell:
        "advgen --threads {threads} flip-discriminator --spec {params.spec:q}"
        " --gan {input.gan} --images {input.images} --out {output} > {log} 2>&1"


rule aggregate_defense:
    input:
        PIPE.defense.tables,
    output:
        paths.DEFENSE_TABLE,
    log:
        log("aggregate_defense", "{table}"),
    benchmark:
        benchmark("aggregate_defense", "{table}")
    wildcard_constraints:
        table=DEFENSE_TABLES,
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table {wildcards.table} --out {output} {input:q} > {log} 2>&1"


rule flip_table:
    input:
        PIPE.defense.flip_tables,
    output:
        examples=paths.FLIP_EXAMPLES,
        summary=paths.FLIP_SUMMARY,
    log:
        log("flip_table", "flip"),
    benchmark:
        benchmark("flip_table", "flip")
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table flip --out {output.examples}"
        " --summary {output.summary} {input:q} > {log} 2>&1"
