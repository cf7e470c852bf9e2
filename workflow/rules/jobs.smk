# Every job kind: one rule per row of the job-kind table (advgen.pipeline.jobkinds.JOB_KINDS),
# the figure families' included, generated here. A row names the rule, its outputs (paths from
# advgen.paths), its inputs, its typed spec and the library function `advgen <command>` calls;
# every value a job depends on reaches it as params.spec (sorted JSON), its files as
# --input/--output NAME=PATH. The shell line calls `advgen KIND`, the same step as `advgen job
# KIND` (advgen.cli): a rule's command text is part of Snakemake's code trigger, so it stays.
#
# Adding a job kind: its output paths, its library function and spec, one row of JOB_KINDS and
# its line in docs/reruns.md. Nothing here changes.

from advgen.pipeline.jobkind import Output
from advgen.pipeline.jobkinds import JOB_KINDS


def rule_outputs(kind):
    """The rule's outputs: a folder wrapped in directory(), a report entry in report() (a list's
    files each in their own)."""
    out = PIPE.jobs.outputs(kind)
    for name, value in kind.outputs.items():
        if isinstance(value, Output) and value.directory:
            out[name] = directory(out[name])
        elif isinstance(value, Output) and value.report is not None:
            out[name] = report(out[name], **value.report)
        elif isinstance(value, Output) and value.reports is not None:
            entries = value.reports(PIPE)
            out[name] = [in_report(p, entry) for p, entry in zip(out[name], entries)]
    return out


def in_report(path, entry):
    """``path`` in report() with ``entry``; an empty entry: not in the report."""
    return report(path, **entry) if entry else path


for kind in JOB_KINDS:

    rule:
        name:
            kind.name
        input:
            unpack(PIPE.jobs.input_function(kind)),
        output:
            **rule_outputs(kind),
        log:
            kind.log,
        benchmark:
            kind.benchmark
        wildcard_constraints:
            **PIPE.jobs.wildcard_constraints(kind),
        localrule: kind.local
        conda:
            "../envs/advgen.yaml"
        threads: kind.threads
        resources:
            **kind.resources,
        params:
            # the shell string is formatted when the job runs, after the loop: every value of
            # `kind` it needs must be bound here, at definition
            command=kind.command,
            spec=PIPE.jobs.spec_function(kind),
            files=PIPE.jobs.file_function(kind),
        shell:
            "advgen --threads {threads} {params.command} --spec {params.spec:q} {params.files}"
            " > {log} 2>&1"

    # `snakemake --list-rules` describes the rule by its job kind's help; a rule body's docstring
    # must be a literal, so the help is set on the rule once it is defined.
    workflow.get_rule(kind.name).docstring = kind.help
