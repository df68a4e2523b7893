"""Partner list: bad rows are reported with their line and skipped; editions group partners."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from channels.newsletter import CHANNEL
from channels.newsletter.partners import PartnerList, load_partners
from channels.newsletter.plan import groups
from flows.library.loader import load_library
from tests.conftest import CONTENT, FIXTURES

BAD = FIXTURES / "newsletter" / "partners-bad.csv"
EXPECTED = FIXTURES / "newsletter" / "partners-bad.expected"


def test_bad_rows_are_skipped_with_their_line_numbers() -> None:
    partners, findings = load_partners(BAD)
    lines = [line for line in EXPECTED.read_text().splitlines() if not line.startswith("#")]
    expected = [tuple(line.split()) for line in lines if not line.startswith("loaded")]
    loaded = next(line for line in lines if line.startswith("loaded")).split()[1:]
    assert [(str(f.line), f.code) for f in findings] == expected
    assert [p.email for p in partners] == loaded
    assert all(f.path == str(BAD) and "row skipped" in f.message for f in findings)


def test_unsubscribed_partners_are_left_out_and_groups_are_by_kind_audiences_language() -> None:
    partners, _ = load_partners(BAD)
    grouped = groups(partners)
    assert list(grouped) == [
        ("kinderopvang", ("kinderopvang-team", "ouders-jonge-kinderen"), "nl"),
        ("school", ("ouders-schoolkinderen", "school-team"), "en"),
        ("school", ("ouders-schoolkinderen", "school-team"), "nl"),
    ]
    everyone = [p.email for members in grouped.values() for p in members]
    assert "weg@example.org" not in everyone


def test_plan_on_the_bundled_content_gives_one_edition_per_group() -> None:
    library = load_library(CONTENT)
    partners, findings = load_partners(CONTENT / "partners.example.csv")
    assert findings == []
    listed = PartnerList(tuple(partners), CONTENT / "partners.example.csv", example=True)
    first_tuesday = date(2027, 1, 5)
    editions = CHANNEL.plan(library, listed, library.campaigns, first_tuesday)
    assert editions and all(e.day == first_tuesday for e in editions)
    assert CHANNEL.plan(library, listed, library.campaigns, date(2027, 1, 6)) == []
    for e in editions:
        kind = e.payload.kind
        staff = [m for m in e.messages if m.id == e.payload.staff]
        assert len(staff) == 1 and f"{kind}-team" in staff[0].audiences
        parents = [m for m in e.messages if m.id != e.payload.staff]
        assert parents and all(set(m.audiences) & set(e.audiences) for m in parents)
        assert len({m.id for m in e.messages}) == len(e.messages)
        fallback = set(e.payload.fallback)
        assert all(m.lang == e.lang or m.key in fallback for m in e.messages)
        unsubscribed = {p.email for p in partners if p.unsubscribed}
        assert not unsubscribed & {a for a, _ in e.payload.recipients}
    again = CHANNEL.plan(library, listed, library.campaigns, first_tuesday)
    assert [(e, e.payload) for e in again] == [(e, e.payload) for e in editions]  # deterministic


def test_a_semicolon_list_from_dutch_excel_reads_the_same(tmp_path: Path) -> None:
    comma = CONTENT / "partners.example.csv"
    rows = list(csv.reader(comma.read_text(encoding="utf-8").splitlines()))
    semicolon = tmp_path / "partners.csv"
    with semicolon.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)  # quotes the audiences, as Excel does
    assert '"ouders-jonge-kinderen;kinderopvang-team"' in semicolon.read_text(encoding="utf-8-sig")
    expected, expected_findings = load_partners(comma)
    loaded, findings = load_partners(semicolon)
    assert findings == expected_findings == []
    assert [(p.email, p.audiences, p.kind) for p in loaded] == [
        (p.email, p.audiences, p.kind) for p in expected
    ]
    assert len(loaded) >= 5


def test_the_partner_list_note_speaks_the_language_of_where_it_is_shown(tmp_path: Path) -> None:
    """The publish report says it in the run's language, the plan page (Dutch only) in Dutch."""
    from channels.base import Context
    from channels.newsletter.partners import load_partner_list
    from flows.core.i18n import language
    from flows.core.settings import load_settings
    from flows.publishing.calendar import input_notes

    settings = load_settings(content_dir=CONTENT, out_dir=tmp_path / "out")
    example = load_partner_list(settings)
    ctx = Context(settings, settings.out_dir)
    with language("en"):
        (english,) = CHANNEL.report_notes(example, ctx).summary
        plan_en = input_notes({"newsletter": example})
        cli_en = input_notes({"newsletter": example}, "en")
    with language("nl"):
        (dutch,) = CHANNEL.report_notes(example, ctx).summary
    assert english.endswith(
        "(example list content/partners.example.csv; "
        "set VEERKRACHT_PARTNERS_CSV for the real partner list)"
    )
    assert dutch.endswith(
        "(voorbeeldlijst content/partners.example.csv; "
        "zet VEERKRACHT_PARTNERS_CSV voor de echte partnerlijst)"
    )
    assert plan_en == [
        (
            "Nieuwsbrief: voorbeeldlijst content/partners.example.csv; "
            "zet VEERKRACHT_PARTNERS_CSV voor de echte partnerlijst"
        )
    ]
    assert cli_en == [
        (
            "Newsletter: example list content/partners.example.csv; "
            "set VEERKRACHT_PARTNERS_CSV for the real partner list"
        )
    ]

    empty = tmp_path / "content"
    empty.mkdir()
    none = load_partner_list(load_settings(content_dir=empty, out_dir=tmp_path / "out"))
    with language("en"):
        assert str(none.note) == "no partner list; set VEERKRACHT_PARTNERS_CSV to send newsletters"
        assert input_notes({"newsletter": none}) == [
            (
                "Nieuwsbrief: geen partnerlijst; zet VEERKRACHT_PARTNERS_CSV om nieuwsbrieven te "
                "versturen"
            )
        ]
