"""Count rounding ("7.3k+" style: floor to one decimal) and the stats sentences."""

from __future__ import annotations

import pytest

from advgen.cv.stats import at_least, humanize, scholar_sentence, sorted_repos, stars_sentence, total_stars


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0"),
        (152, "152"),
        (999, "999"),
        (1000, "1k"),
        (1099, "1k"),
        (1350, "1.3k"),
        (1399, "1.3k"),
        (6000, "6k"),
        (7349, "7.3k"),
        (7399, "7.3k"),
        (14650, "14.6k"),
        (27162, "27.1k"),
        (999_999, "999.9k"),
        (1_000_000, "1M"),
        (1_250_000, "1.2M"),
    ],
)
def test_humanize_rounds_down(count: int, expected: str) -> None:
    assert humanize(count) == expected


def test_at_least_adds_plus_only_when_rounded() -> None:
    assert at_least(7349) == "7.3k+"
    assert at_least(6000) == "6k+"
    assert at_least(950) == "950"


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        humanize(-1)


STATS = {
    "as_of": "2024-05-01",
    "scholar": {"citations": 7349, "h_index": 12},
    "github": {"user": "x", "repos": {"b/two": 1000, "a/one": 1000, "c/big": 26162}},
}


def test_sentences() -> None:
    assert scholar_sentence(STATS) == "7.3k+ citations and an h-index of 12"
    assert total_stars(STATS) == 28162
    assert stars_sentence(STATS) == "28.1k+ GitHub stars across all repositories."


def test_sorted_repos_most_starred_first_ties_by_name() -> None:
    assert sorted_repos(STATS["github"]["repos"]) == [("c/big", 26162), ("a/one", 1000), ("b/two", 1000)]
