"""A checkout that runs the Makefile's targets without an install: its ``.venv`` is this test
process's interpreter and programs (tests/workflow/test_tutorial.py, test_make_run.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests import forkserver
from tests.conftest import base_env


def fake_venv(checkout: Path) -> Path:
    """``checkout/.venv`` as ``make install`` leaves it, its programs this process's (the fork
    servers' clients unless ``ADVGEN_TEST_FORKSERVER=0``), its stamp newer than pyproject.toml."""
    venv = checkout / ".venv"
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True)
    env = base_env()
    for program in ("advgen", "snakemake"):
        target = (
            forkserver.client(program, env)
            if forkserver.enabled(env)
            else Path(shutil.which(program, path=str(Path(sys.executable).parent)) or program)
        )
        (bin_dir / program).symlink_to(target)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "activate").write_text(f'export VIRTUAL_ENV="{venv}"\nexport PATH="$VIRTUAL_ENV/bin:$PATH"\n')
    (venv / ".installed").touch()
    return bin_dir
