"""Batched box-constrained L-BFGS in torch: one small problem per example, on the model's device.

Minimises B independent objectives ``f_b(z_b)`` over the unit box ``[0, 1]^n`` at once, without
leaving the device: every iterate, gradient and curvature pair stays a tensor (scipy's L-BFGS-B
runs on the host in float64, so on a GPU each of its function evaluations copies the batch to
the host and back). Each example keeps its own history, step length and stopping test, so a hard
example does not shorten the steps of an easy one as in one joint problem.

Method: a projected quasi-Newton step on the free variables (Bertsekas 1982, "Projected Newton
methods for optimization problems with simple constraints", SIAM J. Control Optim. 20(2): the
variables at a bound whose gradient points outward are held, the others take the quasi-Newton
direction), the direction from the L-BFGS two-loop recursion over the last ``history`` curvature
pairs restricted to the free variables (Nocedal 1980; Nocedal & Wright 2006, Algorithm 7.4,
with the initial scaling ``s'y / y'y``), and a backtracking Armijo search along the projected
path per example. Not L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995), whose generalised Cauchy point
this replaces by the active set; both stop on a projected gradient below ``pgtol``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

#: Armijo's sufficient-decrease constant (Nocedal & Wright 2006, Sec. 3.1: 1e-4)
ARMIJO = 1e-4
#: scipy's L-BFGS-B defaults: history length, projected-gradient tolerance, relative decrease
HISTORY, PGTOL, FTOL = 10, 1e-5, 2.220446049250313e-09


def _gradient(
    fun: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], z: torch.Tensor, rows: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example values (len(rows),) and gradients of ``fun`` at ``z`` (the rows ``rows``)."""
    point = z.detach().requires_grad_(True)
    with torch.enable_grad():
        values = fun(point, rows)
        (grad,) = torch.autograd.grad(values.sum(), point)
    return values.detach(), grad.detach()


def _direction(
    g: torch.Tensor, free: torch.Tensor, s: torch.Tensor, y: torch.Tensor, gamma: torch.Tensor, newest: int
) -> torch.Tensor:
    """``-H g`` on the free variables: the two-loop recursion over the pairs ``s``, ``y`` (history,
    B, n), newest at ``newest``, each restricted to the free variables (a pair whose restricted
    curvature is not positive is left out)."""
    mask = free.to(g.dtype)
    m = s.shape[0]
    q = g * mask
    order = [(newest - j) % m for j in range(m)]
    sf, yf = s * mask, y * mask
    sy = (sf * yf).sum(-1)
    rho = torch.where(sy > torch.finfo(g.dtype).eps * (yf * yf).sum(-1), 1.0 / sy.clamp_min(1e-30), 0.0)
    alphas = {}
    for i in order:
        alphas[i] = rho[i] * (sf[i] * q).sum(-1)
        q = q - alphas[i].unsqueeze(-1) * yf[i]
    r = gamma.unsqueeze(-1) * q
    for i in reversed(order):
        beta = rho[i] * (yf[i] * r).sum(-1)
        r = r + sf[i] * (alphas[i] - beta).unsqueeze(-1)
    return -r * mask


class _History:
    """Every example's last ``m`` curvature pairs (zero where it has fewer), newest at ``newest``,
    the initial scaling ``s'y / y'y`` of its newest pair and whether it has one."""

    def __init__(self, m: int, z: torch.Tensor) -> None:
        batch = z.shape[0]
        self.m, self.newest = m, m - 1
        self.s = torch.zeros((m, *z.shape), dtype=z.dtype, device=z.device)
        self.y = torch.zeros_like(self.s)
        self.gamma = torch.ones(batch, dtype=z.dtype, device=z.device)
        self.pairs = torch.zeros(batch, dtype=torch.bool, device=z.device)

    def direction(self, g: torch.Tensor, free: torch.Tensor) -> torch.Tensor:
        return _direction(g, free, self.s, self.y, self.gamma, self.newest)

    def add(self, s: torch.Tensor, y: torch.Tensor, running: torch.Tensor) -> None:
        """The step ``s`` and gradient change ``y`` of the running examples, where the curvature
        ``s'y`` is positive (a zero pair elsewhere)."""
        sy, yy = (s * y).sum(-1), (y * y).sum(-1)
        good = running & (sy > torch.finfo(s.dtype).eps * yy)
        self.newest = (self.newest + 1) % self.m
        self.s[self.newest] = torch.where(good.unsqueeze(-1), s, torch.zeros_like(s))
        self.y[self.newest] = torch.where(good.unsqueeze(-1), y, torch.zeros_like(y))
        self.gamma = torch.where(good, sy / yy.clamp_min(1e-30), self.gamma)
        self.pairs |= good


def _search_direction(
    z: torch.Tensor, g: torch.Tensor, history: _History, running: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The projected quasi-Newton direction of every example (steepest descent on the free
    variables where it points uphill; zero for a stopped example) and its first step length."""
    free = ~(((z <= 0.0) & (g > 0.0)) | ((z >= 1.0) & (g < 0.0)))
    d = history.direction(g, free)
    slope = (g * d).sum(-1)
    steepest = -g * free.to(g.dtype)
    uphill = slope >= 0
    d = torch.where(uphill.unsqueeze(-1), steepest, d)
    # first step of an example without curvature pairs: at most unit length (scipy's 1/||d||)
    length = d.norm(dim=-1)
    step = torch.where(
        history.pairs & ~uphill, torch.ones_like(length), (1.0 / length.clamp_min(1e-30)).clamp(max=1.0)
    )
    return d * running.unsqueeze(-1).to(d.dtype), step


def _line_search(
    fun: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    z: torch.Tensor,
    f: torch.Tensor,
    g: torch.Tensor,
    d: torch.Tensor,
    step: torch.Tensor,
    running: torch.Tensor,
    max_backtracks: int,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backtracking Armijo search along the projected path of every running example: the accepted
    iterates, values and gradients (the old ones where none was accepted) and the examples whose
    search failed. An example whose predicted decrease the dtype cannot resolve stops
    (``running`` is updated in place)."""
    resolution = 4 * torch.finfo(z.dtype).eps
    z_new, f_new, g_new = z.clone(), f.clone(), g.clone()
    pending = running.clone()
    for _ in range(int(max_backtracks) + 1):
        rows = pending.nonzero().squeeze(-1)
        if not len(rows):
            break
        trial = (z[rows] + step[rows].unsqueeze(-1) * d[rows]).clamp(0.0, 1.0)
        f_try, g_try = _gradient(fun, trial, rows)
        slope = (g[rows] * (trial - z[rows])).sum(-1)
        ok = (f_try <= f[rows] + ARMIJO * slope) & torch.isfinite(f_try)
        accepted = rows[ok]
        z_new[accepted], f_new[accepted], g_new[accepted] = trial[ok], f_try[ok], g_try[ok]
        # a step whose predicted decrease the dtype cannot resolve in f ends the search
        unresolved = ~ok & (-slope <= resolution * f[rows].abs().clamp_min(1.0))
        pending[accepted] = False
        pending[rows[unresolved]] = False
        running[rows[unresolved]] = False
        # the minimiser of the quadratic through f, the slope and f_try, kept in [0.1, 0.5] of the step
        # (Nocedal & Wright 2006, Sec. 3.5); a non-finite f_try shrinks the step tenfold
        curvature = f_try - f[rows] - slope
        fitted = torch.where(
            curvature > 0, -slope / (2 * curvature).clamp_min(1e-30), torch.zeros_like(slope)
        )
        shrink = torch.nan_to_num(fitted, nan=0.1).clamp(0.1, 0.5)
        step[rows[~ok]] *= shrink[~ok]
    return z_new, f_new, g_new, pending


def minimize_unit_box_batched(
    fun: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x0: torch.Tensor,
    maxiter: int,
    *,
    history: int = HISTORY,
    pgtol: float = PGTOL,
    ftol: float = FTOL,
    max_backtracks: int = 20,
) -> torch.Tensor:
    """Minimise each example's objective over ``[0, 1]^n`` from ``x0`` with at most ``maxiter``
    iterations; returns the last accepted iterates (same shape as ``x0``, inside the box).

    Arguments:
        fun: ``fun(z, rows)`` -> the objectives (len(rows),) of the examples ``rows`` (int64
            indices into the batch) at ``z`` (len(rows), *x0.shape[1:]); differentiable in ``z``.
            Each value must depend on its own example only.
        x0: (B, ...) starting points (clamped into the box).
        maxiter: iterations per example (each one direction and one line search).
        history: curvature pairs kept (scipy's ``maxcor``), pgtol: stop an example when its
            projected gradient's largest entry is at most this, ftol: ... or when its value
            decreased by at most ``ftol * max(|f|, |f_new|, 1)`` (scipy's ``pgtol``, ``ftol``).
        max_backtracks: step halvings per line search; an example whose search fails stops.
    """
    shape, batch = x0.shape, x0.shape[0]
    z = x0.detach().reshape(batch, -1).clamp(0.0, 1.0).clone()

    def flat_fun(point: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        return fun(point.view(len(rows), *shape[1:]), rows)

    f, g = _gradient(flat_fun, z, torch.arange(batch, device=z.device))
    pairs = _History(max(1, int(history)), z)
    running = torch.ones(batch, dtype=torch.bool, device=z.device)
    for _ in range(int(maxiter)):
        projected = (z - g).clamp(0.0, 1.0) - z
        running &= projected.abs().amax(-1) > pgtol
        if not bool(running.any()):
            break
        d, step = _search_direction(z, g, pairs, running)
        z_new, f_new, g_new, failed = _line_search(flat_fun, z, f, g, d, step, running, max_backtracks)
        running &= ~failed  # a failed line search stops its example where it is
        pairs.add(z_new - z, g_new - g, running)
        scale = torch.maximum(torch.maximum(f.abs(), f_new.abs()), torch.ones_like(f))
        running &= (f - f_new) > ftol * scale
        z, f, g = z_new, f_new, g_new
    return z.view(shape)
