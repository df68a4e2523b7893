"""Planning posters from the bundled content: which editions, on which days, with which message.

No PDFs here: planning is pure, so these tests are fast and cover the whole campaign.
"""

from __future__ import annotations

import itertools
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from channels.posters import CHANNEL
from channels.posters.model import PostersSettings
from channels.posters.plan import week_index, week_label
from flows.core.models import Campaign
from flows.library.loader import Library, load_library
from flows.planning.rotation import eligible, in_campaign
from tests.conftest import CONTENT

START = date(2027, 1, 4)  # Monday, week 1 of sterk-begin-2027


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


@pytest.fixture(scope="module")
def campaign(library: Library) -> Campaign:
    (only,) = [c for c in library.campaigns if c.id == "sterk-begin-2027"]
    return only


def week_starts(campaign: Campaign) -> list[date]:
    return [campaign.period.start + timedelta(weeks=k) for k in range(len(campaign.weeks))]


def test_campaign_without_a_posters_section_gets_the_defaults(campaign: Campaign) -> None:
    assert "posters" not in campaign.channels
    assert CHANNEL.settings_for(campaign) == PostersSettings()
    assert PostersSettings().sizes == ("A4", "A3")


def test_one_dutch_edition_per_audience_on_every_week_start(
    library: Library, campaign: Campaign
) -> None:
    assert len(week_starts(campaign)) == 12
    for k, day in enumerate(week_starts(campaign)):
        editions = CHANNEL.plan(library, None, [campaign], day)
        week = f"2027-w{k + 1:02d}"
        assert [e.target for e in editions] == sorted(f"{week}.{a}" for a in campaign.audiences)
        for edition in editions:
            (message,) = edition.messages
            audience = edition.target.partition(".")[2]
            assert edition.lang == message.lang == "nl"
            assert edition.audiences == (audience,) and audience in message.audiences
            assert message.is_live(day) and in_campaign(message, campaign)
            assert edition.payload.week == week and edition.payload.week_index == k
            assert edition.campaign_title == campaign.title
            assert edition.attribution == campaign.attribution
            # The key names the ledger row and may become a folder name.
            assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", edition.key), edition.key


def test_nothing_on_other_days_or_outside_the_period(library: Library, campaign: Campaign) -> None:
    starts = set(week_starts(campaign))
    day = campaign.period.start - timedelta(days=7)
    while day <= campaign.period.end + timedelta(days=14):
        if day not in starts:
            assert CHANNEL.plan(library, None, [campaign], day) == [], day
        day += timedelta(days=1)


def test_the_weeks_theme_comes_first(library: Library, campaign: Campaign) -> None:
    fallbacks = 0
    for day in week_starts(campaign):
        theme = campaign.week_of(day).theme  # type: ignore[union-attr]
        for edition in CHANNEL.plan(library, None, [campaign], day):
            pool = eligible(library, campaign, audiences=edition.audiences, lang="nl", day=day)
            if any(m.theme == theme for m in pool):
                assert edition.messages[0].theme == theme, edition.target
            else:
                fallbacks += 1  # nothing on this theme for the audience: any message
    assert fallbacks  # the bundled content has such weeks (no staff message on sleep)


def test_consecutive_weeks_differ_for_each_audience(library: Library, campaign: Campaign) -> None:
    chosen: dict[str, list[str]] = {}
    for day in week_starts(campaign):
        for edition in CHANNEL.plan(library, None, [campaign], day):
            chosen.setdefault(edition.payload.audience, []).append(edition.messages[0].id)
    assert set(chosen) == set(campaign.audiences)
    for audience, ids in chosen.items():
        assert len(ids) == 12
        assert all(a != b for a, b in itertools.pairwise(ids)), (audience, ids)


def test_held_messages_are_left_out(library: Library, campaign: Campaign) -> None:
    (first,) = [
        e
        for e in CHANNEL.plan(library, None, [campaign], START)
        if e.payload.audience == "jongeren"
    ]
    held = frozenset({first.messages[0].key})
    (again,) = [
        e
        for e in CHANNEL.plan(library, None, [campaign], START, held)
        if e.payload.audience == "jongeren"
    ]
    assert again.messages[0].key not in held
    everything = frozenset(m.key for m in library.messages)
    assert CHANNEL.plan(library, None, [campaign], START, everything) == []


def test_settings_choose_sizes_and_audiences(library: Library, campaign: Campaign) -> None:
    some = campaign.model_copy(
        update={"channels": {"posters": {"sizes": ["A3", "A3"], "audiences": ["jongeren"]}}}
    )
    (edition,) = CHANNEL.plan(library, None, [some], START)
    assert edition.target == "2027-w01.jongeren"
    assert edition.payload.sizes == ("A3",)


def test_a_campaign_can_turn_posters_off(library: Library, campaign: Campaign) -> None:
    off = campaign.model_copy(update={"channels": {"posters": {"enabled": False}}})
    assert CHANNEL.plan(library, None, [off], START) == []
    empty = campaign.model_copy(update={"channels": {"posters": None}})  # `posters:` alone
    assert len(CHANNEL.plan(library, None, [empty], START)) == len(campaign.audiences)


def test_a_bad_posters_section_is_a_finding_at_its_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "campaigns" / "sterk-begin-2027.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  posters:\n    sizes: [A5]\n", encoding="utf-8")
    library = load_library(content)
    (campaign,) = [c for c in library.campaigns if c.id == "sterk-begin-2027"]
    assert CHANNEL.settings_for(campaign) is None
    assert CHANNEL.plan(library, None, [campaign], START) == []  # off until it is fixed
    findings = CHANNEL.settings_findings(library)
    assert findings and all(f.path.endswith("campaigns/sterk-begin-2027.yaml") for f in findings)
    assert any(f.line > len(text.splitlines()) for f in findings)


def test_without_weeks_a_poster_every_seven_days(library: Library, campaign: Campaign) -> None:
    plain = campaign.model_copy(update={"weeks": ()})
    days = [
        d
        for d in (plain.period.start + timedelta(days=i) for i in range(120))
        if CHANNEL.plan(library, None, [plain], d)
    ]
    assert days == [plain.period.start + timedelta(weeks=k) for k in range(12)]
    assert week_index(plain, plain.period.start + timedelta(weeks=11)) == 11


def test_two_campaigns_in_one_week_share_a_file_the_first_by_id(
    library: Library, campaign: Campaign
) -> None:
    other = campaign.model_copy(update={"id": "a-eerder", "title": "Eerder"})
    editions = CHANNEL.plan(library, None, [campaign, other], START)
    assert len(editions) == len(campaign.audiences)
    assert {e.campaign_id for e in editions} == {"a-eerder"}


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2027, 1, 4), "2027-w01"),
        (date(2027, 3, 22), "2027-w12"),
        (date(2026, 12, 28), "2026-w53"),
        (date(2027, 1, 1), "2026-w53"),  # a Friday start belongs to the ISO week it is in
    ],
)
def test_week_labels_are_iso_weeks(day: date, label: str) -> None:
    assert week_label(day) == label
