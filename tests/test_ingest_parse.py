"""Pure functions of feed ingest: byte preparation, HTML to Markdown, drafts' small helpers."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from flows.infra.markdown import to_html
from flows.ingest.drafts import slugify
from flows.ingest.entries import entry_date
from flows.ingest.htmlmd import plain_text, shorten, to_markdown
from flows.ingest.parse import decode, parse, prepare, strip_doctype
from tests.ingest_server import FIXTURES

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY a "x">]>',
        "<!DOCTYPE r [\n<!ENTITY a \"]>\">\n<!ENTITY b '>'>\n]>",
        '<!DOCTYPE r [<!-- a comment with ]> and " in it --><!ENTITY a "x">]>',
        '<!doctype r SYSTEM "file:///etc/passwd">',
        '<!-- before --><?pi x?><!DOCTYPE r PUBLIC "a" "b" [ <!ENTITY % p SYSTEM "x"> %p; ]>',
    ],
)
def test_doctype_is_removed_whatever_its_shape(doctype: str) -> None:
    text, _ = strip_doctype('<?xml version="1.0"?>\n' + doctype + "\n<rss><a>&a;</a></rss>")
    assert "<!ENTITY" not in text and "DOCTYPE" not in text.upper()
    assert text.rstrip().endswith("<rss><a>&a;</a></rss>")


def test_unclosed_doctype_leaves_nothing() -> None:
    text, found = strip_doctype('<!DOCTYPE r [<!ENTITY a "x"> <rss/>')
    assert found and "rss" not in text


def test_billion_laughs_parses_fast() -> None:
    data = (FIXTURES / "billion-laughs.xml").read_bytes()
    started = time.perf_counter()
    feed = parse(data, "http://127.0.0.1/")
    assert time.perf_counter() - started < 1
    assert len(feed.entries) == 1 and "lollol" not in str(feed.entries[0])


def test_prepared_bytes_have_no_doctype_and_one_utf8_declaration() -> None:
    safe, notes = prepare((FIXTURES / "system-entity.xml").read_bytes())
    assert b"<!ENTITY" not in safe and b"<!DOCTYPE" not in safe
    assert safe.count(b"<?xml") == 1 and safe.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert any("DOCTYPE" in n for n in notes)


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        ("café".encode("utf-16"), "", "café"),
        ('<?xml version="1.0" encoding="iso-8859-1"?>café'.encode("latin-1"), "", "café"),
        ("café".encode("cp1252"), "text/xml; charset=utf-8", "café"),
        ("café".encode(), "text/xml; charset=iso-8859-1", "café"),
    ],
)
def test_decode_trusts_bytes_over_labels(data: bytes, content_type: str, expected: str) -> None:
    text, _ = decode(data, content_type)
    assert text.endswith(expected)


def test_markdown_keeps_structure_and_escapes_text() -> None:
    md = to_markdown(
        "<p>Hallo <b>wereld</b> &amp; <a href='https://x.nl/a (b)'>link</a></p>"
        "<ul><li>een</li><li>twee<br>regels</li></ul>"
        "<p># geen kop, *geen nadruk*, [geen link](https://y), &lt;b&gt;</p>"
    )
    assert "Hallo **wereld** & [link](https://x.nl/a%20%28b%29)" in md
    assert "- een\n- twee\n  regels" in md
    html = to_html(md)
    assert "<h1>" not in html and "<em>" not in html and 'href="https://y"' not in html
    assert "&lt;b&gt;" in html  # the text "<b>" is shown, never made a tag


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<svg><script>alert(1)</script></svg>",
        "<style>body{}</style><iframe src='https://e'></iframe>",
        "<a href='data:text/html,alert(1)'>x</a>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ],
)
def test_markdown_never_carries_script(hostile: str) -> None:
    html = to_html(to_markdown("<p>ok</p>" + hostile))
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<iframe" not in html and "data:text" not in html


def test_plain_text_and_shorten() -> None:
    assert plain_text("<p>een</p><p>twee</p><script>x</script>") == "een twee"
    cut = shorten(
        "Dit is een zin die langer is dan zestig tekens, dus hij moet worden ingekort.", 60
    )
    assert len(cut) <= 60 and cut.endswith("…") and not cut.endswith(" …")
    assert shorten("kort", 60) == "kort"


def test_slugify() -> None:
    assert slugify("Café & Crèche: 10 tips!") == "cafe-creche-10-tips"
    assert len(slugify("woord " * 40)) <= 50
    assert slugify("!!!") == ""


@pytest.mark.parametrize(
    ("parsed", "expected", "note"),
    [
        ((2026, 10, 1, 9, 0, 0, 3, 274, 0), date(2026, 10, 1), ""),
        ((1970, 1, 1, 0, 0, 0, 3, 1, 0), TODAY, "too old"),
        ((2099, 1, 1, 0, 0, 0, 3, 1, 0), TODAY, "future"),
    ],
)
def test_entry_dates(parsed: tuple[int, ...], expected: date, note: str) -> None:
    import time as _time

    day, text = entry_date({"published_parsed": _time.struct_time(parsed)}, TODAY)
    assert day == expected and note in text


def test_relative_summary_links_resolve_against_the_entry_and_stay_safe() -> None:
    md = to_markdown(
        "<p><a href='/artikel/1'>lees</a> <a href='javascript:alert(1)'>x</a></p>",
        base="https://www.ncj.nl/nieuws/item",
    )
    assert "[lees](https://www.ncj.nl/artikel/1)" in md
    assert "javascript" not in md
    assert "](" not in to_markdown("<a href='/artikel/1'>lees</a>")  # no base: text only


def test_a_feed_title_with_separators_and_bidi_controls_becomes_a_clean_draft(
    tmp_path: Any,
) -> None:
    """Feed text is cleaned where it enters: the draft loads without S108 (issue 17)."""
    from flows.core.models import Source
    from flows.core.text import has_unsafe
    from flows.ingest.drafts import build_message
    from flows.ingest.entries import Entry

    source = Source(
        name="bron",
        url="https://example.org/feed",
        theme="slapen",
        audiences=("ouders-jonge-kinderen",),
    )
    entry = Entry(
        keys=["k1"],
        title="Slapen\u2028met\u202e een ritme\x85vandaag",
        link="https://example.org/a",
        summary_html="<p>Een\u2029alinea\u200f met\x07 tekst</p>",
        day=date(2027, 1, 4),
    )
    message = build_message(source, entry, date(2027, 1, 4))
    assert message.title == "Slapen met een ritme vandaag"
    assert not has_unsafe(message.title) and not has_unsafe(message.body)
    assert not has_unsafe(message.screen.headline) and not has_unsafe(message.screen.text)
    assert "alinea met tekst" in " ".join(message.body.split())
