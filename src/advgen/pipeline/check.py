"""The one config check: what ``advgen check-config`` and the workflow both run.

:func:`checked_pipeline` reads the config files strictly (encoding, YAML syntax, duplicate
keys: :func:`advgen.config_files.strict_workflow_config`), validates the merged config against
the schema, builds every stage's plan (:func:`advgen.pipeline.build`: every cross-reference,
masking classifiers and purifiers included, the claims file read and checked against the config
by the claims stage), counts their jobs against ``max_jobs`` (:mod:`advgen.pipeline.size`) and,
where the config has a ``cv`` section, parses the CV's YAML and BibTeX files
(:func:`check_cv_sources`). ``workflow/rules/common.smk`` calls it with Snakemake's parsed
``config``; ``advgen check-config FILE...`` with the files merged as ``--configfile FILE...``
merges them. So the two give the same answer, one :class:`~advgen.errors.ConfigError` line naming
FILE:LINE and the key. First of all it refuses a job kind whose spec has no definition in
``jobs.schema.yaml`` (:func:`advgen.pipeline.spec_schema.check_definitions`). No torch here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advgen.config_files import (
    check_config_files,
    key_line,
    resolve_input_paths,
    strict_workflow_config,
    workflow_folder,
)
from advgen.cv.settings import CvSettings
from advgen.errors import ConfigError
from advgen.pipeline import build
from advgen.pipeline.base import display
from advgen.pipeline.plan import Plan
from advgen.pipeline.size import check_job_count
from advgen.pipeline.spec_schema import check_definitions


def config_source(configfiles: Sequence[str | Path]) -> str:
    """How messages name the config: its files, comma-separated."""
    return ", ".join(str(p) for p in configfiles) or "config"


#: the CV's input files (:data:`advgen.config_files.INPUT_PATHS`; the claims file is checked by
#: the claims stage) and what each holds
CV_FILES = {"cv": "the CV data", "bib": "the BibTeX publications", "stats": "the citation and star counts"}


def check_input_files(cv: CvSettings, source: str) -> None:
    """Every CV input file the config names (resolved by
    :func:`advgen.config_files.resolve_input_paths`) exists: a missing one is a config error
    naming the key, not a missing input of the ``cv`` job."""
    for key, what in CV_FILES.items():
        path = cv.files()[key]
        if not Path(path).is_file():
            why = "is a folder" if Path(path).is_dir() else "file not found"
            raise ConfigError(f"{source}: cv.{key}: {path}: {why} ({what})")


def check_cv_sources(cv: CvSettings) -> None:
    """The CV's data and its BibTeX file parse (:func:`advgen.cv.source.load_cv_yaml`,
    :func:`advgen.cv.bib.load_publications`): a file the ``cv`` job would fail on is one line naming
    FILE:LINE before any job starts. Snakemake deletes a job's outputs when it starts it, so a
    ``cv`` job that then failed would leave no CV; stopped here, the last one built stays."""
    import logging

    from advgen.cv.bib import load_publications
    from advgen.cv.source import CVError, load_cv_yaml

    quiet = logging.getLogger("advgen.cv.bib")  # its warnings (an unknown field) are the cv job's to log
    previous, quiet.disabled = quiet.disabled, True
    try:
        _, data = load_cv_yaml(cv.cv)
        owner = data["owner"]
        load_publications(cv.bib, [owner["name"], *owner.get("aliases", [])])
    except CVError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        quiet.disabled = previous


def checked_pipeline(
    configfiles: Sequence[str | Path],
    config: dict[str, Any] | None = None,
    *,
    base: str | Path | None = None,
    on_unknown: Any = None,
) -> Plan:
    """Check ``configfiles`` (merged into ``config``, or read here when ``None``) and build the plans.

    Relative file names in the config (:data:`advgen.config_files.INPUT_PATHS`) resolve against ``base``, the
    workflow's folder (default :func:`advgen.config_files.workflow_folder`), from whichever folder this runs.
    ``on_unknown``: see :func:`advgen.pipeline.build`.

    Raises:
        ConfigError: one line, ``FILE:LINE: key: problem`` where the key is found in a file.
    """
    check_definitions()  # a job kind whose spec has no schema definition: before any job is planned
    if config is None:  # the command line: the files merged as --configfile merges them, named as given
        paths = [str(p) for p in configfiles]
        config = check_config_files(paths)
    else:  # the workflow: Snakemake's parsed config, its files named relative to the working folder
        paths = [display(p) for p in configfiles]
        strict_workflow_config(paths, config)
    source = config_source(paths)
    resolve_input_paths(config, workflow_folder(configfiles) if base is None else base)
    try:
        pipe = build(config, source=source, on_unknown=on_unknown, configfiles=paths)
        check_job_count(pipe, source)
        if pipe.study.cv is not None:
            check_input_files(pipe.study.cv, source)
    except ConfigError as exc:
        raise ConfigError(locate(str(exc), source, paths)) from None
    if pipe.study.cv is not None:  # a config without one reads no CV file
        check_cv_sources(pipe.study.cv)
    return pipe


def locate(message: str, source: str, paths: Sequence[str]) -> str:
    """``source: key.path: problem`` rewritten as ``FILE:LINE: key.path: problem`` (the file and
    line that set the deepest part of the key; among equals the last file, which overrides)."""
    rest = message.removeprefix(f"{source}: ")
    key, sep, _ = rest.partition(": ")
    parts = [p for p in key.split(".") if p] if sep and key and " " not in key else []
    best: tuple[int, str | None, int | None] = (0, None, None)
    for path in paths:
        depth, line = key_line(path, parts) if parts else (0, None)
        if depth and depth >= best[0]:
            best = (depth, path, line)
    if best[1] is None:
        return message if message.startswith(f"{source}: ") else f"{source}: {message}"
    where = best[1] if best[2] is None else f"{best[1]}:{best[2]}"
    return f"{where}: {rest}"
