"""What every stage plan shares: the validated config, the global seed and device."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from advgen import paths
from advgen.config import spec_json
from advgen.errors import ConfigError


def display(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it (as messages name it)."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


#: a named experiment (wildcard constraint of every name the config defines)
NAME = "[A-Za-z][A-Za-z0-9_]*"


class Stage:
    """A stage's plan: ``targets()``, plus the input and params functions of its rules.

    Input functions take Snakemake's ``wildcards`` (any object with the wildcard names as
    attributes) and return paths from :mod:`advgen.paths`; spec functions return
    the job's complete spec as sorted JSON (``spec_json``), so a changed value reruns
    exactly the jobs it reaches.
    """

    #: what the workflow does with a file no entry of the config makes (``sys.exit``: one line)
    on_unknown: Callable[[str], NoReturn] | None = None

    def __init__(self, config: Mapping[str, Any], source: str = "config"):
        self.config = config
        self.source = source

    def section(self, name: str) -> dict[str, Any]:
        """A config section (dict of named experiments), empty when absent."""
        return self.config.get(name) or {}

    def unknown(self, key: str, what: str, name: str, known: Any = ()) -> NoReturn:
        """A wildcard of a requested file (a target, ``--forcerun``) names no ``what`` of the config
        section ``key``: :data:`on_unknown`'s one line in the workflow, else a :class:`ConfigError`."""
        names = sorted(map(str, known))
        listing = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
        message = f"{self.source}: {key}: no {what} '{name}' (a requested file names it; defined: {listing or 'none'})"
        if self.on_unknown is not None:
            self.on_unknown(f"config error: {message}")
        raise ConfigError(message)

    def lookup(self, entries: Mapping[str, Any], name: str, key: str, what: str) -> Any:
        """``entries[name]``, or :meth:`unknown` when the config has no such entry."""
        if name not in entries:
            self.unknown(key, what, name, entries)
        return entries[name]

    def with_seed(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """A job's copy of an experiment spec: the global seed filled in when it has none, and
        without ``replicate_of`` (a run's name and seed say what it is, and an entry that gains
        seeds keeps its first run's spec, so that run does not rerun: :mod:`advgen.replicates`)."""
        spec = {k: v for k, v in spec.items() if k != "replicate_of"}
        spec.setdefault("seed", self.config["seed"])
        return spec

    @property
    def device(self) -> str:
        return self.config["device"]

    def targets(self) -> list[str]:
        return []


def prepared(dataset: str, split: str = "train") -> str:
    """Path of a prepared split."""
    return paths.PREPARED.format(dataset=dataset, split=split)


def splits(dataset: str) -> dict[str, str]:
    return {"train": prepared(dataset, "train"), "test": prepared(dataset, "test")}


def classifier_model(name: str) -> str:
    return paths.CLASSIFIER_MODEL.format(classifier=name)


__all__ = ["NAME", "Stage", "classifier_model", "prepared", "spec_json", "splits"]
