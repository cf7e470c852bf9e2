# Data stage: download (torchvision sources with download: true), prepare each split (its own
# job: editing max_test leaves the training split, and what reads it alone, untouched) and write
# the manifest from the two splits.


wildcard_constraints:
    split="|".join(DATA_SPLITS),


# the manifest reads two small files: no SLURM submission of its own
localrules:
    data_manifest,


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
        paths.PREPARED,
    log:
        log("prepare_data", "{dataset}_{split}"),
    benchmark:
        benchmark("prepare_data", "{dataset}_{split}")
    conda:
        "../envs/advgen.yaml"
    params:
        spec=PIPE.data.split_spec,
    shell:
        "advgen prepare-data --name {wildcards.dataset} --spec {params.spec:q}"
        " --{wildcards.split} {output} > {log} 2>&1"


rule data_manifest:
    input:
        train=paths.fill(paths.PREPARED, split="train"),
        test=paths.fill(paths.PREPARED, split="test"),
    output:
        paths.MANIFEST,
    log:
        log("data_manifest", "{dataset}"),
    benchmark:
        benchmark("data_manifest", "{dataset}")
    conda:
        "../envs/advgen.yaml"
    params:
        spec=PIPE.data.dataset_spec,
    shell:
        "advgen data-manifest --spec {params.spec:q} --train {input.train} --test {input.test}"
        " --out {output} > {log} 2>&1"
