# advgen: generative models and adversarial robustness, plus the CV.
# Thin on purpose: config, validation and plans (common.smk), the rules (every job kind, the
# figure families included: jobs.smk; the CV's two: cv.smk), rule all.
from snakemake.utils import min_version

min_version("9.0")


# The offline default; `--configfile config/paper.yaml` replaces it (instead of being
# deep-merged into it, which would also run every default experiment).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/jobs.smk"
include: "workflow/rules/cv.smk"


rule all:
    """every target of the study: tables, figures, the claims page, the provenance page and the CV"""
    default_target: True
    input:
        PIPE.targets(),
