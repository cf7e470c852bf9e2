# Defense stage: inversion as a defense (Defense-GAN, Samangouei et al. 2018) under
# grey-box and adaptive (BPDA / EOT, Athalye et al. 2018) attacks, and how robust a GAN's
# discriminator is: linear probes on its frozen features vs classifiers' features and an
# untrained D, and PGD on its real/fake score. Tables in results/defense/, figures in
# results/figures/defense/. Jobs come from advgen.defense.plan (see the common.smk block).


localrules:
    plot_defense_purify,
    plot_defense_cost,
    plot_defense_probe,
    plot_defense_flip,


rule purify:
    input:
        unpack(purify_inputs),
    output:
        "results/defense/purify/{purifier}/{point}.parquet",
    log:
        "logs/purify/{purifier}/{point}.log",
    benchmark:
        "results/benchmarks/purify/{purifier}/{point}.tsv"
    wildcard_constraints:
        purifier=NAME,
        point=DEFENSE_POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=purify_spec,
        generator=purify_generator_option,
    shell:
        "advgen --threads {threads} purify --spec {params.spec:q}"
        " --classifier {input.classifier} --images {input.images} {params.generator}"
        " --out {output} > {log} 2>&1"


rule probe_discriminator:
    input:
        unpack(probe_inputs),
    output:
        "results/defense/probe/{family}/{source}.parquet",
    log:
        "logs/probe_discriminator/{family}/{source}.log",
    benchmark:
        "results/benchmarks/probe_discriminator/{family}/{source}.tsv"
    wildcard_constraints:
        family="gan|control|classifier",
        source=NAME,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=probe_spec,
    shell:
        "advgen --threads {threads} probe-discriminator --spec {params.spec:q}"
        " --model {input.model} --train {input.train} --test {input.test}"
        " --out {output} > {log} 2>&1"


rule flip_discriminator:
    input:
        unpack(flip_inputs),
    output:
        "results/defense/flip/{gan}.parquet",
    log:
        "logs/flip_discriminator/{gan}.log",
    benchmark:
        "results/benchmarks/flip_discriminator/{gan}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=flip_spec,
    shell:
        "advgen --threads {threads} flip-discriminator --spec {params.spec:q}"
        " --gan {input.gan} --images {input.images} --out {output} > {log} 2>&1"


rule aggregate_defense:
    input:
        defense_tables,
    output:
        "results/defense/{table}.parquet",
    log:
        "logs/aggregate_defense/{table}.log",
    wildcard_constraints:
        table="purify|probe",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table {wildcards.table} --out {output} {input:q} > {log} 2>&1"


rule flip_table:
    input:
        flip_tables,
    output:
        examples="results/defense/flip_examples.parquet",
        summary="results/defense/flip.parquet",
    log:
        "logs/flip_table/flip.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table flip --out {output.examples}"
        " --summary {output.summary} {input:q} > {log} 2>&1"


rule plot_defense_purify:
    input:
        "results/defense/purify.parquet",
    output:
        png=report(
            "results/figures/defense/purify_eps.png",
            caption="../report/defense_purify_eps.rst",
            category="Defense",
            subcategory="Purification",
            labels={"figure": "accuracy vs epsilon"},
        ),
        vectors=figure_vectors("results/figures/defense/purify_eps"),
    log:
        "logs/plot_defense_purify/purify_eps.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=defense_plot_spec,
    shell:
        "advgen plot --family defense_purify_eps --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_defense_cost:
    input:
        "results/defense/purify.parquet",
    output:
        png=report(
            "results/figures/defense/purify_cost.png",
            caption="../report/defense_purify_cost.rst",
            category="Defense",
            subcategory="Purification",
            labels={"figure": "accuracy and cost vs L x R"},
        ),
        vectors=figure_vectors("results/figures/defense/purify_cost"),
    log:
        "logs/plot_defense_cost/purify_cost.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=defense_plot_spec,
    shell:
        "advgen plot --family defense_purify_cost --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_defense_probe:
    input:
        "results/defense/probe.parquet",
    output:
        png=report(
            "results/figures/defense/probe.png",
            caption="../report/defense_probe.rst",
            category="Defense",
            subcategory="Discriminator probes",
            labels={"figure": "probe accuracy per feature source"},
        ),
        vectors=figure_vectors("results/figures/defense/probe"),
    log:
        "logs/plot_defense_probe/probe.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=probe_plot_spec,
    shell:
        "advgen plot --family defense_probe --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"


rule plot_defense_flip:
    input:
        "results/defense/flip_examples.parquet",
    output:
        png=report(
            "results/figures/defense/flip.png",
            caption="../report/defense_flip.rst",
            category="Defense",
            subcategory="Discriminator probes",
            labels={"figure": "real-to-fake flip epsilon"},
        ),
        vectors=figure_vectors("results/figures/defense/flip"),
    log:
        "logs/plot_defense_flip/flip.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=probe_plot_spec,
    shell:
        "advgen plot --family defense_flip --input {input:q} --out {output:q}"
        " --spec {params.spec:q} > {log} 2>&1"
