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
