"""Publishing as plain functions: the day window, holding, the report, idempotency."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest

from flows.cli import main
from flows.core.settings import Settings, load_settings
from flows.infra.state import open_state
from flows.publishing.publish import DayOutOfRange, check_day, publish_plain
from flows.publishing.published import published

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "feeds" / "content"
PARTNERS = FIXTURES / "plan" / "partners.csv"


def settings(out: Path) -> Settings:
    return load_settings(content_dir=CONTENT, out_dir=out, partners_csv=PARTNERS, catchup_days=7)


def test_day_window() -> None:
    s = load_settings(catchup_days=7)
    today = date(2027, 1, 20)
    check_day(today, s, today=today)
    check_day(date(2027, 1, 13), s, today=today)  # 7 days back: catch-up allowed
    with pytest.raises(DayOutOfRange, match=r"more than 7 days ago.*VEERKRACHT_CATCHUP_DAYS"):
        check_day(date(2027, 1, 12), s, today=today)
    with pytest.raises(DayOutOfRange, match="in the future"):
        check_day(date(2027, 1, 21), s, today=today)
    check_day(date(2020, 1, 1), s, today=today, any_day=True)


def test_cli_refuses_a_day_too_far_back(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        ["publish", "--date", "2001-01-01", "--content", str(CONTENT), "--out", str(tmp_path)]
    )
    assert code == 2
    assert "more than" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()  # refused before anything ran
    assert main(["publish", "--date", "yesterday", "--content", str(CONTENT)]) == 2


def test_publish_holds_check_errors_reports_and_second_run_is_nothing_new(tmp_path: Path) -> None:
    s = settings(tmp_path)
    first = publish_plain(s, date(2027, 1, 11), any_day=True)
    prepared = first.prepared
    assert ("slaapritueel", "nl") in prepared.held
    assert "S120" in prepared.held[("slaapritueel", "nl")]
    assert [o.status for o in first.outcomes] == ["published"] * len(first.outcomes)
    assert {o.edition.target for o in first.outcomes} >= {"ouders-jonge-kinderen.nl"}
    feed = feedparser.parse((tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").read_bytes())
    assert not feed.bozo and feed.entries
    assert all("ritueel" not in e.title for e in feed.entries)  # held: never published
    report = (tmp_path / "reports" / "publish-2027-01-11.md").read_text(encoding="utf-8")
    assert "| slaapritueel | nl | S120" in report
    assert "## Partner list problems" in report and "geen-adres" in report
    assert ":3:" in report  # the bad row's line
    assert "links not verified" in report

    second = publish_plain(s, date(2027, 1, 11), any_day=True)
    assert second.nothing_new and second.outcomes
    assert [o.status for o in second.outcomes] == ["nothing new"] * len(second.outcomes)
    report = (tmp_path / "reports" / "publish-2027-01-11.md").read_text(encoding="utf-8")
    assert "**Nothing new**" in report
    with open_state(s.resolved_state_url()).connect() as conn:
        rows = conn.execute(published.select()).fetchall()
    assert {r.edition_key for r in rows} == {o.edition.key for o in first.outcomes}
    assert all(r.runs == 2 for r in rows)


def test_a_later_day_updates_the_feed(tmp_path: Path) -> None:
    s = settings(tmp_path)
    publish_plain(s, date(2027, 1, 4), any_day=True)
    later = publish_plain(s, date(2027, 1, 18), any_day=True)
    assert any(o.status == "published" for o in later.outcomes)
    nothing = publish_plain(s, date(2027, 1, 19), any_day=True)  # a Tuesday: no feed due
    assert nothing.outcomes == [] and "Nothing is due" in nothing.report_text


def test_a_broken_link_in_the_cache_holds_the_message(tmp_path: Path) -> None:
    import time

    from flows.linkcheck import cache
    from flows.linkcheck.check import Result, Verdict

    s = settings(tmp_path)
    url = "https://www.kansrijkestartnl.nl/campagne-mamaliefde-en-papaliefde-is/campagne-toolkit"
    ok = "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/"
    now = time.time()
    cache.save(
        open_state(s.resolved_state_url()),
        [
            Result(url, Verdict.BROKEN, status=404, detail="page not found (404)", checked_at=now),
            Result(ok, Verdict.OK, status=200, checked_at=now),
        ],
        {},
    )
    result = publish_plain(s, date(2027, 1, 11), any_day=True)
    held = result.prepared.held
    assert "404" in held[("vraag-om-hulp", "nl")] and url in held[("vraag-om-hulp", "nl")]
    assert "links verified by the last link check" in result.prepared.links_note
    feed = (tmp_path / "feeds" / "ouders-jonge-kinderen.nl.rss").read_text(encoding="utf-8")
    assert "Hulp vragen mag" not in feed
    assert "| vraag-om-hulp | nl | link" in result.report_text


def test_report_cells_cannot_break_the_table() -> None:
    from flows.publishing.report import cell

    assert cell("a | b\nc") == "a \\| b c"
    assert cell("") == "–"


def test_a_screen_removed_from_screens_yaml_is_named_and_left_alone(tmp_path: Path) -> None:
    content = Path(shutil.copytree(FIXTURES / "screens" / "content", tmp_path / "content"))
    out = tmp_path / "out"
    s = load_settings(content_dir=content, out_dir=out, partners_csv=PARTNERS, catchup_days=7)
    publish_plain(s, date(2027, 1, 12), any_day=True)
    kept = (out / "screens" / "verloskunde-test" / "playlist.json").read_bytes()
    screens = content / "screens.yaml"
    text = screens.read_text(encoding="utf-8")
    start = text.index("  - id: verloskunde-test")
    screens.write_text(text[:start] + text[text.index("  - id:", start + 1) :], encoding="utf-8")
    (out / "screens" / ".tmp-half-written").mkdir()  # not a screen: never named

    result = publish_plain(s, date(2027, 1, 13), any_day=True)
    notes = result.prepared.channel_notes["screens"].section
    assert [line for line in notes if line.startswith("- ")] == [
        "- out/screens/verloskunde-test (and out/screens/_versions/verloskunde-test/)"
    ]
    assert (out / "screens" / "verloskunde-test" / "playlist.json").read_bytes() == kept
    report = (out / "reports" / "publish-2027-01-13.md").read_text(encoding="utf-8")
    assert "## Screens no longer in screens.yaml" in report
    assert "- out/screens/verloskunde-test (and out/screens/_versions/verloskunde-test/)" in report
    assert "wachtkamer-test" not in report.split("## Screens no longer")[1].split("##")[0]


def test_the_publish_log_takes_a_row_another_run_just_made(tmp_path: Path) -> None:
    """Two runs finishing one edition at once both find no row (on PostgreSQL both updates can
    see nothing); the second insert then meets the unique key. That is not a failure: the
    second run updates the row the first one made. Simulated on SQLite by making the first
    update of the second run find nothing although the row is there."""
    from sqlalchemy import event

    from flows.infra.state import open_state
    from flows.publishing.published import previous, record

    engine = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    args = {"channel": "feeds", "target": "t", "day": "2027-01-04", "digest": "d"}
    record(engine, edition_key="k", delivered=1, **args)
    blinded: list[str] = []

    def first_update_finds_nothing(conn, cursor, statement, params, context, many):
        if statement.startswith("UPDATE published") and not blinded:
            blinded.append(statement)
            return statement + " AND 1 = 0", params
        return statement, params

    event.listen(engine, "before_cursor_execute", first_update_finds_nothing, retval=True)
    try:
        record(engine, edition_key="k", delivered=2, **args)
    finally:
        event.remove(engine, "before_cursor_execute", first_update_finds_nothing)
    row = previous(engine, "k")
    assert blinded and row is not None and row.delivered == 3 and row.runs == 2
