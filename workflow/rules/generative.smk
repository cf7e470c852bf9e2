# Generative stage: GANs and autoencoders (the GAN exercise report) and their offline
# sample quality under a classifier of the same dataset (classifiers section).
# Training jobs keep results/<family>/<name>/resume/ (not declared) while they run, so a
# killed or preempted job resumes from its last completed epoch when rerun.


wildcard_constraints:
    gan=NAME,
    ae=NAME,


rule train_gan:
    input:
        train=PIPE.generative.gan_train_split,
    output:
        checkpoint=paths.GAN_CHECKPOINT,
        losses=paths.GAN_LOSSES,
        samples=directory(paths.GAN_SAMPLES),
        status=paths.GAN_STATUS,
    log:
        log("train_gan", "{gan}"),
    benchmark:
        benchmark("train_gan", "{gan}")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.generative.gan_spec,
        resume=paths.GAN_RESUME,
        device=config["device"],
    shell:
        "advgen --threads {threads} train-gan --spec {params.spec:q} --train {input.train}"
        " --checkpoint {output.checkpoint} --losses {output.losses} --samples {output.samples}"
        " --status {output.status} --resume-dir {params.resume}"
        " --device {params.device} > {log} 2>&1"


rule train_ae:
    input:
        unpack(PIPE.generative.ae_splits),
    output:
        checkpoint=paths.AE_CHECKPOINT,
        losses=paths.AE_LOSSES,
        latent_cdf=paths.AE_LATENT_CDF,
        novel=paths.AE_NOVEL,
        reconstructions=paths.AE_RECONSTRUCTIONS,
        metrics=paths.AE_METRICS,
    log:
        log("train_ae", "{ae}"),
    benchmark:
        benchmark("train_ae", "{ae}")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.generative.ae_spec,
        resume=paths.AE_RESUME,
        device=config["device"],
    shell:
        "advgen --threads {threads} train-ae --spec {params.spec:q} --train {input.train}"
        " --test {input.test} --checkpoint {output.checkpoint} --losses {output.losses}"
        " --latent-cdf {output.latent_cdf} --novel {output.novel}"
        " --reconstructions {output.reconstructions} --metrics {output.metrics}"
        " --resume-dir {params.resume}"
        " --device {params.device} > {log} 2>&1"


# One job scores every GAN, autoencoder and real split (each row seeded alone) and writes
# the summary table, with each run's quality gate (sample_quality.bars), and a grid of real
# test digits per dataset (the overview figure's reference).
rule sample_quality:
    input:
        PIPE.generative.sample_quality_inputs,
    output:
        summary=paths.SAMPLE_QUALITY_SUMMARY,
        grids=PIPE.generative.real_grids(),
    log:
        log("sample_quality", "summary"),
    benchmark:
        benchmark("sample_quality", "summary")
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.generative.sample_quality_spec,
        rows=PIPE.generative.sample_quality_rows_json,
        device=config["device"],
    shell:
        "advgen --threads {threads} sample-quality --spec {params.spec:q}"
        " --rows {params.rows:q} --out {output.summary} --device {params.device} > {log} 2>&1"
