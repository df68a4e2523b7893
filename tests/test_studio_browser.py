"""Veerkracht Studio in Debian's headless Chromium: findings appear while typing, a new message
is written with the keyboard only, and axe-core finds no WCAG 2.1 AA violations on its pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.library.loader import LoadLog, load_message
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


# Marks each preview frame's window (a frame loaded again has a new window, without the mark)
# and records, per update of the page, the frames it loaded by address.
_WATCH = """() => {
  ["dia", "nieuwsbrief"].forEach((id) => {
    document.getElementById(id).contentWindow.__studioMark = id; });
  window.__loads = [];
  document.getElementById("bewerk").addEventListener("studio-updated",
    (e) => window.__loads.push(e.detail.loaded));
}"""
_MARKED = """() => ["dia", "nieuwsbrief"].filter((id) =>
  document.getElementById(id).contentWindow.__studioMark === id)"""
_SHOWS = """([id, text]) => {
  const doc = document.getElementById(id).contentDocument;
  return !!(doc && doc.body && doc.body.textContent.includes(text));
}"""


def test_the_previews_show_the_typed_text(browser: Any, tmp_path: Path) -> None:
    """Typing in the text updates the newsletter block in its frame in place (no reload) and
    leaves the slide, which does not show the text, alone; a new slide headline loads the
    slide again, with that headline."""
    s = studio_settings(tmp_path)
    sentence = "Lees samen een boekje op de bank."
    headline = "Samen lezen voor het slapen"
    with running(s) as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/bericht/{REL}")
        letter = page.frame_locator("#nieuwsbrief").locator("body")
        letter.wait_for(timeout=PATIENCE_MS)
        page.frame_locator("#dia").locator("body").wait_for(timeout=PATIENCE_MS)
        page.wait_for_load_state("networkidle")
        assert sentence not in letter.inner_text()
        page.evaluate(_WATCH)
        page.locator("#body").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n" + sentence)
        page.wait_for_function(_SHOWS, arg=["nieuwsbrief", sentence], timeout=PATIENCE_MS)
        assert sentence in letter.inner_text()
        loads = page.evaluate("() => window.__loads")
        assert loads and all(loaded == [] for loaded in loads)  # in place, or left alone
        assert page.evaluate(_MARKED) == ["dia", "nieuwsbrief"]

        page.locator("#screen_headline").fill(headline)
        page.wait_for_function(_SHOWS, arg=["dia", headline], timeout=PATIENCE_MS)
        assert page.evaluate("() => window.__loads").pop() == ["dia"]
        assert page.evaluate(_MARKED) == ["nieuwsbrief"]
        assert sentence in letter.inner_text()
        page.close()
    assert errors == []


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


# Where the focus is, and whether it shows: an outline or a box shadow (the studio's CSS puts a
# 3px outline on :focus-visible).
_FOCUSED = """() => {
  const e = document.activeElement;
  const same = e.name ? Array.from(document.getElementsByName(e.name)) : [];
  const name = e.id || (e.name ? e.name + "#" + same.indexOf(e) : e.tagName.toLowerCase());
  const cs = getComputedStyle(e);
  const outlined = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
  const form = e.form ? e.form.getAttribute("id") || e.form.getAttribute("action") : "";
  return {name: name, form: form, visible: outlined || cs.boxShadow !== "none",
          tag: e.tagName.toLowerCase()};
}"""
# Every control of a form a person can reach, in document order, named as _FOCUSED names them.
_CONTROLS = """(selector) => Array.from(document.querySelector(selector).elements)
  .filter(e => e.type !== "hidden" && !e.disabled && e.tagName !== "FIELDSET")
  .map(e => e.id || (e.name ? e.name + "#" +
    Array.from(document.getElementsByName(e.name)).indexOf(e) : e.tagName.toLowerCase()))"""


def _tab_through(page: Any, controls: list[str], actions: dict[str, Any]) -> list[str]:
    """Press Tab from where the focus is until the last of `controls` has it, doing
    `actions[name](page)` (keys only) on the way; returns the controls focused, in order. Every
    focused element must show its focus."""
    seen: list[str] = []
    for _ in range(len(controls) + 15):  # the menu links come first
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused["visible"], f"focus not visible on {focused}"
        if focused["name"] in controls and focused["name"] not in seen:
            seen.append(focused["name"])
            if focused["name"] in actions:
                actions[focused["name"]](page)
        if focused["name"] == controls[-1]:
            return seen
    raise AssertionError(f"Tab never reached {controls[-1]}; reached {seen}")


def _typing(text: str) -> Any:
    return lambda page: page.keyboard.type(text)


def _pressing(*keys: str) -> Any:
    return lambda page: [page.keyboard.press(k) for k in keys]


def test_a_new_message_is_written_with_the_keyboard_only(browser: Any, tmp_path: Path) -> None:
    """No mouse: Tab and Shift+Tab between the fields, typing, arrows for a list, Space for a
    box, Enter to send. The focus reaches every field and the save button, in order, and
    shows where it is."""
    s = studio_settings(tmp_path)
    rel = "messages/eten/rustig-ontbijt.nl.md"
    with running(s) as base:
        page = browser.new_page()
        page.goto(f"{base}/nieuw")
        new_form = page.evaluate(_CONTROLS, 'form[action="/nieuw"]')
        assert new_form[:4] == ["id", "title", "theme", "lang"] and new_form[-1] == "button"
        seen = _tab_through(
            page,
            new_form,
            {
                "id": _typing("rustig-ontbijt"),
                "title": _typing("Een rustig ontbijt"),
                "theme": _pressing("ArrowDown"),  # Slapen to Eten
                "door": _typing("Sanne"),
            },
        )
        assert seen == new_form
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/bericht/{rel}", timeout=PATIENCE_MS)
        page.locator("#stand", has_text=re.compile(r"Geen meldingen|fout")).wait_for(
            timeout=PATIENCE_MS
        )

        edit_form = page.evaluate(_CONTROLS, "#bewerk")
        for name in ("title", "theme", "audiences#0", "screen_headline", "screen_text"):
            assert name in edit_form
        for name in ("resource_title#0", "resource_url#0", "review_by", "status", "body"):
            assert name in edit_form
        assert edit_form[-2:] == ["door", "button"]  # the save button is last
        body = (
            "Een rustig ontbijt geeft je kind een goede start. Zet de borden de avond ervoor "
            "klaar.\nEet samen aan tafel, zonder scherm. Zo begint de dag zonder haast."
        )
        seen = _tab_through(
            page,
            edit_form,
            {
                "audiences#1": _pressing("Space"),  # ouders van schoolkinderen
                "screen_headline": _typing("Samen ontbijten"),
                "screen_text": _typing("Een rustig ontbijt helpt je kind de dag goed te beginnen."),
                "review_by": _typing("2027-12-01"),
                "body": _typing(body),
            },
        )
        assert seen == edit_form
        # Back one field and forward again: Shift+Tab walks the same order backwards.
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(_FOCUSED)["name"] == "door"
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert (focused["name"], focused["form"], focused["visible"]) == ("button", "bewerk", True)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/bericht/{rel}?opgeslagen=1", timeout=PATIENCE_MS)
        page.close()
    path = s.content_dir / rel
    message = load_message(path, LoadLog(s.content_dir))
    assert message is not None
    assert (message.title, message.theme, message.audiences) == (
        "Een rustig ontbijt",
        "eten",
        ("ouders-schoolkinderen",),
    )
    assert message.screen.headline == "Samen ontbijten"
    assert message.review_by is not None and message.review_by.isoformat() == "2027-12-01"
    assert "Zet de borden de avond ervoor klaar.\nEet samen aan tafel" in path.read_text("utf-8")
    audit = (s.out_dir / "reports" / "studio-audit.log").read_text("utf-8").splitlines()
    assert [json.loads(line)["wat"] for line in audit] == ["nieuw", "opgeslagen"]
