# Provenance stage: after every other target, the outputs built by other code than the
# installed advgen (advgen.provenance_page). params: hold the code digest, so a code change
# reruns this job alone; its page is a report entry, its paragraph on the landing page.


rule provenance:
    input:
        PIPE.provenance.inputs(),
    output:
        html=report(
            paths.PROVENANCE_HTML,
            category="Provenance",
            caption="../report/provenance.rst",
            labels={"page": "outputs built by other code"},
        ),
        rst=paths.PROVENANCE_RST,
    log:
        log("provenance", "provenance"),
    benchmark:
        benchmark("provenance", "provenance")
    localrule: True
    conda:
        "../envs/advgen.yaml"
    params:
        results=PIPE.provenance.results,
        digest=PIPE.provenance.digest(),
        options=PIPE.provenance.snakemake_options(workflow.configfiles),
    shell:
        "advgen provenance {params.results} --snakemake-options {params.options:q}"
        " --html {output.html} --rst {output.rst} > {log} 2>&1"
