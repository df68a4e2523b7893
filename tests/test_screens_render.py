"""Screens channel without a browser: page, CSP, playlist, RSS, contrast, delivery and planning."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from pydantic import ValidationError

from channels.base import Context, Edition
from channels.screens import CHANNEL
from channels.screens import CHANNEL as SCREENS
from channels.screens.config import Screen
from channels.screens.page import csp_hash
from channels.screens.payload import ScreenPayload
from channels.screens.playlist import build_playlist, version_of
from channels.shared.qr import qr_svg, short_address
from channels.shared.shortlinks import short_code
from channels.shared.themes import MIN_CONTRAST, PALETTES, QR_DARK, QR_LIGHT, contrast
from flows.core.clock import TIMEZONE
from flows.core.settings import load_settings
from flows.infra.outputs import temporaries
from flows.library.loader import Library, load_library
from tests.channel_inputs import screens_of
from tests.conftest import FIXTURES
from tests.screen_editions import wachtkamer_edition

CONTENT = FIXTURES / "screens" / "content"
DAY = date(2027, 1, 12)
STAMP = datetime(2027, 1, 12, 6, 0, tzinfo=TIMEZONE)


@pytest.fixture(scope="module")
def library() -> Library:
    lib = load_library(CONTENT)
    assert lib.findings == ()
    return lib


def edition(library: Library, ids: list[str]) -> Edition[ScreenPayload]:
    """A screen edition built by hand (what plan would make), for `wachtkamer-test`."""
    return wachtkamer_edition(library, ids, day=DAY, generated_at=STAMP)


def plan_day_screens(
    library: Library, day: date, held: frozenset[tuple[str, str]] = frozenset()
) -> list[Edition[ScreenPayload]]:
    """The screens channel's plan with the screens of the library's screens.yaml."""
    return SCREENS.plan(library, screens_of(library), library.campaigns, day, held)


def ctx(out: Path) -> Context:
    return Context(load_settings(out_dir=out), out)


class _Refs(HTMLParser):
    """Collects every attribute that could make a browser load something, plus script/style."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.csp = ""
        self.blocks: list[tuple[str, dict[str, str | None]]] = []
        self.data: dict[int, str] = {}
        self._inside: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data", "formaction"):
            if a.get(name):
                self.refs.append(str(a[name]))
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = str(a["content"])
        if tag in ("script", "style"):
            self.blocks.append((tag, a))
            self._inside = len(self.blocks) - 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self.data[self._inside] = self.data.get(self._inside, "") + data


def parse_page(html: str) -> _Refs:
    refs = _Refs()
    refs.feed(html)
    return refs


def test_page_has_strict_csp_matching_its_inline_script_and_style(library: Library) -> None:
    html = CHANNEL.render(edition(library, ["slaap-ritueel"]), ctx(Path("."))).files["index.html"]
    page = parse_page(html.decode())
    policy = dict(p.strip().split(" ", 1) for p in page.csp.split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    assert policy["connect-src"] == "'self'"
    assert "unsafe" not in page.csp
    scripts = [
        page.data[i]
        for i, (tag, a) in enumerate(page.blocks)
        if tag == "script" and "type" not in a
    ]
    styles = [page.data[i] for i, (tag, _) in enumerate(page.blocks) if tag == "style"]
    assert len(scripts) == 1 and len(styles) == 1
    assert policy["script-src"] == csp_hash(scripts[0])
    assert policy["style-src"] == csp_hash(styles[0])


def test_page_refers_to_no_other_origin(library: Library) -> None:
    ed = edition(library, ["slaap-ritueel", "samen-eten", "om-hulp-vragen"])
    html = CHANNEL.render(ed, ctx(Path("."))).files["index.html"].decode()
    page = parse_page(html)
    assert page.refs, "expected at least the icon and the visuals"
    for ref in page.refs:
        assert ref.startswith(("#", "data:", "playlist.json")), ref
    assert "@import" not in html
    assert not re.search(r"url\(", html), "no CSS url(): nothing may be loaded by the style"
    assert "cookie" not in html.lower()
    # Resource addresses only appear as data (QR code, short address), never as a link.
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)


def test_playlist_has_every_field_and_survives_script_end_tags(library: Library) -> None:
    ed = edition(library, ["slaap-ritueel", "om-hulp-vragen"])
    rendered = CHANNEL.render(ed, ctx(Path(".")))
    playlist = json.loads(rendered.files["playlist.json"])
    assert playlist["timezone"] == "Europe/Amsterdam"
    assert playlist["campaign"] == "Testcampagne"
    assert playlist["opening_hours"]["di"] == "08:00-17:00"
    assert playlist["generated_at"] == "2027-01-12T06:00:00+01:00"
    first, second = playlist["slides"]
    assert set(first) >= {
        "id",
        "lang",
        "headline",
        "text",
        "theme",
        "qr",
        "short_url",
        "valid_from",
        "valid_until",
        "seconds",
    }
    assert first["id"] == "slaap-ritueel" and first["seconds"] == 8
    assert first["qr"].startswith("<svg") and 'viewBox="0 0 ' in first["qr"]
    # The printed address is the short link (to type); the QR code holds it tagged.
    assert first["short_url"] == f"veerkracht.example.org/r/{short_code(first['url'])}"
    assert second["qr"] is None and second["short_url"] is None
    html = rendered.files["index.html"].decode()
    embedded = html.split('<script type="application/json" id="playlist-data">')[1]
    embedded = embedded.split("</script>")[0]
    assert "<" not in embedded  # an SVG or a headline can never close the script element
    assert json.loads(embedded) == playlist


def test_version_ignores_generation_time_but_follows_content(library: Library) -> None:
    a, text = build_playlist(edition(library, ["slaap-ritueel"]), STAMP)
    b, _ = build_playlist(
        edition(library, ["slaap-ritueel"]), datetime(2027, 1, 13, tzinfo=TIMEZONE)
    )
    c, _ = build_playlist(edition(library, ["samen-eten"]), STAMP)
    d, _ = build_playlist(edition(library, ["slaap-ritueel"]), STAMP, salt="other page code")
    assert a["version"] == b["version"] != c["version"]
    assert d["version"] != a["version"]
    assert json.loads(text) == a
    assert version_of(text.encode()) == a["version"]


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_theme_text_has_enough_contrast(name: str) -> None:
    palette = PALETTES[name]
    assert contrast(palette.text, palette.background) >= MIN_CONTRAST


def test_contrast_arithmetic_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast(QR_DARK, QR_LIGHT) == pytest.approx(21.0)


def test_short_address_is_host_and_path_without_scheme() -> None:
    assert short_address("https://www.ncj.nl/themadossiers/vakmanschapsagenda/") == (
        "www.ncj.nl/themadossiers/vakmanschapsagenda"
    )
    assert short_address("http://example.org") == "example.org"
    assert short_address("https://example.org:8443/a?b=1") == "example.org:8443/a?b=1"


def test_qr_code_made_once_per_url() -> None:
    qr_svg.cache_clear()
    url = "https://www.ncj.nl/themadossiers/vakmanschapsagenda/"
    assert qr_svg(url) is qr_svg(url)
    assert qr_svg.cache_info().hits == 1 and qr_svg.cache_info().misses == 1


def test_rss_parses_with_one_item_per_slide(library: Library) -> None:
    ed = edition(library, ["slaap-ritueel", "samen-eten", "om-hulp-vragen"])
    feed = feedparser.parse(CHANNEL.render(ed, ctx(Path("."))).files["slides.rss"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert [e.title for e in feed.entries] == [
        "Elke avond hetzelfde ritueel geeft rust",
        "Samen aan tafel, ook als het kort is",
        "Hulp vragen mag",
    ]
    assert feed.entries[0].link == "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/"
    assert feed.entries[0].id.endswith("/screens/wachtkamer-test/#slaap-ritueel.nl")
    assert feed.entries[2].link.endswith("/screens/wachtkamer-test/")  # no resource: the page


def test_deliver_swaps_folder_and_second_run_is_nothing_new(
    library: Library, tmp_path: Path
) -> None:
    ed = edition(library, ["slaap-ritueel", "samen-eten"])
    first = CHANNEL.deliver(CHANNEL.render(ed, ctx(tmp_path)), ctx(tmp_path))
    folder = tmp_path / "screens" / "wachtkamer-test"
    assert first.delivered == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html",
        "playlist.json",
        "slides.rss",
        "sw.js",
    ]
    later = dataclasses.replace(
        ed.payload, generated_at=datetime(2027, 1, 12, 7, 0, tzinfo=TIMEZONE)
    )
    again = dataclasses.replace(ed, payload=later)
    second = CHANNEL.deliver(CHANNEL.render(again, ctx(tmp_path)), ctx(tmp_path))
    assert second.nothing_new and second.skipped == 1
    assert json.loads((folder / "playlist.json").read_bytes())["generated_at"].startswith(
        "2027-01-12T06:00"
    )
    changed = edition(library, ["samen-eten"])
    third = CHANNEL.deliver(CHANNEL.render(changed, ctx(tmp_path)), ctx(tmp_path))
    assert third.delivered == 1
    assert [s["id"] for s in json.loads((folder / "playlist.json").read_bytes())["slides"]] == [
        "samen-eten"
    ]
    assert temporaries(folder.parent) == []  # no leftovers


def test_plan_one_edition_per_screen_with_interleaved_campaigns(library: Library) -> None:
    editions = {e.target: e for e in plan_day_screens(library, DAY)}
    assert sorted(editions) == ["alleen-tweede", "verloskunde-test", "wachtkamer-test"]
    wachtkamer = editions["wachtkamer-test"]
    ids = [m.id for m in wachtkamer.messages]
    assert "oud-bericht" not in ids  # expired on the day
    assert len(ids) == len(set(ids))  # never twice, so never twice in a row in the loop
    assert ids[0] == "samen-eten"  # week 2 of test-campagne is about eating: theme first
    by_id = dict(zip(ids, wachtkamer.payload.campaign_titles, strict=True))
    seconds = dict(zip(ids, wachtkamer.payload.seconds_each, strict=True))
    assert by_id["buiten-spelen"] == "Tweede campagne" and seconds["buiten-spelen"] == 20
    assert by_id["samen-eten"] == "Testcampagne" and seconds["samen-eten"] == 8  # screen's own
    assert wachtkamer.campaign_id == "test-campagne,tweede-campagne"
    assert editions["verloskunde-test"].messages == ()  # nothing eligible: the resting slide


def test_plan_leaves_out_held_messages(library: Library) -> None:
    held = frozenset({("samen-eten", "nl")})
    (wachtkamer,) = [
        e for e in plan_day_screens(library, DAY, held) if e.target == "wachtkamer-test"
    ]
    assert "samen-eten" not in [m.id for m in wachtkamer.messages]


def test_plan_is_deterministic(library: Library) -> None:
    a = plan_day_screens(library, DAY)
    b = plan_day_screens(library, DAY)
    assert [(e.key, [m.key for m in e.messages]) for e in a] == [
        (e.key, [m.key for m in e.messages]) for e in b
    ]


def test_catch_up_for_a_past_day_keeps_the_newer_playlist(library: Library, tmp_path: Path) -> None:
    today = edition(library, ["samen-eten"])
    yesterday = Edition(
        **{
            **today.__dict__,
            "day": date(2027, 1, 11),
            "messages": edition(library, ["slaap-ritueel"]).messages,
        }
    )
    assert CHANNEL.deliver(CHANNEL.render(today, ctx(tmp_path)), ctx(tmp_path)).delivered == 1
    late = CHANNEL.deliver(CHANNEL.render(yesterday, ctx(tmp_path)), ctx(tmp_path))
    assert late.delivered == 0 and late.skipped == 1
    assert "newer playlist" in late.notes[0]
    playlist = json.loads((tmp_path / "screens" / "wachtkamer-test" / "playlist.json").read_bytes())
    assert [s["id"] for s in playlist["slides"]] == ["samen-eten"]


def test_the_screen_says_how_long_its_worker_waits_for_the_network(
    library: Library, tmp_path: Path
) -> None:
    """`offline_wait_seconds` from screens.yaml reaches the screen's sw.js, and changing it is a
    new version (else a second publish would keep the old worker)."""
    plain = edition(library, ["slaap-ritueel"])
    slow = wachtkamer_edition(
        library, ["slaap-ritueel"], day=DAY, generated_at=STAMP, offline_wait_seconds=20
    )
    folder = tmp_path / "screens" / "wachtkamer-test"
    CHANNEL.deliver(CHANNEL.render(plain, ctx(tmp_path)), ctx(tmp_path))
    assert "var WAIT_MS = 8000;" in (folder / "sw.js").read_text(encoding="utf-8")
    report = CHANNEL.deliver(CHANNEL.render(slow, ctx(tmp_path)), ctx(tmp_path))
    assert report.delivered == 1
    worker = (folder / "sw.js").read_text(encoding="utf-8")
    assert "var WAIT_MS = 20000;" in worker and "8000" not in worker
    assert json.loads((folder / "playlist.json").read_bytes())["offline_wait_seconds"] == 20


@pytest.mark.parametrize("seconds", [0, 1, 61])
def test_an_offline_wait_out_of_range_is_refused(seconds: int) -> None:
    with pytest.raises(ValidationError):
        Screen(
            id="x",
            location="Hal",
            audiences=("ouders-jonge-kinderen",),
            offline_wait_seconds=seconds,
        )
