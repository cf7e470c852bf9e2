"""An output larger than the file-size limit (``ulimit -f``): one line naming the output and the
limit, exit status 2, the previous file untouched and no temporary file left.

Python ignores SIGXFSZ, so a write past the limit fails with EFBIG; each atomic writer of
:mod:`advgen.io` (text, a checkpoint through torch, a Parquet table through pyarrow) turns it
into the one line. The limit is lowered in-process (the soft limit only, restored after); the
command line fresh and warm under ``ulimit -f`` is
``tests/unit/test_warm_differential.py``'s ``ulimit -f`` case.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from advgen.checkpoints import save_torch
from advgen.errors import AdvgenError
from advgen.io import atomic_leftovers, write_parquet, write_text

LIMIT = 4096


def _text(path: Path) -> None:
    write_text(path, "x" * 3 * LIMIT)


def _checkpoint(path: Path) -> None:
    import torch

    save_torch({"weights": torch.zeros(3 * LIMIT)}, path)


def _table(path: Path) -> None:
    import numpy as np
    import pandas as pd

    write_parquet(pd.DataFrame({"a": np.random.default_rng(0).random(3 * LIMIT)}), path)


@pytest.fixture
def file_size_limit() -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.mark.parametrize("writer", [_text, _checkpoint, _table], ids=["text", "checkpoint", "table"])
def test_an_output_over_the_file_size_limit_is_one_line(
    writer: Callable[[Path], None], tmp_path: Path, file_size_limit: None
) -> None:
    out = tmp_path / "out"
    out.write_bytes(b"previous")
    with pytest.raises(AdvgenError) as raised:
        writer(out)
    assert (
        str(raised.value)
        == f"{out}: cannot write (larger than the file-size limit, {LIMIT} bytes: ulimit -f)"
    )
    assert out.read_bytes() == b"previous"
    assert atomic_leftovers(out) == []
