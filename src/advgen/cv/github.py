"""Opt-in refresh of the GitHub star counts (REST API v3, standard library only).

Counts the stars of every public repository the user owns (``GET /users/{user}/repos``,
paginated through the ``Link`` header) plus the repositories the CV lists under other
owners (``GET /repos/{owner}/{name}``). The Scholar counts of the current stats file are
copied over unchanged (Google Scholar has no API). ``as_of`` is the date of the API's
``Date`` response header, so the refreshed file depends only on the responses.

The HTTP layer is a plain callable (:data:`Transport`): tests replay recorded responses,
the CLI uses :func:`urllib_transport`. A ``GITHUB_TOKEN`` in the environment is sent as a
bearer token (higher rate limit); none is needed.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advgen.cv.source import CVError, load_cv_yaml, load_stats_yaml
from advgen.io import write_text


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


Transport = Callable[[str, Mapping[str, str]], Response]
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def urllib_transport(url: str, headers: Mapping[str, str], timeout: float = 30.0) -> Response:
    """GET ``url`` with urllib; HTTP errors come back as responses, network errors raise."""
    request = urllib.request.Request(url, headers=dict(headers), method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - https API root
            return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise CVError(f"GitHub API: cannot reach {url}: {exc}") from exc


class GitHubClient:
    """The few GitHub REST calls the CV needs."""

    def __init__(
        self, transport: Transport, api: str = "https://api.github.com", token: str | None = None
    ) -> None:
        self.transport = transport
        self.api = api.rstrip("/")
        self.token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        self.dates: list[str] = []

    def _get(self, url: str, what: str) -> tuple[Any, Mapping[str, str]]:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "advgen-cv",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.transport(url, headers)
        lower = {k.lower(): v for k, v in response.headers.items()}
        if response.status == 404:
            raise CVError(f"GitHub API: {what} not found (404 from {url})")
        if response.status in (403, 429) and lower.get("x-ratelimit-remaining") == "0":
            raise CVError(
                f"GitHub API: rate limit exhausted while fetching {what} (resets at epoch "
                f"{lower.get('x-ratelimit-reset', '?')}); set GITHUB_TOKEN or retry later"
            )
        if response.status != 200:
            raise CVError(
                f"GitHub API: HTTP {response.status} for {what} ({url}): {_api_message(response.body)}"
            )
        try:
            payload = json.loads(response.body)
        except json.JSONDecodeError as exc:
            raise CVError(f"GitHub API: {what}: response is not JSON ({exc.msg})") from exc
        if "date" in lower:
            self.dates.append(lower["date"])
        return payload, lower

    def repo_stars(self, full_name: str) -> int:
        """Stars of ``owner/name``."""
        payload, _ = self._get(f"{self.api}/repos/{full_name}", f"repository '{full_name}'")
        return _stars(payload, full_name)

    def user_repo_stars(self, user: str) -> dict[str, int]:
        """Stars of every non-fork repository ``user`` owns, following pagination."""
        url: str | None = f"{self.api}/users/{user}/repos?type=owner&per_page=100&page=1"
        stars: dict[str, int] = {}
        while url:
            payload, headers = self._get(url, f"repositories of user '{user}'")
            if not isinstance(payload, list):
                raise CVError(f"GitHub API: repositories of user '{user}': expected a list")
            for repo in payload:
                if not repo.get("fork"):
                    stars[repo["full_name"]] = _stars(repo, repo.get("full_name", "?"))
            match = _NEXT.search(headers.get("link", ""))
            url = match.group(1) if match else None
        return stars


def _stars(payload: Any, name: str) -> int:
    count = payload.get("stargazers_count") if isinstance(payload, dict) else None
    if not isinstance(count, int):
        raise CVError(f"GitHub API: repository '{name}': no stargazers_count in the response")
    return count


def _api_message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", "")) or "no message"
    except (json.JSONDecodeError, AttributeError):
        return body[:200].decode("utf-8", "replace")


def github_user(data: Mapping[str, Any]) -> str | None:
    """The user of the owner's ``kind: github`` link (``https://github.com/bamos`` -> bamos)."""
    for link in data["owner"].get("links", []):
        if link["kind"] == "github":
            return link["url"].rstrip("/").rsplit("/", 1)[-1]
    return None


def fetch_stats(
    cv_data: Mapping[str, Any], old_stats: Mapping[str, Any], client: GitHubClient, user: str
) -> dict[str, Any]:
    """Refreshed stats: the user's own repositories plus every repository the CV lists."""
    stars = client.user_repo_stars(user)
    listed = sorted(
        {
            entry["repo"]
            for sec in cv_data["sections"].values()
            if sec["type"] == "repositories"
            for entry in sec["entries"]
        }
    )
    for name in listed:
        if name not in stars:
            stars[name] = client.repo_stars(name)
    if not client.dates:
        raise CVError("GitHub API: no Date header in the responses; cannot date the counts")
    when = email.utils.parsedate_to_datetime(client.dates[0]).date()
    return {
        "as_of": when.isoformat(),
        "scholar": dict(old_stats["scholar"]),
        "github": {"user": user, "repos": dict(sorted(stars.items(), key=lambda kv: kv[0].lower()))},
    }


def refresh_stats(
    cv_path: str | Path,
    stats_path: str | Path,
    out_path: str | Path,
    client: GitHubClient,
    *,
    user: str | None = None,
) -> dict[str, Any]:
    """Fetch fresh counts and write them (atomically) as a stats file at ``out_path``."""
    source, data = load_cv_yaml(cv_path)
    _, old = load_stats_yaml(stats_path)
    user = user or github_user(data)
    if not user:
        raise source.error(
            ["owner", "links"], "no link of kind 'github' to take the GitHub user from (or pass --user)"
        )
    stats = fetch_stats(data, old, client, user)
    header = (
        "# Written by `advgen cv stats` (the cv_stats rule) from the GitHub REST API.\n"
        "# Scholar counts are copied from the previous stats file. Review, then copy over\n"
        "# config/cv/stats.yaml to use it.\n"
    )
    write_text(out_path, header + yaml.safe_dump(stats, sort_keys=False, allow_unicode=True))
    return stats
