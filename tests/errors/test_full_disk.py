"""A full disk during the hand-run commands that write many files: one line naming the file, exit
status 2, no partial output, and the previous output whole.

The disk fills (``ENOSPC``) while one chosen file is written (``pathlib.Path.write_bytes``, which
the writers use), in-process through the command line: ``cv build`` names the file it was writing
(it said ``no space left on device: ?``), and ``fake-data`` leaves no partial CIFAR-10 set (it left
batches 1-4 without the test batch).
"""

from __future__ import annotations

import errno
import os
import pathlib
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.errors.conftest import assert_one_line_error, run_cli

CV_DATA = REPO / "tests" / "data" / "cv" / "march2023"


def fill_disk_at(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """``Path.write_bytes`` of a file named ``name`` (or a temporary file of it) fails with ENOSPC."""
    real = pathlib.Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if self.name == name or self.name.startswith(f".{name}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cv_build_on_a_full_disk_names_the_file(workdir: Path, monkeypatch, capsys) -> None:
    out = workdir / "cv"
    argv = ["cv", "build", "--cv", str(CV_DATA / "cv.yaml"), "--bib", str(CV_DATA / "publications.bib")]
    argv += ["--stats", str(CV_DATA / "stats.yaml"), "--out", str(out)]
    code, err = run_cli(argv, capsys)
    assert code == 0, err
    before = _files(out)
    fill_disk_at(monkeypatch, "cv.pdf")
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, f"no space left on device: {out / 'cv.pdf'}")
    assert _files(out) == before  # no temporary folder left, the previous build whole


@pytest.mark.parametrize("previous", [False, True])
def test_fake_data_on_a_full_disk_leaves_no_partial_set(
    previous: bool, workdir: Path, monkeypatch, capsys
) -> None:
    root = workdir / "resources"
    argv = ["fake-data", "--root", str(root), "--sources", "cifar10", "--train", "20", "--test", "10"]
    if previous:
        assert run_cli([*argv, "--seed", "1"], capsys)[0] == 0
    before = _files(root) if previous else {}
    fill_disk_at(monkeypatch, "test_batch")
    code, err = run_cli(argv, capsys)
    target = root / "cifar10" / "cifar-10-batches-py" / "test_batch"
    assert_one_line_error(code, err, f"no space left on device: {target}")
    assert _files(root) == before  # batches 1-5 of this run were not put in place
    if previous:
        assert [p.name for p in (root / "cifar10").iterdir() if p.name.startswith(".")] == []
    else:
        assert not root.exists()  # no empty folder left either
    monkeypatch.undo()
    assert run_cli(argv, capsys)[0] == 0  # space freed: the set is written whole
    assert len(list((root / "cifar10" / "cifar-10-batches-py").iterdir())) == 8


def test_cv_build_into_a_new_folder_on_a_full_disk_leaves_no_folder(
    workdir: Path, monkeypatch, capsys
) -> None:
    out = workdir / "new" / "cv"
    argv = ["cv", "build", "--cv", str(CV_DATA / "cv.yaml"), "--bib", str(CV_DATA / "publications.bib")]
    argv += ["--stats", str(CV_DATA / "stats.yaml"), "--out", str(out)]
    fill_disk_at(monkeypatch, "cv.md")
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, f"no space left on device: {out / 'cv.md'}")
    assert not (workdir / "new").exists()


@pytest.mark.parametrize("where", ["mkstemp", "write"])
def test_an_atomic_write_on_a_full_disk_leaves_no_empty_folder(
    where: str, tmp_path: Path, monkeypatch
) -> None:
    """The folders made for a write that fails are removed again (the existing ones stay)."""
    import tempfile

    from advgen.errors import AdvgenError
    from advgen.io import write_bytes

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", full)
    else:
        fill_disk_at(monkeypatch, "x.bin")
    target = tmp_path / "a" / "b" / "x.bin"
    with pytest.raises(AdvgenError, match="no space left on device"):
        write_bytes(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_train_gan_on_a_full_disk_leaves_no_resume_folder(
    good_files: Path, workdir: Path, monkeypatch, capsys
) -> None:
    """The first resume state failing to write (ENOSPC) left resume/samples/ without last.pt."""
    import torch

    from tests.errors.test_cli_files import train_gan

    real = torch.save

    def save(obj, f, *args, **kwargs):  # type: ignore[no-untyped-def]
        if ".last.pt." in str(getattr(f, "name", f)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", save)
    code, err = run_cli(train_gan(str(good_files / "train.pt")), capsys)
    assert_one_line_error(code, err, "no space left on device: results/g/resume/last.pt", workdir=workdir)
    assert not (workdir / "results").exists()


def test_train_gan_ignores_a_resume_folder_without_its_state(good_files: Path, workdir: Path, capsys) -> None:
    """A resume folder holding a sample grid but no last.pt (a job killed between the two) is
    incomplete: the next run starts afresh, and the stray grid goes."""
    from tests.errors.test_cli_files import train_gan

    stray = workdir / "results" / "g" / "resume" / "samples" / "epoch_009.png"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not a grid of this run")
    code, err = run_cli(train_gan(str(good_files / "train.pt")), capsys)
    assert code == 0, err
    assert not (workdir / "results" / "g" / "resume").exists()
    assert sorted(p.name for p in (workdir / "results" / "g" / "samples").iterdir()) == ["epoch_001.png"]


CLASSIFIER_OUTPUTS = {
    "model": "results/classifiers/c/model.pt",
    "history": "results/classifiers/c/history.parquet",
    "resume": "results/classifiers/c/resume/last.pt",
}


def _train_classifier(good_files: Path) -> list[str]:
    from tests.errors.test_cli_files import CLF_SPEC, j
    from tests.jobs import job_argv

    inputs = {"train": str(good_files / "train.pt"), "test": str(good_files / "test.pt")}
    return job_argv("train-classifier", j({"name": "c", "classifier": CLF_SPEC}), inputs, CLASSIFIER_OUTPUTS)


def _full_at(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Writing ``name`` fails with ENOSPC: its temporary file (torch.save, pyarrow) or its lock file."""
    import pyarrow.parquet as pq
    import torch

    real_save, real_write, real_open = torch.save, pq.write_table, os.open

    def full(where: object) -> bool:
        return f".{name}." in str(getattr(where, "name", where))

    def save(obj, f, *args, **kwargs):  # type: ignore[no-untyped-def]
        if full(f):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_save(obj, f, *args, **kwargs)

    def write_table(table, where, *args, **kwargs):  # type: ignore[no-untyped-def]
        if full(where):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(table, where, *args, **kwargs)

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path) == f".{name}" and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(torch, "save", save)
    monkeypatch.setattr(pq, "write_table", write_table)
    monkeypatch.setattr(os, "open", open_)


@pytest.mark.parametrize("where", ["last.pt", "model.pt", "history.parquet", "model.pt.lock"])
def test_train_classifier_on_a_full_disk_leaves_no_empty_folder_and_no_partial_set(
    where: str, good_files: Path, workdir: Path, capsys
) -> None:
    """The disk fills at the first resume state, the model, its history or a lock file: one line,
    no empty folder (the folders made for the lock files went too), the model never without its
    history; the resume state of a finished training stays (freeing space and running again
    resumes from it), and the run then completes."""
    argv = _train_classifier(good_files)
    with pytest.MonkeyPatch.context() as full:
        _full_at(full, where)
        code, err = run_cli(argv, capsys)
    named = "results/classifiers/c/" + (
        "resume/last.pt" if where == "last.pt" else where.removesuffix(".lock")
    )
    assert_one_line_error(code, err, f"no space left on device: {named}")
    left = sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*"))
    if where in ("last.pt", "model.pt.lock"):
        assert left == []
    else:  # trained: its resume state is kept, nothing else
        assert [p for p in left if Path(workdir / p).is_file()] == [CLASSIFIER_OUTPUTS["resume"]]
    assert not [p for p in workdir.rglob("*") if p.is_dir() and not any(p.iterdir())], left
    code, err = run_cli(argv, capsys)
    assert code == 0, err
    assert sorted(p.name for p in (workdir / "results" / "classifiers" / "c").iterdir()) == [
        "history.parquet",
        "model.pt",
    ]
