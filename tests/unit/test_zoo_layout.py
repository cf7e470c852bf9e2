"""ConvNet keeps its weights channels_last (faster CPU conv / max-pool) and its state dict NCHW."""

from __future__ import annotations

import pytest
import torch

from advgen.classifiers.zoo import build_classifier

pytestmark = pytest.mark.usefixtures("one_thread")


def test_convnet_runs_channels_last_and_saves_contiguous_weights() -> None:
    torch.manual_seed(0)
    model = build_classifier("cnn_small", (1, 8, 8), 10, 0.25)
    conv = model.conv[3].weight  # the first conv has one input channel: both layouts at once
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    state = model.state_dict()
    assert all(v.is_contiguous() for v in state.values()), "checkpoints keep the NCHW layout"
    assert torch.equal(state["conv.3.weight"], conv.detach())
    twin = build_classifier("cnn_small", (1, 8, 8), 10, 0.25)
    twin.load_state_dict(state)
    x = torch.rand(5, 1, 8, 8)
    assert torch.equal(model(x), twin(x))
    nchw = build_classifier("cnn_small", (1, 8, 8), 10, 0.25).to(memory_format=torch.contiguous_format)
    nchw.load_state_dict(state)
    assert torch.allclose(model(x), nchw(x), atol=1e-5), "same function up to float rounding"
    loss = model(x.requires_grad_(True)).sum()
    (grad,) = torch.autograd.grad(loss, x)
    assert grad.shape == x.shape and torch.isfinite(grad).all()


def test_pooling_before_relu_is_the_same_function_and_gradient() -> None:
    """conv -> pool -> ReLU equals conv -> ReLU -> pool exactly, ties included (zero background
    patches give equal pre-activations, all positive or all negative)."""
    torch.manual_seed(0)
    model = build_classifier("cnn_small", (1, 12, 12), 10, 0.25).to(memory_format=torch.contiguous_format)
    conv = model.conv
    reference = torch.nn.Sequential(conv[0], conv[2], conv[1], conv[3], conv[5], conv[4], conv[6])
    assert [type(m).__name__ for m in reference] == ["Conv2d", "ReLU", "MaxPool2d"] * 2 + ["Flatten"]
    with torch.no_grad():
        conv[0].bias[:4] = 0.3  # positive ties on the blank half
        conv[0].bias[4:] = -0.3  # negative ties
    x = torch.rand(6, 1, 12, 12)
    x[:, :, :, :6] = 0.0
    x1, x2 = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    y1, y2 = conv(x1), reference(x2)
    assert torch.equal(y1, y2)
    (g1,) = torch.autograd.grad(y1.sum() + (y1**2).sum(), x1)
    (g2,) = torch.autograd.grad(y2.sum() + (y2**2).sum(), x2)
    assert torch.equal(g1, g2) and g1.abs().sum() > 0


def test_autoencoder_runs_channels_last_and_saves_contiguous_weights() -> None:
    from advgen.models.autoencoder import ConvAutoencoder

    torch.manual_seed(0)
    ae = ConvAutoencoder((1, 8, 8), z_dim=4, width=4).eval()
    deconv = ae.decoder.deconv[0].weight
    assert deconv.is_contiguous(memory_format=torch.channels_last) and not deconv.is_contiguous()
    state = ae.state_dict()
    assert all(v.is_contiguous() for v in state.values()), "checkpoints keep the NCHW layout"
    nchw = ConvAutoencoder((1, 8, 8), z_dim=4, width=4).to(memory_format=torch.contiguous_format).eval()
    nchw.load_state_dict(state)
    x = torch.rand(3, 1, 8, 8)
    assert torch.allclose(ae(x)[0], nchw(x)[0], atol=1e-6), "same function up to float rounding"
