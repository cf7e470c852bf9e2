"""advgen's spectral norm (advgen.models.spectral) against torch's, number for number, and under vmap."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from torch.nn.utils.parametrizations import spectral_norm as torch_spectral_norm

from advgen.models.spectral import spectral_norm, spectral_normalised

pytestmark = pytest.mark.usefixtures("one_thread")


def _net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, 2, 1),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(4, 3, 2, 2),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(3 * 8 * 8, 5),
    )


def _normalised(wrap) -> nn.Module:
    torch.manual_seed(3)
    net = _net()
    for layer in net:
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            wrap(layer)
    return net


def test_the_same_draws_weights_and_updates_as_torch_s() -> None:
    """Built from the same RNG state and trained alike, both nets hold equal tensors throughout:
    the vectors' draws, the warm start, each training forward's power iteration, eval forwards."""
    ours, theirs = _normalised(spectral_norm), _normalised(torch_spectral_norm)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key
    opts = [torch.optim.Adam(net.parameters(), lr=1e-2) for net in (ours, theirs)]
    gen = torch.Generator().manual_seed(0)
    for step in range(5):
        x = torch.rand(6, 1, 8, 8, generator=gen)
        outs = []
        for net, opt in zip((ours, theirs), opts, strict=True):
            opt.zero_grad()
            out = net(x)
            out.square().mean().backward()
            opt.step()
            outs.append(out)
        assert torch.equal(outs[0], outs[1]), step
    for net in (ours, theirs):
        net.eval()
    x = torch.rand(2, 1, 8, 8, generator=gen)
    assert torch.equal(ours(x), theirs(x))
    for key, value in theirs.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key


def test_a_checkpoint_of_torch_s_loads_into_ours() -> None:
    theirs = _normalised(torch_spectral_norm)
    ours = spectral_normalised(_net())
    ours.load_state_dict(theirs.state_dict())
    x = torch.rand(2, 1, 8, 8)
    assert torch.equal(ours.eval()(x), theirs.eval()(x))


def test_stacked_under_vmap_each_replicate_updates_its_own_vectors() -> None:
    """torch's power iteration writes with ``out=``, which vmap cannot batch; ours runs stacked,
    each replicate as its own net (within float rounding of the batched kernels)."""
    nets = []
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        nets.append(spectral_normalised(_net()))
    params, buffers = stack_module_state(nets)
    base = _normalised(spectral_norm).to("meta")
    x = torch.rand(3, 4, 1, 8, 8, generator=torch.Generator().manual_seed(1))

    def one(p, b, xi):
        return functional_call(base, (p, b), (xi,))

    stacked = vmap(one)(params, buffers, x)
    for i, net in enumerate(nets):
        torch.testing.assert_close(stacked[i], net(x[i]), rtol=1e-5, atol=1e-6)
        for key, value in net.state_dict().items():
            if key.endswith(("_u", "_v")):
                torch.testing.assert_close(buffers[key][i], value, rtol=1e-5, atol=1e-6, msg=key)
    assert not torch.equal(
        buffers["0.parametrizations.weight.0._u"][0], buffers["0.parametrizations.weight.0._u"][1]
    )


def test_torch_s_own_cannot_run_stacked() -> None:
    """Why advgen has its own: torch's parametrisation fails under vmap in training mode (if a
    later torch batches it, this test says the workaround can go)."""
    nets = [_normalised(torch_spectral_norm) for _ in range(2)]
    params, buffers = stack_module_state(nets)
    base = _normalised(torch_spectral_norm).to("meta")
    x = torch.rand(2, 4, 1, 8, 8)
    with pytest.raises(RuntimeError, match="[Bb]atching rule"):
        vmap(lambda p, b, xi: functional_call(base, (p, b), (xi,)))(params, buffers, x)
