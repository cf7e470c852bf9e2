"""The study's phase: exploratory until the claims file is frozen, confirmatory on a run of fresh seeds.

The freeze record (the claims file's ``freeze:``, relative to it: ``docs/default_run/freeze.json``)
is written once, before the confirmatory run, by ``advgen freeze``; its format, writer and reader
are :mod:`advgen.claims.freeze.freeze_record`. A run is *confirmatory* when the record exists and every
seed of its runs is at least its ``seed_base`` (seeds below it were spent on exploration); else
*exploratory*. In a confirmatory run a claim is *post-hoc* when its content differs from the one
frozen (its digest), it was not in the file at the freeze, or its test records a change dated
after the freeze date: the page lists it apart and its headline counts leave it out (it counts
again only after a later run on fresh seeds). Every claim is post-hoc, and the page is labelled
"not the frozen round" with what differs, when the run is not the one frozen: its roles' runs,
seeds, recipes or numerics differ from the record's
(:func:`advgen.claims.freeze.freeze_record.run_differences`), the analysis code
(:mod:`advgen.claims`) differs from the digest the record holds, or (a format-3 record) the
program does: the advgen package, the workflow, the versions of the packages it runs on. The
config files' bytes are not compared here (a comment may change; ``advgen freeze --verify``
compares them, and the resolved config).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.claims.freeze.freeze_format import Freeze
from advgen.claims.reading.model import Claim, ClaimsFile

EXPLORATORY, CONFIRMATORY, POST_HOC = "exploratory", "confirmatory", "post-hoc"


@dataclass(frozen=True)
class Phase:
    """The run's phase, the claims file's hash, and the freeze it is read against."""

    phase: str
    sha256: str
    why: str
    freeze: Freeze | None = None
    #: how the run differs from the one frozen ("" where it is the one frozen): every claim is post-hoc
    mismatch: str = ""

    def header(self) -> dict[str, Any]:
        """What the page's header says of the phase."""
        f = self.freeze
        return {
            "phase": self.phase,
            "why": self.why,
            "sha256": self.sha256,
            "frozen_sha256": f.claims_sha256 if f else "",
            "frozen": f.date if f else "",
            "commit": f.commit if f else "",
            "record": f.path if f else "",
            "reruns": [{"date": d, "reason": r} for d, r in (f.reruns if f else ())],
        }


def freeze_path(claims: ClaimsFile) -> Path | None:
    """The claims file's freeze record path (its ``freeze:``, relative to the claims file)."""
    import os

    return Path(os.path.normpath(Path(claims.path).parent / claims.freeze)) if claims.freeze else None


def run_mismatch(
    freeze: Freeze,
    run: Mapping[str, Any],
    analysis: str | None = None,
    program: Mapping[str, str] | None = None,
    versions: Mapping[str, str] | None = None,
) -> str:
    """How the run (its parts, :func:`advgen.claims.freeze.freeze_record.run_parts`), the analysis
    code's digest, the program's digests and the packages' versions differ from the record, in
    words ("" where they match; a part the record does not hold is not compared)."""
    from advgen.claims.freeze.freeze_format import ANALYSIS
    from advgen.claims.freeze.freeze_record import PART_NAMES, differences, run_differences

    parts = [
        f"{PART_NAMES[part]}: {'; '.join(diffs)}"
        for part, diffs in run_differences(freeze, run).items()
        if diffs
    ]
    if freeze.analysis and analysis is not None and analysis != freeze.analysis:
        parts.append(f"the analysis code ({ANALYSIS}) differs from the one frozen")
    for part, what in (
        ("package", "the advgen package"),
        ("workflow", "the workflow (Snakefile, workflow/)"),
    ):
        frozen, now = (freeze.program or {}).get(part), (program or {}).get(part)
        if frozen and now and "not found" not in (frozen, now) and frozen != now:
            parts.append(f"{what} differs from the one frozen (sha256 {frozen[:12]}, now {now[:12]})")
    if freeze.versions and versions is not None:
        found = differences(freeze.versions, versions)
        if found:
            parts.append(f"package versions: {'; '.join(found)}")
    return "; ".join(parts)


def phase_of(
    claims: ClaimsFile,
    freeze: Freeze | None,
    seeds: Iterable[int],
    run: Mapping[str, Any] | None = None,
    analysis: str | None = None,
    program: Mapping[str, str] | None = None,
    versions: Mapping[str, str] | None = None,
) -> Phase:
    """The run's phase: confirmatory when frozen and every seed of the run is fresh; ``run``
    (the run's parts), ``analysis`` (the analysis code's digest), ``program`` and ``versions``,
    where given, are compared with the record: a difference makes the run "not the frozen round"
    and every claim post-hoc (:attr:`Phase.mismatch`)."""
    from advgen.claims.shown_path import shown_path

    if freeze is None:
        where = f" ({shown_path(freeze_path(claims) or '')})" if claims.freeze else ""
        return Phase(
            EXPLORATORY,
            claims.sha256,
            f"no freeze record{where}: claims, tests and controls may still change",
        )
    spent = sorted({s for s in seeds if freeze.seed_base is not None and s < freeze.seed_base})
    if freeze.seed_base is None:
        return Phase(
            EXPLORATORY,
            claims.sha256,
            "the freeze record names no seed base (fresh seeds start there)",
            freeze,
        )
    if spent:
        shown = ", ".join(map(str, spent[:10])) + (", ..." if len(spent) > 10 else "")
        return Phase(
            EXPLORATORY,
            claims.sha256,
            f"the run reads seeds spent before the freeze ({shown}; fresh seeds start at {freeze.seed_base})",
            freeze,
        )
    differs = run_mismatch(freeze, run, analysis, program, versions) if run is not None else ""
    if differs:
        why = f"not the frozen round of {shown_path(freeze.path)} ({differs}): every claim is post-hoc"
        return Phase(CONFIRMATORY, claims.sha256, why, freeze, differs)
    return Phase(CONFIRMATORY, claims.sha256, "", freeze)


def post_hoc(claim: Claim, phase: Phase) -> str:
    """Why a claim is post-hoc in a confirmatory run ("" if it is not): changed after the freeze."""
    freeze = phase.freeze
    if phase.phase != CONFIRMATORY or freeze is None:
        return ""
    if phase.mismatch:
        return f"not the frozen round of {freeze.date} ({phase.mismatch})"
    later = [c for c in (claim.test.changes if claim.test else ()) if c.date > freeze.date]
    if later:
        return "; ".join(f"changed on {c.date} ({c.reason})" for c in later)
    if freeze.claims:
        if claim.id not in freeze.claims:
            return f"added after the freeze of {freeze.date}"
        if freeze.claims[claim.id] != claim.digest:
            return f"changed after the freeze of {freeze.date} (its content differs from the one frozen)"
    return ""
