"""advgen.provenance: the code digest, the records in checkpoints and tables, `advgen provenance`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advgen import provenance
from advgen.cli import main as cli_main
from advgen.provenance_page import ProvenancePageSpec
from tests.jobs import job_argv


def test_digest_covers_sources_and_package_data(tmp_path: Path) -> None:
    root = tmp_path / "advgen"
    shutil.copytree(provenance.package_root(), root, ignore=shutil.ignore_patterns("__pycache__"))
    before = provenance.digest_tree(root)
    assert before == provenance.digest_tree(root)
    (root / "__pycache__").mkdir(exist_ok=True)
    (root / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert provenance.digest_tree(root) == before  # bytecode is not source
    schema = root / "schemas" / "data.schema.yaml"
    schema.write_text(schema.read_text() + "\n# edited\n")
    after_schema = provenance.digest_tree(root)
    assert after_schema != before
    (root / "gan" / "train.py").write_text((root / "gan" / "train.py").read_text() + "\n")
    assert provenance.digest_tree(root) not in (before, after_schema)


def test_installed_digest_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(provenance.CODE_ENV, raising=False)
    digest = provenance.code_digest()
    assert digest == provenance.digest_tree(provenance.package_root()) and len(digest) == 64
    monkeypatch.setenv(provenance.CODE_ENV, "f" * 64)
    assert provenance.code_digest() == "f" * 64


def test_checkpoint_and_table_record_code_and_spec(tmp_path: Path) -> None:
    import pandas as pd
    import torch

    from advgen.checkpoints import load_torch, save_torch
    from advgen.io import write_parquet

    spec = {"seed": 1, "lr": 0.1}
    save_torch({"kind": "x", "config": spec, "w": torch.ones(2)}, tmp_path / "a.pt")
    rec = load_torch(tmp_path / "a.pt")[provenance.CHECKPOINT_KEY]
    assert rec == {"code": provenance.code_digest(), "spec": provenance.spec_digest(spec)}
    assert provenance.checkpoint_provenance(tmp_path / "a.pt") == rec  # read back without torch
    provenance.note_job_spec(spec)
    write_parquet(pd.DataFrame({"eps": [0.1]}), tmp_path / "t.parquet")
    assert provenance.parquet_provenance(tmp_path / "t.parquet") == rec
    assert list(pd.read_parquet(tmp_path / "t.parquet").columns) == ["eps"]  # metadata, not a column
    provenance.note_job_spec(None)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = cli_main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def test_provenance_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import pandas as pd
    import torch

    from advgen.checkpoints import save_torch
    from advgen.io import write_parquet

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(provenance.CODE_ENV, "a" * 64)
    save_torch({"kind": "x", "w": torch.ones(1)}, "results/m/model.pt")
    write_parquet(pd.DataFrame({"eps": [0.1]}), "results/t.parquet")
    save_torch({"kind": "resume"}, "results/m/resume/last.pt")  # not an output
    assert _run(["provenance", "results"], capsys)[0] == 0
    monkeypatch.setenv(provenance.CODE_ENV, "b" * 64)  # the code changed since
    pd.DataFrame({"eps": [0.2]}).to_parquet("results/old.parquet")  # written without a record
    write_parquet(pd.DataFrame({"eps": [0.1]}), "results/new.parquet")
    code, out, _ = _run(["provenance", "results"], capsys)
    assert code == 1
    assert "results/m/model.pt: built by code aaaaaaaaaaaaaaaa" in out
    assert "results/old.parquet: no provenance record" in out and "new.parquet" not in out
    assert "resume" not in out
    assert "snakemake --cores all --forcerun results/m/model.pt results/old.parquet results/t.parquet" in out
    code, _, err = _run(["provenance", "missing"], capsys)
    assert code == 2 and err.strip() == "advgen provenance: error: missing: results folder not found"


def page_argv(options: str) -> list[str]:
    """The workflow's ``provenance`` job on ``results/``, writing ``p.html`` and ``p.rst``."""
    spec = ProvenancePageSpec(snakemake_options=options, code=provenance.code_digest())
    return job_argv("provenance-page", spec, {"results": "results"}, {"html": "p.html", "rst": "p.rst"})


def test_provenance_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The workflow's job (``advgen provenance-page``): both views written, exit 0 even when stale."""
    import pandas as pd

    from advgen.io import write_parquet

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(provenance.CODE_ENV, "a" * 64)
    write_parquet(pd.DataFrame({"eps": [0.1]}), "results/t.parquet")
    argv = page_argv("-c 2")
    assert _run(argv, capsys)[0] == 0
    assert "All 1 checkpoints and tables under results/ were built" in Path("p.rst").read_text()
    assert "<pre>" not in Path("p.html").read_text()
    monkeypatch.setenv(provenance.CODE_ENV, "b" * 64)
    write_parquet(pd.DataFrame({"eps": [0.1]}), "results/u.parquet")
    code, out, _ = _run(argv, capsys)
    assert code == 0 and "results/t.parquet: built by code aaaaaaaaaaaaaaaa" in out
    page = Path("p.html").read_text()
    assert "1 of 2 checkpoints and tables under results/ were not built" in page
    assert "<pre>snakemake -c 2 --forcerun results/t.parquet</pre>" in page
    assert "<code>results/u.parquet</code>" not in page
    assert "under Provenance in this report" in Path("p.rst").read_text()


def test_unreadable_checkpoint_has_no_record(tmp_path: Path) -> None:
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    assert provenance.checkpoint_provenance(tmp_path / "bad.pt") is None
    (tmp_path / "bad.parquet").write_bytes(b"garbage")
    assert provenance.parquet_provenance(tmp_path / "bad.parquet") is None


def test_provenance_pages_print_their_summary_only_once_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A write that fails (a full disk) is the one line; no summary printed before it."""
    import errno
    import os

    import pandas as pd

    from advgen.io import write_parquet

    monkeypatch.chdir(tmp_path)
    write_parquet(pd.DataFrame({"eps": [0.1]}), "results/t.parquet")
    real = Path.write_text

    def full(self: Path, *args: object, **kwargs: object) -> int:
        if self.name.startswith(".p.html."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    code, out, err = _run(page_argv("--cores all"), capsys)
    assert code == 2 and out == ""
    assert err.strip() == "advgen provenance-page: error: no space left on device: p.html"
    assert not Path("p.html").exists()
