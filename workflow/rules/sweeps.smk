# Sweeps stage: inversion, inpainting, interpolation and truncation as config grids.
# One job per (sweep, generator, grid point): the unit of recomputation is the point, so adding
# a point runs only its jobs and removing one reruns only the aggregate. {point} is the point's
# readable label, its values on the grid axes (advgen.sweeps.grid), also the `point` column of
# its tables; `params: spec` is that point's spec (advgen.sweeps.spec). Each job seeds its point
# from the point's own seed once its models are loaded.
# Inpainting masks are drawn in the job from their spec (the same for every generator).
# Jobs, paths and specs come from PIPE.sweeps (advgen.pipeline.sweeps).
# One aggregate table per sweep: results/sweeps/{sweep}.parquet, the points in config order.
# Wildcard constraints are per rule: {sweep} is also the robustness stage's wildcard.
# The image a job draws is a row of the figure table (its report entry).

from advgen.pipeline.figures import BY_FAMILY as FIGURES
from advgen.pipeline.sweeps import LABEL as POINT


rule invert:
    input:
        unpack(PIPE.sweeps.inputs("inversion")),
    output:
        final=paths.INVERSION_FINAL,
        steps=paths.INVERSION_STEPS,
        latents=paths.INVERSION_LATENTS,
        figure=report(
            FIGURES["sweeps_inversion"].path, **FIGURES["sweeps_inversion"].report()
        ),
    log:
        log("invert", "{generator}/{point}"),
    benchmark:
        benchmark("invert", "{generator}/{point}")
    wildcard_constraints:
        generator=NAME,
        point=POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.sweeps.spec("inversion"),
    shell:
        "advgen --threads {threads} invert --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --final {output.final} --steps {output.steps} --latents {output.latents}"
        " --figure {output.figure} > {log} 2>&1"


rule inpaint:
    input:
        unpack(PIPE.sweeps.inputs("inpainting")),
    output:
        table=paths.INPAINTING_TABLE,
        figure=report(
            FIGURES["sweeps_inpainting"].path, **FIGURES["sweeps_inpainting"].report()
        ),
    log:
        log("inpaint", "{generator}/{point}"),
    benchmark:
        benchmark("inpaint", "{generator}/{point}")
    wildcard_constraints:
        generator=NAME,
        point=POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.sweeps.spec("inpainting"),
    shell:
        "advgen --threads {threads} inpaint --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --out {output.table} --figure {output.figure} > {log} 2>&1"


rule interpolate:
    input:
        unpack(PIPE.sweeps.inputs("interpolation")),
    output:
        paths=paths.INTERPOLATION_PATHS,
        frames=paths.INTERPOLATION_FRAMES,
        figure=report(
            FIGURES["sweeps_interpolation"].path,
            **FIGURES["sweeps_interpolation"].report(),
        ),
    log:
        log("interpolate", "{generator}/{point}"),
    benchmark:
        benchmark("interpolate", "{generator}/{point}")
    wildcard_constraints:
        generator=NAME,
        point=POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.sweeps.spec("interpolation"),
    shell:
        "advgen --threads {threads} interpolate --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier} --images {input.images}"
        " --out {output.paths} --frames {output.frames} --figure {output.figure} > {log} 2>&1"


rule truncation:
    input:
        unpack(PIPE.sweeps.inputs("truncation")),
    output:
        table=paths.TRUNCATION_TABLE,
        samples=paths.TRUNCATION_SAMPLES,
    log:
        log("truncation", "{generator}/{point}"),
    benchmark:
        benchmark("truncation", "{generator}/{point}")
    wildcard_constraints:
        generator=NAME,
        point=POINT,
    conda:
        "../envs/advgen.yaml"
    threads: 1
    resources:
        gpu=1,
    params:
        spec=PIPE.sweeps.spec("truncation"),
    shell:
        "advgen --threads {threads} truncation --spec {params.spec:q}"
        " --generator {input.generator} --classifier {input.classifier}"
        " --images {input.images} --out {output.table} --samples {output.samples}"
        " > {log} 2>&1"


rule aggregate_sweep:
    input:
        PIPE.sweeps.tables,
    output:
        paths.SWEEP_AGGREGATE,
    log:
        log("aggregate_sweep", "{sweep}"),
    benchmark:
        benchmark("aggregate_sweep", "{sweep}")
    wildcard_constraints:
        sweep="|".join(SWEEPS),
    conda:
        "../envs/advgen.yaml"
    shell:
        "advgen aggregate-sweep --sweep {wildcards.sweep} --out {output} {input:q} > {log} 2>&1"
