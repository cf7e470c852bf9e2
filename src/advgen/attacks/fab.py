"""FAB: the Fast Adaptive Boundary attack and its targeted variant FAB-T.

Croce and Hein, "Minimally distorted adversarial examples with a fast adaptive boundary
attack", ICML 2020 (https://arxiv.org/abs/1907.02044); FAB-T as used in AutoAttack (Croce
& Hein, ICML 2020, https://arxiv.org/abs/2003.01690).

Distance measure: Linf or L2. Each step linearises the model at the current point, picks
the closest linearised decision boundary (untargeted: over all classes; FAB-T: the one to
the target class), projects both the current point and the original input onto that
hyperplane intersected with the box [0, 1] (the paper's Sec. 3.1 projection, solved exactly
by sorting and a bisection over the coordinates, as in fra31/auto-attack), extrapolates by
``eta`` and mixes the two projections with the weight ``min(|d1| / (|d1| + |d2|), alpha_max)``
that biases the step toward the original input. Once an adversarial point is found it is
pulled back toward the input by ``beta``. The smallest adversarial perturbation found is
kept; an input counts as attacked when it is fooled within ``eps`` (else it is returned
unchanged). Inputs leave the batch once fooled within ``eps``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from advgen.attacks.base import (
    TINY,
    Attack,
    batch_view,
    class_gradients,
    copies,
    l2_view,
    norm_of,
    pick_copy,
    stack_targets,
    top_classes,
)
from advgen.attacks.params import FABParams
from advgen.attacks.restarts import restart_smallest


def _bisect(
    rows: int, d: int, ok: Callable[[torch.Tensor], torch.Tensor], like: torch.Tensor
) -> torch.Tensor:
    """Per row, the index in [0, d - 1] that ``ceil(log2 d)`` halvings of [0, d - 1] settle on,
    moving up where ``ok(mid)`` (bool per row; ``mid`` the (rows, 1) indices) holds (the
    bisection of both projections, as in fra31/auto-attack)."""
    lb = torch.zeros(rows, device=like.device, dtype=like.dtype)
    ub = torch.full_like(lb, d - 1)
    for _ in range(math.ceil(math.log2(d))):
        mid = torch.floor((lb + ub) / 2)
        up = ok(mid.long()[:, None])
        lb = torch.where(up, mid, lb)
        ub = torch.where(up, ub, mid)
    return lb.long()


def project_linf(t: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per row, the smallest-Linf ``d`` with ``w . (t + d) = b`` and ``t + d`` in [0, 1].

    Rows (M, D). The optimum moves every coordinate by the same lambda toward the
    hyperplane until it hits the box; the coordinates that hit the box first are found by
    sorting their distances to it and a bisection on the cumulative slope.
    """
    w, b = w.clone(), b.clone()
    sign = 2 * ((w * t).sum(1) - b >= 0).to(t.dtype) - 1
    w *= sign[:, None]
    b *= sign
    a = (w < 0).to(t.dtype)  # the box face each coordinate moves toward
    d = (a - t) * (w != 0).to(t.dtype)  # the move that reaches that face
    p = a - t * (2 * a - 1)  # its size
    order = p.argsort(dim=1)
    b = b - (w * t).sum(1)
    b0 = (w * d).sum(1)
    rev = order.flip((1,))
    ws = w.gather(1, rev)
    s = ws.abs().cumsum(1)
    sb = (-ws * d.gather(1, rev)).cumsum(1) + b0[:, None]
    b2 = sb[:, -1] - s[:, -1] * p.gather(1, order[:, :1]).squeeze(1)
    c_l = b - b2 > 0  # every coordinate moves by the same lambda
    c2 = (b - b0 > 0) & ~c_l  # some coordinates saturate at the box: bisection
    order_, sb_, s_, p_, b_ = order[c2], sb[c2], s[c2], p[c2], b[c2]

    def ok(mi: torch.Tensor) -> torch.Tensor:
        cur = order_.gather(1, order_.shape[1] - 1 - mi)
        return b_ - (sb_.gather(1, mi) - s_.gather(1, mi) * p_.gather(1, cur)).squeeze(1) > 0

    lb = _bisect(int(c2.sum()), w.shape[1], ok, t)
    if bool(c_l.any()):
        lam = ((b[c_l] - sb[c_l, -1]) / (-s[c_l, -1])).clamp_min(0)[:, None]
        d[c_l] = (2 * a[c_l] - 1) * lam
    if bool(c2.any()):
        rows = torch.arange(lb.numel(), device=t.device)
        lam = ((b[c2] - sb[c2][rows, lb]) / (-s[c2][rows, lb])).clamp_min(0)[:, None]
        d[c2] = torch.minimum(lam, d[c2]) * a[c2] + torch.maximum(-lam, d[c2]) * (1 - a[c2])
    return d * (w != 0).to(t.dtype)


def project_l2(t: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per row, the smallest-L2 ``d`` with ``w . (t + d) = b`` and ``t + d`` in [0, 1].

    The optimum is ``d = -alpha w`` clipped to the box; alpha is found by sorting the
    values at which each coordinate saturates and a bisection on the residual.
    """
    w = w.clone()
    c = (w * t).sum(1) - b
    sign = 2 * (c >= 0).to(t.dtype) - 1
    w *= sign[:, None]
    c = c * sign
    r = torch.maximum(t / w, (t - 1) / w).clamp(-1e12, 1e12)
    r = r.masked_fill(w.abs() < 1e-8, 1e12)
    r = torch.where(r == -1e12, -r, r)
    rs, ind = r.sort(dim=1)
    rs2 = F.pad(rs[:, 1:], (0, 1))
    rs = rs.masked_fill(rs == 1e12, 0)
    rs2 = rs2.masked_fill(rs2 == 1e12, 0)
    w2 = (w**2).gather(1, ind)
    total = w2.sum(1, keepdim=True)
    ws = total - w2.cumsum(1)
    d = -(r * w) * (w.abs() > 1e-8).to(t.dtype)
    s = torch.cat((-total * rs[:, :1], ((rs - rs2) * ws).cumsum(1) - total * rs[:, :1]), 1)
    c4 = s[:, 0] + c < 0  # no coordinate saturates
    c3 = (d * w).sum(1) + c > 0  # even the fully saturated move does not reach the plane
    c2 = ~(c4 | c3)
    s_, c_ = s[c2], c[c2]
    lb = _bisect(int(c2.sum()), w.shape[1], lambda mi: s_.gather(1, mi).squeeze(1) + c_ > 0, t)
    if bool(c4.any()):
        d[c4] = -(c[c4] / total[c4].squeeze(1))[:, None] * w[c4]
    if bool(c2.any()):
        rows = torch.arange(lb.numel(), device=t.device)
        ws_l, rs_l, s_l = ws[c2][rows, lb], rs[c2][rows, lb], s[c2][rows, lb]
        alpha = (s_l + c[c2]) / ws_l + rs_l
        alpha = torch.where(ws_l == 0, torch.zeros_like(alpha), alpha)
        keep = (alpha[:, None] > r[c2]).to(t.dtype)
        d[c2] = d[c2] * keep - alpha[:, None] * w[c2] * (1 - keep)
    return d * (w.abs() > 1e-8).to(t.dtype)


class FAB(Attack):
    """Fast Adaptive Boundary attack, untargeted or targeted (FAB-T) (Croce & Hein 2020).

    Arguments:
        model: maps [0, 1] inputs to logits.
        eps: budget (AutoAttack's MNIST setting: 0.3 Linf).
        params: a :class:`~advgen.attacks.params.FABParams`, or its fields as arguments (``norm``,
            ``n_iter``, ``n_restarts``, ``alpha_max``, ``eta``, ``beta``, ``targeted``,
            ``n_target_classes``, ``batched_targets``; the papers' defaults, ranges and descriptions
            are there).
        seed: seed of the random restarts (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = FAB(model, eps=0.3, targeted=True)(x, y)
    """

    name = "FAB"
    Params = FABParams

    finite_budget = True

    def _boundary(
        self, x: torch.Tensor, la: torch.Tensor, target: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logit differences f_k - f_la (N, K) and their input gradients (N, K, D)."""
        rows = torch.arange(x.shape[0], device=x.device)
        if target is not None:
            xg = x.detach().requires_grad_(True)
            with torch.enable_grad():
                logits = self.model(xg)
                diff = logits[rows, target] - logits[rows, la]
                (g,) = torch.autograd.grad(diff.sum(), xg)
            return diff.detach()[:, None], g.flatten(1)[:, None]
        logits, g = class_gradients(self.model, x)
        g = g.flatten(2)
        df = logits - logits[rows, la][:, None]
        dg = g - g[rows, la][:, None]
        df[rows, la] = 1e10  # never the closest boundary
        return df, dg

    def run(
        self,
        x: torch.Tensor,
        la: torch.Tensor,
        target: torch.Tensor | None,
        start_radius: torch.Tensor | None,
        group: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One FAB run: (smallest adversarial point found or the input, its size or inf)."""
        n, shape = x.shape[0], x.shape[1:]
        x0 = x.flatten(1)
        best = x.clone()
        best_size = torch.full((n,), math.inf, device=x.device, dtype=x.dtype)
        x1 = x.clone()
        if start_radius is not None:
            if self.norm == "linf":
                t = self.random_unit(x)
            else:  # fra31/auto-attack's FAB floors the norm at TINY (random_unit adds TINY instead)
                t = self.randn(*x.shape, device=x.device, dtype=x.dtype)
                t = t / l2_view(t).clamp_min(TINY)
            x1 = (x + 0.5 * batch_view(start_radius, x.ndim) * t).clamp(0.0, 1.0)
        idx = torch.arange(n, device=x.device)
        proj = project_linf if self.norm == "linf" else project_l2
        for _ in range(self.n_iter):
            if idx.numel() == 0:
                break
            xs, la_s = x0[idx], la[idx]
            m = idx.numel()
            df, dg = self._boundary(x1, la_s, None if target is None else target[idx])
            dual = dg.abs().sum(-1) if self.norm == "linf" else dg.norm(dim=-1)
            closest = (df.abs() / (dual + TINY)).argmin(1)
            rows = torch.arange(m, device=x.device)
            w = dg[rows, closest]
            x1f = x1.flatten(1)
            b = -df[rows, closest] + (w * x1f).sum(1)
            d = proj(torch.cat((x1f, xs)), torch.cat((w, w)), torch.cat((b, b)))
            size = norm_of(d, self.norm).clamp_min(1e-8)
            a1, a2 = size[:m], size[m:]
            alpha = (a1 / (a1 + a2)).clamp(0.0, self.alpha_max)[:, None]
            x1f = ((x1f + self.eta * d[:m]) * (1 - alpha) + (xs + self.eta * d[m:]) * alpha).clamp(0.0, 1.0)
            x1 = x1f.view(m, *shape)
            with torch.no_grad():
                is_adv = self.model(x1).argmax(1) != la_s
            if bool(is_adv.any()):
                t = norm_of(x1f - xs, self.norm)
                better = is_adv & (t < best_size[idx])
                best[idx[better]] = x1[better]
                best_size[idx[better]] = t[better]
                pulled = xs + (x1f - xs) * self.beta
                x1 = torch.where(is_adv[:, None], pulled, x1f).view(m, *shape)
            done = best_size[idx] <= self.eps
            if group is not None and bool(done.any()):
                done |= torch.isin(group[idx], group[idx[done]])
            if bool(done.any()):
                keep = ~done
                idx, x1 = idx[keep], x1[keep]
        return best, best_size

    def _attack(
        self, x: torch.Tensor, la: torch.Tensor, start: bool, radius: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One restart over the inputs (all targets for FAB-T): best point and size."""
        if not self.targeted:
            return self.run(x, la, None, radius if start else None)
        targets = top_classes(self.model, x, self.n_target_classes)
        k, m = targets.shape[1], x.shape[0]
        if self.batched_targets:
            ts, group = stack_targets(targets)
            adv, size = self.run(copies(x, k), copies(la, k), ts, copies(radius, k) if start else None, group)
            pick = size.view(k, m).argmin(0)
            return pick_copy(adv, pick), pick_copy(size, pick)
        best, best_size = x.clone(), torch.full((m,), math.inf, device=x.device, dtype=x.dtype)
        # fra31/auto-attack's order: one target at a time, on the inputs not yet fooled
        runs = (
            lambda todo, j=j: self.run(x[todo], la[todo], targets[todo, j], radius[todo] if start else None)
            for j in range(k)
        )
        restart_smallest(best, best_size, self.eps, runs)
        return best, best_size

    def perturb(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = x.clone()
        if self.eps == 0:
            return out
        la = self.predict(x)
        todo = (la == y).nonzero().flatten()
        if todo.numel() == 0:
            return out
        xs, ys = x[todo], y[todo]
        best, best_size = xs.clone(), torch.full((todo.numel(),), math.inf, device=x.device, dtype=x.dtype)
        runs = (
            lambda open_, r=r: self._attack(xs[open_], ys[open_], r > 0, best_size[open_].clamp(max=self.eps))
            for r in range(self.n_restarts)
        )
        restart_smallest(best, best_size, self.eps, runs)
        within = best_size <= self.eps
        out[todo[within]] = best[within]
        return out

    def __repr__(self) -> str:
        return (
            f"FAB(eps={self.eps}, norm={self.norm!r}, n_iter={self.n_iter}, n_restarts={self.n_restarts}, "
            f"targeted={self.targeted}, n_target_classes={self.n_target_classes}, seed={self.seed})"
        )
