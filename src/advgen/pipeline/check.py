"""The one config check: what ``advgen check-config`` and the workflow both run.

:func:`checked_pipeline` reads the config files strictly (encoding, YAML syntax, duplicate
keys: :func:`advgen.config_files.strict_workflow_config`), validates the merged config against
the schema, builds every stage's plan (:func:`advgen.pipeline.build`: every cross-reference,
masking classifiers and purifiers included) and then lets the claims stage check its file
(``ClaimsPlan.check()``, when the claims stage provides it). ``workflow/rules/common.smk``
calls it with Snakemake's parsed ``config``; ``advgen check-config FILE...`` with the files
merged as ``--configfile FILE...`` merges them. So the two give the same answer, one
:class:`~advgen.errors.ConfigError` line naming FILE:LINE and the key. No torch here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advgen.config_files import check_config_files, key_line, strict_workflow_config
from advgen.errors import ConfigError
from advgen.pipeline import Pipeline, build


def display(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it (as messages name it)."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def config_source(configfiles: Sequence[str | Path]) -> str:
    """How messages name the config: its files, comma-separated."""
    return ", ".join(str(p) for p in configfiles) or "config"


def checked_pipeline(configfiles: Sequence[str | Path], config: dict[str, Any] | None = None) -> Pipeline:
    """Check ``configfiles`` (merged into ``config``, or read here when ``None``) and build the plans.

    Raises:
        ConfigError: one line, ``FILE:LINE: key: problem`` where the key is found in a file.
    """
    if config is None:  # the command line: the files merged as --configfile merges them, named as given
        paths = [str(p) for p in configfiles]
        config = check_config_files(paths)
    else:  # the workflow: Snakemake's parsed config, its files named relative to the working folder
        paths = [display(p) for p in configfiles]
        strict_workflow_config(paths, config)
    source = config_source(paths)
    try:
        pipe = build(config, source=source)
        check_claims = getattr(pipe.claims, "check", None)  # the claims stage's own check, once it has one
        if callable(check_claims):
            check_claims()
    except ConfigError as exc:
        raise ConfigError(locate(str(exc), source, paths)) from None
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
