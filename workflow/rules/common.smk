# Validate the config once and build every stage's plan (advgen.pipeline).
# Rules take their paths (advgen.pipeline.paths), input functions and job specs from PIPE;
# nothing here imports torch, so the DAG builds in well under a second.
import os
import sys

from advgen.config_files import strict_workflow_config
from advgen.errors import ConfigError
from advgen.pipeline import build, paths
from advgen.pipeline.base import NAME
from advgen.pipeline.robustness import SWEEP_PATTERN as ROBUSTNESS_SWEEP
from advgen.pipeline.sweeps import SWEEPS

CONFIG_SOURCE = (
    ", ".join(
        os.path.relpath(p) if not os.path.relpath(p).startswith("..") else str(p)
        for p in workflow.configfiles
    )
    or "config"
)
# Strict config (issue 13): re-read every config file with advgen's loader (duplicate keys,
# encoding, shape) and validate; errors name FILE:LINE. Keep this block when porting.
try:
    strict_workflow_config(workflow.configfiles, config)
    PIPE = build(config, source=CONFIG_SOURCE)
except ConfigError as exc:
    sys.exit(f"config error: {exc}")


wildcard_constraints:
    dataset=NAME,


def log(rule, job):
    """A job's log file (job may hold wildcards): paths.LOG."""
    return paths.log(rule, job)


def benchmark(rule, job):
    """A job's benchmark file: paths.BENCHMARK."""
    return paths.benchmark(rule, job)
