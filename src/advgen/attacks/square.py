"""Square Attack: a score-based black-box attack by random square updates.

Andriushchenko, Croce, Flammarion and Hein, "Square Attack: a query-efficient black-box
adversarial attack via random search", ECCV 2020 (https://arxiv.org/abs/1912.00049).

Distance measure: Linf or L2. Uses only the model's scores (no gradients), so it is the
part of AutoAttack that gradient masking cannot fool. Minimises the margin
``z_y - max_{i != y} z_i`` by random search: each query changes one square window of
side ``s = round(sqrt(p * pixels))``, where p follows the paper's schedule (p_init halved
after 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 of 10,000 queries, rescaled to
``n_queries``), and keeps the change when the margin drops.

* Linf: start from vertical stripes of +-eps; an update sets the window to +-eps per
  channel (a window per input, drawn from a cached table of all window positions).
* L2: start from a tiling of the paper's pseudo-Gaussian blocks; an update moves the mass
  of a second window into the first one as a new signed block, keeping ||delta||_2 = eps
  (one window pair per query for the whole batch, as in fra31/auto-attack).

An input leaves the batch once misclassified.
"""

from __future__ import annotations

import math

import torch

from advgen.attacks.base import (
    TINY,
    RestartedAttack,
    batch_view,
    l2_view,
    margin,
)
from advgen.attacks.params import SquareParams

_BOUNDS = (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000)


def p_schedule(p_init: float, query: int, n_queries: int) -> float:
    """The paper's share of pixels changed at ``query`` (piecewise halving, rescaled)."""
    it = int(query / n_queries * 10000)
    halvings = sum(it > bound for bound in _BOUNDS)
    return p_init / 2**halvings


def _pseudo_gaussian(h: int, w: int, device: torch.device) -> torch.Tensor:
    """The paper's centred block of nested rectangles with weights 1 / (k + 1)^2, unit L2."""
    block = torch.zeros(h, w, device=device)
    ch, cw = h // 2, w // 2
    for k in range(max(ch + 1, cw + 1)):
        block[max(ch - k, 0) : min(ch + k + 1, h), max(cw - k, 0) : min(cw + k + 1, w)] += 1.0 / (k + 1) ** 2
    return block / block.norm().clamp_min(TINY)


class Square(RestartedAttack):
    """Square Attack, score-based random search (Andriushchenko et al. 2020).

    Arguments:
        model: maps [0, 1] inputs to logits (only the scores are used).
        eps: budget (AutoAttack's MNIST setting: 0.3 Linf).
        params: a :class:`~advgen.attacks.params.SquareParams`, or its fields as arguments
            (``norm``, ``n_queries``, ``n_restarts``, ``p_init``; the papers' defaults, ranges and
            descriptions are there).
        seed: seed of the random search (None: global torch RNG).

    Shape:
        x: (N, C, H, W) in [0, 1]; y: (N,) int64 labels. Returns an AttackResult.

    Example:
        >>> result = Square(model, eps=0.3, n_queries=5000)(x, y)
    """

    name = "Square"
    Params = SquareParams

    finite_budget = True
    _windows: tuple | None = None  # cached (key, all s x s window masks) of the current square size

    @torch.no_grad()
    def _margin(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return margin(self.model(x), y)

    def _signs(self, *shape: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """Uniform +-1 from the attack's generator."""
        signs = torch.randint(0, 2, shape, device=device, dtype=dtype, generator=self._generator)
        return signs.mul_(2.0).sub_(1.0)

    def _window(self, n: int, s: int, h: int, w: int, device: torch.device) -> torch.Tensor:
        """(n, 1, h, w) bool: one random s x s window per input (uniform over positions)."""
        key = (s, h, w, str(device))
        if self._windows is None or self._windows[0] != key:
            rows = torch.arange(h, device=device)
            cols = torch.arange(w, device=device)
            tops = torch.arange(h - s + 1, device=device)
            lefts = torch.arange(w - s + 1, device=device)
            in_r = (rows[None] >= tops[:, None]) & (rows[None] < tops[:, None] + s)  # (T, h)
            in_c = (cols[None] >= lefts[:, None]) & (cols[None] < lefts[:, None] + s)  # (L, w)
            table = in_r[:, None, :, None] & in_c[None, :, None, :]  # (T, L, h, w)
            self._windows = (key, table.reshape(-1, 1, h, w))
        table = self._windows[1]
        return table[self.randint(table.shape[0], (n,), device)]

    def _l2_scale(self, x: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
        return (x + delta * self.eps / l2_view(delta).clamp_min(TINY)).clamp(0.0, 1.0)

    def _init(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        if self.norm == "linf":
            return (x + self.eps * self._signs(n, c, 1, w, device=x.device, dtype=x.dtype)).clamp(0.0, 1.0)
        s = max(h // 5, 1)
        delta = torch.zeros_like(x)
        start = (h - 5 * s) // 2
        for i in range(h // s):
            for j in range(w // s):
                r, q = start + i * s, start + j * s
                if r + s > h or q + s > w:
                    continue
                block = self._block(s, x.device, x.dtype)
                delta[:, :, r : r + s, q : q + s] += block * self._signs(
                    n, c, 1, 1, device=x.device, dtype=x.dtype
                )
        return self._l2_scale(x, delta)

    def _block(self, s: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """The paper's L2 update block: two pseudo-Gaussian halves of opposite sign, random orientation."""
        block = torch.zeros(s, s, device=device)
        block[: s // 2] = _pseudo_gaussian(s // 2, s, device) if s // 2 else block[:0]
        block[s // 2 :] = -_pseudo_gaussian(s - s // 2, s, device)
        block = block / block.norm().clamp_min(TINY)
        if float(self.rand(1, device=device)) > 0.5:
            block = block.T
        return block.to(dtype)

    @torch.no_grad()
    def run(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One random search: (best points, fooled mask).

        The search state of the inputs not yet fooled is kept compact and written back
        only when some input is fooled (few tensor ops per query).
        """
        n, c, h, w = x.shape
        best = self._init(x)
        margin = self._margin(best, y)
        idx = (margin > 0).nonzero().flatten()
        xs, ys, cur, cur_margin = x[idx], y[idx], best[idx], margin[idx]
        up, down = (xs + self.eps).clamp(0.0, 1.0), (xs - self.eps).clamp(0.0, 1.0)
        pixels = h * w
        for q in range(1, self.n_queries):
            m = idx.numel()
            if m == 0:
                break
            p = p_schedule(self.p_init, q, self.n_queries)
            if self.norm == "linf":
                s = min(max(int(round(math.sqrt(p * pixels))), 1), max(min(h, w) - 1, 1))
                win = self._window(m, s, h, w, x.device)
                positive = self.rand(m, c, 1, 1, device=x.device) < 0.5
                new = torch.where(win, torch.where(positive, up, down), cur)
            else:
                new = self._l2_update(xs, cur, p)
            new_margin = self._margin(new, ys)
            better = new_margin < cur_margin
            cur = torch.where(batch_view(better, cur.ndim), new, cur)
            cur_margin = torch.minimum(new_margin, cur_margin)
            fooled = cur_margin <= 0
            if bool(fooled.any()):
                best[idx], margin[idx] = cur, cur_margin
                keep = ~fooled
                idx, xs, ys, cur, cur_margin = idx[keep], xs[keep], ys[keep], cur[keep], cur_margin[keep]
                up, down = up[keep], down[keep]
        best[idx], margin[idx] = cur, cur_margin
        return best, margin <= 0

    def _l2_update(self, xs: torch.Tensor, cur: torch.Tensor, p: float) -> torch.Tensor:
        """The paper's L2 step: window 2's mass moves into window 1 as a new signed block."""
        m, c, h, w = xs.shape
        s = max(int(round(math.sqrt(p * h * w))), 3)
        s = min(s + (s % 2 == 0), min(h, w) - 1)
        delta = cur - xs
        r1, r2 = (int(v) for v in self.randint(h - s + 1, (2,), xs.device))
        c1, c2 = (int(v) for v in self.randint(w - s + 1, (2,), xs.device))
        win1 = delta[:, :, r1 : r1 + s, c1 : c1 + s]
        mask = torch.zeros_like(delta[:1, :1])
        mask[..., r1 : r1 + s, c1 : c1 + s] = 1
        mask[..., r2 : r2 + s, c2 : c2 + s] = 1
        total = l2_view(delta)
        in_windows = l2_view(delta * mask)
        block = self._block(s, xs.device, xs.dtype) * self._signs(
            m, c, 1, 1, device=xs.device, dtype=xs.dtype
        )
        block = block + win1 / win1.flatten(2).norm(dim=2).clamp_min(TINY)[..., None, None]
        mass = ((self.eps**2 - total**2).clamp_min(0) / c + in_windows**2).sqrt()
        block = block / block.flatten(2).norm(dim=2).clamp_min(TINY)[..., None, None] * mass
        delta = delta.clone()
        delta[:, :, r2 : r2 + s, c2 : c2 + s] = 0
        delta[:, :, r1 : r1 + s, c1 : c1 + s] = block
        return self._l2_scale(xs, delta)

    def __repr__(self) -> str:
        return (
            f"Square(eps={self.eps}, norm={self.norm!r}, n_queries={self.n_queries}, "
            f"n_restarts={self.n_restarts}, p_init={self.p_init}, seed={self.seed})"
        )
