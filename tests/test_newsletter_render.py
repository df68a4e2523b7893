"""Rendering: structure, accessibility (lang, headings, contrast), size, safety, plain text."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest

from channels.newsletter.compose import RULE, SUBJECT_CHARS, dutch_date, shorten
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
    assert "<" not in text.split("Met vriendelijke groet")[0]  # no markup in the text part


def _copyable_blocks(text: str) -> list[tuple[str, str]]:
    """(the line above the block, the block) for each region between two rule lines."""
    lines = text.split("\n")
    rules = [i for i, line in enumerate(lines) if line == RULE]
    assert len(rules) % 2 == 0
    out = []
    for start, end in zip(rules[::2], rules[1::2], strict=True):
        above = next(lines[i] for i in range(start - 1, -1, -1) if not lines[i].startswith("("))
        out.append((above, "\n".join(lines[start + 1 : end])))
    return out


def test_each_copied_plain_text_block_has_its_own_links_and_no_label(tmp_path: Path) -> None:
    """Issue 13: a partner who copied "Blok 1" got a dangling [1] (the links were listed at the
    end of the e-mail) and the label "Blok 1 om over te nemen" along with it."""
    shared = ("Gedeelde bron", "https://www.ncj.nl/gedeeld")
    msgs = [
        message("een", resources=[shared, ("Eigen bron", "https://www.ncj.nl/eigen")]),
        message("twee", resources=[shared]),
        message("voor-het-team", audiences=("kinderopvang-team",)),
    ]
    text = render_edition(edition(messages=msgs), settings_for(tmp_path)).meta.text
    blocks = _copyable_blocks(text)
    assert [above.split(" (")[0] for above, _ in blocks] == [
        "Blok 1 om over te nemen",
        "Blok 2 om over te nemen",
        "Voor uw team:",
    ]
    for above, block in blocks:
        assert "om over te nemen" not in block and "Voor uw team" not in block
        used = set(re.findall(r"\[(\d+)\](?! http)", block))
        written = dict(re.findall(r"^\[(\d+)\] (https://\S+)$", block, flags=re.MULTILINE))
        assert used and used == set(written), (above, used, written)
    first, second = blocks[0][1], blocks[1][1]
    assert "[1] https://www.ncj.nl/een" in first and "https://www.ncj.nl/eigen" in first
    assert "https://www.ncj.nl/gedeeld" in first and "https://www.ncj.nl/gedeeld" in second
    assert "https://www.ncj.nl/eigen" not in second  # another block's link stays out


def test_html_copy_label_and_note_are_outside_the_block(tmp_path: Path) -> None:
    dutch = message("alleen-nl")
    msgs = [message("in-english", lang="en"), dutch]
    html = render_edition(
        edition(lang="en", messages=msgs, fallback=[dutch.key]), settings_for(tmp_path)
    ).meta.html
    boxes = re.findall(r'<td class="block"[^>]*>(.*?)</td>', html, flags=re.DOTALL)
    assert len(boxes) == 2
    for box in boxes:
        assert "to copy" not in box and "Dutch only" not in box
        assert "<h2" in box
    assert html.count("Block 1 to copy") == html.count("Block 2 to copy") == 1


def test_subject_fits_a_phone_and_the_campaign_is_in_the_preheader(tmp_path: Path) -> None:
    long_title = "Een hele lange titel van een bericht over slapen, eten en bewegen samen"
    ed = edition(
        campaign_title="Sterk begin – samen sterk in 2027",
        messages=[message("lang", title=long_title), message("kort", title="Kort")],
    )
    rendered = render_edition(ed, settings_for(tmp_path))
    content = rendered.meta.content
    assert len(content.subject) <= SUBJECT_CHARS and content.subject.endswith("…")
    assert long_title.startswith(content.subject[:-1])
    assert "Sterk begin" not in content.subject
    assert content.preheader.startswith("Sterk begin – samen sterk in 2027, 5 januari 2027")
    assert "Kort" in content.preheader
    assert shorten("Kort genoeg", 40) == "Kort genoeg"


def test_every_bundled_edition_has_a_subject_that_fits_a_phone(tmp_path: Path) -> None:
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from flows.publishing.day_plan import plan_day
    from flows.publishing.inputs import load_inputs
    from tests.conftest import CONTENT

    settings = load_settings(content_dir=CONTENT, out_dir=tmp_path)
    lib = load_library(settings.content_dir)
    inputs = load_inputs(settings, lib)
    (camp,) = lib.campaigns
    seen = 0
    for offset in range(0, 84, 14):
        day = camp.period.start + timedelta(days=offset + 1)
        for ed in plan_day(lib, inputs, day, frozenset()):
            if ed.channel != "newsletter":
                continue
            content = render_edition(ed, settings).meta.content
            seen += 1
            assert len(content.subject) <= SUBJECT_CHARS, content.subject
            assert content.preheader.startswith(camp.title)
    assert seen == 24


def test_english_edition_says_how_many_blocks_are_dutch_and_puts_them_last(
    tmp_path: Path,
) -> None:
    dutch = [message("nl-een"), message("nl-twee")]
    msgs = [dutch[0], message("in-english", lang="en"), dutch[1]]
    ed = edition(lang="en", messages=msgs, fallback=[m.key for m in dutch])
    meta = render_edition(ed, settings_for(tmp_path)).meta
    assert [i.message.id for i in meta.content.items] == ["in-english", "nl-een", "nl-twee"]
    said = "2 of the 3 messages for parents are only available in Dutch"
    assert said in meta.html and said in " ".join(meta.text.split())
    assert meta.text.index("TITEL VAN IN-ENGLISH") < meta.text.index("TITEL VAN NL-EEN")
    only_dutch = edition(lang="en", messages=dutch, fallback=[m.key for m in dutch])
    content = render_edition(only_dutch, settings_for(tmp_path)).meta.content
    assert content.dutch_only == "The 2 messages for parents are only available in Dutch for now."
    english = edition(lang="en", messages=[message("in-english", lang="en")])
    assert render_edition(english, settings_for(tmp_path)).meta.content.dutch_only == ""
    assert render_edition(edition(), settings_for(tmp_path)).meta.content.dutch_only == ""


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


def test_newsletter_links_are_short_links_counted_per_edition(tmp_path: Path) -> None:
    """With VEERKRACHT_NEWSLETTER_TRACK_LINKS on (the default) each block's links go through
    the short link tagged with the edition; delivering writes its redirect and registers it,
    so a click is counted for that edition and nothing else is stored. Off: links as written."""
    from channels.newsletter import CHANNEL
    from channels.shared import reach
    from channels.shared.shortlinks import short_code
    from flows.infra.state import open_state
    from tests.test_newsletter_support import context, edition, settings_for

    s = settings_for(tmp_path, newsletter_track_links=True)
    ed = edition((("ann@example.org", "Opvang Ann"),), target="links.kinderopvang.nl")
    rendered = CHANNEL.render(ed, context(s))
    url = next(r.url for m in ed.messages for r in m.resources)
    text = rendered.files[f"newsletters/{ed.key}/index.txt"].decode()
    short = f"{s.public_base_url}/r/{short_code(url)}?n="
    assert short in text and url not in text
    CHANNEL.deliver(rendered, context(s))
    page = (tmp_path / "r" / short_code(url) / "index.html").read_text(encoding="utf-8")
    assert url in page  # the static redirect works from any web server
    engine = open_state(s.resolved_state_url())
    tag = text.split(short, 1)[1][:4]
    assert reach.source_of(engine, {"n": tag}) == ("newsletter", "links.kinderopvang.nl")
    off = CHANNEL.render(ed, context(settings_for(tmp_path / "off")))
    assert url in off.files[f"newsletters/{ed.key}/index.txt"].decode()
