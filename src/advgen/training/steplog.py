"""Per-iteration training logs kept on the device and read once per epoch.

Reading a loss with ``float()`` or ``.item()`` waits for the device to finish every queued
kernel; doing it for each logged value of every iteration keeps a GPU idle between steps.
A :class:`StepLog` holds each iteration's values as the 0-dim tensors the step produced
(plain numbers are kept as they are) and :meth:`StepLog.read` moves all of them to the host
in one transfer. Values read this way equal ``float(value)`` exactly (float32 and integer
tensors convert to float64 without rounding), so the tables built from them do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

Value = torch.Tensor | float | int


class StepLog:
    """The logged values of a run of iterations, one row per iteration, all rows the same length."""

    def __init__(self) -> None:
        self._rows: list[Sequence[Value]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: Sequence[Value]) -> None:
        """Keep one iteration's values (tensors are detached, not read)."""
        self._rows.append(tuple(v.detach() if isinstance(v, torch.Tensor) else v for v in row))

    def read(self) -> list[tuple[float, ...]]:
        """Every row as Python floats (numbers given as numbers stay as given), with one device read."""
        if not self._rows:
            return []
        width = len(self._rows[0])
        columns: list[list[Value]] = [[row[j] for row in self._rows] for j in range(width)]
        stacked: list[torch.Tensor] = []
        where: list[tuple[int, list[int]]] = []  # column -> rows holding tensors
        for j, column in enumerate(columns):
            rows = [i for i, v in enumerate(column) if isinstance(v, torch.Tensor)]
            if rows:
                tensors = [column[i].reshape(()) for i in rows]
                stacked.append(torch.stack(tensors).to(torch.float64))
                where.append((j, rows))
        if stacked:
            values = torch.cat(stacked).cpu().tolist()
            k = 0
            for j, rows in where:
                for i in rows:
                    columns[j][i] = values[k]
                    k += 1
        return list(zip(*columns))


def run_steps(batches: Iterable[Any], step: Callable[[Any], Sequence[Value]]) -> list[tuple[float, ...]]:
    """``step(batch)`` for every batch; the rows it returned, read once at the end."""
    log = StepLog()
    for batch in batches:
        log.append(step(batch))
    return log.read()
