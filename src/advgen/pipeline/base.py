"""What every stage plan shares: the typed config (:class:`~advgen.pipeline.study.Study`) and
the one-line answer to a requested file that no entry of the config makes."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from advgen import paths
from advgen.errors import ConfigError

if TYPE_CHECKING:
    from advgen.pipeline.study import Study

T = TypeVar("T")


def display(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it (as messages name it)."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


#: a named experiment (wildcard constraint of every name the config defines)
NAME = "[A-Za-z][A-Za-z0-9_]*"


class Stage:
    """A stage's plan: the config's expansion into jobs (``targets()``: the stage's final outputs
    that no job kind declares)."""

    #: what the workflow does with a file no entry of the config makes (``sys.exit``: one line)
    on_unknown: Callable[[str], NoReturn] | None = None

    def __init__(self, study: Study) -> None:
        self.study = study
        self.source = study.source

    def unknown(self, key: str, what: str, name: str, known: Any = ()) -> NoReturn:
        """A wildcard of a requested file (a target, ``--forcerun``) names no ``what`` of the config
        section ``key``: :data:`on_unknown`'s one line in the workflow, else a :class:`ConfigError`."""
        names = sorted(map(str, known))
        listing = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
        message = f"{self.source}: {key}: no {what} '{name}' (a requested file names it; defined: {listing or 'none'})"
        if self.on_unknown is not None:
            self.on_unknown(f"config error: {message}")
        raise ConfigError(message)

    def lookup(self, entries: Mapping[str, T], name: str, key: str, what: str) -> T:
        """``entries[name]``, or :meth:`unknown` when the config has no such entry."""
        if name not in entries:
            self.unknown(key, what, name, entries)
        return entries[name]

    @property
    def device(self) -> str:
        return self.study.device

    def targets(self) -> list[str]:
        return []


def prepared(dataset: str, split: str = "train") -> str:
    """Path of a prepared split."""
    return paths.PREPARED.format(dataset=dataset, split=split)


def splits(dataset: str) -> dict[str, str]:
    return {"train": prepared(dataset, "train"), "test": prepared(dataset, "test")}


def classifier_model(name: str) -> str:
    return paths.CLASSIFIER_MODEL.format(classifier=name)


__all__ = ["NAME", "Stage", "classifier_model", "prepared", "splits"]
