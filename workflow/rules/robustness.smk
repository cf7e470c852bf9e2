# Robustness stage: classifier zoo, attack curves, transfer matrix, capacity and data-size sweeps.


rule train_classifier:
    input:
        unpack(classifier_data),
    output:
        model="results/classifiers/{classifier}/model.pt",
        history="results/classifiers/{classifier}/history.parquet",
    log:
        "logs/train_classifier/{classifier}.log",
    benchmark:
        "results/benchmarks/train_classifier/{classifier}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=classifier_spec,
        resume="results/classifiers/{classifier}/resume/last.pt",
    shell:
        "advgen --threads {threads} train-classifier --name {wildcards.classifier}"
        " --spec {params.spec:q} --train {input.train} --test {input.test}"
        " --model {output.model} --history {output.history} --resume {params.resume}"
        " > {log} 2>&1"


rule attack:
    input:
        unpack(attack_inputs),
    output:
        "results/robustness/attacks/{classifier}/{attack}.parquet",
    log:
        "logs/attack/{classifier}/{attack}.log",
    benchmark:
        "results/benchmarks/attack/{classifier}/{attack}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=attack_spec,
    shell:
        "advgen --threads {threads} attack --classifier {wildcards.classifier}"
        " --attack {wildcards.attack} --spec {params.spec:q} --model {input.model}"
        " --test {input.test} --out {output} > {log} 2>&1"


rule attack_table:
    input:
        attack_curves,
    output:
        curves="results/robustness/attacks.parquet",
        minimal="results/robustness/minimal_perturbation.parquet",
    log:
        "logs/attack_table/attack_table.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen attack-table --curves {input} --out {output.curves}"
        " --minimal {output.minimal} > {log} 2>&1"


rule transfer:
    input:
        unpack(transfer_inputs),
    output:
        "results/robustness/transfer.parquet",
    log:
        "logs/transfer/transfer.log",
    benchmark:
        "results/benchmarks/transfer/transfer.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=transfer_spec,
        models=transfer_models,
    shell:
        "advgen --threads {threads} transfer --spec {params.spec:q} --models {params.models}"
        " --test {input.test} --out {output} > {log} 2>&1"


rule robustness_sweep:
    input:
        unpack(sweep_inputs),
    output:
        "results/robustness/sweeps/{sweep}.parquet",
    log:
        "logs/robustness_sweep/{sweep}.log",
    benchmark:
        "results/benchmarks/robustness_sweep/{sweep}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=sweep_spec,
        models=sweep_models,
    shell:
        "advgen --threads {threads} robustness-sweep --sweep {wildcards.sweep}"
        " --spec {params.spec:q} --models {params.models} --train {input.train}"
        " --test {input.test} --out {output} > {log} 2>&1"
