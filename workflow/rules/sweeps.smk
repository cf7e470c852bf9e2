# Sweeps stage: inversion, inpainting, interpolation and truncation as config grids.
# One job per (generator, grid point); {point} is a hash of the point's settings
# (advgen.sweeps.grid), so editing one list entry adds only the affected points.
# One aggregate table per sweep: results/sweeps/{sweep}.parquet.
# Wildcard constraints are per rule: {sweep} is also the robustness stage's wildcard.


rule sweep_masks:
    input:
        images="results/data/{dataset}/test.pt",
    output:
        masks="results/sweeps/masks/{dataset}/{mask_id}.pt",
    log:
        "logs/sweep_masks/{dataset}/{mask_id}.log",
    wildcard_constraints:
        mask_id=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    params:
        spec=gen_sweep_mask_spec,
    shell:
        "advgen sweep-masks --spec {params.spec:q} --images {input.images}"
        " --out {output.masks} > {log} 2>&1"


rule invert:
    input:
        unpack(inversion_inputs),
    output:
        final="results/sweeps/inversion/{generator}/{point}/final.parquet",
        steps="results/sweeps/inversion/{generator}/{point}/steps.parquet",
        latents="results/sweeps/inversion/{generator}/{point}/z.pt",
        figure=report(
            "results/sweeps/inversion/{generator}/{point}/losses.png",
            caption="../report/sweeps_inversion.rst",
            category="Sweeps",
            subcategory="Inversion",
            labels={"generator": "{generator}", "point": "{point}"},
        ),
    log:
        "logs/invert/{generator}/{point}.log",
    benchmark:
        "results/benchmarks/invert/{generator}/{point}.tsv"
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=inversion_spec,
    shell:
        "advgen --threads {threads} invert --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --final {output.final} --steps {output.steps} --latents {output.latents}"
        " --figure {output.figure} > {log} 2>&1"


rule inpaint:
    input:
        unpack(inpainting_inputs),
    output:
        table="results/sweeps/inpainting/{generator}/{point}/table.parquet",
        figure=report(
            "results/sweeps/inpainting/{generator}/{point}/examples.png",
            caption="../report/sweeps_inpainting.rst",
            category="Sweeps",
            subcategory="Inpainting",
            labels={"generator": "{generator}", "point": "{point}"},
        ),
    log:
        "logs/inpaint/{generator}/{point}.log",
    benchmark:
        "results/benchmarks/inpaint/{generator}/{point}.tsv"
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=inpainting_spec,
    shell:
        "advgen --threads {threads} inpaint --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --masks {input.masks} --out {output.table} --figure {output.figure} > {log} 2>&1"


rule interpolate:
    input:
        unpack(interpolation_inputs),
    output:
        paths="results/sweeps/interpolation/{generator}/{point}/paths.parquet",
        frames="results/sweeps/interpolation/{generator}/{point}/frames.parquet",
        figure=report(
            "results/sweeps/interpolation/{generator}/{point}/strips.png",
            caption="../report/sweeps_interpolation.rst",
            category="Sweeps",
            subcategory="Interpolation",
            labels={"generator": "{generator}", "point": "{point}"},
        ),
    log:
        "logs/interpolate/{generator}/{point}.log",
    benchmark:
        "results/benchmarks/interpolate/{generator}/{point}.tsv"
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=interpolation_spec,
    shell:
        "advgen --threads {threads} interpolate --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --out {output.paths} --frames {output.frames} --figure {output.figure} > {log} 2>&1"


rule truncation:
    input:
        unpack(truncation_inputs),
    output:
        table="results/sweeps/truncation/{generator}/{point}/table.parquet",
    log:
        "logs/truncation/{generator}/{point}.log",
    benchmark:
        "results/benchmarks/truncation/{generator}/{point}.tsv"
    wildcard_constraints:
        generator=NAME,
        point=SWEEP_POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=truncation_spec,
    shell:
        "advgen --threads {threads} truncation --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier}"
        " --reference {input.reference} --out {output.table} > {log} 2>&1"


rule aggregate_sweep:
    input:
        gen_sweep_tables,
    output:
        "results/sweeps/{sweep}.parquet",
    log:
        "logs/aggregate_sweep/{sweep}.log",
    wildcard_constraints:
        sweep="inversion|inpainting|interpolation|truncation",
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-sweep --sweep {wildcards.sweep} --out {output} {input:q} > {log} 2>&1"
