# Claims stage: every claim of the source documents, tested on this run's tables by model role;
# its page results/claims.html is linked first from the report (workflow/report/workflow.rst).


rule claims:
    input:
        unpack(PIPE.claims.inputs),
    output:
        html=paths.CLAIMS_HTML,
        md=paths.CLAIMS_MD,
        parquet=paths.CLAIMS_PARQUET,
        rst=paths.CLAIMS_RST,
    log:
        log("claims", "claims"),
    benchmark:
        benchmark("claims", "claims")
    localrule: True
    conda:
        "../envs/advgen.yaml"
    threads: 1
    params:
        results=PIPE.claims.results,
        spec=PIPE.claims.spec,
    shell:
        "advgen --threads {threads} claims --config {input.claims:q} --results {params.results}"
        " --spec {params.spec:q} --html {output.html} -o {output.md} --parquet {output.parquet}"
        " --rst {output.rst} > {log} 2>&1"


# The GAN report's parameter counts and convolution-gradient identities, recomputed for its claims
# (about 2 s on one core: run where Snakemake runs, as the claims page is, not submitted to SLURM).
rule report_facts:
    output:
        paths.REPORT_FACTS,
    log:
        log("claims", "report_facts"),
    benchmark:
        benchmark("claims", "report_facts")
    localrule: True
    conda:
        "../envs/advgen.yaml"
    threads: 1
    shell:
        "advgen --threads {threads} report-facts --out {output} > {log} 2>&1"
