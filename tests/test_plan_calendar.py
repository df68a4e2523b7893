"""`veerkracht plan`: JSON for scripts, an iCalendar file Outlook accepts, an escaped HTML
calendar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flows.cli import main
from flows.infra.ical import AllDayEvent, calendar, escape_text, fold
from flows.publishing.calendar import PlanRow, to_html, to_ics

CONTENT = Path(__file__).parent / "fixtures" / "feeds" / "content"


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_fold_at_75_octets_without_splitting_characters() -> None:
    line = "DESCRIPTION:" + "é" * 100 + "x" * 50
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line
    for p in parts:
        p.encode("utf-8").decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert fold("short") == "short"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a,b;c\\d", "a\\,b\\;c\\\\d"), ("line1\nline2", "line1\\nline2"), ("x\r\ny", "x\\ny")],
)
def test_escape_text(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped


def test_calendar_structure() -> None:
    stamp = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    data = calendar(
        [AllDayEvent("a@x", date(2027, 3, 28), "Feeds; 2, edities", "één\ntwee")],
        name="Plan",
        stamp=stamp,
    )
    text = data.decode("utf-8")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert "DTSTART;VALUE=DATE:20270328" in lines and "DTEND;VALUE=DATE:20270329" in lines
    assert "DTSTAMP:20261128T120000Z" in lines and "UID:a@x" in lines
    assert "SUMMARY:Feeds\\; 2\\, edities" in lines
    assert "DESCRIPTION:één\\ntwee" in lines


def test_plan_command_json_ics_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ics = tmp_path / "plan.ics"
    code = main(
        [
            "plan",
            "--from",
            "2027-01-04",
            "--weeks",
            "3",
            "--format",
            "json",
            "--ics",
            str(ics),
            "--content",
            str(CONTENT),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    days = sorted({r["day"] for r in rows if r["channel"] == "feeds"})
    assert days == ["2027-01-04", "2027-01-11", "2027-01-18"]  # wekelijks op maandag
    ids = {m["id"] for r in rows for m in r["messages"]}
    assert "slaapritueel" not in ids  # held by a check error, so never planned
    text = ics.read_bytes().decode("utf-8")
    lines = unfold(text)
    # One event per day and channel (three feed days, the posters of each week start) and
    # one per week for its theme.
    per_day_and_channel = {(r["day"], r["channel"]) for r in rows}
    themes = sum(line.startswith("SUMMARY:Thema van week") for line in lines)
    assert themes == 2  # the campaign has two theme weeks
    # And a reminder for the message whose validity ends in the range.
    assert [line for line in lines if line.startswith("SUMMARY:Verloopt")] == [
        "SUMMARY:Verloopt na: Samen sterk"
    ]
    assert lines.count("BEGIN:VEVENT") == len(per_day_and_channel) + themes + 1
    assert sum(line.startswith("SUMMARY:Feeds:") for line in lines) == 3
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)
    assert all(len(p.encode()) <= 75 for p in text.split("\r\n"))
    html = (tmp_path / "reports" / "plan.html").read_text(encoding="utf-8")
    assert "ma 4 jan" in html and "Hulp vragen mag" in html


def test_plan_command_text_and_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--content", str(CONTENT), "--out", str(tmp_path)]
    assert main(["plan", "--from", "2027-01-04", "--weeks", "1", *args]) == 0
    out = capsys.readouterr().out
    assert "ouders-jonge-kinderen.nl" in out and "editions in 1 week; " in out
    assert main(["plan", "--from", "4 januari", *args]) == 2
    assert main(["plan", "--from", "2027-01-04", "--weeks", "0", *args]) == 2


def test_html_calendar_escapes_titles() -> None:
    row = PlanRow(date(2027, 1, 4), "feeds", "<t>", "c", "nl", (("x", "<script>x</script> & y"),))
    html = to_html([row], date(2027, 1, 4), 7)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; y" in html
    ics = to_ics([row], base_url="https://v.example.org").decode()
    assert "UID:2027-01-04-feeds@v.example.org" in ics


def test_plan_of_the_bundled_campaign_has_every_channel_with_the_newsletter_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first version's plan showed no newsletter: the planner read a partner list only
    publishing filled in. The plan now loads each channel's inputs itself."""
    from flows.publishing.registry import channels
    from tests.conftest import CONTENT as BUNDLED

    ics = tmp_path / "plan.ics"
    argv = ["plan", "--from", "2027-01-04", "--weeks", "8", "--format", "json"]
    assert main([*argv, "--ics", str(ics), "--content", str(BUNDLED), "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    # The example partner list says it is the example, on the command line in its language
    # (the test session speaks English) and on the plan page in Dutch (checked below).
    assert "Newsletter: example list content/partners.example.csv" in captured.err
    assert {r["channel"] for r in rows} == set(channels())
    newsletter_days = sorted({r["day"] for r in rows if r["channel"] == "newsletter"})
    # Every 2 weeks on Tuesday from 4 January: 5 and 19 January, 2 and 16 February.
    assert newsletter_days == ["2027-01-05", "2027-01-19", "2027-02-02", "2027-02-16"]
    assert all(r["messages"] for r in rows if r["channel"] == "newsletter")
    lines = unfold(ics.read_bytes().decode("utf-8"))
    events = [i for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
    newsletter_events = sorted(
        lines[i + 3].removeprefix("DTSTART;VALUE=DATE:")
        for i in events
        if any(line.startswith("SUMMARY:Nieuwsbrief") for line in lines[i : i + 8])
    )
    # One event per edition (four partner groups on each newsletter day).
    per_edition = sorted(r["day"].replace("-", "") for r in rows if r["channel"] == "newsletter")
    assert newsletter_events == per_edition
    assert sorted(set(newsletter_events)) == [d.replace("-", "") for d in newsletter_days]
    html = (tmp_path / "reports" / "plan.html").read_text(encoding="utf-8")
    assert "Nieuwsbrief" in html and "Nieuwsbrief: voorbeeldlijst content/" in html
    assert "example list" not in html
