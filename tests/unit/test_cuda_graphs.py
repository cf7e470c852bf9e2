"""CUDA graphs of the launch-bound steps (advgen.training.cuda_graphs): the graphed code path is the
eager one run on static buffers. On the CPU these tests run that static-buffer path eagerly and check
it equals the plain step number for number; the ``cuda`` tests capture and replay it on a GPU."""

from __future__ import annotations

import pytest
import torch

from advgen.classifiers.pgd_step import PgdStep
from advgen.classifiers.replicates import StackedClassifierRun
from advgen.classifiers.training import ClassifierRun
from advgen.errors import DeviceError
from advgen.gan.replicates import StackedGanRun
from advgen.gan.train import GanRun
from advgen.gan.unroll import restored_tensors
from advgen.training.cuda_graphs import GRAPHS_ENV, StaticStep, graphs_enabled, match_capturable
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixture)
from tests.unit.robust_helpers import blob_split
from tests.unit.test_classifiers import spec as classifier_spec

pytestmark = pytest.mark.usefixtures("one_thread")
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in tensors.items()}


def _assert_equal(a: dict, b: dict, exact: bool) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if exact:
            assert torch.equal(a[k], b[k]), k
        else:
            torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5, msg=k)


# -- the machinery -----------------------------------------------------------------------------------
def test_static_step_calls_the_step_on_one_buffer_per_shape() -> None:
    seen: list[torch.Tensor] = []

    def step(x: torch.Tensor) -> torch.Tensor:
        seen.append(x)
        return x * 2

    static = StaticStep(step, capture=False, max_shapes=2)
    a, b = torch.arange(4.0), torch.arange(4.0) + 1
    assert torch.equal(static(a)[0], a * 2) and torch.equal(static(b)[0], b * 2)
    assert seen[0] is seen[1] and seen[0] is not a  # the static buffer, refilled
    static(torch.ones(3))
    last = torch.ones(5)
    assert torch.equal(static(last)[0], last * 2) and seen[-1] is last  # a third shape: no buffer
    assert static.graphs == 0 and static.failures == []


def test_graphs_are_chosen_by_device_and_environment(monkeypatch) -> None:
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    assert graphs_enabled("cuda:0") and not graphs_enabled("cpu")
    monkeypatch.setenv(GRAPHS_ENV, "off")
    assert not graphs_enabled("cuda")
    monkeypatch.setenv(GRAPHS_ENV, "yes")
    with pytest.raises(DeviceError, match=f"^{GRAPHS_ENV}: 'yes' is not one of auto, off$"):
        graphs_enabled("cuda")


def test_a_capturable_state_loads_into_a_cpu_optimizer() -> None:
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([p], lr=0.1)
    p.grad = torch.ones(3)
    opt.step()
    state = opt.state_dict()
    state["param_groups"][0]["capturable"] = True  # as saved by a graphed CUDA run
    again = torch.optim.Adam([p], lr=0.1)
    again.load_state_dict(state)
    match_capturable(again, False)
    again.step()  # a capturable group would refuse CPU parameters
    assert again.param_groups[0]["capturable"] is False and float(again.state[p]["step"]) == 2.0


def test_in_place_restore_drops_state_made_inside_and_keeps_storage() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    before = _state(model.state_dict())
    storage = [t.data_ptr() for t in model.state_dict().values()]
    with restored_tensors([*model.parameters(), *model.buffers()], opt):
        model(torch.randn(4, 3)).sum().backward()
        opt.step()
    _assert_equal(_state(model.state_dict()), before, exact=True)
    assert [t.data_ptr() for t in model.state_dict().values()] == storage
    assert not opt.state and all(p.grad is None for p in model.parameters())


# -- the steps: static buffers (eager here) equal the plain steps ---------------------------------------
def _pgd_run(device: str, pgd: str) -> tuple[dict, list]:
    """Three epochs of PGD training (eps warm-up over two, so replays meet changing budgets; a
    partial last batch): weights and step rows. ``pgd``: "plain" (no static buffers), "eager"
    (static buffers, no capture) or "graph"."""
    train = blob_split(44)
    s = classifier_spec(mode="pgd", batch_size=16, eps_warmup_epochs=2, epochs=3)
    run = ClassifierRun(s, train, train, name="x", device=device)
    if pgd == "plain":
        run.pgd = None
    elif pgd == "eager":
        run.pgd = PgdStep(run.model, run.opt, s, capture=False)
    rows = [tuple(float(v) for v in run.step(b)) for _ in range(3) for b in run.batches()]
    if pgd == "graph":
        # 44 examples: batches of 16, 16, 12 per epoch. Each shape runs eagerly twice (warm-up),
        # then is captured: batch 16 in epoch 2, the partial batch of 12 in epoch 3
        assert run.pgd.static.graphs == 2 and run.pgd.static.failures == []
    return _state(run.model.state_dict()), rows


def test_pgd_training_step_on_static_buffers_equals_the_plain_step() -> None:
    weights, rows = _pgd_run("cpu", "eager")
    plain_weights, plain_rows = _pgd_run("cpu", "plain")
    _assert_equal(weights, plain_weights, exact=True)
    assert rows == plain_rows and len(rows) == 9
    assert rows[3][-1] < rows[4][-1] < rows[5][-1] == rows[6][-1]  # the second epoch still ramps eps


def _gan_run(root, device: str, mode: str, stacked: bool, **overrides) -> tuple[list, dict]:
    pytest.importorskip("jsonschema", reason="the GAN spec's defaults come from the schema")
    spec = gan_spec(batch_size=24, unroll_k=1, g_ema=0.9, d_steps=2, **overrides)
    if stacked:
        run = StackedGanRun(spec, [0, 3], str(root / "train.pt"), device, samples=[root / "a", root / "b"])
        step, nets = run._iteration, {"G": run.G.params, "D": run.D.params}
    else:
        run = GanRun(spec, str(root / "train.pt"), device)
        step = run.train_iteration
        nets = {"G": dict(run.G.named_parameters()), "D": dict(run.D.named_parameters())}
    if mode != "graph":
        run.iterate = step if mode == "plain" else StaticStep(step, capture=False)
    rows = [tuple(v.detach().cpu() for v in run.step(b)) for _ in range(2) for b in run.batches()]
    if mode == "graph":
        assert run.iterate.graphs == 1 and run.iterate.failures == []
    return rows, {f"{n}.{k}": v for n, d in nets.items() for k, v in _state(d).items()}


@pytest.mark.parametrize("stacked", [False, True], ids=["plain", "stacked"])
def test_gan_iteration_on_static_buffers_equals_the_plain_iteration(tiny_split, stacked: bool) -> None:
    rows, weights = _gan_run(tiny_split, "cpu", "eager", stacked)
    plain_rows, plain_weights = _gan_run(tiny_split, "cpu", "plain", stacked)
    assert len(rows) == 8 and all(torch.equal(a, b) for r, q in zip(rows, plain_rows) for a, b in zip(r, q))
    _assert_equal(weights, plain_weights, exact=True)


#: every part of the limited-data recipe at once (advgen.gan.recipe): DiffAugment's random shifts and
#: cutouts, spectral norm's power iteration, R1's double backward
FULL_RECIPE = {"diffaugment": ["translation", "cutout"], "spectral_norm": True, "r1_gamma": 1.0}


def test_gan_iteration_with_a_recipe_on_static_buffers_equals_the_plain_iteration(tiny_split) -> None:
    rows, weights = _gan_run(tiny_split, "cpu", "eager", False, recipe=FULL_RECIPE)
    plain_rows, plain_weights = _gan_run(tiny_split, "cpu", "plain", False, recipe=FULL_RECIPE)
    assert len(rows) == 8 and all(torch.equal(a, b) for r, q in zip(rows, plain_rows) for a, b in zip(r, q))
    _assert_equal(weights, plain_weights, exact=True)


def test_stacked_spectral_norm_gan_on_static_buffers_equals_the_plain_iteration(tiny_split) -> None:
    """The default study's recipe stacked: each seed's power-iteration vectors updated in place
    (advgen.models.spectral), which a replay must repeat."""
    sn = {"spectral_norm": True}
    rows, weights = _gan_run(tiny_split, "cpu", "eager", True, recipe=sn)
    plain_rows, plain_weights = _gan_run(tiny_split, "cpu", "plain", True, recipe=sn)
    assert len(rows) == 8 and all(torch.equal(a, b) for r, q in zip(rows, plain_rows) for a, b in zip(r, q))
    _assert_equal(weights, plain_weights, exact=True)


#: the report GAN's pair and levers (config/config.yaml's mnist_report, narrower): bfloat16 autocast,
#: stacked under its casts made explicit (advgen.training.explicit_autocast)
REPORT = {
    "generator": "dcgan28",
    "generator_kwargs": {"ngf": 4},
    "discriminator": "conv_sn",
    "loss": "non_saturating",
    "speed": {"autocast": "bf16", "channels_last": True},
}


def test_stacked_bfloat16_gan_on_static_buffers_equals_the_plain_iteration(tiny_split) -> None:
    """The explicit casts on static buffers (the MLP pair: the report's convolutions in bfloat16
    take seconds on a CPU; on a GPU the graph test below runs the report's pair)."""
    bf16 = {"speed": {"autocast": "bf16"}}
    rows, weights = _gan_run(tiny_split, "cpu", "eager", True, **bf16)
    plain_rows, plain_weights = _gan_run(tiny_split, "cpu", "plain", True, **bf16)
    assert len(rows) == 8 and all(torch.equal(a, b) for r, q in zip(rows, plain_rows) for a, b in zip(r, q))
    _assert_equal(weights, plain_weights, exact=True)


def _stacked_classifier_run(device: str, mode: str) -> tuple[dict, list]:
    train = blob_split(44)
    s = classifier_spec(mode="pgd", batch_size=16, eps_warmup_epochs=2, epochs=3)
    run = StackedClassifierRun(s, [0, 7], train, train, names=["a", "b"], device=device)
    if mode != "graph":
        run.train_step = run._train_step if mode == "plain" else StaticStep(run._train_step, capture=False)
    rows = [tuple(float(v) for v in run.step(b)) for _ in range(3) for b in run.batches()]
    if mode == "graph":  # batch 16 and the partial 12, each after two warm-up calls (as above)
        assert run.train_step.graphs == 2 and run.train_step.failures == []
    return _state(run.net.params), rows


def test_stacked_classifier_step_on_static_buffers_equals_the_plain_step() -> None:
    weights, rows = _stacked_classifier_run("cpu", "eager")
    plain_weights, plain_rows = _stacked_classifier_run("cpu", "plain")
    _assert_equal(weights, plain_weights, exact=True)
    assert rows == plain_rows and len(rows) == 9


# -- on a GPU: captured and replayed ------------------------------------------------------------------
@cuda
@pytest.mark.cuda
def test_replays_draw_the_random_numbers_the_eager_calls_draw() -> None:
    gen = torch.Generator("cuda").manual_seed(5)

    def step(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x + torch.rand(x.shape, device=x.device), torch.randn(x.shape, device=x.device, generator=gen)

    x = torch.zeros(8, device="cuda")
    outs = {}
    for capture in (False, True):
        torch.manual_seed(1)
        gen.manual_seed(5)
        static = StaticStep(step, capture=capture, warmup=2, generators=[gen])
        outs[capture] = [torch.cat(static(x)).cpu() for _ in range(5)]
        assert static.graphs == int(capture) and static.failures == []
    assert all(torch.equal(a, b) for a, b in zip(outs[False], outs[True]))
    assert not torch.equal(outs[True][3], outs[True][4])  # each replay draws new numbers


@cuda
@pytest.mark.cuda
@pytest.mark.parametrize(
    "run", [_pgd_run, _stacked_classifier_run], ids=["pgd_training", "stacked_classifier"]
)
def test_classifier_graph_equals_its_eager_step(monkeypatch, run) -> None:
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    weights, rows = run("cuda", "graph")
    eager_weights, eager_rows = run("cuda", "eager")
    _assert_equal(weights, eager_weights, exact=False)
    torch.testing.assert_close(torch.tensor(rows), torch.tensor(eager_rows), rtol=1e-4, atol=1e-5)


@cuda
@pytest.mark.cuda
@pytest.mark.parametrize("stacked", [False, True], ids=["plain", "stacked"])
def test_gan_iteration_graph_equals_its_eager_iteration(tiny_split, monkeypatch, stacked: bool) -> None:
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    rows, weights = _gan_run(tiny_split, "cuda", "graph", stacked, discriminator_kwargs={})  # dropout on
    eager_rows, eager_weights = _gan_run(tiny_split, "cuda", "eager", stacked, discriminator_kwargs={})
    _assert_equal(weights, eager_weights, exact=False)
    for r, q in zip(rows, eager_rows, strict=True):
        torch.testing.assert_close(torch.stack(r), torch.stack(q), rtol=1e-4, atol=1e-5)


@cuda
@pytest.mark.cuda
def test_stacked_spectral_norm_gan_graph_equals_its_eager_iteration(tiny_split, monkeypatch) -> None:
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    sn = {"spectral_norm": True}
    rows, weights = _gan_run(tiny_split, "cuda", "graph", True, recipe=sn)
    eager_rows, eager_weights = _gan_run(tiny_split, "cuda", "eager", True, recipe=sn)
    _assert_equal(weights, eager_weights, exact=False)
    for r, q in zip(rows, eager_rows, strict=True):
        torch.testing.assert_close(torch.stack(r), torch.stack(q), rtol=1e-4, atol=1e-5)


@cuda
@pytest.mark.cuda
def test_gan_iteration_with_a_recipe_graph_equals_its_eager_iteration(tiny_split, monkeypatch) -> None:
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    rows, weights = _gan_run(tiny_split, "cuda", "graph", False, recipe=FULL_RECIPE)
    eager_rows, eager_weights = _gan_run(tiny_split, "cuda", "eager", False, recipe=FULL_RECIPE)
    _assert_equal(weights, eager_weights, exact=False)
    for r, q in zip(rows, eager_rows, strict=True):
        torch.testing.assert_close(torch.stack(r), torch.stack(q), rtol=1e-4, atol=1e-5)


@cuda
@pytest.mark.cuda
def test_stacked_bfloat16_gan_graph_equals_its_eager_iteration(tiny_split, monkeypatch) -> None:
    """The explicit casts are Python-level: captured once, the replay repeats them."""
    monkeypatch.delenv(GRAPHS_ENV, raising=False)
    rows, weights = _gan_run(tiny_split, "cuda", "graph", True, **REPORT)
    eager_rows, eager_weights = _gan_run(tiny_split, "cuda", "eager", True, **REPORT)
    _assert_equal(weights, eager_weights, exact=False)
    for r, q in zip(rows, eager_rows, strict=True):
        torch.testing.assert_close(torch.stack(r), torch.stack(q), rtol=1e-3, atol=1e-4)
