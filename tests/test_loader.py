"""The loader: good files load, bad files become findings with the right line, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core.errors import ContentError
from flows.library.loader import load_library
from flows.publishing.checking import check_library
from tests.channel_inputs import screens_loaded

GOOD = """---
id: vast-ritme
lang: nl
title: Een vast ritme
theme: slapen
audiences: [ouders-jonge-kinderen]
screen:
  headline: Rust voor het slapen
  text: Een vast ritme helpt je kind, want het weet wat er komt.
resources:
  - title: Toolkit
    url: https://www.kansrijkestartnl.nl/campagne-mamaliefde-en-papaliefde-is/campagne-toolkit
valid_from: 2026-11-01
review_by: 2027-06-01
status: gepubliceerd
reviewed_by: Redactie JGZ
reviewed_on: 2026-11-20
---

Veel ouders herkennen dit.
"""


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def codes(root: Path) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in sorted(load_library(root).findings)]


def test_good_message_loads_with_lines(tmp_path: Path) -> None:
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", GOOD)
    library = load_library(tmp_path)
    assert library.findings == ()
    (message,) = library.messages
    assert message.key == ("vast-ritme", "nl")
    assert message.line_of("screen") == 7
    assert message.line_of("resources") == 10
    assert message.body_line == 20  # the blank line after --- is skipped
    assert message.body == "Veel ouders herkennen dit."
    assert message.resources[0].url.startswith("https://")


def test_unknown_field_and_bad_values_point_at_their_lines(tmp_path: Path) -> None:
    text = GOOD.replace("theme: slapen", "theme: slaap").replace(
        "review_by: 2027-06-01", "review_by: 2027-06-01\ncolour: red"
    )
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", text)
    assert codes(tmp_path) == [(5, "S114"), (15, "S111")]


def test_missing_field_and_dates_out_of_order(tmp_path: Path) -> None:
    write(tmp_path, "messages/slapen/a.nl.md", GOOD.replace("title: Een vast ritme\n", ""))
    write(
        tmp_path,
        "messages/slapen/b.nl.md",
        GOOD.replace("review_by: 2027-06-01", "valid_until: 2026-01-01"),
    )
    found = [(f.path.rsplit("/", 1)[-1], f.code) for f in load_library(tmp_path).findings]
    assert sorted(found) == [("a.nl.md", "S110"), ("b.nl.md", "S115")]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "S103"),
        (b"\x00\x01binary", "S100"),
        (b"---\nid: x\n", "S103"),
        (b"no front matter here\n", "S103"),
        ("---\nid: \xe9\n---\n".encode("latin-1"), "S100"),
        (b"---\na: &a [1, 2]\nb: [*a, *a]\n---\n", "S105"),
        # The other fields are still read, so the missing ones are reported too (S110, S119).
        (b"---\nid: [unclosed\n---\n", "S104 S110 S119"),
        (b"---\n- a list\n---\n", "S106"),
    ],
)
def test_hostile_or_broken_files_become_findings(tmp_path: Path, content: bytes, code: str) -> None:
    write(tmp_path, "messages/slapen/x.nl.md", content)
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", GOOD)
    library = load_library(tmp_path)
    assert sorted({f.code for f in library.findings}) == code.split()
    assert [m.id for m in library.messages] == ["vast-ritme"]  # the others still load


def test_symlink_outside_and_huge_file(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("---\nid: leak\n---\n")
    root = tmp_path / "content"
    (root / "messages/slapen").mkdir(parents=True)
    (root / "messages/slapen/leak.nl.md").symlink_to(outside)
    write(root, "messages/slapen/big.nl.md", b"---\n" + b"a" * (11 * 1024 * 1024))
    assert sorted(f.code for f in load_library(root).findings) == ["S101", "S102"]


def test_missing_folder_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="content folder not found"):
        load_library(tmp_path / "nope")


def test_yaml_lists_report_bad_items_and_keep_good_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        "screens.yaml",
        "screens:\n"
        "  - id: wachtkamer-a\n    location: A\n    audiences: [aanstaande-ouders]\n"
        "  - id: wachtkamer-b\n    location: B\n    audiences: [ouders]\n"
        "    opening_hours: {ma: '17:00-08:00'}\n",
    )
    loaded = screens_loaded(load_library(tmp_path))
    assert [s.id for s in loaded.value] == ["wachtkamer-a"]
    assert sorted((f.line, f.code) for f in loaded.findings) == [(7, "S113"), (8, "S112")]


def test_colon_in_a_text_gets_plain_advice(tmp_path: Path) -> None:
    text = GOOD.replace("headline: Rust voor het slapen", "headline: Slapen: zo doe je dat")
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", text)
    (problem,) = load_library(tmp_path).findings
    assert (problem.line, problem.code) == (8, "S104")
    assert problem.message == (
        "on line 8 a text contains a colon: put the whole text between quotes, like "
        'headline: "Slapen: zo doe je dat"'
    )


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        (
            "2027-13-01",
            (
                "'{key}' is 2027-13-01, a date that does not exist (year-month-day has at most "
                "12 months); write 2027-01-13 if you mean January 13, 2027"
            ),
        ),
        (
            "2027-02-30",
            "'{key}' is not a date (2027-02-30); write year-month-day, for example 2027-01-04",
        ),
    ],
)
def test_a_date_that_does_not_exist_is_a_finding_not_a_crash(
    tmp_path: Path, written: str, advice: str
) -> None:
    write(
        tmp_path,
        "messages/slapen/vast-ritme.nl.md",
        GOOD.replace("valid_from: 2026-11-01", f"valid_from: {written}"),
    )
    write(
        tmp_path,
        "campaigns/winter.yaml",
        f"id: winter\ntitle: Winter\nperiod:\n  start: {written}\n  end: 2027-03-01\n",
    )
    library = load_library(tmp_path)
    found = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in library.findings)
    assert found == [("vast-ritme.nl.md", 13, "S104"), ("winter.yaml", 4, "S104")]
    messages = sorted(f.message for f in library.findings)
    assert messages == [
        f"on line 13, {advice.format(key='valid_from')}",
        f"on line 4, {advice.format(key='start')}",
    ]
    assert library.messages == ()


@pytest.mark.parametrize(
    ("old", "new", "line", "advice"),
    [
        (
            "audiences: [ouders-jonge-kinderen]",
            "audiences: ouders-jonge-kinderen",
            6,
            "'audiences' must be a list; write it in square brackets, like [ouders-jonge-kinderen]",
        ),
        (
            "title: Een vast ritme",
            "title: 2027",
            4,
            "'title' must be text, but 2027 reads as something else; put it between double quotes",
        ),
        (
            "id: vast-ritme",
            "id: Vast_Ritme",
            2,
            (
                "'id' may only use lowercase letters, digits and single hyphens, like vast-ritme "
                "(not 'Vast_Ritme')"
            ),
        ),
    ],
)
def test_type_mistakes_get_plain_advice(
    tmp_path: Path, old: str, new: str, line: int, advice: str
) -> None:
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", GOOD.replace(old, new))
    (f,) = load_library(tmp_path).findings
    assert (f.line, f.code, f.message) == (line, "S112", advice)


CAMPAIGN = """id: winter
title: Winter
period:
  start: 2027-01-04
  end: 2027-03-28
audiences: [ouders-jonge-kinderen]
weeks:
  - theme: slapen
channels:
  newsletter:
    cadence: "every 2 weeks on tuesday"
    items: 3
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "code", "advice"),
    [
        ("theme: slapen", "theme: slaap", 8, "S114", "unknown theme 'slaap'; use one of: slapen"),
        ("[ouders-jonge-kinderen]", "[ouders]", 6, "S113", "unknown audience 'ouders'"),
        (
            "items: 3",
            "items: drie",
            12,
            "S112",
            "'channels.newsletter.items' must be a whole number, like 3 (not 'drie')",
        ),
    ],
)
def test_campaign_mistakes_name_line_and_fix(
    tmp_path: Path, old: str, new: str, line: int, code: str, advice: str
) -> None:
    write(tmp_path, "campaigns/winter.yaml", CAMPAIGN.replace(old, new))
    # A channel's own section is checked by that channel; the rest while loading.
    (f,) = check_library(load_library(tmp_path))
    assert (f.line, f.code) == (line, code) and f.message.startswith(advice)


def test_opening_hours_accept_how_people_write_times(tmp_path: Path) -> None:
    from channels.screens.config import Screen

    screen = Screen(
        id="wachtkamer",
        location="Wachtkamer",
        audiences=("jongeren",),
        opening_hours={"ma": "8:30-17:00", "di": "8.30 - 12.00", "wo": "08:00-17:00"},
    )
    # Two-digit hours, because the page compares times as text ("8:30" sorts after "17:00").
    assert screen.opening_hours == {"ma": "08:30-17:00", "di": "08:30-12:00", "wo": "08:00-17:00"}
    write(
        tmp_path,
        "screens.yaml",
        "screens:\n  - id: wachtkamer\n    location: Wachtkamer\n"
        "    audiences: [jongeren]\n    opening_hours:\n      ma: 17:00-08:30\n"
        "      di: 8-17\n",
    )
    found = sorted((f.line, f.message) for f in screens_loaded(load_library(tmp_path)).findings)
    assert len(found) == 1 and found[0][0] == 5  # both days are in one field
    assert "open at 17:00 and close at 08:30; write the opening time first" in found[0][1]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("valid_from: 2026-11-01", "valid_from: !!timestamp nope"),
        ("valid_from: 2026-11-01", 'valid_from: !!int ""'),
    ],
)
def test_a_tag_that_does_not_fit_its_value_is_a_finding_not_a_crash(
    tmp_path: Path, old: str, new: str
) -> None:
    write(tmp_path, "messages/slapen/vast-ritme.nl.md", GOOD.replace(old, new))
    library = load_library(tmp_path)
    assert library.messages == ()
    assert [f.code for f in library.findings] == ["S104"]
