"""The warm server never initialises CUDA; each job (a forked child) initialises its own.

A server with the product's preload (advgen.warm.preload.PRELOAD and every command module) runs a
probe instead of the advgen command line: the child reports whether CUDA was initialised when
it was forked (what the server's state was), then, with a CUDA device, computes on it. CUDA
initialised before a fork cannot be used in the child, so a server that had initialised it
would break every GPU job; it refuses to start instead (advgen.warm.preload.preload)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from tests import forkserver
from tests.conftest import base_env

PROBE = """
import json, sys
import torch

def main(argv):
    report = {"initialised_at_fork": torch.cuda.is_initialized()}
    if argv[:1] == ["cuda"]:
        x = torch.ones(4, device="cuda")
        report["sum"] = float((x * 2).sum().item())
        report["initialised_after"] = torch.cuda.is_initialized()
    print(json.dumps(report))
    return 0
"""


@pytest.fixture(scope="module")
def probe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[forkserver.ForkServer]:
    folder = tmp_path_factory.mktemp("cuda_probe")
    (folder / "cuda_probe.py").write_text(PROBE)
    env = base_env()
    env["PYTHONPATH"] = f"{folder}{os.pathsep}{env['PYTHONPATH']}"
    server = forkserver.ForkServer(env, "advgen", entry="cuda_probe:main")
    yield server
    server.stop()


def probe(server: forkserver.ForkServer, *args: str) -> dict:
    proc = subprocess.run([str(server.client), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_server_has_not_initialised_cuda(probe_server: forkserver.ForkServer) -> None:
    assert probe(probe_server) == {"initialised_at_fork": False}


@pytest.mark.cuda
def test_each_job_initialises_and_uses_cuda(probe_server: forkserver.ForkServer) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    for _ in range(2):  # a second job too: the first one's CUDA stayed in its own process
        assert probe(probe_server, "cuda") == {
            "initialised_at_fork": False,
            "sum": 8.0,
            "initialised_after": True,
        }


def test_preload_refuses_a_server_that_initialised_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module whose import initialised CUDA (simulated: torch.cuda.is_initialized reports it):
    the server says why and does not start."""
    import torch

    from advgen.warm.preload import preload

    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    monkeypatch.setenv("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # what preload sets: undone after the test
    with pytest.raises(SystemExit, match="an import initialised CUDA"):
        preload(["torch"])
