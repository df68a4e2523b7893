"""Pieces of the checks on their own: held messages, syllables, URLs, sentences, the bundled
library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.checks import held_by_checks
from flows.checks.prose import parse_body
from flows.checks.readability import reading_ease, syllables, text_syllables
from flows.core.clock import today as today_local
from flows.core.findings import Severity
from flows.core.settings import load_settings
from flows.core.urls import url_problem
from flows.library.loader import load_library
from flows.publishing.checking import check_folder
from flows.publishing.checking import check_library as run_checks

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "fixtures" / "checks"


def test_held_by_checks_names_messages_with_errors_only() -> None:
    library = load_library(CASES / "blame" / "content")
    findings = run_checks(library, today=date(2026, 12, 1))
    held = held_by_checks(library, findings)
    assert held == {
        ("schuld", "nl"): "T203 blame word 'Je moet' at line 9",  # the title is negated
        ("team", "nl"): "T203 blame word 'Je moet' at line 16",
    }


def test_warnings_do_not_hold_and_duplicates_hold_their_key() -> None:
    library = load_library(CASES / "dates" / "content")
    findings = run_checks(library, today=date(2027, 3, 1))
    assert findings and all(f.severity is Severity.WARNING for f in findings)
    assert held_by_checks(library, findings) == {}
    library = load_library(CASES / "schema-ids-files-folders" / "content")
    held = held_by_checks(library, run_checks(library))
    assert held[("vast-ritme", "nl")].startswith("S1")
    assert held[("avond", "nl")] == (
        "S117 file name 'avondritme.nl.md' does not match id 'avond' and lang 'nl' at line 2"
    )
    assert ("vast-ritme", "en") not in held


def test_today_is_amsterdam_date() -> None:
    assert abs((today_local() - date.today()).days) <= 1


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("kind", 1),
        ("boekje", 2),
        ("ouders", 2),
        ("samen", 2),
        ("coördinatie", 5),
        ("ruïne", 3),
        ("eeuw", 1),
        ("uitleggen", 3),
        ("één", 1),
        ("7", 1),
    ],
)
def test_dutch_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_text_syllables_match_word_by_word() -> None:
    text = "Veel ouders herkennen dit: coördinatie en een geïnteresseerde ruïne."
    assert text_syllables(text) == sum(syllables(w.strip(".:")) for w in text.split())


def test_reading_ease_orders_easy_above_hard() -> None:
    easy = "Lees samen een boek. Dat geeft rust. Je kind slaapt fijn."
    hard = "Gezondheidsbevorderende interventies optimaliseren ontwikkelingsprocessen."
    assert reading_ease(easy, 11, 3) > 80
    assert reading_ease(hard, 4, 1) < 0
    assert reading_ease("Read a book together. It helps.", 6, 2, "en") > 80


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.ncj.nl/themadossiers/", True),
        ("http://example.org", True),
        ("https://example.org:8443/a?b=c#d", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("/relatief", False),
        ("pagina.html", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("https://localhost", True),
        ("http://127.0.0.1:8080/x", True),
        ("https://[::1", False),
        ("https://example.org:99999/", False),
        ("mailto:a@example.org", False),
    ],
)
def test_url_problem(url: str, ok: bool) -> None:
    assert (url_problem(url) is None) is ok


def test_mailto_only_in_body_links() -> None:
    assert url_problem("mailto:info@jgz.example.org", allow_mailto=True) is None
    assert url_problem("mailto:javascript:alert(1)", allow_mailto=True) is not None


def test_sentences_split_keep_abbreviations_and_lines() -> None:
    prose = parse_body("Lees bijv. een boek. Zo komt\nje kind tot rust!\n\n- Ga naar buiten")
    assert [(s.text, s.line, s.words, s.item) for s in prose.sentences()] == [
        ("Lees bijv. een boek.", 0, 4, False),
        ("Zo komt je kind tot rust!", 0, 6, False),
        ("Ga naar buiten", 3, 3, True),
    ]


def test_bundled_library_has_no_errors() -> None:
    checked = check_folder(REPO / "content", load_settings(content_dir=REPO / "content"))
    library, findings = checked.library, checked.findings
    assert len(library.messages) >= 30
    assert [f.format() for f in findings if f.severity is Severity.ERROR] == []


def test_link_columns_in_reading_order() -> None:
    prose = parse_body("Zie [![logo](data:x)](javascript:y) en [a](https://a.nl) [b](https://a.nl)")
    assert [(link.url, link.column, link.image) for link in prose.links] == [
        ("javascript:y", 23, False),
        ("data:x", 14, True),
        ("https://a.nl", 44, False),
        ("https://a.nl", 62, False),
    ]


def test_reference_links_point_at_their_definition() -> None:
    body = "[a][r] " * 3000 + "\n\n[r]: javascript:y\n"
    prose = parse_body(body)
    assert len(prose.links) == 3000
    assert {(link.line, link.column) for link in prose.links} == {(2, 6)}
