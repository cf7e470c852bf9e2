"""Arguments several commands share (one definition each, the same help everywhere), and the
file arguments (:mod:`advgen.commands._files`): every argument naming a file (or folder) a
command reads is added with :func:`add_input`, every one naming what it writes with
:func:`add_output`, so that the command line refuses an output that is, holds or lies inside
an input or another output (:func:`overwritten_input`) for every command.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["SpecType", "add_spec"]


class SpecType:
    """The argparse ``type`` of a ``--spec`` argument: the JSON text unchanged; ``schema`` and
    ``definition`` name the schema definition that checks it (:func:`advgen.config.check_spec`,
    :func:`advgen.jobs.load_spec`), so that a test finds every spec and its definition from the parser."""

    def __init__(self, schema: str, definition: str) -> None:
        self.schema, self.definition = schema, definition

    def __call__(self, value: str) -> str:
        return value

    def __repr__(self) -> str:  # argparse names the type in some messages
        return "spec JSON"


def add_spec(p: Any, definition: str, *, schema: str = "jobs.schema.yaml", **kwargs: Any) -> argparse.Action:
    """``--spec``: a job's spec as JSON, checked against ``<schema>#/$defs/<definition>``."""
    action: argparse.Action = p.add_argument("--spec", type=SpecType(schema, definition), **kwargs)
    return action
