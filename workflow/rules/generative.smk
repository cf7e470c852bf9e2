# Generative stage: GANs and autoencoders (the GAN exercise report) and their offline
# sample quality under a classifier of the same dataset (classifiers section).
# Training jobs keep results/<family>/<name>/resume/ (not declared) while they run, so a
# killed or preempted job resumes from its last completed epoch when rerun.


wildcard_constraints:
    gan=NAME,
    ae=NAME,
    family="gans|autoencoders|real",
    name=NAME,


rule train_gan:
    input:
        train=gan_train_split,
    output:
        checkpoint="results/gans/{gan}/checkpoint.pt",
        losses="results/gans/{gan}/losses.parquet",
        samples=directory("results/gans/{gan}/samples"),
        status="results/gans/{gan}/status.json",
    log:
        "logs/train_gan/{gan}.log",
    benchmark:
        "results/benchmarks/train_gan/{gan}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=gan_spec,
        device=config["device"],
    shell:
        "advgen --threads {threads} train-gan --spec {params.spec:q} --train {input.train}"
        " --checkpoint {output.checkpoint} --losses {output.losses} --samples {output.samples}"
        " --status {output.status} --resume-dir results/gans/{wildcards.gan}/resume"
        " --device {params.device} > {log} 2>&1"


rule train_ae:
    input:
        unpack(ae_splits),
    output:
        checkpoint="results/autoencoders/{ae}/checkpoint.pt",
        losses="results/autoencoders/{ae}/losses.parquet",
        latent_cdf="results/autoencoders/{ae}/latent_cdf.parquet",
        novel="results/autoencoders/{ae}/novel.png",
        reconstructions="results/autoencoders/{ae}/reconstructions.png",
        metrics="results/autoencoders/{ae}/metrics.json",
    log:
        "logs/train_ae/{ae}.log",
    benchmark:
        "results/benchmarks/train_ae/{ae}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=ae_spec,
        device=config["device"],
    shell:
        "advgen --threads {threads} train-ae --spec {params.spec:q} --train {input.train}"
        " --test {input.test} --checkpoint {output.checkpoint} --losses {output.losses}"
        " --latent-cdf {output.latent_cdf} --novel {output.novel}"
        " --reconstructions {output.reconstructions} --metrics {output.metrics}"
        " --resume-dir results/autoencoders/{wildcards.ae}/resume"
        " --device {params.device} > {log} 2>&1"


rule sample_quality:
    input:
        unpack(sample_quality_inputs),
    output:
        "results/sample_quality/{family}/{name}.parquet",
    log:
        "logs/sample_quality/{family}/{name}.log",
    benchmark:
        "results/benchmarks/sample_quality/{family}/{name}.tsv"
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=sample_quality_spec,
        source=sample_quality_source,
        dataset=sample_quality_dataset,
        classifier=sample_quality_classifier,
        device=config["device"],
    shell:
        "advgen --threads {threads} sample-quality --spec {params.spec:q} --name {wildcards.name}"
        " --dataset {params.dataset} {params.source} --classifier {input.classifier}"
        " --classifier-name {params.classifier} --reference {input.reference}"
        " --out {output} --device {params.device} > {log} 2>&1"


rule sample_quality_table:
    input:
        sample_quality_rows,
    output:
        "results/sample_quality/summary.parquet",
    log:
        "logs/sample_quality_table/summary.log",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen sample-quality-table --inputs {input} --out {output} > {log} 2>&1"
