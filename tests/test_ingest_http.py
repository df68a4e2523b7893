"""Fetching behaviour against real servers on 127.0.0.1: 304, 410, redirects, timeouts, caps."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli import main
from flows.ingest.run import MAX_NEW_PER_SOURCE, run_ingest
from flows.library.loader import load_library
from tests.ingest_server import Served, feed_server, silent_server
from tests.test_ingest_feeds import (
    MARKER,
    TODAY,
    everything_written,
    make_settings,
    write_sources,
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Served]]:
    """A fresh fixture server per test, so its request log is this test's only."""
    with feed_server() as (base, served):
        yield base, served


def inbox_files(content: Path) -> dict[Path, float]:
    """Every draft file with its modification time."""
    return {p: p.stat().st_mtime for p in (content / "inbox").rglob("*.md")}


def test_second_run_sends_validators_gets_304_and_writes_nothing(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"rss": f"{base}/feeds/rss20.xml"})
    first = run_ingest(settings, today=TODAY)
    assert first.sources[0].status == "new" and len(first.sources[0].drafts) == 2
    before = inbox_files(settings.content_dir)
    assert served.requests[-1][1:] == (None, None)  # nothing known yet: a plain GET

    second = run_ingest(settings, today=TODAY)
    path, etag, since = served.requests[-1]
    assert path == "/feeds/rss20.xml" and etag and etag.startswith('"')
    assert since == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert second.sources[0].status == "not-modified"
    assert second.new_drafts == 0
    assert inbox_files(settings.content_dir) == before


def test_rerun_without_validators_finds_nothing_new(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, _ = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"gen": f"{base}/generated/5"})  # no ETag on this route
    assert run_ingest(settings, today=TODAY).new_drafts == 5
    again = run_ingest(settings, today=TODAY)
    assert again.sources[0].status == "no-news" and again.new_drafts == 0
    assert len(inbox_files(settings.content_dir)) == 5


def test_moved_draft_is_not_written_again(server: tuple[str, Served], tmp_path: Path) -> None:
    base, _ = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"gen": f"{base}/generated/2"})
    result = run_ingest(settings, today=TODAY)
    for draft in result.sources[0].drafts:
        draft.path.unlink()  # the comms team moved it to messages/
    assert run_ingest(settings, today=TODAY).new_drafts == 0
    assert inbox_files(settings.content_dir) == {}


def test_gone_needs_attention_at_once(server: tuple[str, Served], tmp_path: Path) -> None:
    base, _ = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"weg": f"{base}/gone"})
    (source,) = run_ingest(settings, today=TODAY).sources
    assert source.status == "gone" and source.needs_attention
    assert [f.code for f in source.findings] == ["I503"]


def test_failing_source_needs_attention_after_n_runs_and_recovers(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, _ = server
    settings = make_settings(tmp_path, ingest_failures_before_attention=2)
    write_sources(settings.content_dir, {"kapot": f"{base}/status/500"})
    first = run_ingest(settings, today=TODAY).sources[0]
    assert (first.status, first.failures, first.needs_attention) == ("failed", 1, False)
    assert first.findings[0].code == "I501" and "HTTP 500" in first.error
    second = run_ingest(settings, today=TODAY).sources[0]
    assert (second.failures, second.needs_attention) == (2, True)
    assert second.findings[0].code == "I502"
    # The same source name with a working feed: counted from zero again.
    write_sources(settings.content_dir, {"kapot": f"{base}/feeds/empty.xml"})
    third = run_ingest(settings, today=TODAY).sources[0]
    assert (third.status, third.failures, third.needs_attention) == ("no-news", 0, False)


def test_permanent_redirect_is_followed_and_reported(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"verhuisd": f"{base}/moved/atom.xml"})
    (source,) = run_ingest(settings, today=TODAY).sources
    assert source.status == "new" and len(source.drafts) == 2
    assert [r[0] for r in served.requests] == ["/moved/atom.xml", "/feeds/atom.xml"]
    moved = [f for f in source.findings if f.code == "I511"]
    assert moved and f"{base}/feeds/atom.xml" in moved[0].message


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ("/to-file", "not an http(s) address"),
        ("/loop", "more than 5 redirects"),
        ("/big", "larger than"),
        ("/gzip-bomb", "larger than"),
        ("/status/404", "HTTP 404"),
    ],
)
def test_refused_or_broken_answers_fail_cleanly(
    server: tuple[str, Served], tmp_path: Path, route: str, error: str
) -> None:
    base, _ = server
    settings = make_settings(tmp_path, ingest_max_bytes=1_000_000)
    write_sources(settings.content_dir, {"bron": base + route})
    started = time.perf_counter()
    (source,) = run_ingest(settings, today=TODAY).sources
    assert time.perf_counter() - started < 3
    assert source.status == "failed" and error in source.error
    assert source.drafts == []


def test_file_url_in_sources_is_never_opened(tmp_path: Path) -> None:
    marker = tmp_path / "secret.xml"
    marker.write_text(MARKER, "utf-8")
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"lokaal": marker.as_uri()})
    result = run_ingest(settings, today=TODAY)
    # Refused when sources.yaml is read (so `veerkracht check` says it too), never fetched.
    assert result.sources == []
    (problem,) = [f for f in result.findings if f.code == "I500"]
    assert "uses 'file:', which is not allowed" in problem.message
    assert MARKER not in everything_written(settings, result)


def test_body_that_is_a_file_path_is_not_opened_by_feedparser(tmp_path: Path) -> None:
    marker = tmp_path / "secret.txt"
    marker.write_text(MARKER, "utf-8")
    served = Served(path_body=str(marker).encode())
    with feed_server(served) as (base, _):
        settings = make_settings(tmp_path)
        write_sources(settings.content_dir, {"pad": f"{base}/path-body"})
        result = run_ingest(settings, today=TODAY)
    assert result.sources[0].status == "failed" and "not a feed" in result.sources[0].error
    assert MARKER not in everything_written(settings, result)


def test_loopback_is_refused_without_net_allow(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    settings = make_settings(tmp_path, net_allow=[])
    write_sources(settings.content_dir, {"lokaal": f"{base}/feeds/rss20.xml"})
    (source,) = run_ingest(settings, today=TODAY).sources
    assert source.status == "failed" and "loopback" in source.error
    assert served.requests == []  # refused before any connection was made


def test_silent_server_times_out_and_others_still_run(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, _ = server
    settings = make_settings(tmp_path, link_timeout=0.5, link_connect_timeout=0.5)
    with silent_server() as silent:
        write_sources(
            settings.content_dir,
            {
                "stil": f"{silent}/feed.xml",
                "weg": f"{base}/gone",
                "goed": f"{base}/feeds/rss20.xml",
            },
        )
        started = time.perf_counter()
        result = run_ingest(settings, today=TODAY)
        elapsed = time.perf_counter() - started
    by_name = {r.source.name: r for r in result.sources}
    assert elapsed < 30  # a bound, not a benchmark: without the timeout it would hang
    assert by_name["stil"].status == "failed" and "within 0.5 seconds" in by_name["stil"].error
    assert by_name["weg"].status == "gone"
    assert by_name["goed"].status == "new" and len(by_name["goed"].drafts) == 2


def test_disabled_source_is_not_fetched(server: tuple[str, Served], tmp_path: Path) -> None:
    base, served = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"uit": f"{base}/feeds/rss20.xml"}, enabled=False)
    (source,) = run_ingest(settings, today=TODAY).sources
    assert source.status == "disabled" and served.requests == []


def test_fifty_thousand_entries(server: tuple[str, Served], tmp_path: Path) -> None:
    base, _ = server
    settings = make_settings(tmp_path, link_timeout=60.0)
    write_sources(settings.content_dir, {"veel": f"{base}/generated/50000"})
    started = time.perf_counter()
    (source,) = run_ingest(settings, today=TODAY).sources
    elapsed = time.perf_counter() - started
    assert source.status == "new" and source.entries == 50_000
    assert len(source.drafts) == MAX_NEW_PER_SOURCE
    assert source.skipped == 50_000 - MAX_NEW_PER_SOURCE
    assert [f.code for f in source.findings] == ["I510"]
    assert len(inbox_files(settings.content_dir)) == MAX_NEW_PER_SOURCE
    with sqlite3.connect(settings.resolved_state_url().removeprefix("sqlite:///")) as conn:
        (seen,) = conn.execute("select count(*) from ingest_seen where source='veel'").fetchone()
    assert seen == 50_000  # one link key per entry: all remembered, none drafted twice
    assert elapsed < 120  # about 15 s here, mostly feedparser; bounded, not a benchmark


def test_cli_ingest_writes_report_and_check_counts_drafts(
    server: tuple[str, Served],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, _ = server
    monkeypatch.setenv("VEERKRACHT_NET_ALLOW", '["127.0.0.1"]')
    content, out = tmp_path / "content", tmp_path / "out"
    write_sources(content, {"rss": f"{base}/feeds/rss20.xml", "weg": f"{base}/gone"})
    code = main(["ingest", "--content", str(content), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1  # 'weg' answered 410: needs attention
    assert "I503" in printed and "2 new drafts" in printed
    report = (out / "reports" / "ingest.md").read_text("utf-8")
    assert "## Needs attention" in report and "**weg**" in report
    drafts = sorted((content / "inbox" / "rss").glob("*.nl.md"))
    assert len(drafts) == 2
    for draft in drafts:  # each draft is linked from the report, relative to it
        assert f"(../../content/inbox/rss/{draft.name})" in report

    main(["check", "--content", str(content), "--out", str(out)])
    assert "2 drafts in inbox/ wait for review" in capsys.readouterr().out
    library = load_library(content)  # what the planner gets: drafts are never in it
    assert library.messages == () and library.drafts_waiting == 2


def test_failure_while_writing_keeps_the_feed_for_the_next_run(
    server: tuple[str, Served], tmp_path: Path
) -> None:
    base, served = server
    settings = make_settings(tmp_path)
    write_sources(settings.content_dir, {"rss": f"{base}/feeds/rss20.xml"})
    blocker = settings.content_dir / "inbox" / "rss"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the source's folder should be", "utf-8")
    (source,) = run_ingest(settings, today=TODAY).sources
    assert source.status == "failed" and "could not process the feed" in source.error
    blocker.unlink()
    (source,) = run_ingest(settings, today=TODAY).sources
    assert served.requests[-1][1] is None  # no ETag was kept from the failed run
    assert source.status == "new" and len(source.drafts) == 2
