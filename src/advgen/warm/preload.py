"""What the warm server imports before it forks: what the jobs of a run import, once for all.

:func:`preload` imports :data:`PRELOAD`, every ``advgen`` command module, the job kinds and the
packaged schemas, then TorchDynamo, without initialising CUDA; :func:`entry_point` is the
function a forked child runs with the job's arguments (:mod:`advgen.warm.server`).
"""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

#: what the server imports before it forks: what the jobs import (the command modules too)
PRELOAD = (
    "numpy",
    "torch",
    "torch.nn",
    "torch.optim",
    "torch.func",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "pyarrow.dataset",  # pandas' read_parquet imports it on first use
    "scipy.optimize",
    "sklearn.datasets",
    "matplotlib",
    "matplotlib.pyplot",
    "jsonschema",
    "yaml",
    "advgen.cli",
    "advgen.io",
    "advgen.checkpoints",
)


def preload(modules: Sequence[str]) -> None:
    """Import ``modules`` (and, with ``advgen.cli``, every command module, the job kinds and the
    packaged schemas), then TorchDynamo.

    Should an import ask torch whether CUDA is available, torch asks NVML instead of the CUDA
    runtime (``PYTORCH_NVML_BASED_CUDA_CHECK``, torch's documented remedy for forked processes
    that fail to initialise CUDA), so the driver is never initialised in the server; an import
    that initialised CUDA itself stops the server."""
    os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"  # the server's own: each child gets the job's
    for name in modules:
        importlib.import_module(name)
    if "advgen.cli" in modules:
        import advgen.commands

        for info in pkgutil.iter_modules(advgen.commands.__path__):
            importlib.import_module(f"advgen.commands.{info.name}")
        # and what every job does before its command runs: the job kinds' registry and the
        # packaged schemas its spec is checked against (a schema edit changes the digest: restart)
        from advgen.commands import _jobkind
        from advgen.config import preload_schemas

        _jobkind.commands()
        preload_schemas()
    torch = sys.modules.get("torch")
    if torch is not None:
        if "torch" in modules:
            # an optimizer's first step imports TorchDynamo (about 1.3 CPU s); torch.compiler.disable
            # imports it too, without running any torch operation (no thread pool starts before a fork)
            torch.compiler.disable(lambda: None)
        if torch.cuda.is_initialized():  # a forked child could not use CUDA: refuse to serve
            raise SystemExit(
                "advgen warm server: an import initialised CUDA; jobs would fail in forked children"
            )
    gc.freeze()  # the imported objects stay out of the children's collections (fewer copied pages)


def entry_point(spec: str) -> Callable[[list[str]], Any]:
    """The function ``module:function`` that a child runs with the job's arguments."""
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)
