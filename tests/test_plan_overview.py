"""The campaign overview (`plan.html`) and calendar file of the bundled campaign: one row per
week with its theme, every newsletter edition, readable at 320 and 1440 px in Chromium without
sideways scrolling, no axe-core violations, and an .ics file the `icalendar` package reads."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml

from channels.screens.config import DAY_KEYS
from flows.cli import main
from flows.core.models import THEMES
from flows.publishing.calendar import days_text
from tests.chromium import ARGS, CHROMIUM
from tests.conftest import CONTENT, REPO

AXE_DIR = REPO / "tests" / "output" / "axe"  # git-ignored; installed by npm on first use
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WEEKS = 12


def _axe() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: axe-core cannot be installed")
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_DIR),
                "axe-core@4",
            ],
            check=True,
            timeout=600,
        )
    return AXE


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("plan")
    argv = ["plan", "--from", "2027-01-04", "--weeks", str(WEEKS), "--format", "json"]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main([*argv, "--content", str(CONTENT), "--out", str(out)]) == 0
    return {
        "rows": json.loads(buffer.getvalue()),
        "html": out / "reports" / "plan.html",
        "ics": out / "reports" / "plan.ics",
    }


def test_one_row_per_week_with_its_theme_and_every_newsletter_edition(
    plan: dict[str, Any],
) -> None:
    html = plan["html"].read_text(encoding="utf-8")
    assert html.count('<th scope="row" class="week">') == WEEKS
    for theme in ("gezonde-stress", "slapen", "steun", "partners"):
        assert f'<span class="theme">{THEMES[theme]}</span>' in html
    newsletters = [r for r in plan["rows"] if r["channel"] == "newsletter"]
    assert len(newsletters) == 24
    for row in newsletters:
        assert row["link"] and f'href="../{row["link"]}' in html.replace("%2B", "+")
        for message in row["messages"]:
            assert message["title"].replace("'", "&#39;") in html
    assert "Tegengehouden berichten" in html and "Herzien en verlopen" in html


def test_the_calendar_file_has_editions_themes_and_no_daily_screens(plan: dict[str, Any]) -> None:
    cal = icalendar.Calendar.from_ical(plan["ics"].read_bytes())
    events = list(cal.walk("VEVENT"))
    summaries = [str(e.get("SUMMARY")) for e in events]
    kinds = Counter(s.split(":")[0] for s in summaries)
    assert kinds["Nieuwsbrief"] == 24
    assert not any(s.startswith("Schermen") for s in summaries)
    themes = [e for e in events if str(e.get("SUMMARY")).startswith("Thema van week")]
    assert len(themes) == WEEKS
    first = min(themes, key=lambda e: e.decoded("DTSTART"))
    assert first.decoded("DTSTART") == date(2027, 1, 4)
    assert first.decoded("DTEND") == date(2027, 1, 11)  # the whole week, end exclusive
    assert "Gezonde stress" in str(first.get("SUMMARY"))
    rows = {(r["day"], r["target"]): r for r in plan["rows"] if r["channel"] == "newsletter"}
    for event in events:
        if str(event.get("SUMMARY")).startswith("Nieuwsbrief"):
            day = event.decoded("DTSTART").isoformat()
            described = str(event.get("DESCRIPTION"))
            matching = [r for (d, _), r in rows.items() if d == day]
            assert any(all(m["title"] in described for m in r["messages"]) for r in matching), (
                described
            )
    assert len({str(e.get("UID")) for e in events}) == len(events)


def test_screens_are_in_the_plan_only_on_the_days_they_are_open(plan: dict[str, Any]) -> None:
    screens = yaml.safe_load((CONTENT / "screens.yaml").read_text(encoding="utf-8"))["screens"]
    opening = {s["id"]: set(s.get("opening_hours") or DAY_KEYS) for s in screens}
    shown = [r for r in plan["rows"] if r["channel"] == "screens"]
    assert shown
    for row in shown:
        weekday = DAY_KEYS[date.fromisoformat(row["day"]).weekday()]
        assert weekday in opening[row["target"]], row
    # Every screen is in the plan on each of its opening days (12 weeks from a Monday).
    for screen_id, days in opening.items():
        seen = {r["day"] for r in shown if r["target"] == screen_id}
        assert len(seen) == WEEKS * len(days), screen_id
    html = plan["html"].read_text(encoding="utf-8")
    assert "ma 4 jan t/m zo 10 jan" not in html  # no screen in the bundle is open on Sundays


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([date(2027, 1, 5)], "di 5 jan"),
        ([date(2027, 1, 4), date(2027, 1, 7)], "ma 4 jan, do 7 jan"),
        ([date(2027, 1, d) for d in (4, 5, 6, 7, 8)], "ma 4 jan t/m vr 8 jan"),
        ([date(2027, 1, d) for d in (4, 5, 7, 8, 9)], "ma 4 jan, di 5 jan, do 7 jan t/m za 9 jan"),
        ([], ""),
    ],
)
def test_days_in_a_row_read_as_one_span(days: list[date], text: str) -> None:
    assert days_text(days) == text


def test_review_dates_and_expiries_are_listed_and_reminded(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    message = next((content / "messages").rglob("*.nl.md"))
    lines = [
        line
        for line in message.read_text(encoding="utf-8").split("\n")
        if not line.startswith(("review_by:", "valid_until:"))
    ]
    at = next(i for i, line in enumerate(lines) if line.startswith("valid_from:"))
    lines[at + 1 : at + 1] = ["review_by: 2027-01-20", "valid_until: 2027-01-27"]
    message.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "plan",
                "--from",
                "2027-01-04",
                "--weeks",
                "4",
                "--content",
                str(content),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    html = (out / "reports" / "plan.html").read_text(encoding="utf-8")
    assert "Herzien vóór" in html and "Verloopt na" in html and "wo 20 jan 2027" in html
    cal = icalendar.Calendar.from_ical((out / "reports" / "plan.ics").read_bytes())
    reminders = {
        str(e.get("SUMMARY")).split(":")[0]: e.decoded("DTSTART")
        for e in cal.walk("VEVENT")
        if str(e.get("SUMMARY")).startswith(("Herzien", "Verloopt"))
    }
    assert reminders == {"Herzien vóór": date(2027, 1, 20), "Verloopt na": date(2027, 1, 27)}


playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("width", [320, 1440])
def test_readable_without_sideways_scrolling_and_no_axe_violations(
    plan: dict[str, Any], width: int
) -> None:
    axe = _axe()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(plan["html"].as_uri())
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, f"{width} px: the page is {scroll} px wide"
            assert page.get_by_text("Gezonde stress", exact=True).first.is_visible()
            page.add_script_tag(path=str(axe))
            result = page.evaluate("async () => await axe.run(document)")
            violations = [(v["id"], len(v["nodes"]), v["help"]) for v in result["violations"]]
            assert violations == []
            assert result["passes"]  # axe really ran its rules
            if width == 1440:
                page.emulate_media(media="print")
                pdf = page.pdf(prefer_css_page_size=True)
                assert pdf.startswith(b"%PDF")
                # A4 landscape (the print CSS's @page): 842 x 595 points on every page.
                boxes = set(re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf))
                assert boxes and all(
                    abs(float(w) - 841.9) < 1 and abs(float(h) - 595.3) < 1 for w, h in boxes
                ), boxes
        finally:
            browser.close()
