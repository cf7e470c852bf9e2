"""Shared fixtures of the bad-input corpus: tiny valid files next to broken ones."""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from advgen.cli import main as cli_main

INFO_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO [\w.]+: ")


def run_cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``advgen ARGV`` in-process; returns (exit status, stderr), logging included as the CLI prints it."""
    capsys.readouterr()
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        code = cli_main(list(argv))
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return code, capsys.readouterr().err


def filled(text: str, places: dict[str, Path | str]) -> str:
    """``text`` with each placeholder of ``places`` (``{G}``, ``{B}``, ...) replaced by its folder."""
    for key, place in places.items():
        text = text.replace(key, str(place))
    return text


def assert_one_line_error(code: int, err: str, *named: str, workdir: Path | None = None) -> None:
    """Exit status 2, one error line naming every string of ``named``, no traceback, no results.

    Progress records the CLI logs at INFO before the failure (``<date> <time> INFO name: ...``,
    e.g. the device lease) are not part of the error and are skipped; anything else counts.
    """
    assert code == 2, f"exit status {code}, stderr:\n{err}"
    lines = [line for line in err.strip("\n").splitlines() if not INFO_RECORD.match(line)]
    assert len(lines) == 1, f"expected one error line on stderr, got {len(lines)}:\n{err}"
    assert "Traceback" not in err
    for text in named:
        assert text in lines[0], f"{text!r} not named in: {lines[0]}"
    if workdir is not None:
        left = (
            [p for p in (workdir / "results").rglob("*") if p.is_file()]
            if (workdir / "results").exists()
            else []
        )
        assert not left, f"partial output left: {left}"


@pytest.fixture(scope="session")
def good_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prepared split, a classifier and a GAN checkpoint, tiny but valid."""
    from advgen.gan.runner import GanOutputs, train_gan
    from tests.unit.gen_helpers import (
        gan_spec,
        write_conv_autoencoder,
        write_digits_split,
        write_fc10_classifier,
    )

    folder = write_digits_split(tmp_path_factory.mktemp("good"), max_train=64, max_test=32)
    write_fc10_classifier(folder / "clf.pt")
    train_gan(gan_spec(epochs=1), folder / "train.pt", GanOutputs.under(folder / "gan"))
    # an autoencoder checkpoint (untrained weights: only its kind matters here)
    write_conv_autoencoder(folder / "ae.pt", [1, 28, 28], 8, config={})
    return folder


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Broken inputs: garbage, empty, a folder, wrong payloads, Parquet with other columns."""
    import pandas as pd
    import torch

    folder = tmp_path_factory.mktemp("bad")
    (folder / "garbage.pt").write_bytes(os.urandom(512))
    (folder / "empty.pt").write_bytes(b"")
    (folder / "folder.pt").mkdir()
    torch.save([1, 2, 3], folder / "list.pt")
    torch.save({"kind": "gan"}, folder / "kind_gan.pt")
    torch.save({"kind": "classifier"}, folder / "kind_classifier.pt")
    buf = io.BytesIO()
    pd.DataFrame({"a": [1], "b": [2.0]}).to_parquet(buf)
    (folder / "other.parquet").write_bytes(buf.getvalue())
    (folder / "text.parquet").write_text("not a parquet file\n")
    (folder / "truncated.parquet").write_bytes(buf.getvalue()[:40])
    return folder


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (outputs go under its results/)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
