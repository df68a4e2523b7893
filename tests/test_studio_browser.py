"""Veerkracht Studio in Debian's headless Chromium: findings appear while typing, and axe-core
finds no WCAG 2.1 AA violations on its pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import ARGS, CHROMIUM
from tests.studio_server import running, studio_settings
from tests.test_plan_overview import _axe as install_axe

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


@pytest.mark.parametrize(
    "where", ["/", f"/bericht/{REL}", "/nieuw", "/campagnes", "/campagne/sterk-begin-2027.yaml"]
)
def test_no_axe_violations_on_the_studio_pages(browser: Any, tmp_path: Path, where: str) -> None:
    axe = install_axe()
    s = studio_settings(tmp_path)
    with running(s) as base:
        # The studio's policy allows no inline script: axe is injected past it, by the test.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"{base}{where}")
        if where.startswith("/bericht/"):
            done = page.locator("#stand", has_text=re.compile(r"Geen meldingen|fout"))
            done.wait_for(timeout=PATIENCE_MS)
        page.add_script_tag(path=str(axe))
        # The framed previews are the renderers' own pages, checked in their own tests.
        result = page.evaluate(
            "async () => await axe.run(document, {iframes: false, runOnly: "
            "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        context.close()
    violations = [(v["id"], len(v["nodes"]), v["help"]) for v in result["violations"]]
    assert violations == []
    assert result["passes"]  # axe really ran its rules
