"""`veerkracht preview`: one message as a waiting-room slide and a newsletter block, sent
nowhere."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from channels.shared.qr import qr_svg
from channels.shared.reach import PREVIEW_TARGET, reach_counts
from channels.shared.shortlinks import short_code, short_url
from flows.cli import main
from flows.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from flows.core.clock import TIMEZONE
from flows.infra.state import open_state
from flows.library.loader import load_library
from flows.publishing.inputs import load_inputs
from flows.publishing.preview import find_message, preview_message
from tests.chromium import CHROMIUM
from tests.conftest import FIXTURES
from tests.test_newsletter_support import settings_for
from tests.test_public_endpoint import running

REPO = Path(__file__).resolve().parent.parent
SOURCE = FIXTURES / "screens" / "content"
DRAFT = """---
id: nieuwe-tip
lang: nl
title: Samen buiten zijn
theme: bewegen
audiences: [ouders-jonge-kinderen]
screen:
  headline: Samen naar buiten
  text: Even buiten spelen geeft rust in je hoofd.
valid_from: 2027-01-04
status: draft
---
Je moet elke dag naar buiten met je kind.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SOURCE, tmp_path / "content"))


def preview(content: Path, ref: str, *extra: str) -> int:
    out = content.parent / "out"
    return main(["preview", ref, "--content", str(content), "--out", str(out), *extra])


def test_preview_by_path_writes_slide_and_newsletter_and_nothing_else(
    content: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(content.parent)  # where an adviser types it: paths shown from here
    path = content / "messages" / "slapen" / "slaap-ritueel.nl.md"
    assert preview(content, str(path), "--date", "2027-01-12") == EXIT_OK
    out = content.parent / "out"
    folder = out / "preview" / "slaap-ritueel.nl"
    page = (folder / "scherm" / "index.html").read_text()
    assert "Elke avond hetzelfde ritueel geeft rust" in page
    playlist = json.loads((folder / "scherm" / "playlist.json").read_text())
    assert [s["id"] for s in playlist["slides"]] == ["slaap-ritueel"]
    assert playlist["opening_hours"] in ({}, None)  # the preview shows at any hour
    mail = (folder / "nieuwsbrief.html").read_text()
    text = (folder / "nieuwsbrief.txt").read_text()
    title = "Elke avond hetzelfde ritueel geeft rust"
    assert title in mail and title.upper() in text  # plain text sets titles in capitals
    assert "Het gaat goed, want je doet al veel." in text  # the body, not only the title
    # Sends nothing and publishes nothing: no outbox, no ledger, no live screen folder; only
    # the redirect pages of its short links, so its QR code can be tried.
    assert sorted(p.name for p in out.iterdir()) == ["preview", "r"]
    printed = capsys.readouterr().out
    # The stable address of the slide, not the version folder its link points at today.
    assert "  out/preview/slaap-ritueel.nl/scherm/index.html\n" in printed
    assert "_versions" not in printed
    assert "preview/slaap-ritueel.nl/nieuwsbrief.html" in printed


def test_preview_by_id_and_the_advice_when_it_is_not_found(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preview(content, "samen-eten") == EXIT_OK
    assert (content.parent / "out" / "preview" / "samen-eten.nl" / "nieuwsbrief.html").exists()
    assert preview(content, "samen-eten.en") == EXIT_USAGE
    assert "it exists in nl; write samen-eten.nl" in capsys.readouterr().err
    assert preview(content, "bestaat-niet") == EXIT_USAGE
    assert "give the file's path" in capsys.readouterr().err
    assert preview(content, str(content / "messages" / "weg.nl.md")) == EXIT_USAGE
    assert "message file not found" in capsys.readouterr().err


def test_inbox_draft_gets_its_own_findings_and_notes(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(REPO / "content" / "style.yaml", content / "style.yaml")  # the real tone rules
    draft = content / "inbox" / "bron" / "nieuwe-tip.nl.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(DRAFT, encoding="utf-8")
    assert preview(content, str(draft), "--date", "2027-01-12") == EXIT_ERRORS
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if ": T" in line or ": S" in line]
    assert lines, printed
    assert all(line.startswith("content/inbox/bron/nieuwe-tip.nl.md:") for line in lines)
    assert "content/inbox/bron/nieuwe-tip.nl.md:13:" in printed  # the "je moet" line
    assert "note: this message has errors" in printed
    assert "note: status: concept" in printed
    # Still rendered, so the team can see what they are fixing.
    mail = content.parent / "out" / "preview" / "nieuwe-tip.nl" / "nieuwsbrief.html"
    assert "Samen buiten zijn" in mail.read_text()


def test_a_file_that_cannot_be_read_names_line_and_fix(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = content / "messages" / "slapen" / "kapot.nl.md"
    broken.write_text(DRAFT.replace("theme: bewegen", "theme: fietsen"), encoding="utf-8")
    assert preview(content, str(broken)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "kapot.nl.md cannot be read as a message" in err
    assert "content/messages/slapen/kapot.nl.md:5:" in err and "theme" in err
    assert not (content.parent / "out" / "preview").exists()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_preview_slide_shows_on_a_closed_day_and_after_it_expired(content: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    # oud-bericht expired on 2027-01-10, and the fixture screen is closed on Sunday: a real
    # screen would show the resting slide; the preview must show the message itself.
    assert preview(content, "oud-bericht", "--date", "2027-01-17") == EXIT_OK
    page_file = content.parent / "out" / "preview" / "oud-bericht.nl" / "scherm" / "index.html"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.clock.install(time=datetime(2027, 1, 17, 21, 0, tzinfo=TIMEZONE))
            page.goto(page_file.as_uri())
            active = page.locator('.slide.active[data-slide-id="oud-bericht.nl"]')
            active.wait_for(timeout=5000)
            assert active.locator(".headline").inner_text() == "Dit bericht is verlopen"
            assert errors == []
        finally:
            browser.close()


def test_the_short_links_of_a_preview_answer_at_once_and_count_as_the_preview(
    content: Path, tmp_path: Path
) -> None:
    """The QR code of a preview slide and the links of its newsletter block work before the
    message is published, and trying them is counted under "voorbeeld", not at a screen."""
    s = settings_for(tmp_path / "out", content_dir=content, newsletter_track_links=True)
    library, message = find_message(load_library(content), "slaap-ritueel")
    preview_message(library, message, s, date(2027, 1, 12), load_inputs(s, library))
    assert not (s.out_dir / "r").exists()  # the studio's preview while typing registers nothing
    preview_message(
        library, message, s, date(2027, 1, 12), load_inputs(s, library), register_links=True
    )
    resource = message.resources[0].url
    code = short_code(resource)
    assert resource in (s.out_dir / "r" / code / "index.html").read_text(encoding="utf-8")
    folder = s.out_dir / "preview" / "slaap-ritueel.nl"
    [slide] = json.loads((folder / "scherm" / "playlist.json").read_text())["slides"]
    scanned = short_url(s.public_base_url, resource, "screens", PREVIEW_TARGET)
    assert slide["qr"] == qr_svg(scanned)
    clicked = short_url(s.public_base_url, resource, "newsletter", PREVIEW_TARGET)
    assert clicked.replace("&", "&amp;") in (folder / "nieuwsbrief.html").read_text()
    with running(s) as base:
        for link in (scanned, clicked):
            answer = httpx.get(base + link.removeprefix(s.public_base_url.rstrip("/")))
            assert answer.status_code == 302 and answer.headers["location"] == resource
    with open_state(s.resolved_state_url()).connect() as conn:
        counted = sorted((r.channel, r.target) for r in conn.execute(select(reach_counts)))
    assert counted == [("newsletter", PREVIEW_TARGET), ("screens", PREVIEW_TARGET)]
