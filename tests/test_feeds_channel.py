"""The feeds channel: every produced feed parses cleanly with feedparser and says the right things.

Golden files in tests/fixtures/feeds/golden/ hold the expected feeds of a small library; they are
regenerated on purpose only:
`VEERKRACHT_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_feeds_channel.py`.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import feedparser
import pytest

from channels.base import Context, Edition
from channels.feeds import CHANNEL
from flows.core.i18n import language
from flows.core.settings import load_settings
from flows.library.loader import Library, load_library

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
GOLDEN = FIXTURES / "golden"
BASE = "https://feeds.example.org"


@pytest.fixture(scope="module")
def library() -> Library:
    lib = load_library(FIXTURES / "content")
    assert lib.findings == ()
    return lib


def ctx(out: Path, track: bool = False) -> Context:
    """Links as written (the short links have their own test below), unless `track`."""
    settings = load_settings(
        public_base_url=BASE, organisation="JGZ Testregio", out_dir=out, feeds_track_links=track
    )
    return Context(settings, out)


def publish(
    library: Library, day: date, out: Path, held: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, Edition]:
    editions = CHANNEL.plan(library, None, library.campaigns, day, held)
    for edition in editions:
        CHANNEL.deliver(CHANNEL.render(edition, ctx(out)), ctx(out))
    return {e.target: e for e in editions}


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    return parsed


def test_first_monday_makes_dutch_and_english_feeds(library: Library, tmp_path: Path) -> None:
    editions = publish(library, date(2027, 1, 4), tmp_path)
    assert sorted(editions) == ["ouders-jonge-kinderen.en", "ouders-jonge-kinderen.nl"]
    files = sorted(p.name for p in (tmp_path / "feeds").iterdir())
    assert files == [
        "ouders-jonge-kinderen.en.atom",
        "ouders-jonge-kinderen.en.rss",
        "ouders-jonge-kinderen.nl.atom",
        "ouders-jonge-kinderen.nl.rss",
    ]
    for path in (tmp_path / "feeds").iterdir():
        feed = parse(path)
        assert feed.version == ("atom10" if path.suffix == ".atom" else "rss20")
    nl = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss")
    # Rotation picks samen-sterk and slaapritueel; week 1 is about sleep, so that one leads.
    assert [e.title for e in nl.entries] == ["Een vast <b>ritueel</b> & rust", "Samen sterk"]
    assert nl.feed.language == "nl"


def test_entries_carry_summary_content_links_dates_and_attribution(
    library: Library, tmp_path: Path
) -> None:
    publish(library, date(2027, 1, 4), tmp_path)
    for suffix in ("rss", "atom"):
        path = tmp_path / "feeds" / f"ouders-jonge-kinderen.nl.{suffix}"
        raw = path.read_text(encoding="utf-8")
        assert "<script" not in raw and "javascript:" not in raw
        assert "&lt;b&gt;ritueel&lt;/b&gt;" in raw  # the title is text, never markup
        entry = parse(path).entries[0]
        assert entry.id == ("tag:feeds.example.org,2027-01-04:test-feeds/slaapritueel/nl")
        assert entry.summary.startswith("Elke avond hetzelfde ritueel")
        html = entry.content[0].value
        assert "<strong>vast ritueel</strong>" in html
        assert "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/" in html
        assert "Testcampagne feeds – JGZ Testregio – campagne Test" in html
        assert entry.link == "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/"
        assert entry.author == "JGZ Testregio – campagne Test"
        # 06:00 in Amsterdam in winter is 05:00 UTC.
        assert tuple(entry.published_parsed)[:5] == (2027, 1, 4, 5, 0)
    rss = (tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").read_text(encoding="utf-8")
    assert "<pubDate>Mon, 04 Jan 2027 06:00:00 +0100</pubDate>" in rss
    atom = (tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom").read_text(encoding="utf-8")
    assert "<published>2027-01-04T06:00:00+01:00</published>" in atom
    related = [
        link.href
        for link in parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom").entries[0].links
        if link.rel == "related"
    ]
    assert related == ["https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/"]


def test_feed_keeps_its_newest_items_and_guids_stay_stable(
    library: Library, tmp_path: Path
) -> None:
    publish(library, date(2027, 1, 4), tmp_path)
    first = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom")
    publish(library, date(2027, 1, 11), tmp_path)
    second = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom")
    assert len(second.entries) == 4  # items: 4 kept
    old_ids = {e.id for e in first.entries}
    assert old_ids <= {e.id for e in second.entries}  # same GUIDs for the same entries
    # Edition 2 rotates on to the other two; week 2 is about support, so that one leads.
    assert [e.title for e in second.entries[:2]] == ["Hulp vragen mag", "Op tijd naar bed"]
    assert len({e.id for e in second.entries}) == 4


def test_expired_and_held_messages_leave_the_feed(library: Library, tmp_path: Path) -> None:
    publish(library, date(2027, 1, 25), tmp_path)  # samen-sterk expired on 2027-01-20
    titles = [e.title for e in parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").entries]
    assert "Samen sterk" not in titles and titles
    held = frozenset({("slaapritueel", "nl")})
    publish(library, date(2027, 1, 25), tmp_path, held)
    titles = [e.title for e in parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").entries]
    assert not any("ritueel" in t for t in titles)


def test_nothing_due_on_other_days_and_rerun_writes_nothing(
    library: Library, tmp_path: Path
) -> None:
    assert CHANNEL.plan(library, None, library.campaigns, date(2027, 1, 5)) == []
    assert (
        CHANNEL.plan(library, None, library.campaigns, date(2027, 3, 1)) == []
    )  # after the period
    edition = CHANNEL.plan(library, None, library.campaigns, date(2027, 1, 4))[0]
    first = CHANNEL.deliver(CHANNEL.render(edition, ctx(tmp_path)), ctx(tmp_path))
    again = CHANNEL.deliver(CHANNEL.render(edition, ctx(tmp_path)), ctx(tmp_path))
    assert (first.delivered, first.nothing_new) == (2, False)
    assert (again.delivered, again.skipped, again.nothing_new) == (0, 2, True)


def test_dates_follow_summer_time(library: Library, tmp_path: Path) -> None:
    spring = [
        c.model_copy(
            update={
                "period": c.period.model_copy(
                    update={"start": date(2027, 3, 22), "end": date(2027, 4, 30)}
                )
            }
        )
        for c in library.campaigns
    ]
    for day in (date(2027, 3, 22), date(2027, 3, 29)):  # the clocks change on 2027-03-28
        for edition in CHANNEL.plan(library, None, spring, day):
            CHANNEL.deliver(CHANNEL.render(edition, ctx(tmp_path)), ctx(tmp_path))
    rss = (tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").read_text(encoding="utf-8")
    assert "Mon, 22 Mar 2027 06:00:00 +0100" in rss
    assert "Mon, 29 Mar 2027 06:00:00 +0200" in rss
    feed = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom")
    assert tuple(feed.entries[0].published_parsed)[:5] == (2027, 3, 29, 4, 0)


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2027, 1, 18)])
def test_golden_feeds(library: Library, tmp_path: Path, day: date) -> None:
    publish(library, day, tmp_path)
    golden = GOLDEN / day.isoformat()
    produced = {p.name: p.read_bytes() for p in sorted((tmp_path / "feeds").iterdir())}
    if os.environ.get("VEERKRACHT_REGEN_GOLDEN"):
        golden.mkdir(parents=True, exist_ok=True)
        for old in golden.iterdir():
            old.unlink()
        for name, data in produced.items():
            (golden / name).write_bytes(data)
    expected = {p.name: p.read_bytes() for p in sorted(golden.iterdir())}
    assert produced == expected


def test_markup_in_screen_text_is_shown_not_interpreted(library: Library, tmp_path: Path) -> None:
    tricky = library.messages[0].model_copy(
        update={
            "screen": library.messages[0].screen.model_copy(update={"text": "Wel <b>vet</b> & zo"})
        }
    )
    lib = Library(
        root=library.root, messages=(tricky, *library.messages[1:]), campaigns=library.campaigns
    )
    publish(lib, date(2027, 1, 4), tmp_path)
    rss = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss")
    summaries = [e.summary for e in rss.entries if e.title == tricky.title]
    assert summaries and "&lt;b&gt;vet&lt;/b&gt; &amp; zo" in summaries[0]
    atom = parse(tmp_path / "feeds" / "ouders-jonge-kinderen.nl.atom")
    entry = next(e for e in atom.entries if e.title == tricky.title)
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary.endswith("Wel <b>vet</b> & zo")


def test_entry_links_go_through_short_links_counted_per_feed(tmp_path: Path) -> None:
    """With VEERKRACHT_FEEDS_TRACK_LINKS on (the default) an entry links to the short link
    tagged with its feed, whose redirect is written and registered on delivery."""
    from channels.shared import reach
    from channels.shared.shortlinks import short_code
    from flows.infra.state import open_state

    bundled = load_library(Path(__file__).resolve().parent.parent / "content")
    c = ctx(tmp_path, track=True)
    edition = CHANNEL.plan(bundled, None, bundled.campaigns, date(2027, 1, 4), frozenset())[0]
    rendered = CHANNEL.render(edition, c)
    CHANNEL.deliver(rendered, c)
    feed = feedparser.parse(rendered.files[f"feeds/{edition.target}.rss"])
    links = [e.link for e in feed.entries if e.link != f"{BASE}/"]  # entries with a resource
    assert links and all(x.startswith(f"{BASE}/r/") and "?f=" in x for x in links)
    link = links[0]
    code, tag = link.split("/r/", 1)[1].split("?f=")
    assert (tmp_path / "r" / code / "index.html").is_file()
    engine = open_state(c.settings.resolved_state_url())
    assert reach.link_for(engine, code) is not None
    assert short_code(reach.link_for(engine, code) or "") == code
    assert reach.source_of(engine, {"f": tag}) == ("feeds", edition.target)


def test_the_report_lines_count_entries_in_each_language(library: Library, tmp_path: Path) -> None:
    edition = CHANNEL.plan(library, None, library.campaigns, date(2027, 1, 4))[0]
    rendered = CHANNEL.render(edition, ctx(tmp_path))
    with language("nl"):
        dutch = CHANNEL.deliver(rendered, ctx(tmp_path))
    assert dutch.notes == [
        f"feeds/{edition.target}.atom geschreven",
        f"feeds/{edition.target}.rss geschreven",
        "1 bericht in de feed",
    ]
    with language("en"):
        english = CHANNEL.deliver(rendered, ctx(tmp_path))
    assert english.notes == ["1 entry in the feed"]  # nothing written the second time
