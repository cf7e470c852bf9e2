# Data stage: download (torchvision sources with download: true) and prepare splits.


rule download_data:
    output:
        receipt=paths.DOWNLOAD_RECEIPT,
    log:
        log("download_data", "{dataset}"),
    benchmark:
        benchmark("download_data", "{dataset}")
    conda:
        "../envs/advgen.yaml"
    params:
        spec=PIPE.data.dataset_spec,
    shell:
        "advgen download-data --spec {params.spec:q} --receipt {output.receipt} > {log} 2>&1"


rule prepare_data:
    input:
        PIPE.data.download_receipt,
    output:
        train=paths.fill(paths.PREPARED, split="train"),
        test=paths.fill(paths.PREPARED, split="test"),
        manifest=paths.MANIFEST,
    log:
        log("prepare_data", "{dataset}"),
    benchmark:
        benchmark("prepare_data", "{dataset}")
    conda:
        "../envs/advgen.yaml"
    params:
        spec=PIPE.data.dataset_spec,
    shell:
        "advgen prepare-data --name {wildcards.dataset} --spec {params.spec:q}"
        " --train {output.train} --test {output.test} --manifest {output.manifest}"
        " > {log} 2>&1"
