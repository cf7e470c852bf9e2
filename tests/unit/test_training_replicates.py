"""Seeds as a batch dimension: S stacked replicates equal S sequential runs (also across a resume)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advgen.classifiers.replicates import train_classifier_replicates
from advgen.errors import AdvgenError, StackedPassFailed
from advgen.training import stacked as stacked_module
from advgen.training.resume import TrainingStopped
from advgen.training.stacked import StackedModule, noise_layers, replicate_mode, require_stacked_pass
from tests.unit.robust_helpers import blob_split
from tests.unit.test_classifiers import spec

pytestmark = pytest.mark.usefixtures("one_thread")

SEEDS = (0, 7, 11)
NAMES = ("r0", "r7", "r11")


def _spec(mode: str, **overrides: object) -> dict:
    # 40 examples, batch 8: 5 steps an epoch, 20 steps in 4 epochs (PGD's eps warms up over the first)
    return spec(mode=mode, epochs=4, batch_size=8, **overrides)


def _assert_same(stacked, sequential) -> None:
    for (ck_a, hist_a), (ck_b, hist_b) in zip(stacked, sequential, strict=True):
        assert ck_a["config"] == ck_b["config"] and ck_a["name"] == ck_b["name"]
        assert ck_a["state_dict"].keys() == ck_b["state_dict"].keys()
        for k, v in ck_b["state_dict"].items():
            torch.testing.assert_close(ck_a["state_dict"][k], v, rtol=1e-4, atol=1e-5, msg=k)
        # every draw (init, shuffles, attack starts) came from the replicate's own seed stream
        assert torch.equal(ck_a["rng"]["torch"], ck_b["rng"]["torch"])
        assert ck_a["rng"]["python"] == ck_b["rng"]["python"]
        pd_a, pd_b = hist_a.drop(columns="seconds"), hist_b.drop(columns="seconds")
        assert list(pd_a.columns) == list(pd_b.columns) and len(pd_a) == 4
        for col in pd_b.columns:
            if pd_b[col].dtype.kind == "f":
                torch.testing.assert_close(
                    torch.tensor(pd_a[col].to_numpy()),
                    torch.tensor(pd_b[col].to_numpy()),
                    rtol=1e-4,
                    atol=1e-5,
                    equal_nan=True,
                    msg=col,
                )
            else:
                assert pd_a[col].tolist() == pd_b[col].tolist(), col


@pytest.mark.parametrize("mode", ["standard", "fgsm_mix", "pgd"])
def test_three_stacked_seeds_equal_three_sequential_runs(mode: str) -> None:
    train, test = blob_split(40), blob_split(30, seed=1, split="test")
    s = _spec(mode)
    kw = {"names": NAMES, "device": "cpu"}
    stacked = train_classifier_replicates(s, SEEDS, train, test, mode="stacked", **kw)
    sequential = train_classifier_replicates(s, SEEDS, train, test, mode="sequential", **kw)
    _assert_same(stacked, sequential)


@pytest.mark.parametrize(
    "point", [{"arch": "cnn_small", "width": 0.5}, {"train_fraction": 0.5}], ids=["capacity", "data_size"]
)
def test_a_sweep_point_stacked_equals_its_sequential_runs(point: dict) -> None:
    """The robustness sweeps' points stack in the workflow (advgen.pipeline.stacking): a PGD run
    at another width, or on a fixed fraction of the training set, as well."""
    train, test = blob_split(40), blob_split(30, seed=1, split="test")
    s = _spec("pgd", **point)
    kw = {"names": NAMES, "device": "cpu"}
    stacked = train_classifier_replicates(s, SEEDS, train, test, mode="stacked", **kw)
    sequential = train_classifier_replicates(s, SEEDS, train, test, mode="sequential", **kw)
    _assert_same(stacked, sequential)


def test_stacked_run_resumed_after_a_stop_equals_sequential_runs(tmp_path) -> None:
    train, test = blob_split(40), blob_split(30, seed=1, split="test")
    s = _spec("pgd", optimizer="sgd")
    kw = {"names": NAMES, "device": "cpu", "resume_dir": tmp_path / "resume"}
    with pytest.raises(TrainingStopped):
        train_classifier_replicates(s, SEEDS, train, test, mode="stacked", stop_after_epochs=2, **kw)
    assert (tmp_path / "resume" / "stacked.pt").exists()
    resumed = train_classifier_replicates(s, SEEDS, train, test, mode="stacked", **kw)
    sequential = train_classifier_replicates(s, SEEDS, train, test, mode="sequential", names=NAMES)
    _assert_same(resumed, sequential)


def test_the_choice_is_made_by_device_and_stated() -> None:
    assert replicate_mode("cpu") == "sequential" and replicate_mode("cuda:1") == "stacked"
    assert replicate_mode("cpu", "stacked") == "stacked"
    with pytest.raises(AdvgenError, match="replicates: expected one of"):
        replicate_mode("cpu", "vmap")


def test_dropout_replicates_draw_their_own_masks() -> None:
    torch.manual_seed(0)
    drop = nn.Sequential(nn.Linear(4, 256), nn.Dropout(0.5))
    assert noise_layers(drop) == ["1"] and noise_layers(nn.Sequential(nn.Dropout(0.0))) == []
    net = StackedModule([drop, drop], "discriminator")  # two equal replicates on equal inputs
    assert net.randomness == "different"
    out = net(torch.ones(2, 8, 4))
    full = drop[0](torch.ones(8, 4))
    for i in range(2):  # each replicate is dropout: units zeroed or scaled by 1 / (1 - p)
        kept = out[i] != 0
        torch.testing.assert_close(out[i][kept], 2 * full[kept])
        assert 0.3 < kept.float().mean() < 0.7
    assert not torch.equal(out[0] != 0, out[1] != 0)  # ... with its own mask
    assert StackedModule([nn.Linear(4, 4)] * 2, "generator").randomness == "error"


def test_in_place_activations_run_out_of_place_with_the_same_values() -> None:
    torch.manual_seed(0)
    models = [
        nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.LeakyReLU(0.2, True)) for _ in range(2)
    ]
    net = StackedModule(models, "generator")
    x = torch.randn(2, 5, 3)
    out = net(x)
    for i, model in enumerate(models):
        torch.testing.assert_close(out[i], model(x[i]))
        assert model[1].inplace and model[2].inplace  # the replicates themselves are unchanged


def test_batch_norm_running_statistics_are_kept_per_replicate() -> None:
    torch.manual_seed(0)
    models = [nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)) for _ in range(3)]
    net = StackedModule(models, "generator")
    x = torch.randn(3, 8, 3)
    out = net(x)
    for i, model in enumerate(models):
        torch.testing.assert_close(out[i], model(x[i]))
        torch.testing.assert_close(net.replicate_state(i)["1.running_mean"], model[1].running_mean)
        assert int(net.replicate_state(i)["1.num_batches_tracked"]) == 1


def test_pool_training_is_refused_when_stacked() -> None:
    train = blob_split(40)
    with pytest.raises(AdvgenError, match="^mode: 'pool' training cannot be stacked"):
        train_classifier_replicates(_spec("pool"), SEEDS, train, train, names=NAMES, mode="stacked")


def test_a_stacked_pass_this_torch_cannot_run_is_named_and_the_random_streams_are_kept() -> None:
    torch.manual_seed(3)
    expected = torch.rand(4)
    torch.manual_seed(3)

    def fails() -> torch.Tensor:
        torch.randn(100)  # draws, as a dropout layer would, then fails as vmap does
        raise RuntimeError("NYI: querying is_contiguous inside of vmap\nmore detail")

    with pytest.raises(
        StackedPassFailed, match=r"^GAN x/y: the stacked forward and backward pass fails on cpu "
    ):
        require_stacked_pass(fails, "cpu", "GAN x/y")
    assert torch.equal(torch.rand(4), expected)  # the run that follows draws what it would have
    with pytest.raises(StackedPassFailed, match=r"\(NYI: querying is_contiguous inside of vmap\); the seeds"):
        require_stacked_pass(fails, "cpu", "GAN x/y")

    w = torch.randn(3, requires_grad=True)
    require_stacked_pass(lambda: (w * 2).to(torch.bfloat16), "cpu", "ok")  # a pass that runs: no error
    assert w.grad is not None and torch.equal(w.grad, torch.full((3,), 2.0))


def test_stacked_weights_on_cuda_take_the_default_layout() -> None:
    """NHWC (channels_last) weights stack into tensors whose replicates are NHWC too; on CUDA they
    are copied to the default layout (cuDNN's batch norm asks its input's layout, refused under
    vmap), the same values and leaves the optimizer steps."""
    models = [nn.Conv2d(8, 16, 3).to(memory_format=torch.channels_last) for _ in range(3)]
    net = StackedModule(models, "arch")  # on the CPU: kept as stacked
    assert not net.params["weight"].is_contiguous()
    moved = stacked_module._default_layout(net.params)
    assert moved["weight"].is_contiguous() and moved["weight"].is_leaf and moved["weight"].requires_grad
    assert torch.equal(moved["weight"], net.params["weight"]) and torch.equal(
        moved["bias"], net.params["bias"]
    )
    buffers = stacked_module._default_layout({"n": torch.zeros(3, dtype=torch.long)})
    assert not buffers["n"].requires_grad


@pytest.mark.parametrize("default_layout", [False, True], ids=["cpu_layout", "cuda_layout"])
def test_stacked_convolutions_feed_batch_norm_in_the_default_layout_where_it_is_asked(
    monkeypatch, default_layout: bool
) -> None:
    """channels_last weights make the stacked convolutions' outputs NHWC (the CPU keeps that
    layout); on the devices of ``DEFAULT_LAYOUT_DEVICES`` (CUDA; here the CPU standing in for it)
    batch norm's inputs are in the default layout, with the per-seed models' values."""
    if default_layout:
        monkeypatch.setattr(stacked_module, "DEFAULT_LAYOUT_DEVICES", frozenset({"cuda", "cpu"}))
    torch.manual_seed(0)
    models = [
        nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8)).to(
            memory_format=torch.channels_last
        )
        for _ in range(3)
    ]
    net = StackedModule(models, "arch")
    seen: list[tuple[int, ...]] = []
    net._base[2].register_forward_hook(lambda m, args, out: seen.append(args[0].stride()))
    x = torch.randn(3, 4, 3, 10, 10)
    out = net(x)
    assert (seen[0][1] == 1) is not default_layout  # NHWC strides (channel stride 1) or NCHW
    assert net.params["1.weight"].is_contiguous() is default_layout
    for i, model in enumerate(models):
        torch.testing.assert_close(out[i], model(x[i]), rtol=1e-4, atol=1e-5)


def test_classifier_seeds_whose_stacked_pass_fails_train_sequentially(monkeypatch, caplog) -> None:
    from advgen.classifiers import replicates

    def fails(self) -> torch.Tensor:
        raise RuntimeError("Batching rule not implemented for aten::some_op")

    monkeypatch.setattr(replicates.StackedClassifierRun, "_stacked_forward", fails)
    train, test = blob_split(40), blob_split(30, seed=1, split="test")
    s = _spec("standard")
    kw = {"names": NAMES, "device": "cpu"}
    with caplog.at_level("WARNING", logger="advgen.classifiers.replicates"):
        fallback = train_classifier_replicates(s, SEEDS, train, test, mode="stacked", **kw)
    assert "Batching rule not implemented for aten::some_op" in caplog.text
    sequential = train_classifier_replicates(s, SEEDS, train, test, mode="sequential", **kw)
    for (ck_a, hist_a), (ck_b, hist_b) in zip(fallback, sequential, strict=True):
        for k, v in ck_b["state_dict"].items():
            assert torch.equal(ck_a["state_dict"][k], v), k
        assert hist_a.drop(columns="seconds").equals(hist_b.drop(columns="seconds"))
