"""The CV as renderers see it: sections in order, publications numbered and grouped.

Built from the validated cv.yaml, the decoded publications and the stats file. Every
renderer (Markdown, HTML, Typst) walks the same :class:`CV`, so the three outputs cannot
disagree on order, numbering or counts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from advgen.cv.bib import Publication
from advgen.cv.source import Source
from advgen.cv.stats import humanize, scholar_sentence, sorted_repos, stars_sentence

MONTHS = ("January February March April May June July August September October November December").split()
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")


@dataclass(frozen=True)
class Rich:
    """Text with inline links: ``segments`` are ``(text, url or None)``."""

    segments: tuple[tuple[str, str | None], ...]

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)


def rich(text: str) -> Rich:
    """Parse the one inline markup of the CV data: ``[label](url)``."""
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for match in _LINK.finditer(text):
        if match.start() > pos:
            segments.append((text[pos : match.start()], None))
        segments.append((match.group(1), match.group(2)))
        pos = match.end()
    if pos < len(text):
        segments.append((text[pos:], None))
    return Rich(tuple(segments))


def format_date(date: dt.date) -> str:
    """``March 20, 2023`` (locale-independent)."""
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"


@dataclass(frozen=True)
class Entry:
    title: Rich
    org: str | None
    location: str | None
    details: Rich | None
    lines: tuple[Rich, ...]
    when: str


@dataclass(frozen=True)
class NumberedPublication:
    number: int
    pub: Publication


@dataclass(frozen=True)
class YearGroup:
    label: str
    items: tuple[NumberedPublication, ...]


@dataclass(frozen=True)
class Repo:
    number: int
    name: str
    url: str
    stars: str
    description: Rich
    year: int


@dataclass(frozen=True)
class Talk:
    number: int
    title: Rich
    venue: Rich
    year: int


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    type: str
    level: int
    note: Rich | None = None
    entries: tuple[Any, ...] = ()
    groups: tuple[YearGroup, ...] = ()


@dataclass(frozen=True)
class CV:
    name: str
    email: str | None
    links: tuple[dict[str, str], ...]
    date: dt.date
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def updated(self) -> str:
        return format_date(self.date)


def when(item: dict[str, Any]) -> str:
    """``2014 – 2019``, ``2019 – Present``, ``2022`` or ``S2017``."""
    if "date" in item:
        return str(item["date"])
    if "start" in item:
        return f"{item['start']} – {item['end']}" if "end" in item else str(item["start"])
    return str(item["end"]) if "end" in item else ""


def number_publications(pubs: list[Publication], fold_before: int | None) -> tuple[YearGroup, ...]:
    """Newest first (file order within a year), numbered 1..N, grouped by year.

    Years before ``fold_before`` share one group ``"<fold_before - 1> and earlier"``.
    """
    ordered = sorted(pubs, key=lambda p: -p.year)  # stable: keeps file order within a year
    groups: list[tuple[str, list[NumberedPublication]]] = []
    for number, pub in enumerate(ordered, start=1):
        folded = fold_before is not None and pub.year < fold_before
        label = f"{fold_before - 1} and earlier" if folded else str(pub.year)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(NumberedPublication(number, pub))
    return tuple(YearGroup(label, tuple(items)) for label, items in groups)


def _entries(section: dict[str, Any]) -> tuple[Entry, ...]:
    return tuple(
        Entry(
            title=rich(item["title"]),
            org=item.get("org"),
            location=item.get("location"),
            details=rich(item["details"]) if item.get("details") else None,
            lines=tuple(rich(line) for line in item.get("lines", [])),
            when=when(item),
        )
        for item in section["entries"]
    )


def _repos(source: Source, sid: str, section: dict[str, Any], stats: dict[str, Any]) -> tuple[Repo, ...]:
    stars = stats["github"]["repos"]
    items = list(enumerate(section["entries"]))
    for i, item in items:
        if item["repo"] not in stars:
            raise source.error(
                ["sections", sid, "entries", i, "repo"],
                f"no star count for '{item['repo']}' in the stats file (add it, or refresh with the cv_stats rule)",
            )
    if section.get("sort") == "stars":
        rank = {name: k for k, (name, _) in enumerate(sorted_repos(stars))}
        items.sort(key=lambda pair: rank[pair[1]["repo"]])
    return tuple(
        Repo(
            number=n,
            name=item["repo"],
            url=f"https://github.com/{item['repo']}",
            stars=humanize(stars[item["repo"]]),
            description=rich(item["description"]),
            year=item["year"],
        )
        for n, (_, item) in enumerate(items, start=1)
    )


def build_model(
    source: Source,
    data: dict[str, Any],
    pubs: list[Publication],
    stats: dict[str, Any],
    *,
    date: dt.date,
    fold_before: int | None = None,
) -> CV:
    """Assemble the :class:`CV`; ``fold_before`` overrides the publications section's own."""
    sections = []
    for sid in data["order"]:
        sec = data["sections"][sid]
        kind, level = sec["type"], sec.get("level", 1)
        base = {"id": sid, "title": sec["title"], "type": kind, "level": level}
        if kind == "entries":
            sections.append(Section(**base, entries=_entries(sec)))
        elif kind == "publications":
            line = None
            if sec.get("scholar_url"):
                line = Rich((("Google Scholar", sec["scholar_url"]), (": " + scholar_sentence(stats), None)))
            cut = fold_before if fold_before is not None else sec.get("fold_before")
            note = rich(sec["note"]) if sec.get("note") else None
            sections.append(
                Section(
                    **base, note=note, entries=(line,) if line else (), groups=number_publications(pubs, cut)
                )
            )
        elif kind == "repositories":
            note = Rich(((stars_sentence(stats), None),))
            sections.append(Section(**base, note=note, entries=_repos(source, sid, sec, stats)))
        elif kind == "talks":
            talks = tuple(
                Talk(n, rich(t["title"]), rich(t["venue"]), t["year"])
                for n, t in enumerate(sec["entries"], start=1)
            )
            intro = rich(sec["intro"]) if sec.get("intro") else None
            sections.append(Section(**base, note=intro, entries=talks))
        elif kind == "list":
            sections.append(Section(**base, entries=tuple(rich(t) for t in sec["items"])))
        elif kind == "skills":
            skills = tuple((s["category"], ", ".join(s["items"])) for s in sec["entries"])
            sections.append(Section(**base, entries=skills))
    owner = data["owner"]
    return CV(
        name=owner["name"],
        email=owner.get("email"),
        links=tuple(owner.get("links", [])),
        date=date,
        sections=tuple(sections),
    )
