# Data stage: prepare each split (its own job: editing max_test leaves the training split, and
# what reads it alone, untouched). The download (torchvision sources with download: true) and
# the manifest from the two splits are declared job kinds (advgen.pipeline.jobkinds_data,
# generated in jobs.smk): download_data, data_manifest.


wildcard_constraints:
    split="|".join(DATA_SPLITS),


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
