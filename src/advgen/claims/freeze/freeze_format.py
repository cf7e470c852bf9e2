"""The freeze record's format (:mod:`advgen.claims.freeze.freeze_record` says its parts): its version,
its required and optional parts, and the record as read (:class:`Freeze`), with each claim's line
of the power plan (:class:`Planned`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: the record's format (a record without ``format`` is format 1: round 1's; format 2 was round 2's;
#: format 3, since 2026-11-29, records the program: the advgen package, the workflow, the resolved
#: config, the package versions, and the host's CPU flags)
FORMAT = 3
#: the first day each format was written, and the last day of format 1 (it has no ``round``)
FORMAT_SINCE = {2: "2026-11-28", 3: "2026-11-29"}
FORMAT_1_UNTIL = "2026-11-27"
#: the lowest format a round's record has (round 3 on: the current one)
ROUND_FORMAT = {1: 1, 2: 2}
#: the power plan's status of a claim it could plan within the budget, and of one it could not
#: (:func:`advgen.claims.statistics.power.budget_status`)
PLANNED, UNDERPOWERED = "planned", "underpowered at this budget"
#: the config sections whose entries are model runs (their specs are the recipes; format 1
#: recorded the first two)
RECIPE_SECTIONS = ("gans", "autoencoders", "classifiers")
#: the parts every record has, and those format 2 adds
REQUIRED: tuple[str, ...] = ("claims_file", "claims_sha256", "date", "claims", "plan", "power_plan")
REQUIRED += ("seed_base", "config", "seeds", "recipes")
REQUIRED_2 = ("analysis", "numerics", "hardware")
REQUIRED_3 = ("program", "versions", "resolved_config")
#: the host's parts (format 3 adds the CPU's flags that change kernels)
HARDWARE = ("cpu", "gpu", "torch", "cuda")
HARDWARE_3 = ("cpu_flags",)
#: ``round``: the confirmatory round the record freezes (1 where absent: round 1 wrote none)
OPTIONAL = ("format", "commit", "reruns", "round")
#: the package whose source is the analysis the freeze fixes
ANALYSIS = "advgen.claims"


@dataclass(frozen=True)
class Planned:
    """A claim's line of the power plan: the sample size planned for the target power at its margin
    (``n`` of ``unit``), what it would need, and whether the budget could not afford it."""

    n: int
    unit: str
    needed: int | None = None
    underpowered: bool = False

    def text(self) -> str:
        out = f"{self.n} {self.unit}"
        if self.underpowered:
            need = f" (needs {self.needed} {self.unit})" if self.needed else ""
            out += f"; underpowered at this budget{need}"
        return out


@dataclass(frozen=True)
class Freeze:
    """The freeze record as read (see the module docstring)."""

    path: str
    claims_sha256: str
    date: str
    commit: str = ""
    seed_base: int | None = None
    claims: Mapping[str, str] = field(default_factory=dict)
    plan: Mapping[str, Planned] = field(default_factory=dict)
    reruns: tuple[tuple[str, str], ...] = ()
    claims_file: str = ""
    #: (path, sha256) of the power plan
    power_plan: tuple[str, str] | None = None
    format: int = FORMAT
    config: Mapping[str, str] = field(default_factory=dict)
    seeds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    recipes: Mapping[str, Any] = field(default_factory=dict)
    #: role -> its training precision ({} in a format-1 record)
    numerics: Mapping[str, str] = field(default_factory=dict)
    #: the sha256 of the analysis code ("" in a format-1 record)
    analysis: str = ""
    #: cpu, gpu, torch, cuda ({} in a format-1 record)
    hardware: Mapping[str, str] = field(default_factory=dict)
    #: the confirmatory round (1 in a record without ``round``)
    round: int = 1
    #: the program's digests: ``package`` (every file of advgen) and ``workflow`` (the Snakefile
    #: and workflow/) ({} before format 3)
    program: Mapping[str, str] = field(default_factory=dict)
    #: distribution name -> version of the packages advgen runs on ({} before format 3)
    versions: Mapping[str, str] = field(default_factory=dict)
    #: the config as the workflow reads it, every schema default filled in, and what it resolves
    #: to on the host (``resolved``: the device, whether seeds stack) ({} before format 3)
    resolved_config: Mapping[str, Any] = field(default_factory=dict)

    def run_parts(self) -> dict[str, Any]:
        """The parts a run must match (:func:`run_parts`), as recorded."""
        parts: dict[str, Any] = {"seeds": self.seeds, "recipes": self.recipes}
        if self.format >= 2:
            parts["numerics"] = self.numerics
        return parts
