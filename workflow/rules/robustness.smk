# Robustness stage: classifier zoo, attack curves, transfer matrix, capacity and data-size sweeps,
# the gradient-masking checks' table. The adversarial-examples figures are rows of the figure
# table (plots.smk); the worst-case and per-class tables and the gradient-masking checks (one
# job per model and check) are declared job kinds (jobs.smk).

from advgen.pipeline.figures import BY_FAMILY


wildcard_constraints:
    classifier=NAME,
    sweep=ROBUSTNESS_SWEEP,


rule train_classifier:
    input:
        unpack(PIPE.robustness.classifier_data),
    output:
        model=paths.CLASSIFIER_MODEL,
        history=paths.CLASSIFIER_HISTORY,
    log:
        log("train_classifier", "{classifier}"),
    benchmark:
        benchmark("train_classifier", "{classifier}")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.robustness.classifier_spec,
        resume=paths.CLASSIFIER_RESUME,
    shell:
        "advgen --threads {threads} train-classifier --name {wildcards.classifier}"
        " --spec {params.spec:q} --train {input.train} --test {input.test}"
        " --model {output.model} --history {output.history} --resume {params.resume}"
        " > {log} 2>&1"


# One job per (classifier, attack): editing one attack's eps grid or parameters reruns that
# attack only. On SLURM, profiles/slurm bundles these short jobs into group submissions.
rule attack:
    input:
        unpack(PIPE.robustness.attack_inputs),
    output:
        curve=paths.ATTACK_CURVE,
        examples=paths.ATTACK_EXAMPLES,
    log:
        log("attack", "{classifier}/{attack}"),
    benchmark:
        benchmark("attack", "{classifier}/{attack}")
    wildcard_constraints:
        attack=NAME,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.robustness.attack_spec,
    shell:
        "advgen --threads {threads} attack --classifier {wildcards.classifier}"
        " --spec {params.spec:q} --model {input.model} --test {input.test}"
        " --out {output.curve} --examples {output.examples} > {log} 2>&1"


# Concatenates the (classifier, attack) curves: every classifier's table (config order of its
# attacks), all curves, and the minimal-perturbation table.
rule attack_table:
    input:
        PIPE.robustness.attack_curves,
    output:
        curves=paths.ATTACKS,
        minimal=paths.MINIMAL_PERTURBATION,
        classifiers=list(PIPE.robustness.classifier_curve_tables().values()),
    log:
        log("attack_table", "attack_table"),
    benchmark:
        benchmark("attack_table", "attack_table")
    conda:
        "../envs/advgen.yaml"
    params:
        classifiers=PIPE.robustness.classifier_curve_option,
    shell:
        "advgen attack-table --out {output.curves} --minimal {output.minimal}"
        " {params.classifiers} {input:q} > {log} 2>&1"


rule transfer:
    input:
        unpack(PIPE.robustness.transfer_inputs),
    output:
        paths.TRANSFER,
    log:
        log("transfer", "transfer"),
    benchmark:
        benchmark("transfer", "transfer")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.robustness.transfer_spec,
        models=PIPE.robustness.transfer_models,
    shell:
        "advgen --threads {threads} transfer --spec {params.spec:q} --models {params.models}"
        " --test {input.test} --out {output} > {log} 2>&1"


rule robustness_sweep:
    input:
        unpack(PIPE.robustness.sweep_inputs),
    output:
        paths.ROBUSTNESS_SWEEP,
    log:
        log("robustness_sweep", "{sweep}"),
    benchmark:
        benchmark("robustness_sweep", "{sweep}")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.robustness.sweep_spec,
        models=PIPE.robustness.sweep_models,
    shell:
        "advgen --threads {threads} robustness-sweep --sweep {wildcards.sweep}"
        " --spec {params.spec:q} --models {params.models} --train {input.train}"
        " --test {input.test} --out {output} > {log} 2>&1"


MASKING_TABLE = BY_FAMILY["table_masking"]


# Concatenates the (model, check) rows: models in job order, each model's checks in
# MASKING_CHECKS order (the rows of a whole-model job).
rule masking_table:
    input:
        PIPE.robustness.masking_tables,
    output:
        table=paths.MASKING,
        markdown=report(MASKING_TABLE.path, **MASKING_TABLE.report()),
    log:
        log("masking_table", "masking"),
    benchmark:
        benchmark("masking_table", "masking")
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-defense --table masking --out {output.table}"
        " --markdown {output.markdown} {input:q} > {log} 2>&1"


# One transfer matrix per seed of the capacity sweep's base classifier (sources and targets of
# that seed: the spec's transfer.within), in one job; the table's seed column names it.
rule transfer_capacity:
    input:
        unpack(PIPE.robustness.capacity_transfer_inputs),
    output:
        paths.TRANSFER_CAPACITY,
    log:
        log("transfer_capacity", "transfer_capacity"),
    benchmark:
        benchmark("transfer_capacity", "transfer_capacity")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.robustness.capacity_transfer_spec,
        models=PIPE.robustness.capacity_transfer_models,
        meta=PIPE.robustness.capacity_transfer_meta,
    shell:
        "advgen --threads {threads} transfer --spec {params.spec:q} --models {params.models}"
        " --meta {params.meta:q} --test {input.test} --out {output} > {log} 2>&1"
