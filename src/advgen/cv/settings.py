"""The workflow config's ``cv`` section, with defaults (``cv_config.schema.yaml``).

A config without ``cv:`` builds no CV; ``cv: {}`` builds it from ``config/cv/``: the section
is validated on its own here, its defaults filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advgen.config import load_schema, schema_path
from advgen.errors import ConfigError

CONFIG_SCHEMA = schema_path("cv_config.schema.yaml")


def cv_settings(section: Mapping[str, Any] | None, *, source: str = "config") -> dict[str, Any]:
    """``section`` (or ``{}``) validated against ``$defs/cv`` with its defaults filled in."""
    from jsonschema.exceptions import best_match

    from advgen.config import _validator_class

    schema = load_schema(CONFIG_SCHEMA)
    settings = dict(section or {})
    validator = _validator_class()({"$ref": "#/$defs/cv", "$defs": schema["$defs"]})
    error = best_match(validator.iter_errors(settings))
    if error is not None:
        where = ".".join(["cv", *map(str, error.absolute_path)])
        raise ConfigError(f"{source}: {where}: {error.message}")
    if settings["stats_refresh"] == settings["stats"]:
        raise ConfigError(
            f"{source}: cv.stats_refresh: must differ from cv.stats ({settings['stats']}): "
            "the build must never depend on the network"
        )
    return settings


@dataclass(frozen=True)
class CvSettings:
    """The ``cv`` section, typed (:func:`cv_settings`: validated, defaults filled): the CV's
    input files, the refreshed stats' path and the build's explicit overrides."""

    cv: str
    bib: str
    stats: str
    stats_refresh: str
    last_updated: str | None = None
    fold_before: int | None = None

    @classmethod
    def of(cls, section: Mapping[str, Any] | None, *, source: str = "config") -> CvSettings:
        return cls(**cv_settings(section, source=source))

    def files(self) -> dict[str, str]:
        """The CV's input files and the refreshed stats' path: ``cv``, ``bib``, ``stats``, ``stats_refresh``."""
        return {"cv": self.cv, "bib": self.bib, "stats": self.stats, "stats_refresh": self.stats_refresh}


def build_date(value: str | None, today: dt.date | None = None) -> str | None:
    """The ``--date`` of the build for ``cv.last_updated``: a fixed ``YYYY-MM-DD`` as it is,
    ``today`` as the date it is read (``today`` given, else the clock's), null as None."""
    if value == "today":
        return (today or dt.date.today()).isoformat()
    return str(value) if value else None


def build_options(settings: CvSettings, today: dt.date | None = None) -> list[str]:
    """Extra ``advgen cv build`` arguments for the explicit overrides (deterministic for a fixed
    date; ``last_updated: today`` gives the day's date, so the job's params change once a day)."""
    options = []
    date = build_date(settings.last_updated, today)
    if date:
        options += ["--date", date]
    if settings.fold_before is not None:
        options += ["--fold-before", str(settings.fold_before)]
    return options
