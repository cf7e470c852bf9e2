"""How long something still takes, as a person reads it (the epoch log of training,
:mod:`advgen.training.driver`, and the run's progress lines, :mod:`advgen.pipeline.progress`)."""

from __future__ import annotations


def time_left(seconds: float) -> str:
    """``seconds`` still to go, rounded: ``done``, ``~40 s left``, ``~3 min left``, ``~1 h 05 min left``."""
    if seconds <= 0:
        return "done"
    if seconds < 60:
        return f"~{round(seconds / 10) * 10 if seconds >= 10 else max(1, round(seconds))} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"~{minutes} min left"
    return f"~{minutes // 60} h {minutes % 60:02d} min left"
