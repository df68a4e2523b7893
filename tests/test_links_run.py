"""A whole link-check run on fixture content: collect, verdicts, cache, history, hold, CLI."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli import main
from flows.core.settings import Settings, load_settings
from flows.infra.state import open_state
from flows.library.loader import load_library
from flows.linkcheck import cache
from flows.linkcheck.check import Options, Result, Verdict
from flows.linkcheck.collect import collect_urls, malformed_reason
from flows.linkcheck.hold import held_by_links
from flows.linkcheck.report import to_html
from flows.linkcheck.run import OFFLINE, run_link_check
from tests.conftest import FIXTURES
from tests.fixtures.links.httpserver import ServerThread, closed_port, serving

SOURCE = FIXTURES / "links" / "content"
FAST = Options(total_timeout=2.0, connect_timeout=1.0, backoff=0.05, retry_after_cap=2.0)


def make_content(dest: Path, base: str, base2: str) -> Path:
    """Copy the fixture content with the test servers' addresses filled in."""
    shutil.copytree(SOURCE, dest)
    for path in dest.rglob("*.md"):
        text = path.read_text().replace("{BASE2}", base2).replace("{BASE}", base)
        path.write_text(text)
    return dest


@pytest.fixture
def servers() -> Iterator[ServerThread]:
    with serving(count=2) as st:
        yield st


@pytest.fixture
def setup(tmp_path: Path, servers: ServerThread) -> tuple[Path, Settings]:
    content = make_content(tmp_path / "content", servers.servers[0].base, servers.servers[1].base)
    settings = load_settings(content_dir=content, out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    return content, settings


def test_collect_finds_uses_with_lines_and_malformed_addresses(
    setup: tuple[Path, Settings], servers: ServerThread
) -> None:
    content, _ = setup
    base = servers.servers[0].base
    collected = collect_urls(load_library(content))
    good = collected.uses[base + "/ok/goed"]  # the #kopje use counts as the same URL
    assert [(u.path, u.line) for u in good] == [
        ("content/messages/slapen/avond.nl.md", 12),
        ("content/messages/slapen/avond.nl.md", 23),
        ("content/messages/slapen/ochtend.nl.md", 12),
    ]
    assert [(u.line, u.column) for u in collected.uses[base + "/notfound/weg"]] == [(20, 49)]
    assert [u.line for u in collected.uses[base + "/moved/1/slaap"]] == [21]
    assert len(collected.uses) == 4  # mailto: is not a web link and is left alone
    bad = sorted((f.line, f.code) for f in collected.findings)
    assert bad == [(14, "L405"), (25, "L405"), (25, "L405")]
    assert any("start it with https://" in f.message for f in collected.findings)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/a", None),
        ("www.example.org", "start it with https://"),
        ("ftp://example.org/", "'ftp:'"),
        ("https://", "no site name"),
        ("https://exa mple.org", "space"),
        ("http://[::1", "not a valid web address"),
        ("pagina", "not a web address"),
    ],
)
def test_malformed_reason(url: str, problem: str | None) -> None:
    reason = malformed_reason(url)
    assert (reason is None) if problem is None else (problem in (reason or ""))


def test_run_verdicts_cache_and_hold(setup: tuple[Path, Settings], servers: ServerThread) -> None:
    content, settings = setup
    a, b = servers.servers
    library = load_library(content)
    report = run_link_check(library, settings, options=FAST)
    verdicts = {r.url: r.verdict for r in report.results}
    assert verdicts == {
        a.base + "/ok/goed": Verdict.OK,
        a.base + "/notfound/weg": Verdict.BROKEN,
        a.base + "/moved/1/slaap": Verdict.REDIRECTED,
        b.base + "/gone/ochtend": Verdict.BROKEN,
    }
    assert a.stats.requests["/ok/goed"] == 1  # three uses, one request
    assert report.requests_sent == 5 and not report.offline
    codes = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in report.findings)
    assert ("avond.nl.md", 20, "L401") in codes and ("ochtend.nl.md", 14, "L401") in codes
    assert ("avond.nl.md", 21, "L402") in codes
    moved = next(f for f in report.findings if f.code == "L402")
    assert a.base + "/ok/slaap" in moved.message

    # Second run within the TTL: every verdict from the cache, not one request.
    before = a.stats.total + b.stats.total
    again = run_link_check(library, settings, options=FAST)
    assert a.stats.total + b.stats.total == before
    assert again.requests_sent == 0 and again.from_cache == 4
    assert {r.url: r.verdict for r in again.results} == verdicts

    # --no-cache checks everything again.
    fresh = run_link_check(library, settings, use_cache=False, options=FAST)
    assert fresh.from_cache == 0 and a.stats.total + b.stats.total == before + 5

    asked = a.stats.total + b.stats.total
    held = held_by_links(library, settings)
    assert a.stats.total + b.stats.total == asked  # the hold reads the cache, never the network
    assert set(held) == {("avond", "nl"), ("ochtend", "nl")}
    assert a.base + "/notfound/weg" in held[("avond", "nl")]
    assert "avond.nl.md:20" in held[("avond", "nl")]
    assert b.base + "/gone/ochtend" in held[("ochtend", "nl")]

    (content / "style.yaml").write_text("link_policy: warn\n")
    assert held_by_links(load_library(content), settings) == {}


def test_ok_yesterday_broken_once_is_unverified(
    setup: tuple[Path, Settings], servers: ServerThread
) -> None:
    content, settings = setup
    url = servers.servers[0].base + "/notfound/weg"
    engine = open_state(settings.resolved_state_url())
    yesterday = time.time() - 25 * 3600  # past the 24 h TTL, so it is checked again
    cache.save(engine, [Result(url, Verdict.OK, 200, url, checked_at=yesterday)], {})
    library = load_library(content)
    first = {r.url: r for r in run_link_check(library, settings, options=FAST).results}[url]
    assert first.verdict is Verdict.UNVERIFIED and "earlier check" in str(first.detail)
    assert ("avond", "nl") not in held_by_links(library, settings)
    second = {r.url: r for r in run_link_check(library, settings, False, FAST).results}[url]
    assert second.verdict is Verdict.BROKEN  # failed twice in a row: now it is broken
    history = cache.load(engine, [url])[url].history
    assert [seen for _, seen in history] == ["ok", "broken", "broken"]
    assert ("avond", "nl") in held_by_links(library, settings)


def test_links_unverified_last_time_are_checked_first(
    setup: tuple[Path, Settings], servers: ServerThread
) -> None:
    content, settings = setup
    a = servers.servers[0]
    engine = open_state(settings.resolved_state_url())
    shaky = a.base + "/notfound/weg"  # sorts after /moved/ on the same host
    cache.save(engine, [Result(shaky, Verdict.UNVERIFIED, 503, shaky, checked_at=1.0)], {})
    one_at_a_time = Options(concurrency=1, per_host=1, total_timeout=2.0, connect_timeout=1.0)
    run_link_check(load_library(content), settings, use_cache=False, options=one_at_a_time)
    assert a.stats.methods[0] == ("HEAD", "/notfound/weg")
    # Without that history the same run starts at the first address in sorted order.
    a.stats.methods.clear()
    cache.save(engine, [Result(shaky, Verdict.BROKEN, 404, shaky, checked_at=1.0)], {})
    run_link_check(load_library(content), settings, use_cache=False, options=one_at_a_time)
    assert a.stats.methods[0] == ("HEAD", "/moved/1/slaap")


def test_offline_holds_nothing_and_caches_nothing(tmp_path: Path) -> None:
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    content = make_content(tmp_path / "content", base, base)
    settings = load_settings(content_dir=content, out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    library = load_library(content)
    report = run_link_check(library, settings, options=FAST)
    assert report.offline and OFFLINE in report.summary()
    assert all(r.verdict is Verdict.UNVERIFIED for r in report.results)
    offline = [f for f in report.findings if f.code == "L406"]
    assert len(offline) == 1 and not any(f.code == "L403" for f in report.findings)
    assert cache.load(open_state(settings.resolved_state_url()), [base + "/ok/goed"]) == {}
    assert held_by_links(library, settings) == {}


def test_html_report_escapes_urls(tmp_path: Path, servers: ServerThread) -> None:
    content = make_content(tmp_path / "content", servers.servers[0].base, servers.servers[1].base)
    message = content / "messages" / "slapen" / "ochtend.nl.md"
    evil = servers.servers[0].base + '/ok/"><script>alert(1)</script>'
    message.write_text(
        message.read_text().replace(
            "url: " + servers.servers[0].base + "/ok/goed", f"url: '{evil}'"
        )
    )
    settings = load_settings(content_dir=content, out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    report = run_link_check(load_library(content), settings, options=FAST)
    html = to_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_cli_text_json_and_exit_codes(
    setup: tuple[Path, Settings],
    servers: ServerThread,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content, settings = setup
    monkeypatch.setenv("VEERKRACHT_NET_ALLOW", '["127.0.0.1"]')
    monkeypatch.setenv("VEERKRACHT_LINK_TIMEOUT", "2")
    out = str(settings.out_dir)
    assert main(["links", str(content), "--out", out]) == 1
    text = capsys.readouterr().out
    assert "avond.nl.md:20:49: L401 link" in text and "(404)" in text
    assert "4 links:" in text

    assert main(["links", str(content), "--out", out, "--format", "json", "--no-cache"]) == 1
    rows = json.loads(capsys.readouterr().out)
    by_url = {row["url"]: row for row in rows}
    moved = by_url[servers.servers[0].base + "/moved/1/slaap"]
    assert moved["verdict"] == "redirected" and moved["status"] == 200
    assert moved["final_url"] == servers.servers[0].base + "/ok/slaap"
    assert moved["redirects"] == [{"url": moved["url"], "status": 301}]
    assert moved["used_in"] == [{"path": "content/messages/slapen/avond.nl.md", "line": 21}]
    assert {"url", "verdict", "status", "final_url", "redirects", "used_in"} <= set(moved)

    # Only working links: exit 0.
    for path in content.rglob("*.md"):
        if path.name == "avond.nl.md":
            path.unlink()
        else:
            path.write_text(path.read_text().replace("/gone/", "/ok/"))
    assert main(["links", str(content), "--out", out]) == 0
