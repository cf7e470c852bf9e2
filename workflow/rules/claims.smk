# Claims stage (issue 15): every claim of the source documents, tested on this run's tables;
# the report's landing page (workflow/report/workflow.rst) includes the verdict table.


rule claims:
    input:
        unpack(PIPE.claims.inputs),
    output:
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
    shell:
        "advgen --threads {threads} claims --config {input.claims:q} --results {params.results}"
        " -o {output.md} --parquet {output.parquet} --rst {output.rst} > {log} 2>&1"
