"""Veerkracht Studio in Debian's headless Chromium: findings appear while typing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import ARGS, CHROMIUM
from tests.studio_server import running, studio_settings

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")

REL = "messages/slapen/vast-slaapritueel.nl.md"
PATIENCE_MS = 20_000  # a safety bound only; nothing asserts how long it took


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_a_blame_sentence_gets_its_finding_while_typing(browser: Any, tmp_path: Path) -> None:
    s = studio_settings(tmp_path)
    before = (s.content_dir / REL).read_text("utf-8")
    with running(s) as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/bericht/{REL}")
        # The first check (on opening) has answered: the state line counts the findings.
        done = page.locator("#stand", has_text=re.compile(r"Geen meldingen|fout"))
        done.wait_for(timeout=PATIENCE_MS)
        assert "T203" not in page.inner_text("#meldingen")
        body = page.locator("#body")
        body.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\nHet is jouw schuld als je kind slecht slaapt.")
        finding = page.locator("#meldingen li.error", has_text="T203")
        finding.first.wait_for(timeout=PATIENCE_MS)
        assert "tekst, regel" in finding.first.inner_text()
        counter = page.inner_text("#teller-screen_headline")
        assert "van 60 tekens" in counter
        page.locator("#dia").wait_for(state="visible", timeout=PATIENCE_MS)
        page.close()
    assert (s.content_dir / REL).read_text("utf-8") == before  # typing never saves
    assert errors == []  # the strict CSP blocked nothing the page needs
