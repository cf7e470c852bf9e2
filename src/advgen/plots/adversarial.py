"""Image figures the source documents show and the other figures do not.

* :func:`adversarial_examples`: per attack, clean input | perturbation | adversarial input,
  each titled with the predicted label and its softmax confidence (the review's Figs. 2-3:
  Szegedy et al.'s AlexNet examples, Goodfellow et al.'s "panda + 0.007 x sign(grad)").
  The perturbation is shown magnified around mid-grey, as Szegedy et al. do (x10, shifted).
* :func:`truncation_grid`: one row of samples per truncation psi (BigGAN's trick).
* :func:`interpolation_strips`: each interpolation path *with its two end images* (the
  report's tables: original image, then alpha = 0 ... 1, then the other original).

Inputs are arrays / tensors in [0, 1] with shape ``(N, C, H, W)`` (C = 1 or 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from advgen.errors import AdvgenError
from advgen.plots import style
from advgen.plots.images import _show


def _hwc(image: Any) -> np.ndarray:
    arr = np.asarray(image.detach().cpu() if hasattr(image, "detach") else image, dtype=float)
    if arr.ndim != 3:
        raise AdvgenError(f"expected a (C, H, W) image, got shape {arr.shape}")
    return arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)


def perturbation_view(clean: Any, adv: Any, magnify: float = 10.0) -> np.ndarray:
    """``0.5 + magnify * (adv - clean)`` clipped to [0, 1] (Szegedy et al. Fig. 5 style)."""
    view: np.ndarray = np.clip(0.5 + magnify * (_hwc(adv) - _hwc(clean)), 0.0, 1.0)
    return view


def adversarial_examples(
    examples: Mapping[str, Mapping[str, Any]],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    magnify: float = 10.0,
    scale: int = 4,
    dpi: int = 150,
) -> None:
    """One row per (attack, example): clean | perturbation | adversarial, with labels.

    ``examples[attack]`` holds ``clean`` and ``adv`` ``(N, C, H, W)``, ``label`` (N,),
    ``pred_clean``/``conf_clean`` and ``pred_adv``/``conf_adv`` (N,) from the classifier.
    """
    rows = [(name, i) for name, ex in examples.items() for i in range(len(ex["clean"]))]
    if not rows:
        raise AdvgenError("adversarial_examples: no examples to show")
    with style.figure(len(rows), 3, size=(3 * 1.6, 1.7 * len(rows))) as (fig, axes):
        for r, (name, i) in enumerate(rows):
            ex = examples[name]
            clean, adv = ex["clean"][i], ex["adv"][i]
            linf = float(np.abs(_hwc(adv) - _hwc(clean)).max())
            panels = [
                (
                    _hwc(clean),
                    f"y={int(ex['label'][i])}: {int(ex['pred_clean'][i])} ({float(ex['conf_clean'][i]):.0%})",
                ),
                (perturbation_view(clean, adv, magnify), f"{name}, x{magnify:g} (Linf {linf:.2f})"),
                (_hwc(adv), f"→ {int(ex['pred_adv'][i])} ({float(ex['conf_adv'][i]):.0%})"),
            ]
            for c, (image, text) in enumerate(panels):
                _show(axes[r, c], image, scale)
                axes[r, c].set_title(text, fontsize=7)
        style.title(fig, experiment, "adversarial examples: clean, perturbation, adversarial")
        style.save(fig, paths, dpi=dpi)


def truncation_grid(
    samples: Mapping[float | None, Any],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    scale: int = 3,
    dpi: int = 150,
) -> None:
    """One row per psi (``None``: no truncation), same number of samples per row."""
    if not samples:
        raise AdvgenError("truncation_grid: no psi given")
    psis = sorted(samples, key=lambda p: float("inf") if p is None else float(p))
    n = min(len(samples[p]) for p in psis)
    with style.figure(len(psis), n, size=(0.9 * n + 0.8, 1.0 * len(psis))) as (fig, axes):
        for r, psi in enumerate(psis):
            for c in range(n):
                _show(axes[r, c], _hwc(samples[psi][c]), scale)
            axes[r, 0].set_ylabel(
                "ψ = ∞" if psi is None else f"ψ = {float(psi):g}", rotation=0, ha="right", va="center"
            )
        style.title(fig, experiment, "samples per truncation ψ")
        style.save(fig, paths, dpi=dpi)


def interpolation_strips(
    starts: Any,
    frames: Any,
    ends: Any,
    alphas: Sequence[float],
    paths: Sequence[str | Path],
    *,
    experiment: str,
    labels: Sequence[Sequence[int]] | None = None,
    scale: int = 3,
    dpi: int = 150,
) -> None:
    """Each row: the start image, ``G(z(alpha))`` for every alpha, the end image.

    ``frames`` is ``(P, A, C, H, W)`` for P pairs and A alphas; ``labels`` optional
    classifier labels ``(P, A)`` shown under the frames.
    """
    p, a = len(frames), len(alphas)
    if p == 0 or len(frames[0]) != a or len(starts) != p or len(ends) != p:
        raise AdvgenError(
            f"interpolation_strips: {len(starts)} starts, {p} paths, {len(ends)} ends, {a} alphas do not match"
        )
    with style.figure(p, a + 2, size=(0.85 * (a + 2), 1.05 * p)) as (fig, axes):
        for r in range(p):
            _show(axes[r, 0], _hwc(starts[r]), scale)
            _show(axes[r, -1], _hwc(ends[r]), scale)
            for c in range(a):
                _show(axes[r, c + 1], _hwc(frames[r][c]), scale)
                if labels is not None:
                    axes[r, c + 1].set_xlabel(str(int(labels[r][c])), fontsize=7)
            if r == 0:
                axes[0, 0].set_title("image 1", fontsize=7)
                axes[0, -1].set_title("image 2", fontsize=7)
                for c, alpha in enumerate(alphas):
                    axes[0, c + 1].set_title(f"α={alpha:g}", fontsize=7)
        style.title(fig, experiment, "interpolation with its end images")
        style.save(fig, paths, dpi=dpi)
