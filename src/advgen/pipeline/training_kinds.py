"""The per-seed training kinds (``train_gan``, ``train_ae``, ``train_classifier``): one GPU job
per run of a model section, resuming from the run's resume folder (kept when the job dies); the
seeds stacked as one job are :func:`advgen.pipeline.jobkinds_stacked.stacked_kind`'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from advgen.jobfiles import Files
from advgen.pipeline.base import NAME
from advgen.pipeline.jobkind import JobKind, Output, Values
from advgen.pipeline.plan import Plan
from advgen.pipeline.stacking import BY_SECTION

S = TypeVar("S")


def per_seed_kind(
    section: str,
    help: str,
    outputs: Mapping[str, str | Output],
    resume: str,
    each: Callable[[Plan], list[Values]],
    inputs: Callable[[Plan, Values], Mapping[str, list[str]]],
    spec: Callable[[Plan, Values], S],
    spec_type: type[S],
    run: Callable[[Files, Files, S], None],
    *,
    target: str,
    target_jobs: Callable[[Plan], list[Values]] | None = None,
) -> JobKind[S]:
    """The per-seed training kind of ``section`` (:data:`advgen.pipeline.stacking.FAMILIES`): its
    rule and wildcard are the family's, its state output ``resume``, its target output ``target``."""
    family = BY_SECTION[section]
    return JobKind(
        family.per_seed,
        help,
        outputs=outputs,
        state={"resume": resume},
        each=each,
        inputs=inputs,
        spec=spec,
        spec_type=spec_type,
        run=run,
        resources={"gpu": 1},
        wildcard_constraints={family.wildcard: NAME},
        target=(target,),
        target_jobs=target_jobs,
    )
