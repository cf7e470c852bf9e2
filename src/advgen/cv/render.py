"""Renderers: one Jinja2 environment per output format over the same :class:`~advgen.cv.model.CV`.

Each format supplies its escaping of plain text and of :class:`~advgen.cv.model.Rich`
text (inline links); the templates (package data under ``advgen/cv/templates``) only
decide the layout. Output is a pure function of the model: no clock, no environment.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup

from advgen.cv.model import CV, Rich

# --- Markdown (GitHub flavoured) ---

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation (also ``|`` for table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def md_rich(value: Rich) -> str:
    return "".join(
        f"[{md_escape(text)}]({md_url(url)})" if url else md_escape(text) for text, url in value.segments
    )


# --- HTML ---


def html_rich(value: Rich) -> Markup:
    parts = []
    for text, url in value.segments:
        if url:
            parts.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(text, quote=False)}</a>')
        else:
            parts.append(html.escape(text, quote=False))
    return Markup("".join(parts))


# --- Typst: all text goes in as string literals, so no markup character can leak ---


def typst_str(text: Any) -> str:
    """A Typst string literal."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n").replace("\r", "").replace("\t", "\\t") + '"'


def typst_rich(value: Rich) -> str:
    """A Typst content block, e.g. ``[#"Thesis: "#link("https://...")[#"Title"]]``."""
    parts = []
    for text, url in value.segments:
        parts.append(f"#link({typst_str(url)})[#{typst_str(text)}]" if url else f"#{typst_str(text)}")
    return "[" + "".join(parts) + "]"


def _environment(filters: dict[str, Callable[..., Any]], *, autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("advgen.cv", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env


def render_markdown(cv: CV) -> str:
    """cv.md: plain GitHub-flavoured Markdown."""
    env = _environment({"esc": md_escape, "rich": md_rich, "url": md_url}, autoescape=False)
    return _tidy(env.get_template("cv.md.j2").render(cv=cv))


def render_html(cv: CV) -> str:
    """cv.html: one standalone page, the stylesheet inlined."""
    env = _environment({"rich": html_rich}, autoescape=True)
    css = env.loader.get_source(env, "cv.css")[0]  # type: ignore[union-attr]
    return _tidy(env.get_template("cv.html.j2").render(cv=cv, css=Markup(css)))


def render_typst(cv: CV) -> str:
    """cv.typ: self-contained Typst source (style functions included)."""
    env = _environment({"t": typst_str, "rich": typst_rich}, autoescape=False)
    style = env.loader.get_source(env, "style.typ")[0]  # type: ignore[union-attr]
    return _tidy(env.get_template("cv.typ.j2").render(cv=cv, style=style))


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
