"""CUDA graphs for the launch-bound steps: one capture per input shape, replayed every step.

At the papers' batch sizes a training step of a small network (a PGD-40 step of cnn_madry is
41 forward/backward passes of a 4-layer CNN on 50 images) is bound by kernel launches, not by
arithmetic: the GPU waits for the host. A CUDA graph records the step's kernels once and replays
them with one launch (``torch.cuda.CUDAGraph`` and ``torch.cuda.graph``, public APIs; PyTorch's
"CUDA Graphs" notes). A graph replays fixed memory addresses, so :class:`StaticStep` keeps, per
input shape, static input tensors that every call copies its inputs into, and returns copies of
the static outputs. The step function itself is a plain function of tensors: with ``capture``
off (the CPU, and the tests) the same function runs eagerly on the same static buffers, so the
graphed and the eager code path are one code path.

What a captured step may do (what the graph cannot see is frozen at capture):

* everything that changes between calls is a tensor input (the epsilon of a warm-up, the
  batch); Python numbers read inside the step are baked into the graph;
* no host synchronisation (``.item()``, ``float(t)``, ``bool(t)``, data-dependent shapes): the
  capture fails, and :class:`StaticStep` then runs that shape eagerly from then on, saying so;
* randomness from the default CUDA generator or from generators passed as ``generators``
  (registered with the graph): each replay advances them as the eager calls would, so a
  replayed step draws the numbers the eager step draws from the same generator state;
* optimizers whose state lives on the device: Adam and AdamW need ``capturable=True``
  (:func:`capturable`); SGD is graph-safe as it is.

``ADVGEN_CUDA_GRAPHS`` (``auto``, the default: on for CUDA devices; ``off``) chooses; on a CPU
there is nothing to capture and the steps run eagerly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from advgen.errors import DeviceError

log = logging.getLogger(__name__)

GRAPHS_ENV = "ADVGEN_CUDA_GRAPHS"
CHOICES = ("auto", "off")

Outputs = tuple[torch.Tensor, ...]


def graphs_enabled(device: str | torch.device) -> bool:
    """Whether steps on ``device`` are captured as CUDA graphs: on CUDA unless ``$ADVGEN_CUDA_GRAPHS=off``."""
    raw = os.environ.get(GRAPHS_ENV, "auto").strip().lower() or "auto"
    if raw not in CHOICES:
        raise DeviceError(f"{GRAPHS_ENV}: '{raw}' is not one of {', '.join(CHOICES)}")
    return raw == "auto" and torch.device(device).type == "cuda"


def capturable(device: str | torch.device) -> bool:
    """The ``capturable`` flag for an Adam/AdamW built for ``device``: its step count stays on the
    device when graphs capture the optimizer step (a CPU optimizer cannot be capturable)."""
    return graphs_enabled(device)


def match_capturable(optimizer: torch.optim.Optimizer, flag: bool) -> None:
    """After ``load_state_dict``: the optimizer's ``capturable`` flag back to ``flag`` (a state saved
    with graphs on or off, or on another device, brings its own) and each step count where that
    flag wants it (on the parameter's device when capturable, else on the CPU)."""
    for group in optimizer.param_groups:
        if "capturable" not in group:  # SGD: nothing on the host to move
            continue
        group["capturable"] = flag
        for p in group["params"]:
            state = optimizer.state.get(p, {})
            if isinstance(state.get("step"), torch.Tensor):
                state["step"] = state["step"].to(p.device if flag else "cpu", torch.float32)


@dataclass
class _Entry:
    """The static buffers (and, once captured, the graph) of one input shape."""

    inputs: list[torch.Tensor]
    calls: int = 0
    graph: torch.cuda.CUDAGraph | None = None
    outputs: Outputs = ()
    failed: str = ""


def _as_tuple(out: torch.Tensor | Sequence[torch.Tensor]) -> Outputs:
    return (out,) if isinstance(out, torch.Tensor) else tuple(out)


class StaticStep:
    """``fn(*tensors) -> tensor(s)`` run on static input buffers, captured per input shape.

    Args:
        fn: the step; takes tensors only, returns a tensor or a tuple of tensors, and does not
            synchronise with the host (module docstring).
        capture: capture CUDA graphs (CUDA only); off: run ``fn`` eagerly on the buffers.
        warmup: eager calls per shape before its capture (PyTorch runs them on a side stream
            so that lazily built state, Adam's moments and cuBLAS handles, exists first).
        max_shapes: shapes given buffers (and graphs); calls of other shapes run ``fn`` eagerly
            on the caller's tensors.
        generators: CUDA generators ``fn`` draws from besides the default one (registered with
            every graph, so each replay advances them).
        name: for the log lines.

    Every call, eager, warm-up or replayed, is one real step: nothing is run twice.
    """

    def __init__(
        self,
        fn: Callable[..., torch.Tensor | Sequence[torch.Tensor]],
        *,
        capture: bool,
        warmup: int = 2,
        max_shapes: int = 2,
        generators: Sequence[torch.Generator] = (),
        name: str = "step",
    ) -> None:
        self.fn = fn
        self.capture = bool(capture)
        self.warmup = max(1, int(warmup))
        self.max_shapes = int(max_shapes)
        self.generators = list(generators)
        self.name = name
        self._entries: dict[tuple, _Entry] = {}

    @property
    def graphs(self) -> int:
        """How many shapes are captured."""
        return sum(e.graph is not None for e in self._entries.values())

    @property
    def failures(self) -> list[str]:
        """Why captures failed (one line each)."""
        return [e.failed for e in self._entries.values() if e.failed]

    def __call__(self, *inputs: torch.Tensor) -> Outputs:
        key = tuple((tuple(t.shape), t.dtype, t.device, t.stride()) for t in inputs)
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= self.max_shapes:
                return _as_tuple(self.fn(*inputs))
            entry = self._entries[key] = _Entry([torch.empty_like(t) for t in inputs])
        with torch.no_grad():
            for static, t in zip(entry.inputs, inputs):
                static.copy_(t)
        if entry.graph is None and self.capture and not entry.failed and entry.calls >= self.warmup:
            self._capture(entry)
        if entry.graph is not None:
            entry.graph.replay()
            return tuple(o.clone() for o in entry.outputs)
        entry.calls += 1
        if not self.capture:
            return _as_tuple(self.fn(*entry.inputs))
        return self._side_stream_call(entry)

    def _side_stream_call(self, entry: _Entry) -> Outputs:
        """An eager call on a side stream (PyTorch's warm-up before a capture), joined after."""
        main = torch.cuda.current_stream()
        side = torch.cuda.Stream()
        side.wait_stream(main)
        with torch.cuda.stream(side):
            out = _as_tuple(self.fn(*entry.inputs))
        main.wait_stream(side)
        for t in out:
            t.record_stream(main)
        return out

    def _capture(self, entry: _Entry) -> None:
        graph = torch.cuda.CUDAGraph()
        try:
            for g in self.generators:
                graph.register_generator_state(g)
            with torch.cuda.graph(graph):
                outputs = _as_tuple(self.fn(*entry.inputs))
        except Exception as exc:  # noqa: BLE001 - the shape runs eagerly from now on, and the log says why
            torch.cuda.synchronize()
            first = str(exc).splitlines()[0] if str(exc) else ""
            entry.failed = f"{type(exc).__name__}: {first}"[:200]
            log.warning("%s: CUDA graph capture failed, running eagerly: %s", self.name, entry.failed)
            return
        entry.graph, entry.outputs = graph, outputs
        shape = "x".join(map(str, entry.inputs[0].shape)) if entry.inputs else "-"
        log.info("%s: captured a CUDA graph for inputs %s", self.name, shape)
