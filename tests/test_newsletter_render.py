"""Rendering: structure, accessibility (lang, headings, contrast), size, safety, plain text."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from typing import Any

import pytest

from channels.newsletter.compose import dutch_date
from channels.newsletter.mime import qp_line
from channels.newsletter.render import (
    MAX_HTML_BYTES,
    PALETTE,
    TEXT_PAIRS,
    TooLarge,
    render_edition,
)
from channels.newsletter.send import deliver_edition
from tests.conftest import FIXTURES
from tests.test_newsletter_support import DAY, context, edition, message, settings_for

HOSTILE = sorted((FIXTURES / "newsletter" / "hostile").glob("*.md"))


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("fg, bg", TEXT_PAIRS)
def test_every_text_colour_pair_has_contrast_of_at_least_4_5(fg: str, bg: str) -> None:
    assert contrast(PALETTE[fg], PALETTE[bg]) >= 4.5


def test_html_uses_only_palette_colours(tmp_path: Path) -> None:
    html = render_edition(edition(), settings_for(tmp_path)).meta.html
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", html)}
    assert used and used <= set(PALETTE.values())


def test_structure_lang_headings_and_responsive_layout(tmp_path: Path) -> None:
    ed = edition()
    html = render_edition(ed, settings_for(tmp_path)).meta.html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl"' in html
    # One h1; an h2 per parent item, the staff item and the list of all links.
    assert html.count("<h1") == 1 and html.count("<h2") == 5
    assert "Alle links uit deze nieuwsbrief</h2>" in html
    assert 'role="presentation"' in html and 'name="viewport"' in html
    assert "@media only screen and (max-width: 620px)" in html  # kept for mobile clients
    assert re.search(r'<td class="block"[^>]*style="[^"]*padding: 20px', html)  # CSS inlined
    assert "Voor uw team" in html and "Blok 3 om over te nemen" in html
    assert dutch_date(DAY) == "5 januari 2027" and "5 januari 2027" in html


def test_english_edition_is_english_and_marks_dutch_fallback(tmp_path: Path) -> None:
    dutch = message("alleen-nl")
    msgs = [
        message("in-english", lang="en"),
        dutch,
        message("voor-het-team", audiences=("kinderopvang-team",), lang="en"),
    ]
    ed = edition(lang="en", messages=msgs, fallback=[dutch.key])
    rendered = render_edition(ed, settings_for(tmp_path))
    html, text = rendered.meta.html, rendered.meta.text
    assert '<html lang="en"' in html and "5 January 2027" in html
    assert 'lang="nl"' in html and "This message is available in Dutch only." in html
    assert "Dear colleagues in childcare," in text and "Block 2 to copy" in text


@pytest.mark.parametrize("fixture", HOSTILE, ids=lambda p: p.stem)
def test_no_raw_html_from_content_reaches_the_message(tmp_path: Path, fixture: Path) -> None:
    lines = fixture.read_text(encoding="utf-8").splitlines()
    absent = [line.removeprefix("%% absent: ") for line in lines if line.startswith("%% absent: ")]
    body = "\n".join(line for line in lines if not line.startswith("%% "))
    hostile = message(
        "vijandig",
        title="<b>Titel</b> <script>x</script>",
        body=body,
        resources=[
            ("Evil", "javascript:alert(1)"),
            ("Data", "data:text/html,x"),
            ("Goed", "https://www.ncj.nl/ok"),
        ],
    )
    rendered = render_edition(edition(messages=[hostile]), settings_for(tmp_path))
    html = rendered.meta.html
    for needle in absent:
        assert needle.lower() not in html.lower(), f"{fixture.name}: {needle!r} reached the HTML"
    assert "&lt;b&gt;Titel&lt;/b&gt;" in html and "<b>Titel" not in html
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", html, re.IGNORECASE)
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)  # no event handlers
    assert "https://www.ncj.nl/ok" in html
    archive = rendered.files[f"newsletters/{rendered.edition.key}/index.html"].decode()
    assert "<script" not in archive.lower()


def test_plain_text_has_every_item_and_numbered_references(tmp_path: Path) -> None:
    ed = edition()
    text = render_edition(ed, settings_for(tmp_path)).meta.text
    for m in ed.messages:
        assert m.title.upper() in text and f"Tekst van {m.id}." in text
    assert "meer bij het NCJ [1]" in text
    refs = dict(re.findall(r"^\[(\d+)\] (\S+)$", text, flags=re.MULTILINE))
    assert refs["1"] == "https://www.ncj.nl/bericht-1"
    assert "https://www.ncj.nl/x" in refs.values()
    assert "<" not in text.split("Alle links")[0]  # no markup in the text part


def test_size_with_ten_long_items_stays_under_gmail_clipping(tmp_path: Path) -> None:
    long_body = " ".join(["Een zin van ongeveer tien woorden over slapen en rust."] * 15)
    msgs = [
        message(
            f"lang-{i}",
            body=long_body,
            resources=[(f"Bron {j}", f"https://e.org/{i}/{j}") for j in range(3)],
        )
        for i in range(10)
    ]
    rendered = render_edition(edition(messages=msgs), settings_for(tmp_path))
    assert len(rendered.meta.html.encode()) < MAX_HTML_BYTES
    raw = rendered.meta.mime.personalise("a@example.org", "A")
    assert len(raw) < 2 * MAX_HTML_BYTES


def test_oversized_edition_is_refused(tmp_path: Path) -> None:
    huge = message("enorm", body="woord " * 30000)
    with pytest.raises(TooLarge, match="Gmail"):
        render_edition(edition(messages=[huge]), settings_for(tmp_path))


def test_no_encoded_line_starts_with_a_dot_and_dots_survive(tmp_path: Path) -> None:
    body = "Eerste regel.\n\n.\n\n..twee punten\n\n" + "x" * 73 + ".punt na afbreken"
    rendered = render_edition(
        edition(messages=[message("punten", body=body)]), settings_for(tmp_path)
    )
    raw = rendered.meta.mime.personalise("a@example.org", "A")
    assert not any(line.startswith(b".") for line in raw.split(b"\r\n"))
    assert b"\r\n.\r\n" not in raw and not raw.startswith(b".")
    msg = email.message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "\n.\n" in text and "..twee punten" in text
    assert qp_line(".") == b"=2E\r\n"


def test_each_edition_is_rendered_once_for_many_recipients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.newsletter.compose import compose as real

    renders: list[str] = []

    def counting(edition: Any, settings: Any) -> Any:  # a spy: counts, then does the real work
        renders.append(edition.key)
        return real(edition, settings)

    monkeypatch.setattr("channels.newsletter.render.compose", counting)
    s = settings_for(tmp_path)
    ed = edition(tuple((f"p{i}@example.org", f"Opvang {i}") for i in range(40)), target="once")
    report = deliver_edition(render_edition(ed, s), context(s))
    assert report.delivered == 40 and renders == [ed.key]
    outbox = sorted((tmp_path / "outbox" / ed.key).glob("*.eml"))
    assert len(outbox) == 40
    assert not list((tmp_path / "outbox" / ed.key).glob(".*"))  # no temporary files left
    tos = {
        email.message_from_bytes(p.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
        for p in outbox
    }
    assert tos == {f"p{i}@example.org" for i in range(40)}
    archive = tmp_path / "newsletters" / ed.key / "index.html"
    assert archive.is_file() and "afmelden?t=" not in archive.read_text()  # no personal token


def test_personalisation_only_changes_recipient_parts(tmp_path: Path) -> None:
    template = render_edition(edition(), settings_for(tmp_path)).meta.mime
    a = email.message_from_bytes(template.personalise("a@example.org", "A"), policy=policy.default)
    b = email.message_from_bytes(template.personalise("b@example.org", "B"), policy=policy.default)
    assert a["Subject"] == b["Subject"] and a["Message-ID"] != b["Message-ID"]
    html_a = a.get_body(("html",)).get_content()  # type: ignore[union-attr]
    html_b = b.get_body(("html",)).get_content()  # type: ignore[union-attr]
    token_a = re.search(r"afmelden\?t=([\w-]+)", html_a)
    token_b = re.search(r"afmelden\?t=([\w-]+)", html_b)
    assert token_a and token_b and token_a.group(1) != token_b.group(1)
    assert html_a.replace(token_a.group(1), "") == html_b.replace(token_b.group(1), "")
    assert token_a.group(1) in str(a["List-Unsubscribe"])


def test_headings_in_a_message_become_subheadings_and_code_keeps_its_lines() -> None:
    from flows.infra.markdown import to_html

    html = to_html("# Groot\n\nTekst.\n\n###### Klein\n\n```\nregel 1\nregel 2\n```\n")
    # Never larger than the newsletter's own titles (h2), and never dropped as h1 used to be.
    assert "<h3>Groot</h3>" in html and "<h3>Klein</h3>" in html
    assert "<h1" not in html and "<h6" not in html
    assert "<pre><code>regel 1\nregel 2\n</code></pre>" in html
