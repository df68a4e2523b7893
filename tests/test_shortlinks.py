"""Short links and reach: codes, QR size, static redirect pages, the endpoint's 302s under a
real uvicorn and what it counts (and what it never stores)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select

from channels.shared import reach
from channels.shared.qr import make_code
from channels.shared.shortlinks import (
    ALPHABET,
    MAX_AFTER_HOST,
    collisions,
    redirect_page,
    short_code,
    short_url,
    tag_for,
)
from flows.core.settings import Settings
from flows.infra.state import open_state
from flows.library.loader import load_library
from tests.conftest import CONTENT
from tests.test_newsletter_support import settings_for
from tests.test_public_endpoint import running

BASE = "https://veerkracht.example.org"
RESOURCE = "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/"
SCREEN = "consultatiebureau-zonnewijde-wachtkamer-noord"  # a long screen id still fits


def unshout(text: str) -> str:
    """A URL with its scheme and host in lower case (a QR code may carry them upper case)."""
    match = re.match(r"([A-Za-z]+://[^/]+)(.*)", text, re.DOTALL)
    return match.group(1).lower() + match.group(2) if match else text


# --- codes -----------------------------------------------------------------------------------


def test_a_code_is_five_unambiguous_characters_and_stable() -> None:
    code = short_code(RESOURCE)
    assert len(code) == 5 and set(code) <= set(ALPHABET)
    assert not set(code) & set("ilou")
    assert code == "e7ryd"  # derived from the URL alone: the same on every machine and run
    assert short_code(RESOURCE + "x") != code


def test_tagged_links_fit_thirty_characters_after_the_host() -> None:
    url = short_url(BASE, RESOURCE, "screens", SCREEN)
    after_host = url.removeprefix(BASE)
    assert after_host == f"/r/{short_code(RESOURCE)}?s={tag_for('screens', SCREEN)}"
    assert len(after_host) <= MAX_AFTER_HOST
    assert SCREEN not in url  # a tag, never the screen's name
    # A base path that leaves no room for the tag: the link goes untagged, never too long.
    long_base = "https://jgz.example.org/campagnes/veerkracht-regio"
    assert short_url(long_base, RESOURCE, "screens", SCREEN) == f"{long_base}/r/e7ryd"


def test_short_links_make_version_3_codes() -> None:
    for channel, target in (("screens", SCREEN), ("posters", "2027-w01.ouders"), ("", "")):
        code = make_code(short_url(BASE, RESOURCE, channel, target))
        assert code.symbol_size(border=0)[0] <= 29, (channel, code.version)
    assert make_code(RESOURCE).symbol_size(border=0)[0] > 29  # what the screens had before


def test_no_two_resources_of_the_library_share_a_code() -> None:
    library = load_library(CONTENT)
    urls = {r.url for m in library.messages for r in m.resources}
    assert len(urls) > 10
    assert collisions(urls) == {}


def test_collisions_are_found() -> None:
    seen: dict[str, str] = {}
    for i in range(200_000):  # a birthday pair among 32^5 codes turns up within a few thousand
        url = f"https://example.org/{i}"
        if (code := short_code(url)) in seen:
            assert collisions([seen[code], url, RESOURCE]) == {
                code: tuple(sorted([seen[code], url]))
            }
            return
        seen[code] = url
    pytest.fail("no collision found")


# --- static redirect pages -------------------------------------------------------------------


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.canonical: list[str] = []
        self.refresh: list[str] = []
        self.links: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href") or "")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh.append(a.get("content") or "")
        if tag == "a":
            self.links.append(a.get("href") or "")


@pytest.mark.parametrize("url", [RESOURCE, 'https://example.org/a?b=1&c="2"<x>'])
def test_static_redirect_pages_point_at_the_resource(url: str) -> None:
    text = redirect_page(url).decode("utf-8")
    head = Head()
    head.feed(text)
    head.close()
    assert head.lang == "nl" and "doorgestuurd" in text
    assert head.canonical == [url]
    assert head.links == [url]
    [refresh] = head.refresh
    delay, _, target = refresh.partition(";")
    assert delay == "0" and target.strip().removeprefix("url=") == url
    assert "<x>" not in text  # escaped


def test_publishing_links_writes_the_pages_and_refuses_a_taken_code(tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    assert reach.publish_links(s, tmp_path, [RESOURCE, "mailto:a@b.nl"], "screens", [SCREEN]) == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")) == [
        f"r/{short_code(RESOURCE)}/index.html"
    ]
    engine = open_state(s.resolved_state_url())
    with engine.begin() as conn:  # as if another URL had this code first
        conn.execute(reach.short_links.update().values(url="https://example.org/ander"))
    [problem] = reach.register(engine, [RESOURCE])
    assert "already goes to https://example.org/ander" in problem


# --- the endpoint ----------------------------------------------------------------------------


def _site(tmp_path: Path, **overrides: object) -> Settings:
    s = settings_for(tmp_path, **overrides)
    reach.publish_links(s, tmp_path, [RESOURCE], "screens", [SCREEN])
    return s


def _rows(s: Settings) -> list[tuple[object, ...]]:
    with open_state(s.resolved_state_url()).connect() as conn:
        return [tuple(r) for r in conn.execute(select(reach.reach_counts))]


def test_a_short_link_answers_302_and_counts_per_screen(tmp_path: Path) -> None:
    s = _site(tmp_path)
    code, tag = short_code(RESOURCE), tag_for("screens", SCREEN)
    with running(s) as base:
        for n in (1, 2, 3):
            answer = httpx.get(f"{base}/r/{code}?s={tag}", headers={"User-Agent": "Telefoon/1"})
            assert answer.status_code == 302
            assert answer.headers["location"] == RESOURCE
            assert answer.headers["cache-control"] == "no-store"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert "set-cookie" not in answer.headers
            [row] = _rows(s)
            assert row[:3] == (code, "screens", SCREEN) and row[4] == n  # counts grow
        assert httpx.head(f"{base}/r/{code}?s={tag}").status_code == 302  # previews: not counted
        assert _rows(s)[0][4] == 3
        assert httpx.get(f"{base}/r/{code}/").status_code == 302  # typed, with a slash


def test_unknown_codes_get_a_dutch_404(tmp_path: Path) -> None:
    s = _site(tmp_path)
    with running(s) as base:
        for path in ("/r/zzzzz", "/r/../../etc", "/r/E7RYD", "/r/" + "a" * 300):
            answer = httpx.get(base + path)
            assert answer.status_code == 404, path
            assert "bestaat niet" in answer.text and 'lang="nl"' in answer.text
    assert _rows(s) == []


def test_forged_tags_are_counted_as_other_and_never_stored(tmp_path: Path) -> None:
    s = _site(tmp_path)
    code = short_code(RESOURCE)
    forged = [
        "?s=aaaa",  # the form of a tag, registered by nobody
        f"?n={tag_for('screens', SCREEN)}",  # a screen's tag under the newsletter's key
        "?s=<script>alert(1)</script>",
        "?s=Mijn naam is Jan",
        f"?s={tag_for('screens', SCREEN)}&wie=jan",
        "?utm_source=facebook",
    ]
    with running(s) as base:
        for query in forged:
            assert httpx.get(f"{base}/r/{code}{query}").status_code == 302
    assert _rows(s) == [(code, "overig", "", _rows(s)[0][3], len(forged))]


def test_nothing_personal_is_stored(tmp_path: Path) -> None:
    s = _site(tmp_path)
    code = short_code(RESOURCE)
    headers = {"User-Agent": "Mozilla/5.0 Telefoon-van-Jan", "Cookie": "id=jan-123"}
    with running(s) as base:
        httpx.get(f"{base}/r/{code}?s={tag_for('screens', SCREEN)}", headers=headers)
    engine = open_state(s.resolved_state_url())
    columns = {c["name"] for c in inspect(engine).get_columns("reach_counts")}
    assert columns == {"code", "channel", "target", "day", "count"}
    everything = repr(_rows(s))
    for personal in ("127.0.0.1", "Mozilla", "Jan", "jan-123", "Cookie"):
        assert personal not in everything
    [row] = _rows(s)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(row[3]))  # the day, no time of day


def test_concurrent_clients_are_counted_exactly(tmp_path: Path) -> None:
    s = _site(tmp_path)
    code, tag = short_code(RESOURCE), tag_for("screens", SCREEN)
    clients, each = 16, 10
    barrier = threading.Barrier(clients)
    with running(s) as base:

        def scan(_: int) -> list[int]:
            with httpx.Client() as client:
                barrier.wait()
                return [client.get(f"{base}/r/{code}?s={tag}").status_code for _ in range(each)]

        with ThreadPoolExecutor(clients) as pool:
            statuses = [c for r in pool.map(scan, range(clients)) for c in r]
    assert statuses == [302] * (clients * each)
    [row] = _rows(s)
    assert row[4] == clients * each


def test_the_base_path_serves_short_links_too(tmp_path: Path) -> None:
    s = _site(tmp_path, public_base_url="https://jgz.example.org/veerkracht")
    with running(s) as base:
        answer = httpx.get(f"{base}/veerkracht/r/{short_code(RESOURCE)}")
        assert answer.status_code == 302 and answer.headers["location"] == RESOURCE
