"""The batched box-constrained L-BFGS (advgen.attacks.box_lbfgs) against known minima and scipy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from advgen.attacks import LBFGS
from advgen.attacks.box_lbfgs import minimize_unit_box_batched
from advgen.attacks.lbfgs import minimize_unit_box
from advgen.errors import ConfigError
from tests.unit.robust_helpers import trained_digits_mlp

pytestmark = pytest.mark.usefixtures("one_thread")


def _quadratics(batch: int, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example SPD matrices A_b (well conditioned) and centres m_b, half of them outside the box."""
    gen = torch.Generator().manual_seed(seed)
    q = torch.linalg.qr(torch.randn(batch, n, n, generator=gen, dtype=torch.float64)).Q
    eig = 0.5 + 4.5 * torch.rand(batch, n, generator=gen, dtype=torch.float64)
    a = q @ torch.diag_embed(eig) @ q.transpose(1, 2)
    centre = -0.5 + 2.0 * torch.rand(batch, n, generator=gen, dtype=torch.float64)
    return a, centre


def _quadratic_fun(a: torch.Tensor, centre: torch.Tensor):
    def fun(z: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        r = z - centre[rows]
        return 0.5 * torch.einsum("bi,bij,bj->b", r, a[rows], r)

    return fun


def test_separable_quadratic_lands_on_the_clamped_centre() -> None:
    """Diagonal A: the box minimum is the centre clamped to [0, 1], coordinate by coordinate."""
    gen = torch.Generator().manual_seed(1)
    centre = -0.5 + 2.0 * torch.rand(6, 12, generator=gen, dtype=torch.float64)
    a = torch.diag_embed(0.5 + torch.rand(6, 12, generator=gen, dtype=torch.float64))
    start = torch.full_like(centre, 0.5)
    z = minimize_unit_box_batched(_quadratic_fun(a, centre), start, 50, pgtol=1e-12, ftol=0.0)
    assert torch.allclose(z, centre.clamp(0, 1), atol=1e-9)
    # scipy's stopping tests (the defaults) stop within pgtol of it: |grad| <= 1e-5, A >= 0.5
    z = minimize_unit_box_batched(_quadratic_fun(a, centre), start, 50)
    assert torch.allclose(z, centre.clamp(0, 1), atol=2e-5)


def test_coupled_quadratics_match_scipy_l_bfgs_b_per_example() -> None:
    a, centre = _quadratics(5, 10)
    fun = _quadratic_fun(a, centre)
    z = minimize_unit_box_batched(fun, torch.full_like(centre, 0.5), 200)
    for b in range(5):
        one = torch.tensor([b])

        def value_and_grad(v: np.ndarray, b: int = b, one: torch.Tensor = one) -> tuple[float, np.ndarray]:
            point = torch.from_numpy(v).view(1, -1).requires_grad_(True)
            value = fun(point, one).sum()
            (grad,) = torch.autograd.grad(value, point)
            return float(value.detach()), grad.numpy().ravel()

        reference = minimize_unit_box(value_and_grad, np.full(10, 0.5), 500)
        assert np.allclose(z[b].numpy(), reference, atol=1e-4), b
    assert float(z.min()) >= 0.0 and float(z.max()) <= 1.0


def test_examples_are_solved_independently_of_their_batch() -> None:
    """Each example's iterates depend on its own objective only: solved alone or among others,
    the same answer (a joint problem would share one line search and one stopping test)."""
    a, centre = _quadratics(6, 8, seed=2)
    together = minimize_unit_box_batched(_quadratic_fun(a, centre), torch.full_like(centre, 0.5), 15)
    for b in (0, 3, 5):
        alone = minimize_unit_box_batched(
            _quadratic_fun(a[b : b + 1], centre[b : b + 1]), torch.full_like(centre[b : b + 1], 0.5), 15
        )
        assert torch.allclose(alone[0], together[b], atol=1e-12), b


def test_never_worse_than_the_start_and_stays_in_the_box_on_a_nonconvex_objective() -> None:
    gen = torch.Generator().manual_seed(3)
    x0 = torch.rand(16, 1, 4, 4, generator=gen)
    freq = 1.0 + 5.0 * torch.rand(16, 1, 4, 4, generator=gen)

    def fun(z: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        return (torch.sin(freq[rows] * 6.0 * z) + (z - 0.3).pow(2)).flatten(1).sum(1)

    z = minimize_unit_box_batched(fun, x0, 30)
    every = torch.arange(16)
    assert z.shape == x0.shape and float(z.min()) >= 0.0 and float(z.max()) <= 1.0
    assert bool((fun(z, every) <= fun(x0, every)).all())
    assert bool((fun(z, every) < fun(x0, every) - 1e-3).any())


def test_torch_solver_finds_perturbations_as_small_as_scipy_on_a_trained_mlp() -> None:
    """On 60 digits the per-example solver fools as many as scipy's joint L-BFGS-B and its
    perturbations' median L2 norm is within 10 % of scipy's."""
    model, x, y = trained_digits_mlp(n_test=60)
    results = {
        solver: LBFGS(model, search_steps=4, steps=20, solver=solver, target="random", seed=0)(x, y)
        for solver in ("scipy", "torch")
    }
    fooled = {k: int(r.success.sum()) for k, r in results.items()}
    median = {k: float(r.l2[r.success].median()) for k, r in results.items()}
    assert fooled["torch"] >= fooled["scipy"] - 1, fooled
    assert median["torch"] <= 1.10 * median["scipy"], median


def test_an_unknown_solver_is_refused() -> None:
    model, _, _ = trained_digits_mlp(n_test=4, epochs=1)
    with pytest.raises(ConfigError, match="LBFGS: unknown solver 'newton'"):
        LBFGS(model, solver="newton")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_solver_runs_on_the_gpu_as_on_the_cpu() -> None:
    """On CUDA the solver's iterates stay on the device and land where the CPU's do."""
    model, x, y = trained_digits_mlp(n_test=30)
    cpu = LBFGS(model, search_steps=3, steps=15, solver="torch", target="runner_up")(x, y)
    gpu_model = model.to("cuda")
    gpu = LBFGS(gpu_model, search_steps=3, steps=15, solver="torch", target="runner_up")(x.cuda(), y.cuda())
    assert gpu.adv.device.type == "cuda"
    assert int(gpu.success.sum()) >= int(cpu.success.sum()) - 1
    assert float(gpu.l2[gpu.success].median()) <= 1.10 * float(cpu.l2[cpu.success].median())
