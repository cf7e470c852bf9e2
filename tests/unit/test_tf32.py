"""Float32 precision, stated (advgen.precision) and TF32 on request (advgen.training.tf32): every
job computes IEEE float32 on every backend; ``speed.fp32_precision: tf32`` rounds the operands of
convolutions and matrix products, forward and backward, the same way on every host."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.func import grad, vmap

from advgen.gan.runner import GanOutputs, train_gan
from advgen.gan.train import GanRun
from advgen.precision import FP32_SETTINGS, fp32_precisions, ieee_float32
from advgen.specs import spec_dict
from advgen.training.speed import Speed
from advgen.training.speed_spec import SpeedSpec
from advgen.training.tf32 import TF32Operands, native_tf32, round_to_tf32, tf32
from tests.unit.gen_helpers import ae_spec, gan_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")


def reference_tf32(x: np.ndarray) -> np.ndarray:
    """TF32 rounding by integer arithmetic on the bit patterns (to nearest, ties to even)."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    low = bits & 0x1FFF
    kept = bits - low
    up = (low > 0x1000) | ((low == 0x1000) & (((bits >> 13) & 1) == 1))
    return (kept + np.where(up, 0x2000, 0)).astype(np.uint32).view(np.float32)


def test_rounding_keeps_ten_mantissa_bits_to_nearest_ties_to_even() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(50_000, generator=g) * torch.exp(torch.randn(50_000, generator=g) * 8)
    ties = torch.tensor([1 + 2**-11, 1 + 3 * 2**-11, -(1 + 2**-11), 1 + 2**-11 + 2**-20])
    x = torch.cat([x, ties])
    rounded = round_to_tf32(x)
    assert np.array_equal(rounded.numpy(), reference_tf32(x.numpy()))
    assert rounded[-4:].tolist() == [1.0, 1 + 4 * 2**-11, -1.0, 1 + 2**-10]  # ties to even, then up
    assert float((rounded / x - 1).abs().max()) <= 2**-11  # half a unit of the 10th bit
    special = torch.tensor([float("inf"), -float("inf"), float("nan"), 3.4028235e38, 0.0, -0.0])
    out = round_to_tf32(special)
    assert out[:2].tolist() == [float("inf"), -float("inf")] and out[2].isnan()
    assert out[3] == float("inf")  # past TF32's largest finite value: infinity, as float32 rounds
    assert out[4:].tolist() == [0.0, 0.0] and out[5].signbit()


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "linear", "matmul"])
def test_operands_and_output_gradients_are_rounded(op: str) -> None:
    """Forward on rounded input and weight, backward on the rounded output gradient; the bias
    added in float32."""
    torch.manual_seed(0)
    shapes = {
        "conv2d": ((4, 3, 8, 8), (5, 3, 3, 3), 5, lambda x, w, b: F.conv2d(x, w, b, padding=1)),
        "conv_transpose2d": (
            (4, 3, 4, 4),
            (3, 5, 4, 4),
            5,
            lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1),
        ),
        "linear": ((6, 7), (5, 7), 5, F.linear),
        "matmul": ((2, 6, 7), (7, 5), 0, lambda x, w, b: x @ w),
    }
    x_shape, w_shape, n_bias, call = shapes[op]
    x, w = torch.randn(x_shape, requires_grad=True), torch.randn(w_shape, requires_grad=True)
    b = torch.randn(n_bias, requires_grad=True) if n_bias else None
    with TF32Operands():
        out = call(x, w, b)
    g = torch.randn_like(out)
    out.backward(g)

    xr = round_to_tf32(x.detach()).requires_grad_()
    wr = round_to_tf32(w.detach()).requires_grad_()
    plain = call(xr, wr, None)
    gx, gw = torch.autograd.grad(plain, (xr, wr), round_to_tf32(g))
    if b is not None:
        plain = plain + (b.detach() if op == "linear" else b.detach().reshape(-1, 1, 1))
    assert torch.equal(out, plain)
    assert torch.equal(x.grad, gx) and torch.equal(w.grad, gw)
    assert not torch.equal(out, call(x, w, b))  # IEEE float32 outside the mode differs
    if b is not None:  # the bias's gradient: the unrounded output gradient, summed in float32
        dims = (0,) if op == "linear" else (0, 2, 3)
        assert torch.allclose(b.grad, g.sum(dims), rtol=1e-6, atol=1e-5)
        assert not torch.allclose(b.grad, round_to_tf32(g).sum(dims), rtol=1e-6, atol=1e-5)


def test_other_dtypes_and_autocast_run_as_they_are() -> None:
    torch.manual_seed(0)
    x, w = torch.randn(4, 3, 8, 8, dtype=torch.float64), torch.randn(5, 3, 3, 3, dtype=torch.float64)
    with TF32Operands():
        same = F.conv2d(x, w)
    assert torch.equal(same, F.conv2d(x, w))
    x32, w32 = x.float(), w.float()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        expected = F.conv2d(x32, w32)
        with TF32Operands():
            got = F.conv2d(x32, w32)
    assert got.dtype == torch.bfloat16 and torch.equal(got, expected)


def test_the_rounding_holds_under_vmap() -> None:
    """Stacked seeds (vmap) see the same rounding: their gradients are the per-seed ones up to
    the batched kernels' float32 rounding, and differ from IEEE float32 by TF32's."""

    def loss(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, w).square().mean()

    torch.manual_seed(0)
    ws, xs = torch.randn(3, 5, 3, 3, 3), torch.randn(3, 2, 3, 8, 8)
    with TF32Operands():
        stacked = vmap(grad(loss))(ws, xs)
        one_by_one = torch.stack([grad(loss)(w, x) for w, x in zip(ws, xs, strict=True)])
    ieee = vmap(grad(loss))(ws, xs)
    scale = float(one_by_one.abs().max())
    assert float((stacked - one_by_one).abs().max()) < 1e-5 * scale
    assert float((ieee - one_by_one).abs().max()) > 1e-4 * scale


def test_a_cpu_emulates_tf32() -> None:
    assert not native_tf32("cpu")
    with tf32("cpu") as how:
        assert how == "emulated"
        x, w = torch.randn(2, 3, 5, 5), torch.randn(4, 3, 3, 3)
        assert torch.equal(F.conv2d(x, w), F.conv2d(round_to_tf32(x), round_to_tf32(w)).clone())
    assert not torch.equal(F.conv2d(x, w), F.conv2d(round_to_tf32(x), round_to_tf32(w)))


def test_every_job_computes_ieee_float32() -> None:
    from advgen.jobs import start_job

    torch.backends.mkldnn.conv.fp32_precision = "tf32"
    torch.backends.cudnn.conv.fp32_precision = "tf32"  # torch's default for cuDNN
    try:
        with start_job({"seed": 0}, device="cpu"):
            assert fp32_precisions() == {f"{b}.{op}": "ieee" for b, op in FP32_SETTINGS}
    finally:
        ieee_float32()


def test_a_spec_without_the_key_keeps_its_digest_and_ieee() -> None:
    spec = gan_spec()
    assert spec.speed.fp32_precision is None and not spec.speed.tf32
    assert "fp32_precision" not in spec_dict(spec)["speed"]  # earlier runs' spec digests stand
    speed = Speed(SpeedSpec("off", False, False), "cpu")
    torch.manual_seed(0)
    x, w = torch.randn(2, 3, 5, 5), torch.randn(4, 3, 3, 3)
    with speed.precision():
        inside = F.conv2d(x, w)
    assert torch.equal(inside, F.conv2d(x, w)) and speed.describe().keys() == {
        "autocast",
        "channels_last",
        "fused_adam",
    }
    with pytest.raises(ValueError, match="speed.fp32_precision: unknown 'fp16'"):
        Speed(SpeedSpec("off", False, False, "fp16"), "cpu")


def test_a_gan_trained_in_tf32_says_so_and_moves_by_its_rounding(tiny_split) -> None:
    def losses(**kwargs: object) -> tuple[GanRun, torch.Tensor]:
        run = GanRun(
            gan_spec(generator="dcgan28", discriminator="conv_sn", z_dim=16, **kwargs),
            str(tiny_split / "train.pt"),
        )
        return run, torch.tensor([[float(v) for v in run.step(run.images[:16])] for _ in range(2)])

    _, ieee = losses()
    run, rounded = losses(speed={"fp32_precision": "tf32"})
    assert run.speed.active and run.speed.tf32_as == "emulated"
    assert not torch.equal(rounded, ieee)
    assert torch.allclose(rounded[:, :4], ieee[:, :4], rtol=1e-2, atol=1e-3)  # TF32's 10 bits, not more
    status = train_gan(
        gan_spec(epochs=1, speed={"fp32_precision": "tf32"}),
        tiny_split / "train.pt",
        GanOutputs.under(tiny_split / "g"),
    )
    assert status["speed"]["fp32_precision"] == "tf32 (emulated)"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_gpu_with_tensor_cores_computes_what_the_emulation_computes() -> None:
    """On a GPU of compute capability >= 8.0, torch's TF32 setting and the explicit rounding give
    a convolution and its gradients within float32 accumulation of each other, far closer than
    either is to IEEE float32."""
    if not native_tf32("cuda"):
        pytest.skip("the GPU has no TF32 tensor cores (compute capability < 8.0)")
    ieee_float32()
    torch.manual_seed(0)
    x = torch.randn(8, 16, 32, 32, device="cuda", requires_grad=True)
    w = torch.randn(32, 16, 3, 3, device="cuda", requires_grad=True)

    def run(context: object) -> list[torch.Tensor]:
        x.grad = w.grad = None
        with context:  # type: ignore[attr-defined]
            out = F.conv2d(x, w, padding=1)
            out.square().mean().backward()
        return [out.detach().clone(), x.grad.clone(), w.grad.clone()]

    native = run(tf32("cuda"))
    emulated = run(TF32Operands())
    ieee = run(torch.enable_grad())
    for n, e, i in zip(native, emulated, ieee, strict=True):
        # a GPU that rounded the operands otherwise (toward zero) would land as far from the
        # emulation as from IEEE float32
        assert float((n - e).abs().max()) < 0.25 * float((n - i).abs().max())
