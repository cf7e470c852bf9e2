# Robustness stage: classifier zoo (standard / FGSM-mix / PGD training).


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
