# Data stage: download (torchvision sources with download: true) and prepare splits.


rule download_data:
    output:
        receipt="resources/.downloads/{dataset}.json",
    log:
        "logs/download_data/{dataset}.log",
    conda:
        "../envs/advgen.yaml"
    params:
        spec=dataset_spec,
    shell:
        "advgen download-data --spec {params.spec:q} --receipt {output.receipt} > {log} 2>&1"


rule prepare_data:
    input:
        download_receipt,
    output:
        train="results/data/{dataset}/train.pt",
        test="results/data/{dataset}/test.pt",
        manifest="results/data/{dataset}/manifest.parquet",
    log:
        "logs/prepare_data/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare_data/{dataset}.tsv"
    conda:
        "../envs/advgen.yaml"
    params:
        spec=dataset_spec,
    shell:
        "advgen prepare-data --name {wildcards.dataset} --spec {params.spec:q}"
        " --train {output.train} --test {output.test} --manifest {output.manifest}"
        " > {log} 2>&1"
