"""Autocast's casts made explicit (advgen.training.explicit_autocast): each device's table against
torch.autocast op by op, the report's models call for call and value for value, and the casts
under vmap, where torch.autocast does not apply. The ``cuda`` cases check CUDA's table on a GPU
(scripts/gpu/device_check.sh runs this file)."""

from __future__ import annotations

import contextlib
import copy

import pytest
import torch
import torch.nn.functional as F
from torch.func import vmap

from advgen.errors import CastPolicyMismatch
from advgen.models.registry import build_autoencoder, build_discriminator, build_generator
from advgen.training import explicit_autocast
from advgen.training.explicit_autocast import (
    POLICIES,
    CastTrace,
    ExplicitAutocast,
    cast_differences,
    require_same_casts,
)
from advgen.training.stacked import StackedModule

pytestmark = pytest.mark.usefixtures("one_thread")
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
DEVICES = ["cpu", pytest.param("cuda", marks=[cuda, pytest.mark.cuda])]

BF16 = torch.bfloat16
SHAPE = (1, 28, 28)


def _autocast(device: str = "cpu") -> torch.autocast:
    return torch.autocast(device, dtype=BF16)


def _ops(device: str = "cpu"):
    """(name, call on float32 / bfloat16 inputs): ops of each rule of the tables and ops they leave alone."""
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(6, 6, generator=g).to(device), torch.randn(6, 6, generator=g).to(device)
    img, w = torch.randn(2, 3, 8, 8, generator=g).to(device), torch.randn(4, 3, 3, 3, generator=g).to(device)
    half, labels = a.to(BF16), torch.tensor([0, 1, 2, 3, 4, 5], device=device)
    mean, var, one = torch.zeros(6, device=device), torch.ones(6, device=device), torch.ones(6, device=device)
    return [
        ("mm", lambda: torch.mm(a, b)),
        ("matmul (@)", lambda: a @ b),
        ("bmm", lambda: torch.bmm(a[None], b[None])),
        ("linear", lambda: F.linear(a, b, b[0])),
        ("conv2d", lambda: F.conv2d(img, w)),
        ("conv_transpose2d", lambda: F.conv_transpose2d(img, w.transpose(0, 1))),
        ("mse_loss", lambda: F.mse_loss(half, a)),
        ("cross_entropy", lambda: F.cross_entropy(half, labels)),
        ("binary_cross_entropy_with_logits", lambda: F.binary_cross_entropy_with_logits(half, a.sigmoid())),
        ("cat", lambda: torch.cat([half, a])),
        ("stack", lambda: torch.stack([half, half])),
        ("addcmul", lambda: torch.addcmul(a, half, half)),
        ("softplus", lambda: F.softplus(half)),
        ("exp", lambda: half.exp()),
        ("pow", lambda: half**2),
        ("sum", lambda: half.sum()),
        ("log_softmax", lambda: half.log_softmax(1)),
        ("layer_norm", lambda: F.layer_norm(half, (6,))),
        ("normalize", lambda: F.normalize(torch.mv(a, b[0]), dim=0)),  # spectral norm's power iteration
        ("leaky_relu", lambda: F.leaky_relu(a, 0.2)),
        ("tanh", lambda: half.tanh()),
        ("batch_norm", lambda: F.batch_norm(half, mean.clone(), var.clone(), one, None, True)),
    ]


NAMES = [name for name, _ in _ops()]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", NAMES)
def test_each_op_is_cast_as_torch_autocast_casts_it(device, name):
    """Same dtype, same numbers; batch norm, computed from a float32 input (the module docstring),
    within a bfloat16 rounding where autocast's kernel takes the mixed input directly (CUDA)."""
    call = dict(_ops(device))[name]
    with _autocast(device):
        real = call()
    with ExplicitAutocast(device, BF16):
        explicit = call()
    assert explicit.dtype == real.dtype, name
    if name == "batch_norm" and device != "cpu":
        ulp = 2**-7 * float(real.float().abs().max())
        torch.testing.assert_close(explicit.float(), real.float(), rtol=0, atol=ulp)
    else:
        assert torch.equal(explicit, real), name


def test_autocast_does_not_apply_under_vmap_and_the_explicit_casts_do():
    """The reason for the module: nn.Linear's call (F.linear with a bias) under vmap stays float32
    inside torch.autocast (torch 2.15, CPU: the batching rule runs below the autocast keys; without
    a bias it decomposes into a matmul that autocast does cast); under the explicit casts it is
    bfloat16 and, replicate by replicate, autocast's unbatched result within a bfloat16 rounding."""
    g = torch.Generator().manual_seed(1)
    w, b, x = (
        torch.randn(3, 5, 7, generator=g),
        torch.randn(3, 5, generator=g),
        torch.randn(3, 4, 7, generator=g),
    )
    with _autocast():
        assert vmap(F.linear)(x, w, b).dtype == torch.float32
        unbatched = torch.stack([F.linear(*args) for args in zip(x, w, b, strict=True)])
    with ExplicitAutocast("cpu", BF16):
        batched = vmap(F.linear)(x, w, b)
    assert batched.dtype == unbatched.dtype == BF16
    ulp = 2**-7 * float(unbatched.float().abs().max())
    torch.testing.assert_close(batched.float(), unbatched.float(), rtol=0, atol=ulp)


def _report_pair(device="cpu"):
    """The report GAN's pair (config/config.yaml's mnist_report, narrower): G, D and z's size."""
    torch.manual_seed(0)
    G, D = build_generator("dcgan28", 16, SHAPE, {"ngf": 4}), build_discriminator("conv_sn", SHAPE)
    return G.to(device), D.to(device), 16


def _mlp_pair(device="cpu"):
    torch.manual_seed(0)
    G, D = build_generator("mlp_small", 8, SHAPE), build_discriminator("mlp_small", SHAPE, {"dropout": 0.0})
    return G.to(device), D.to(device), 8


def _step(G, D, context, z, x):
    """One forward under ``context`` and a backward in float32, on copies: (logits, grads of G and D)."""
    G, D = copy.deepcopy(G), copy.deepcopy(D)
    with context:
        logits = torch.cat([D(G(z)), D(x)]).float()
    logits.square().mean().backward()
    return logits, [p.grad for p in (*G.parameters(), *D.parameters())]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("pair", [_mlp_pair, _report_pair], ids=["mlp", "report_dcgan28_conv_sn"])
def test_a_gan_step_under_the_explicit_casts_is_autocasts(pair, device):
    """Call for call the same dtypes, and on the CPU the same numbers: bit for bit without batch
    norm; with it (the report's generator) the output bit for bit and the gradients within float32
    rounding. On a GPU within a bfloat16 rounding (batch norm's kernel, atomics in backward)."""
    G, D, z_dim = pair(device)
    z, x = torch.randn(6, z_dim, device=device), torch.rand(6, *SHAPE, device=device)
    assert cast_differences(lambda: _step(G, D, contextlib.nullcontext(), z, x), device, BF16) == []
    real_out, real_grads = _step(G, D, _autocast(device), z, x)
    out, grads = _step(G, D, ExplicitAutocast(device, BF16), z, x)
    if device != "cpu":
        torch.testing.assert_close(out, real_out, rtol=2**-6, atol=1e-3)
        return
    assert torch.equal(out, real_out)
    names = [f"G.{n}" for n, _ in G.named_parameters()] + [f"D.{n}" for n, _ in D.named_parameters()]
    norms = torch.nn.BatchNorm1d | torch.nn.BatchNorm2d
    batch_norm = {f"G.{n}.weight" for n, m in G.named_modules() if isinstance(m, norms)}
    for name, a, b in zip(names, grads, real_grads, strict=True):
        if name in batch_norm:  # computed from a float32 input: float32 rounding
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-9, msg=name)
        else:
            assert torch.equal(a, b), name


@pytest.mark.parametrize("device", DEVICES)
def test_the_conv_autoencoder_under_the_explicit_casts_is_autocasts(device):
    torch.manual_seed(0)
    ae = build_autoencoder("conv", SHAPE, 6, {"width": 4}).to(device)
    x = torch.rand(8, *SHAPE, device=device)
    assert cast_differences(lambda: copy.deepcopy(ae)(x), device, BF16) == []
    outputs = []
    for context in (_autocast(device), ExplicitAutocast(device, BF16)):
        with context:
            recon, z = copy.deepcopy(ae)(x)
        assert recon.dtype == z.dtype == BF16
        outputs.append((recon.float(), z.float()))
    for a, b in zip(*outputs, strict=True):
        if device == "cpu":
            assert torch.equal(a, b)
        else:
            torch.testing.assert_close(a, b, rtol=2**-6, atol=1e-3)


@pytest.mark.parametrize("device", DEVICES)
def test_the_stacked_report_pair_runs_in_bfloat16_within_rounding_of_each_seed(device):
    """Three seeds stacked: each seed's logits as its own model gives them under autocast, within
    two bfloat16 roundings of the batched kernels (forward only: the step's gradients are
    compared through training in tests/unit/test_gan_replicates.py)."""
    pairs = []
    for seed in range(3):
        torch.manual_seed(seed)
        G, D = build_generator("dcgan28", 16, SHAPE, {"ngf": 4}), build_discriminator("conv_sn", SHAPE)
        pairs.append((G.to(device), D.to(device)))
    SG, SD = StackedModule([g for g, _ in pairs], "g"), StackedModule([d for _, d in pairs], "d")
    z = torch.randn(3, 6, 16, generator=torch.Generator().manual_seed(2)).to(device)
    with ExplicitAutocast(device, BF16):
        stacked = SD(SG(z))
    assert stacked.dtype == BF16
    with _autocast(device):
        single = torch.stack([d(g(zi)) for (g, d), zi in zip(pairs, z, strict=True)]).detach()
    scale = float(single.float().abs().max())
    torch.testing.assert_close(stacked.float(), single.float(), rtol=2**-7, atol=2**-7 * scale)


def test_an_op_the_table_misses_is_named_and_refused(monkeypatch):
    """A table without conv2d: the check names the first call whose dtype differs, and a stacked
    run refuses to go on (its seeds then train one after another)."""
    _, D, _ = _report_pair()
    x = torch.rand(4, *SHAPE)
    table = {k: v for k, v in POLICIES["cpu"].items() if k != "conv2d"}
    monkeypatch.setitem(explicit_autocast.POLICIES, "cpu", table)
    differences = cast_differences(lambda: copy.deepcopy(D)(x), "cpu", BF16)
    assert differences and differences[0].startswith("conv2d #")
    assert "autocast bfloat16, explicit float32" in differences[0]
    with pytest.raises(CastPolicyMismatch, match="conv2d #.*train the replicates sequentially"):
        require_same_casts(lambda: copy.deepcopy(D)(x), torch.device("cpu"), BF16, "D")


def test_the_check_leaves_the_random_streams_where_they_were():
    D = build_discriminator("mlp_small", SHAPE, {"dropout": 0.5})  # dropout draws from the global stream
    x = torch.rand(4, *SHAPE)
    torch.manual_seed(3)
    before = torch.get_rng_state()
    require_same_casts(lambda: copy.deepcopy(D)(x), torch.device("cpu"), BF16, "D")
    assert torch.equal(torch.get_rng_state(), before)


def test_the_trace_records_calls_and_output_dtypes():
    with CastTrace() as trace:
        torch.ones(2).exp()
        F.linear(torch.ones(1, 2), torch.ones(3, 2)).to(BF16)
    assert [name for name, _ in trace.calls] == ["ones", "exp", "ones", "ones", "linear", "to"]
    assert trace.calls[-1][1] == (BF16,) and trace.calls[1][1] == (torch.float32,)


def test_unknown_device_types_and_the_cuda_tables_ban():
    with pytest.raises(ValueError, match="no autocast tables for device type 'mps'"):
        ExplicitAutocast("mps")
    assert POLICIES["cuda"]["binary_cross_entropy"] == "banned"
    assert POLICIES["cuda"]["softplus"] == "fp32" and "softplus" not in POLICIES["cpu"]
    assert POLICIES["cuda"]["sum"] == "fp32_dtype" and POLICIES["cpu"]["mse_loss"] == "fp32"
    # a composite whose parts autocast casts on CUDA: the quotient by a float32 norm is float32
    assert POLICIES["cuda"]["normalize"] == "fp32" and "normalize" not in POLICIES["cpu"]
