# Validate the config once and build every stage's plan (advgen.pipeline).
# The rules (jobs.smk, cv.smk) take their paths, input functions and job specs from PIPE;
# nothing here imports torch, so the DAG builds in well under a second.
import os
import sys

from advgen import paths
from advgen.errors import ConfigError
from advgen.pipeline.base import NAME
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkinds_claims import LANDING, landing
from advgen.pipeline.stacking import export_decision as export_stacking
from advgen.pipeline.rules import rule_names
from advgen.profiles import check_profile, profiles_in
from advgen.warm.owner import announce as announce_warm_start

# One check for the workflow and `advgen check-config` (advgen.pipeline.check): every config
# file re-read strictly (duplicate keys, encoding, shape), the config validated, every plan
# built; errors name FILE:LINE. The config's relative file names resolve against this workflow's
# folder; a requested file that names no entry of the config is one line too. The resources of
# the command line's --profile are checked first (advgen.profiles, as `advgen check-profile`):
# Snakemake would evaluate them only while building the DAG, or pass them to sbatch. Keep this
# block when porting.
try:
    for profile in profiles_in(sys.argv[1:], os.environ):
        check_profile(profile, rule_names())
    config.pop(LANDING, None)  # set below: never part of the config the check reads
    PIPE = checked_pipeline(
        workflow.configfiles, config, base=workflow.basedir, on_unknown=sys.exit
    )
    # the jobs (and a cluster's re-parses) keep this parse's choice of stacked seeds
    export_stacking(PIPE.stacking.on)
    # the pages the report's landing page includes: those this run makes (its template,
    # workflow/report/workflow.rst, reads the config only)
    config[LANDING] = landing(PIPE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")


# the named experiments of the config (each rule adds its own constraints)
wildcard_constraints:
    dataset=NAME,
    gan=NAME,
    ae=NAME,
    classifier=NAME,


# The jobs of a local run start warm (advgen.warm): this Snakemake exports itself as their run's
# owner, and the first job starts a server that the others fork from; it ends with the run.
# ADVGEN_WARM=0 runs every job as a fresh process. Jobs that SLURM runs for a run start fresh
# (advgen.warm.owner), and Snakemake runs no onstart for them.
onstart:
    announce_warm_start()


def log(rule, job):
    """A job's log file (job may hold wildcards): paths.LOG."""
    return paths.log(rule, job)


def benchmark(rule, job):
    """A job's benchmark file: paths.BENCHMARK."""
    return paths.benchmark(rule, job)
