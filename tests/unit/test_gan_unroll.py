"""Unrolled GAN steps: D and its optimizer come back exactly; the second-order variant
differentiates through the unrolled steps."""

from __future__ import annotations

import pytest
import torch

from advgen.gan.train import GanRun
from advgen.gan.unroll import restored, second_order_generator_loss
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")


def _snapshot(run):
    params = {k: v.clone() for k, v in run.D.state_dict().items()}
    opt = run.opt_d.state_dict()
    state = {
        i: {k: v.clone() if torch.is_tensor(v) else v for k, v in s.items()} for i, s in opt["state"].items()
    }
    return params, state, [dict(g) for g in opt["param_groups"]]


def _assert_same(a, b):
    pa, sa, ga = a
    pb, sb, gb = b
    assert pa.keys() == pb.keys()
    for k in pa:
        assert torch.equal(pa[k], pb[k]), k
    assert sa.keys() == sb.keys()
    for i in sa:
        for k in sa[i]:
            assert torch.equal(torch.as_tensor(sa[i][k]), torch.as_tensor(sb[i][k])), (i, k)
    assert ga == gb


@pytest.mark.parametrize("order", ["first", "second"])
@pytest.mark.parametrize("disc", ["mlp_small", "dcgan28"])  # dcgan28 has batch-norm buffers
def test_unrolling_restores_discriminator_and_optimizer_exactly(tiny_split, order, disc):
    spec = gan_spec(discriminator=disc, unroll_k=3, unroll_order=order)
    run = GanRun(spec, str(tiny_split / "train.pt"))
    real = run.images[:16]
    run.d_step(real)  # Adam state exists
    run.d_step(real)
    before = _snapshot(run)
    g_before = [p.clone() for p in run.G.parameters()]
    run.g_step(real)
    _assert_same(before, _snapshot(run))
    assert any(not torch.equal(a, b) for a, b in zip(g_before, run.G.parameters())), "G did not step"


def test_restored_undoes_training_steps(tiny_split):
    run = GanRun(gan_spec(), str(tiny_split / "train.pt"))
    real = run.images[:16]
    run.d_step(real)
    before = _snapshot(run)
    with restored(run.D, run.opt_d):
        for _ in range(3):
            run.d_step(real)
        assert not torch.equal(before[0]["head.weight"], run.D.state_dict()["head.weight"])
    _assert_same(before, _snapshot(run))


def test_second_order_adds_the_gradient_through_the_unrolled_steps(tiny_split):
    """Same noise, same unrolled D (the loss values agree), but the second-order gradient
    also flows through D's k updates, so G's gradients differ; with k = 0 they agree."""
    spec = gan_spec(unroll_k=2, discriminator_kwargs={"dropout": 0.0})
    run = GanRun(spec, str(tiny_split / "train.pt"))
    real = run.images[:16]
    run.d_step(real)

    def first_order(k):
        torch.manual_seed(1)
        run.G.zero_grad(set_to_none=True)
        with restored(run.D, run.opt_d):
            for _ in range(k):
                run.d_step(real)
            loss = torch.nn.functional.softplus(-run.D(run.G(run._noise()))).mean()
            loss.backward()
        return float(loss.detach()), torch.cat([p.grad.flatten() for p in run.G.parameters()])

    def second_order(k):
        torch.manual_seed(1)
        run.G.zero_grad(set_to_none=True)
        with restored(run.D, run.opt_d):
            loss = second_order_generator_loss(
                run.G, run.D, run.opt_d, real, run._noise, loss="non_saturating", k=k, real_label=1.0
            )
            loss.backward()
        return float(loss.detach()), torch.cat([p.grad.flatten() for p in run.G.parameters()])

    (l1, g1), (l2, g2) = first_order(0), second_order(0)
    assert l1 == pytest.approx(l2, rel=1e-6) and torch.allclose(g1, g2, atol=1e-7)
    (l1, g1), (l2, g2) = first_order(2), second_order(2)
    assert l1 == pytest.approx(l2, rel=1e-4)
    assert (g1 - g2).norm() > 1e-3 * g1.norm()
