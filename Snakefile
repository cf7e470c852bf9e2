# advgen: generative models and adversarial robustness, plus the CV.
# Thin on purpose: config, validation and plans (common.smk), one include per stage, rule all.
from snakemake.utils import min_version

min_version("9.0")


# The offline default; `--configfile config/paper.yaml` replaces it (instead of being
# deep-merged into it, which would also run every default experiment).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/generative.smk"
include: "workflow/rules/cv.smk"
include: "workflow/rules/robustness.smk"
include: "workflow/rules/sweeps.smk"
include: "workflow/rules/plots.smk"
include: "workflow/rules/defense.smk"
include: "workflow/rules/jobs.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/provenance.smk"


rule all:
    default_target: True
    input:
        PIPE.targets(),
