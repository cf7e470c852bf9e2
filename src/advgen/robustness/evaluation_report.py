"""The report of ``advgen evaluate`` as Markdown and HTML from one formatter.

:func:`report_blocks` turns an :class:`~advgen.robustness.evaluate_model.Evaluation` into
blocks of text (headings, paragraphs, tables of strings, lists) with every number already
written out; :func:`markdown` and :func:`html` only lay those blocks out, so both formats carry
the same numbers and words (``pass`` / ``FLAG``, a blank cell where there is no number).
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Block:
    """One block: ``kind`` "h1", "h2", "p", "table" (``header`` and ``rows``) or "list" (``rows``: one item each)."""

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


def number(value: Any, digits: int = 3) -> str:
    """A fixed-point number; blank for a missing one (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{float(value):.{digits}f}"


def budget(value: float) -> str:
    """An eps as written on a command line (``0.3``, ``0.03137``, ``inf``)."""
    return f"{value:.4g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
    return Block("table", header=tuple(header), rows=tuple(tuple(r) for r in rows))


def report_blocks(ev: Any) -> list[Block]:
    """The report's content (see the module docstring) of ``ev``, an
    :class:`~advgen.robustness.evaluate_model.Evaluation`."""
    t = ev.table
    name = str(t["classifier"].iloc[0]) if len(t) else "the model"
    blocks = [Block("h1", f"Robust accuracy of {name}"), *_accuracy_blocks(t), *_breakdown_blocks(t)]
    blocks += _masking_blocks(ev)
    if len(ev.stages):
        blocks += [
            Block("h2", "Stage times"),
            _table(
                ("stage", "seconds", "share"),
                [(str(r.stage), f"{r.seconds:.2f}", f"{r.share:.0%}") for r in ev.stages.itertuples()],
            ),
        ]
    if ev.facts:
        from advgen.robustness.run_facts import LABELS as FACT_LABELS

        blocks += [
            Block("h2", "Run facts"),
            _table(("fact", "value"), [(FACT_LABELS.get(k, k), str(v)) for k, v in ev.facts.items()]),
        ]
    if ev.notes:
        blocks += [Block("h2", "Notes"), Block("list", rows=tuple((n,) for n in ev.notes))]
    return blocks


def _accuracy_blocks(t: Any) -> list[Block]:
    """The robust accuracies: a row per attack, norm, eps and seed, with its interval."""
    from advgen.robustness.evaluation_table import CONFIDENCE

    rows = [
        (
            str(r.attack),
            str(r.norm),
            budget(r.eps),
            str(r.seed),
            str(r.n),
            number(r.clean_acc),
            number(r.robust_acc),
            f"[{number(r.robust_acc_low)}, {number(r.robust_acc_high)}]",
        )
        for r in t.itertuples()
    ]
    header = ("attack", "norm", "eps", "seed", "n", "clean acc", "robust acc", f"{CONFIDENCE:.0%} interval")
    return [
        _table(header, rows),
        Block("p", "Interval: Wilson score (Wilson 1927) over the n examples, per seed."),
    ]


def _breakdown_blocks(t: Any) -> list[Block]:
    """AutoAttack's breakdown, where its components ran: the robust accuracy after each."""
    from advgen.attacks.autoattack import LABELS, ORDER
    from advgen.robustness.evaluation_table import BREAKDOWN

    versions = [str(a).partition("-")[2] for a in t["attack"].unique()] if len(t) else []
    order = [c for v in versions if v in ORDER for c in ORDER[v]] + list(BREAKDOWN)
    ran = [c for c in dict.fromkeys(order) if BREAKDOWN[c] in t and t[BREAKDOWN[c]].notna().any()]
    if not ran:
        return []
    return [
        Block("h2", "AutoAttack breakdown (Croce & Hein 2020)"),
        Block(
            "p",
            "Robust accuracy after each attack of the ensemble, in the order they ran, each on the "
            "inputs every earlier one left classified correctly (cumulative, as fra31/auto-attack's "
            "run_standard_evaluation reports it); the last column is the ensemble's robust accuracy.",
        ),
        _table(
            ("norm", "eps", "seed", "clean", *(LABELS[c] for c in ran)),
            [
                (str(r["norm"]), budget(r["eps"]), str(r["seed"]), number(r["clean_acc"]))
                + tuple(number(r[BREAKDOWN[c]]) for c in ran)
                for _, r in t.iterrows()
            ],
        ),
    ]


def _masking_blocks(ev: Any) -> list[Block]:
    """The gradient-masking checks' heading, settings and table (or "Not run.")."""
    blocks = [Block("h2", "Gradient-masking checks (Carlini et al. 2019)")]
    if not len(ev.masking):
        return [*blocks, Block("p", "Not run.")]
    return [
        *blocks,
        Block("p", ev.checks_text),
        _table(
            ("check", "result", "value", "reference", "eps", "detail"),
            [
                (
                    str(r.check),
                    "pass" if r.passed else "FLAG",
                    number(r.value),
                    number(r.reference),
                    "" if math.isnan(r.eps) else budget(r.eps),
                    str(r.detail),
                )
                for r in ev.masking.itertuples()
            ],
        ),
    ]


def summary(ev: Any) -> str:
    """What the command prints at its end: the robust accuracies and AutoAttack's breakdown, as
    the report's first tables (Markdown, which reads as plain text)."""
    blocks = report_blocks(ev)
    end = next((i for i, b in enumerate(blocks) if b.text.startswith("Gradient-masking")), len(blocks))
    shown = [b for b in blocks[:end] if b.kind != "p"]
    flagged = [str(c) for c, ok in zip(ev.masking["check"], ev.masking["passed"], strict=True) if not ok]
    checks = (
        f"Gradient-masking checks: {len(ev.masking) - len(flagged)} of {len(ev.masking)} pass"
        + (f"; FLAG: {', '.join(flagged)}" if flagged else "")
        if len(ev.masking)
        else "Gradient-masking checks: not run"
    )
    return markdown(shown) + checks + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown."""
    lines: list[str] = []
    for b in blocks:
        if b.kind == "h1":
            lines += [f"# {b.text}", ""]
        elif b.kind == "h2":
            lines += [f"## {b.text}", ""]
        elif b.kind == "p":
            lines += [b.text, ""]
        elif b.kind == "list":
            lines += [*(f"- {item}" for (item,) in b.rows), ""]
        else:
            lines.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            lines.append("|" + "---|" * len(b.header))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            lines.append("")
    return "\n".join(lines)


def html_fragment(blocks: Sequence[Block]) -> str:
    """The blocks as HTML elements (a notebook's cell output, the body of :func:`html`)."""
    e = _html.escape
    parts = []
    for b in blocks:
        if b.kind in ("h1", "h2"):
            parts.append(f"<{b.kind}>{e(b.text)}</{b.kind}>")
        elif b.kind == "p":
            parts.append(f"<p>{e(b.text)}</p>")
        elif b.kind == "list":
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for (item,) in b.rows) + "</ul>")
        else:
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(parts)


def html(blocks: Sequence[Block]) -> str:
    """The blocks as one self-contained HTML page (its title: the first heading)."""
    title = next((b.text for b in blocks if b.kind == "h1"), "Robust accuracy")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_html.escape(title)}</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}</style>",
            "</head><body>",
            html_fragment(blocks),
            "</body></html>\n",
        ]
    )
