"""Speed levers of a training run (advgen.training.speed): bfloat16 autocast where the hardware
has it, NHWC weights, fused Adam; the same step as without them up to rounding."""

from __future__ import annotations

import json

import pytest
import torch

from advgen.ae.train import AeOutputs, AeRun, train_autoencoder
from advgen.errors import ConfigError
from advgen.gan.runner import GanOutputs, train_gan
from advgen.gan.train import GanRun
from advgen.training.speed import Speed, autocast_dtype, bf16_emulated, bf16_pays
from advgen.training.speed_spec import SpeedSpec
from tests.unit.gen_helpers import ae_spec, gan_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")

LEVERS = {"autocast": "bf16", "channels_last": True, "fused_adam": True}


def test_auto_takes_bfloat16_only_on_a_cpu_with_amx(monkeypatch):
    """AMX-BF16 tiles made the report GAN's step 1.4x faster; AVX512-BF16 alone (AMD EPYC) 0.93x."""
    assert autocast_dtype("off", "cpu") is None
    assert autocast_dtype("bf16", "cpu") is torch.bfloat16
    for caps in ({"avx2": True, "avx512_f": True}, {"avx512_f": True, "avx512_bf16": True}):
        monkeypatch.setattr(torch.cpu, "get_capabilities", lambda caps=caps: caps)
        assert not bf16_pays("cpu") and autocast_dtype("auto", "cpu") is None
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {"avx512_bf16": True, "amx_bf16": True})
    assert bf16_pays("cpu") and autocast_dtype("auto", "cpu") is torch.bfloat16
    with pytest.raises(ValueError, match="speed.autocast: unknown 'fp16'"):
        autocast_dtype("fp16", "cpu")


def test_no_lever_changes_nothing():
    speed = Speed(SpeedSpec("off", False, False), "cpu")
    assert not speed.active and speed.dtype is None
    assert speed.describe() == {"autocast": "off", "channels_last": False, "fused_adam": False}
    opt = speed.adam([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    assert not opt.defaults["fused"]


def _gan_losses(tiny_split, **kwargs):
    spec = gan_spec(generator="dcgan28", discriminator="conv_sn", z_dim=16, **kwargs)
    run = GanRun(spec, str(tiny_split / "train.pt"))
    out = [[float(v) for v in run.step(run.images[:16])] for _ in range(2)]
    return run, torch.tensor(out)


def test_a_gan_step_with_the_levers_is_the_plain_step_up_to_rounding(tiny_split):
    plain_run, plain = _gan_losses(tiny_split)
    run, fast = _gan_losses(tiny_split, speed=LEVERS)
    assert run.speed.active and run.opt_g.defaults["fused"] and run.opt_d.defaults["fused"]
    assert next(run.G.deconv.parameters()).is_contiguous(memory_format=torch.channels_last)
    assert not torch.equal(fast, plain)  # bfloat16 rounding moves the losses ...
    # ... by bfloat16's rounding (8 bits of mantissa), not more; g_loss, d_loss, d_real, d_fake
    assert torch.allclose(fast[:, :4], plain[:, :4], rtol=0.05, atol=0.02)
    state = run.checkpoint()["G"]
    assert all(v.is_contiguous() for v in state.values())  # checkpoints stay NCHW
    assert state.keys() == plain_run.checkpoint()["G"].keys()


def test_an_autoencoder_step_with_autocast_is_the_plain_step_up_to_rounding(tiny_split):
    def first_losses(**kwargs):
        run = AeRun(ae_spec(**kwargs), str(tiny_split / "train.pt"), str(tiny_split / "test.pt"))
        return torch.tensor([float(v.detach()) for v in run.step(run.train_images[:16])[:2]])

    plain, fast = first_losses(), first_losses(speed={"autocast": "bf16", "fused_adam": True})
    assert not torch.equal(fast, plain) and torch.allclose(fast, plain, rtol=0.05)


def test_the_outputs_say_which_levers_ran(tiny_split):
    status = train_gan(
        gan_spec(epochs=1, speed={"fused_adam": True}),
        tiny_split / "train.pt",
        GanOutputs.under(tiny_split / "g"),
    )
    assert status["speed"] == {"autocast": "off", "channels_last": False, "fused_adam": True}
    train_autoencoder(
        ae_spec(epochs=1, speed={"autocast": "bf16"}),
        tiny_split / "train.pt",
        tiny_split / "test.pt",
        AeOutputs.under(tiny_split / "a"),
    )
    metrics = json.loads(AeOutputs.under(tiny_split / "a").metrics.read_text())
    assert metrics["speed"]["autocast"] == "bf16" and metrics["status"] == "ok"


def test_levers_refuse_second_order_unrolling(tiny_split):
    path = str(tiny_split / "train.pt")
    with pytest.raises(ConfigError, match="speed: second-order unrolling"):
        GanRun(gan_spec(speed=LEVERS, unroll_k=2, unroll_order="second"), path)
    run = GanRun(gan_spec(speed={"autocast": "bf16"}, unroll_k=2), path)
    assert torch.isfinite(torch.stack(run.step(run.images[:16]))).all()  # first order takes them


@pytest.mark.parametrize(
    ("caps", "emulated"),
    [({"avx2": True}, True), ({"avx512_bf16": True}, False), ({"amx_bf16": True}, False)],
)
def test_bfloat16_is_emulated_only_without_its_instructions(monkeypatch, caps, emulated):
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: caps)
    assert bf16_emulated() is emulated


@pytest.mark.parametrize("caps", [{"avx2": True}, {"avx512_bf16": True}])
def test_check_config_warns_of_emulated_bfloat16_in_one_line(monkeypatch, capsys, caps):
    """The default study's bfloat16 entries on a CPU without bfloat16 instructions: one warning
    line naming them (each step ~6x float32 there); with AVX512-BF16, none. The check passes either way."""
    from advgen.cli import main as cli_main

    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: caps)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert cli_main(["check-config", "config/config.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "config/config.yaml: ok"
    if "avx512_bf16" in caps:
        assert err == ""
    else:
        assert err.count("\n") == 1 and err.startswith("config/config.yaml: warning: ")
        assert "gans.mnist_report, autoencoders.mnist_ae, autoencoders.mnist_ae_forced" in err
