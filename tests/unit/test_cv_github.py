"""The opt-in GitHub star refresh, replayed from recorded API responses (no network)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml

from advgen.cli import main as cli_main
from advgen.cv.github import GitHubClient, Response, refresh_stats
from advgen.cv.source import CVError, load_stats_yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "cv"
API = "https://api.github.com"


class Replay:
    """A transport answering from a recorded ``[{url, status, headers, body}]`` file."""

    def __init__(self, name: str, api: str = API) -> None:
        records = json.loads((DATA / "github" / name).read_text(encoding="utf-8"))
        self.records = {r["url"].replace(API, api): r for r in records}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, headers: Mapping[str, str]) -> Response:
        self.requests.append((url, dict(headers)))
        record = self.records[url]
        return Response(record["status"], record["headers"], json.dumps(record["body"]).encode())


def test_refresh_follows_pagination_skips_forks_and_adds_listed_repos(tmp_path: Path) -> None:
    replay = Replay("refresh_ok.json")
    out = tmp_path / "stats.yaml"
    stats = refresh_stats(DATA / "cv.yaml", DATA / "stats.yaml", out, GitHubClient(replay, token=""))
    assert [url for url, _ in replay.requests] == [
        f"{API}/users/adalove/repos?type=owner&per_page=100&page=1",
        f"{API}/users/adalove/repos?type=owner&per_page=100&page=2",
        f"{API}/repos/other/notes",
    ]
    assert stats == {
        "as_of": "2024-05-06",  # from the Date header, not the clock
        "scholar": {"citations": 7349, "h_index": 12},  # copied over
        "github": {
            "user": "adalove",
            "repos": {"adalove/engine": 1312, "adalove/unlisted": 101, "other/notes": 9},
        },
    }
    _, reloaded = load_stats_yaml(out)  # the written file is a valid stats file
    assert reloaded["github"]["repos"] == stats["github"]["repos"]
    headers = replay.requests[0][1]
    assert headers["Accept"] == "application/vnd.github+json" and "Authorization" not in headers


def test_token_is_sent_when_given(tmp_path: Path) -> None:
    replay = Replay("refresh_ok.json")
    refresh_stats(
        DATA / "cv.yaml", DATA / "stats.yaml", tmp_path / "s.yaml", GitHubClient(replay, token="t0k")
    )
    assert all(h["Authorization"] == "Bearer t0k" for _, h in replay.requests)


def test_missing_repository_is_named(tmp_path: Path) -> None:
    out = tmp_path / "stats.yaml"
    with pytest.raises(
        CVError, match=r"GitHub API: repository 'other/notes' not found \(404 from .*/repos/other/notes\)"
    ):
        refresh_stats(
            DATA / "cv.yaml", DATA / "stats.yaml", out, GitHubClient(Replay("repo_not_found.json"), token="")
        )
    assert not out.exists()


def test_rate_limit_is_explained(tmp_path: Path) -> None:
    with pytest.raises(
        CVError,
        match=r"rate limit exhausted while fetching repositories of user 'adalove' "
        r"\(resets at epoch 1714993200\); set GITHUB_TOKEN",
    ):
        refresh_stats(
            DATA / "cv.yaml",
            DATA / "stats.yaml",
            tmp_path / "s.yaml",
            GitHubClient(Replay("rate_limited.json"), token=""),
        )


def test_user_from_the_github_link_or_an_error(tmp_path: Path) -> None:
    text = (DATA / "cv.yaml").read_text(encoding="utf-8")
    text = text.replace('    - {kind: github, label: adalove, url: "https://github.com/adalove"}\n', "")
    (tmp_path / "cv.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CVError, match=r"cv\.yaml:\d+: owner\.links: no link of kind 'github'"):
        refresh_stats(
            tmp_path / "cv.yaml",
            DATA / "stats.yaml",
            tmp_path / "s.yaml",
            GitHubClient(Replay("refresh_ok.json")),
        )
    stats = refresh_stats(
        tmp_path / "cv.yaml",
        DATA / "stats.yaml",
        tmp_path / "s.yaml",
        GitHubClient(Replay("refresh_ok.json")),
        user="adalove",
    )
    assert stats["github"]["user"] == "adalove"


@pytest.fixture
def recorded_server() -> Iterator[str]:
    """A local HTTP server replaying refresh_ok.json, so the urllib path runs without network."""
    state: dict[str, Replay] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            record = state["replay"].records[f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"]
            body = json.dumps(record["body"]).encode()
            self.send_response(record["status"])
            for key, value in record["headers"].items():
                if key != "date":
                    self.send_header(
                        key, value.replace(API, f"http://127.0.0.1:{self.server.server_address[1]}")
                    )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

        def date_time_string(self, timestamp: float | None = None) -> str:
            return "Mon, 06 May 2024 10:00:00 GMT"

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api = f"http://127.0.0.1:{server.server_address[1]}"
    state["replay"] = Replay("refresh_ok.json", api=api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def test_cli_refresh_over_http(recorded_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    out = tmp_path / "stats.yaml"
    argv = [
        "cv",
        "stats",
        "--cv",
        str(DATA / "cv.yaml"),
        "--stats",
        str(DATA / "stats.yaml"),
        "--out",
        str(out),
    ]
    assert cli_main([*argv, "--api", recorded_server]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["as_of"] == "2024-05-06"
    assert written["github"]["repos"] == {"adalove/engine": 1312, "adalove/unlisted": 101, "other/notes": 9}
    assert out.read_text(encoding="utf-8").startswith("# Written by `advgen cv stats`")
