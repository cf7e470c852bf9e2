"""Autocast's casts made explicit, for the forward passes of stacked seeds (``torch.func.vmap``).

``torch.autocast`` (mixed precision, Micikevicius et al. 2018, arXiv:1710.03740) casts at the
dispatcher, per ATen op, and under ``vmap`` it does not apply: a batching rule runs below the
autocast keys, so on a CPU ``F.linear`` of float32 inputs stays float32 inside ``vmap`` though it
is bfloat16 outside (functorch issue #305; checked with torch 2.15). :class:`ExplicitAutocast`
applies autocast's policy itself, as a :class:`torch.overrides.TorchFunctionMode`: before a
Python-level torch function runs, its floating-point arguments on the device are cast as
autocast's op tables for that device type cast them (``aten/src/ATen/autocast_mode.cpp`` of
torch 2.15: convolutions and matrix products to the lower precision, losses and reductions
that need range to float32, a few ops to the widest input type); every other op runs on its
inputs' dtypes, as under autocast. Weights stay float32 and their gradients arrive in float32
through the casts' backward, as under autocast; as autocast does, a weight is cast once per
context, so its uses' gradients add up in the lower precision. Under ``vmap`` each call of a
stacked model sees its weights anew (:class:`advgen.training.stacked.StackedModule`), so a model
called twice in one context (D on real and on generated images) casts them twice, and their
gradients add up in float32: a rounding difference from the per-seed run. Batch norm is the one op computed differently:
autocast runs it on a bfloat16 input with float32 weights and statistics, a mix its batching
rule refuses, so it runs here on the input cast to float32 and its output is cast back (on a
CPU the output is autocast's bit for bit, the running statistics within an ulp:
tests/unit/test_explicit_autocast.py).

The mode sees the torch functions the model code calls, not the ATen ops they decompose into.
Where autocast casts inside an op this table does not name, the two differ: :func:`cast_differences`
runs a forward pass under both, unbatched, and lists the ops whose outputs differ in dtype; a
stacked run checks its models with it on its device before it trains, and trains its seeds
one after another where it finds a difference (:class:`advgen.errors.CastPolicyMismatch`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch

from advgen.training.function_mode import CallMode

__all__ = ["POLICIES", "CastTrace", "ExplicitAutocast", "cast_differences", "require_same_casts"]

#: autocast's ops cast to the lower precision, on every device type it has tables for
_LOWER_COMMON = (
    "conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d prelu addmm "
    "addbmm baddbmm bmm mm matmul linear linalg_vecdot scaled_dot_product_attention"
)
#: CUDA's tables (torch's AT_FORALL_LOWER_PRECISION_FP, AT_FORALL_FP32, ... lists)
_CUDA = {
    "lower": _LOWER_COMMON
    + " convolution _convolution addmv addr einsum mv chain_matmul linalg_multi_dot lstm_cell gru_cell"
    " rnn_tanh_cell rnn_relu_cell",
    "fp32": "acos asin cosh erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt sinh tan pow softplus"
    " layer_norm rms_norm group_norm frobenius_norm nuclear_norm cosine_similarity poisson_nll_loss"
    " cosine_embedding_loss nll_loss nll_loss2d hinge_embedding_loss kl_div l1_loss smooth_l1_loss"
    " huber_loss mse_loss margin_ranking_loss multilabel_margin_loss soft_margin_loss"
    " triplet_margin_loss multi_margin_loss binary_cross_entropy_with_logits dist pdist cdist renorm"
    " logsumexp upsample_nearest1d upsample_nearest2d upsample_nearest3d upsample_linear1d"
    " upsample_bilinear2d upsample_trilinear3d upsample_bicubic2d"
    # Python-level ops that decompose into the table's: F.cross_entropy into log_softmax (float32
    # output) and nll_loss (float32); F.normalize divides by linalg_vector_norm (float32 output),
    # which promotes the quotient (spectral norm's power iteration)
    " cross_entropy normalize",
    "fp32_dtype": "prod softmax log_softmax cumprod cumsum linalg_vector_norm linalg_matrix_norm sum norm",
    "promote": "addcdiv addcmul atan2 bilinear cross dot vdot grid_sampler index_put tensordot scatter_add",
    "banned": "binary_cross_entropy",
    "fp32_keep": "batch_norm",
}
#: the CPU's tables
_CPU = {
    "lower": _LOWER_COMMON + " _addmm_activation mkldnn_rnn_layer _native_multi_head_attention",
    "fp32": "avg_pool3d binary_cross_entropy grid_sampler polar prod quantile nanquantile stft cdist"
    " grid_sampler_2d grid_sampler_3d trace view_as_complex cholesky cholesky_inverse cholesky_solve"
    " inverse lu_solve orgqr ormqr pinverse max_pool3d max_unpool2d max_unpool3d adaptive_avg_pool3d"
    " reflection_pad1d reflection_pad2d replication_pad1d replication_pad2d replication_pad3d mse_loss"
    " cosine_embedding_loss nll_loss nll_loss2d hinge_embedding_loss poisson_nll_loss smooth_l1_loss"
    " cross_entropy_loss cross_entropy l1_loss huber_loss margin_ranking_loss soft_margin_loss"
    " triplet_margin_loss multi_margin_loss ctc_loss kl_div multilabel_margin_loss"
    " binary_cross_entropy_with_logits linalg_cond linalg_matrix_rank linalg_solve linalg_cholesky"
    " linalg_svdvals linalg_eigvals linalg_eigvalsh linalg_inv linalg_householder_product"
    " linalg_tensorinv linalg_tensorsolve geqrf qr svd triangular_solve fractional_max_pool2d"
    " fractional_max_pool3d adaptive_max_pool3d linalg_qr linalg_cholesky_ex linalg_svd linalg_eig"
    " linalg_eigh linalg_lstsq linalg_inv_ex",
    "fp32_dtype": "",
    "promote": "stack cat index_copy",
    "banned": "",
    "fp32_keep": "batch_norm",
}
#: Python-level names of torch functions that are another name of a table's op
_ALIASES = {"__matmul__": "matmul", "__rmatmul__": "matmul", "__pow__": "pow", "__rpow__": "pow"}


def _table(lists: Mapping[str, str]) -> dict[str, str]:
    return {op: rule for rule, names in lists.items() for op in names.split()}


#: per device type, op name -> rule (lower, fp32, fp32_dtype, promote, banned, fp32_keep)
POLICIES: dict[str, dict[str, str]] = {"cuda": _table(_CUDA), "cpu": _table(_CPU)}


def _name(func: Callable[..., Any]) -> str:
    name = getattr(func, "__name__", "")
    return _ALIASES.get(name, name)


class ExplicitAutocast(CallMode):
    """Autocast's casts for ``device_type`` at ``dtype``, applied per torch function call (module docstring).

    Used as ``with ExplicitAutocast("cuda", torch.bfloat16): ...`` where ``torch.autocast`` would be.
    """

    def __init__(self, device_type: str, dtype: torch.dtype = torch.bfloat16) -> None:
        super().__init__()
        if device_type not in POLICIES:
            raise ValueError(
                f"no autocast tables for device type {device_type!r} (known: {', '.join(POLICIES)})"
            )
        self.device_type = device_type
        self.dtype = dtype
        self.policy = POLICIES[device_type]
        #: autocast's cache: a float32 leaf that requires grad (a weight) is cast once per context,
        #: so the gradients of its uses add up in the lower precision before the cast's backward
        self._cache: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def _eligible(self, t: Any) -> bool:
        return (
            isinstance(t, torch.Tensor)
            and t.is_floating_point()
            and t.dtype != torch.float64
            and t.device.type == self.device_type
        )

    def _cast(self, value: Any, dtype: torch.dtype) -> Any:
        if self._eligible(value) and value.dtype != dtype:
            if dtype == self.dtype and value.dtype == torch.float32 and value.is_leaf and value.requires_grad:
                # the source is held with its cast, so its id cannot be reused while the context lasts
                return self._cache.setdefault(id(value), (value, value.to(dtype)))[1]
            return value.to(dtype)
        if isinstance(value, list | tuple) and any(isinstance(v, torch.Tensor) for v in value):
            return type(value)(self._cast(v, dtype) for v in value)
        return value

    def _widest(self, values: Iterable[Any]) -> torch.dtype | None:
        dtypes = set()
        for v in values:
            for t in v if isinstance(v, list | tuple) else (v,):
                if self._eligible(t):
                    dtypes.add(t.dtype)
        if not dtypes:
            return None
        return torch.float32 if torch.float32 in dtypes or len(dtypes) > 1 else dtypes.pop()

    def _first_tensor(self, args: tuple[Any, ...]) -> torch.Tensor | None:
        """The call's first tensor argument where autocast would cast it (its input), else None."""
        first = next((a for a in args if isinstance(a, torch.Tensor)), None)
        return first if first is not None and self._eligible(first) else None

    def _cast_call(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], dtype: torch.dtype
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return self._cast(args, dtype), {k: self._cast(v, dtype) for k, v in kwargs.items()}

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        rule = self.policy.get(_name(func))
        if rule == "lower":
            args, kwargs = self._cast_call(args, kwargs, self.dtype)
        elif rule == "fp32":
            args, kwargs = self._cast_call(args, kwargs, torch.float32)
        elif rule == "fp32_dtype":  # autocast's fp32_set_opt_dtype / fp32_append_dtype
            if kwargs.get("dtype") is None and self._first_tensor(args) is not None:
                kwargs["dtype"] = torch.float32
        elif rule == "promote":
            widest = self._widest((*args, *kwargs.values()))
            if widest is not None:
                args, kwargs = self._cast_call(args, kwargs, widest)
        elif rule == "fp32_keep":  # computed in float32, the output in its input's dtype
            first = self._first_tensor(args)
            if first is not None and first.dtype != torch.float32:
                args, kwargs = self._cast_call(args, kwargs, torch.float32)
                return func(*args, **kwargs).to(first.dtype)
        elif rule == "banned":
            raise RuntimeError(
                f"{_name(func)} is unsafe to autocast (use its with_logits form), as under torch.autocast"
            )
        return func(*args, **kwargs)


class CastTrace(CallMode):
    """Records each torch function call's name and the dtypes of its tensor outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[torch.dtype, ...]]] = []

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        out = func(*args, **kwargs)
        outputs = out if isinstance(out, list | tuple) else (out,)
        dtypes = tuple(o.dtype for o in outputs if isinstance(o, torch.Tensor) and o.is_floating_point())
        if dtypes:
            self.calls.append((_name(func), dtypes))
        return out


def cast_differences(
    forward: Callable[[], Any], device_type: str, dtype: torch.dtype, limit: int = 3
) -> list[str]:
    """The torch function calls of ``forward()`` whose floating outputs differ in dtype between
    ``torch.autocast(device_type, dtype)`` and :class:`ExplicitAutocast` (at most ``limit``, as
    ``"conv2d #1: autocast bfloat16, explicit float32"``); empty where they agree call for call.
    ``forward`` runs twice and must leave no trace (run it on copies of the models)."""
    with torch.autocast(device_type, dtype=dtype), CastTrace() as real:
        forward()
    with ExplicitAutocast(device_type, dtype), CastTrace() as explicit:
        forward()
    if [n for n, _ in real.calls] != [n for n, _ in explicit.calls]:
        return [f"the calls differ: autocast {len(real.calls)}, explicit {len(explicit.calls)}"]
    out = []
    for i, ((name, a), (_, b)) in enumerate(zip(real.calls, explicit.calls, strict=True)):
        if a != b:
            fmt = lambda ds: "/".join(str(d).removeprefix("torch.") for d in ds)  # noqa: E731
            out.append(f"{name} #{i}: autocast {fmt(a)}, explicit {fmt(b)}")
    return out[:limit]


def require_same_casts(
    forward: Callable[[], Any], device: torch.device, dtype: torch.dtype, what: str
) -> None:
    """Raise :class:`advgen.errors.CastPolicyMismatch` where :func:`cast_differences` finds any for
    ``forward`` on ``device`` (``what``: the models, for the message). ``forward`` runs with the
    random number generators forked, so the runs that follow draw what they would have drawn."""
    from advgen.errors import CastPolicyMismatch
    from advgen.seeding import forked_torch_rng

    with forked_torch_rng(device):
        differences = cast_differences(forward, device.type, dtype)
    if differences:
        raise CastPolicyMismatch(
            f"speed: {dtype} autocast of {what} cannot be reproduced under vmap on {device.type} "
            f"({'; '.join(differences)}); train the replicates sequentially"
        )
