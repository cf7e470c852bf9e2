"""Facts the GAN report states about its models and about the gradient of a convolution,
recomputed (the ``report_facts`` job, :func:`report_facts_job`; table ``advgen.paths.REPORT_FACTS``).

* The report's parameter counts ("G: M1. Trainable params: 675025", "D: M3. Trainable params:
  1460225"): the zoo's M1 (z = 50, the report's ``-z 50``) and M3 at 28 px, counted.
* The report's theoretical answers on a convolution ``C(I) = f`` correlated with ``I``
  ("same" size, zero padding): ``grad_I = grad_C * f`` and ``grad_f = I * flip(grad_C)``,
  ``*`` a convolution. Each identity is checked against autograd on random images, filters and
  upstream gradients (float64): the largest absolute difference. Beside each, the same check
  with the flip left out (a correlation in place of the convolution), which must not pass.

Rows: ``fact``, ``measured``, ``reference`` (the report's number or formula).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advgen.columns import REPORT_FACTS_COLUMNS
from advgen.jobfiles import Files
from advgen.specs import NoSettings

if TYPE_CHECKING:
    import pandas as pd
    import torch

#: (fact, generator or discriminator, zoo name, the report's count)
PARAMETER_FACTS = (
    ("parameters_m1", "generator", "M1", 675025),
    ("parameters_m3", "discriminator", "M3", 1460225),
)
COLUMNS = list(REPORT_FACTS_COLUMNS)


def trainable(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def parameter_rows(z_dim: int = 50, shape: tuple[int, int, int] = (1, 28, 28)) -> list[dict]:
    from advgen.models.registry import build_discriminator, build_generator

    rows = []
    for fact, kind, name, reference in PARAMETER_FACTS:
        model = (
            build_generator(name, z_dim, shape) if kind == "generator" else build_discriminator(name, shape)
        )
        rows.append({"fact": fact, "measured": float(trainable(model)), "reference": f"{reference} ({name})"})
    return rows


def _conv(a: torch.Tensor, k: torch.Tensor, padding: int = 0) -> torch.Tensor:
    """``a * k``: a true convolution (the kernel flipped), zero ``padding``."""
    import torch.nn.functional as F

    return F.conv2d(a, k.flip(-1, -2), padding=padding)


def gradient_rows(cases: int = 20, size: int = 12, kernel: int = 3, seed: int = 0) -> list[dict]:
    """Largest |autograd - formula| of both identities over ``cases`` random draws."""
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(seed)
    errors = {"input": 0.0, "input_no_flip": 0.0, "filter": 0.0, "filter_no_flip": 0.0}
    pad = kernel // 2
    for _ in range(cases):
        image = torch.randn(1, 1, size, size, generator=gen, dtype=torch.float64, requires_grad=True)
        f = torch.randn(1, 1, kernel, kernel, generator=gen, dtype=torch.float64, requires_grad=True)
        upstream = torch.randn(1, 1, size, size, generator=gen, dtype=torch.float64)
        out = F.conv2d(image, f, padding=pad)  # C(I): the report's sum of f_{r,c} I_{i-p+r, j-p+c}
        grad_i, grad_f = torch.autograd.grad(out, (image, f), upstream)
        with torch.no_grad():
            formula_i = _conv(upstream, f, pad)  # grad_C * f, "same" size
            wrong_i = F.conv2d(upstream, f, padding=pad)  # the flip left out
            padded = F.pad(image, (pad, pad, pad, pad))
            formula_f = _conv(padded, upstream.flip(-1, -2))  # I * flip(grad_C), valid part
            wrong_f = _conv(padded, upstream)
        errors["input"] = max(errors["input"], float((grad_i - formula_i).abs().max()))
        errors["input_no_flip"] = max(errors["input_no_flip"], float((grad_i - wrong_i).abs().max()))
        errors["filter"] = max(errors["filter"], float((grad_f - formula_f).abs().max()))
        errors["filter_no_flip"] = max(errors["filter_no_flip"], float((grad_f - wrong_f).abs().max()))
    refs = {
        "input": "grad_I C = grad_C(I) C * f",
        "input_no_flip": "the same with f not flipped (a correlation)",
        "filter": "grad_f C = I * flip(grad_C(I) C)",
        "filter_no_flip": "the same without the flip",
    }
    return [{"fact": f"conv_grad_{k}", "measured": v, "reference": refs[k]} for k, v in errors.items()]


def report_facts() -> pd.DataFrame:
    """The table (:data:`COLUMNS`)."""
    import pandas as pd

    return pd.DataFrame(parameter_rows() + gradient_rows(), columns=COLUMNS)


def report_facts_job(inputs: Files, outputs: Files, spec: NoSettings) -> None:
    """The ``report_facts`` job: the table (output ``table``)."""
    from advgen.io import write_parquet

    write_parquet(report_facts(), outputs.one("table"))
