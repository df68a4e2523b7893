"""Eligibility and fair rotation: the planner's promises, checked over whole campaigns."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.core.models import Campaign, Message
from flows.library.loader import Library
from flows.planning.cadence import cadence_due, due_days, parse_cadence
from flows.planning.rotation import eligible, select
from flows.publishing.checking import check_library

START = date(2027, 1, 4)
THEMES = ["slapen", "eten", "bewegen", "steun"]


def message(mid: str, theme: str = "slapen", **extra: Any) -> Message:
    data: dict[str, Any] = {
        "id": mid,
        "lang": "nl",
        "title": mid,
        "theme": theme,
        "audiences": ("ouders-jonge-kinderen",),
        "screen": {"headline": mid, "text": mid},
        "valid_from": date(2026, 1, 1),
    }
    data.update(extra)
    return Message(**data)


def campaign(**extra: Any) -> Campaign:
    data: dict[str, Any] = {
        "id": "test",
        "title": "Test",
        "period": {"start": START, "end": date(2027, 3, 28)},
        "audiences": ("ouders-jonge-kinderen",),
        "weeks": [{"theme": THEMES[i % 4]} for i in range(12)],
    }
    data.update(extra)
    return Campaign(**data)


def library(messages: list[Message], campaigns: list[Campaign] | None = None) -> Library:
    return Library(root=Path("content"), messages=tuple(messages), campaigns=tuple(campaigns or []))


def standard(n: int = 11) -> Library:
    return library([message(f"m{i:02d}", THEMES[i % 4]) for i in range(n)])


def run(lib: Library, camp: Campaign, count: int, editions: int) -> list[list[str]]:
    out = []
    for k in range(editions):
        day = START + timedelta(days=k)
        picked = select(
            lib,
            camp,
            audiences=["ouders-jonge-kinderen"],
            lang="nl",
            day=day,
            count=count,
            target="t",
            edition_number=k,
        )
        out.append([m.id for m in picked])
    return out


def test_eligible_leaves_out_drafts_expired_held_other_language_and_audience() -> None:
    lib = library(
        [
            message("ok"),
            message("draft", status="draft"),
            message("expired", valid_until=date(2027, 1, 1)),
            message("future", valid_from=date(2027, 2, 1)),
            message("held"),
            message("english", lang="en"),
            message("staff", audiences=("school-team",)),
            message("other-theme", theme="gebeurtenis"),
        ]
    )
    got = eligible(
        lib,
        campaign(),
        audiences=["ouders-jonge-kinderen"],
        lang="nl",
        day=START,
        held={("held", "nl"): "check error"},
    )
    assert [m.id for m in got] == ["ok"]
    everything = campaign(weeks=[])  # neither ids nor themes: every message
    got = eligible(lib, everything, audiences=["ouders-jonge-kinderen"], lang="nl", day=START)
    assert [m.id for m in got] == ["held", "ok", "other-theme"]


def test_explicit_ids_select_only_those() -> None:
    lib = standard()
    camp = campaign(weeks=[{"messages": ["m03"]}], messages=["m01"])
    got = eligible(lib, camp, audiences=["ouders-jonge-kinderen"], lang="nl", day=START)
    assert [m.id for m in got] == ["m01", "m03"]


@pytest.mark.parametrize(("n", "count"), [(11, 3), (11, 5), (7, 6), (5, 5), (6, 4), (2, 1), (3, 2)])
def test_fair_and_never_twice_in_a_row(n: int, count: int) -> None:
    lib, camp = standard(n), campaign()
    editions = run(lib, camp, count, 84)
    flat = [mid for ed in editions for mid in ed]
    counts = Counter(flat)
    assert len(counts) == n
    assert max(counts.values()) - min(counts.values()) <= 1
    for ed in editions:
        assert len(ed) == len(set(ed)) == min(count, n)
    for a, b in itertools.pairwise(flat):
        assert a != b, "a message was shown twice in a row"


def test_theme_of_the_week_comes_first() -> None:
    lib, camp = standard(12), campaign()
    for k, ed in enumerate(run(lib, camp, 6, 28)):
        day = START + timedelta(days=k)
        week = camp.week_of(day)
        assert week is not None
        themes = [lib.message(mid).theme for mid in ed]  # type: ignore[union-attr]
        focus = [t == week.theme for t in themes]
        # All theme messages before the others, except a single one moved to the front to
        # avoid repeating the previous edition's last message.
        tail = focus[1:]
        assert tail == sorted(tail, reverse=True)


def test_same_inputs_same_plan() -> None:
    assert run(standard(), campaign(), 4, 20) == run(standard(), campaign(), 4, 20)


def test_looped_playlist_never_repeats_at_the_seam() -> None:
    lib, camp = standard(9), campaign()
    for ed in run(lib, camp, 30, 10):  # more slides wanted than messages: each once
        assert len(ed) == 9 and ed[0] != ed[-1]


def test_with_a_real_cadence_over_a_campaign() -> None:
    lib, camp = standard(10), campaign()
    cadence = parse_cadence("every 2 weeks on tuesday")
    flat: list[str] = []
    for day in due_days(cadence, camp.period.start, camp.period.start, camp.period.end):
        k = cadence_due(cadence, camp.period.start, day)
        assert k is not None
        flat += [
            m.id
            for m in select(
                lib,
                camp,
                audiences=["ouders-jonge-kinderen"],
                lang="nl",
                day=day,
                count=3,
                edition_number=k,
            )
        ]
    counts = Counter(flat)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(a != b for a, b in itertools.pairwise(flat))


def test_empty_pool_gives_empty_edition() -> None:
    assert run(library([]), campaign(), 3, 2) == [[], []]


def test_invalid_cadence_is_a_finding_at_its_line() -> None:
    camp = campaign(
        channels={"newsletter": {"cadence": "now and then"}},
        path=Path("content/campaigns/test.yaml"),
        field_lines={"channels.newsletter.cadence": 7},
    )
    lib = library([], [camp])
    found = [f for f in check_library(lib, START) if f.code.startswith("P")]
    assert [(f.code, f.line) for f in found] == [("P701", 7)]
    assert "not understood" in found[0].message and "weekly on monday" in found[0].message


def test_cadence_never_due_in_the_period_is_a_warning() -> None:
    camp = campaign(
        period={"start": START, "end": START + timedelta(days=20)},
        channels={"newsletter": {"cadence": "monthly on the last friday"}},
        field_lines={"channels.newsletter": 5},
    )
    found = [f for f in check_library(library([], [camp]), START) if f.code.startswith("P")]
    assert [(f.code, f.line, f.severity.value) for f in found] == [("P702", 5, "warning")]


def test_bad_cadence_in_a_campaign_file_is_reported_by_the_checks(tmp_path: Path) -> None:
    from flows.library.loader import load_library

    (tmp_path / "messages").mkdir()
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "c.yaml").write_text(
        "id: c\ntitle: C\nperiod:\n  start: 2027-01-04\n  end: 2027-03-28\n"
        "audiences: [jongeren]\nchannels:\n  newsletter:\n    cadence: om de zoveel tijd\n"
        "  feeds:\n    cadence: elke 2 weken op vrijdag\n",
        encoding="utf-8",
    )
    lib = load_library(tmp_path)
    codes = [(f.code, f.line, f.path) for f in check_library(lib, START) if f.code.startswith("P")]
    assert codes == [("P701", 9, f"{tmp_path.name}/campaigns/c.yaml")]


def test_theme_guaranteed_puts_a_theme_message_in_every_edition_and_stays_fair() -> None:
    """Two items from twelve messages of four themes: without the guarantee some editions miss
    the week's theme; with it none does, one rotation slot at most gives way, and the messages
    that step in take turns."""
    lib, camp = standard(12), campaign()
    missing_without = 0
    stepped_in: list[str] = []
    for k in range(36):
        day = START + timedelta(days=k)
        week = camp.week_of(day)
        assert week is not None
        args: dict[str, Any] = {
            "audiences": ["ouders-jonge-kinderen"],
            "lang": "nl",
            "day": day,
            "count": 2,
            "edition_number": k,
        }
        plain = [m.id for m in select(lib, camp, **args)]
        guaranteed = select(lib, camp, theme_guaranteed=True, **args)
        ids = [m.id for m in guaranteed]
        assert guaranteed[0].theme == week.theme, (k, ids)
        assert len(set(ids)) == 2
        if any(lib.message(mid).theme == week.theme for mid in plain):  # type: ignore[union-attr]
            assert set(ids) == set(plain)  # the rotation had the theme: nothing changes
        else:
            missing_without += 1
            (extra,) = set(ids) - set(plain)  # one slot gave way, the other is the rotation's
            assert len(set(plain) & set(ids)) == 1
            stepped_in.append(extra)
    assert missing_without > 0  # the case the guarantee is for
    assert len(set(stepped_in)) > 1  # not always the same theme message


def test_theme_guaranteed_without_a_theme_message_is_the_plain_rotation() -> None:
    lib = library([message(f"m{i}", "eten") for i in range(5)])
    camp = campaign(weeks=[{"theme": "slapen"}])
    args: dict[str, Any] = {"audiences": ["ouders-jonge-kinderen"], "lang": "nl", "count": 2}
    for k in range(5):
        plain = select(lib, camp, day=START, edition_number=k, **args)
        assert select(lib, camp, day=START, edition_number=k, theme_guaranteed=True, **args) == (
            plain
        )


def _themed(
    lib: Library,
    camp: Campaign,
    audiences: list[str],
    langs: tuple[str, ...],
    day: date,
    theme: str,
) -> list[str]:
    """The eligible messages of `theme` for `audiences` in any of `langs`."""
    return [
        m.id
        for lang in langs
        for m in eligible(lib, camp, audiences=audiences, lang=lang, day=day)
        if m.theme == theme
    ]


def test_every_bundled_newsletter_edition_carries_its_weeks_theme_when_it_can() -> None:
    """Issue 13: 12 of 24 editions of the bundled campaign held no message of the week's theme.
    Now every edition has one in its blocks for parents whenever a message of that theme is
    eligible for its parent audiences (in its language or Dutch), and its staff block is of the
    theme whenever a staff message of it is eligible."""
    from channels.newsletter.plan import STAFF_OF
    from flows.core.models import PUBLIC_AUDIENCES
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from flows.publishing.day_plan import plan_day
    from flows.publishing.inputs import load_inputs
    from tests.conftest import CONTENT

    settings = load_settings(content_dir=CONTENT)
    lib = load_library(settings.content_dir)
    inputs = load_inputs(settings, lib)
    (camp,) = lib.campaigns
    editions, parents_checked, staff_checked = 0, 0, 0
    day = camp.period.start
    while day <= camp.period.end:
        week = camp.week_of(day)
        for edition in plan_day(lib, inputs, day, frozenset()):
            if edition.channel != "newsletter":
                continue
            assert week is not None and week.theme is not None
            editions += 1
            staff_id = edition.payload.staff
            blocks = [m for m in edition.messages if m.id != staff_id]
            langs = tuple(dict.fromkeys((edition.lang, "nl")))

            parents = [a for a in edition.audiences if a in PUBLIC_AUDIENCES]
            if _themed(lib, camp, parents, langs, day, week.theme):
                parents_checked += 1
                assert any(m.theme == week.theme for m in blocks), (day, edition.target)
            staff = STAFF_OF[edition.payload.kind]
            if staff in edition.audiences and _themed(lib, camp, [staff], langs, day, week.theme):
                staff_checked += 1
                assert staff_id is not None and lib.message(staff_id, "nl") is not None
                chosen = next(m for m in edition.messages if m.id == staff_id)
                assert chosen.theme == week.theme, (day, edition.target)
        day += timedelta(days=1)
    assert editions == 24
    assert parents_checked >= 20 and staff_checked >= 2
