"""Snakemake logger plugin ``advgen-progress`` (``snakemake --logger advgen-progress``, which
``make run`` passes): after each finished job, one line with the jobs done and an estimate of
the time left (:mod:`advgen.pipeline.progress`), written through Snakemake's own logger (``from
snakemake.logging import logger``, as a Snakefile logs) so that it never splits one of Snakemake's
lines. It only adds lines: Snakemake's own output is unchanged. Snakemake finds it by its module
name (``snakemake_logger_plugin_*``), on the path wherever advgen is installed."""

from __future__ import annotations

from logging import LogRecord

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

from advgen.pipeline.progress import RunProgress, earlier_benchmarks


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        self.progress = RunProgress(earlier=earlier_benchmarks())

    def emit(self, record: LogRecord) -> None:
        event = getattr(record, "event", None)
        if event == LogEvent.RUN_INFO:
            counts = getattr(record, "stats", None) or getattr(record, "per_rule_job_counts", None)
            if isinstance(counts, dict):
                self.progress.planned(counts)
        elif event == LogEvent.JOB_INFO:
            benchmark = getattr(record, "benchmark", None)
            self.progress.scheduled(
                getattr(record, "jobid", -1),
                str(getattr(record, "rule_name", "")),
                benchmark if isinstance(benchmark, str) else None,
            )
        elif event == LogEvent.JOB_FINISHED:
            line = self.progress.finished(getattr(record, "job_id", -1))
            if line is not None:
                from snakemake.logging import logger

                logger.info(line)  # a record without an event: this handler passes it by

    @property
    def writes_to_stream(self) -> bool:
        return False  # Snakemake's own console output stays

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True  # every event, whatever --quiet hides from the console

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False
