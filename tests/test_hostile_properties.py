"""Property-based tests (Hypothesis) for the input surfaces of issue 17: any text in, a finding
or a valid result out, never an exception; a built message always parses back with the same
recipient and no extra headers.

Kept fast and reproducible: few examples, no deadline, derandomized (the same examples in CI).
"""

from __future__ import annotations

import dataclasses
import email
import tempfile
from datetime import date
from email import policy
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.base import Context
from channels.newsletter import CHANNEL as NEWSLETTER
from channels.newsletter.mime import build_template
from channels.newsletter.partners import load_partners, valid_email
from channels.newsletter.render import RenderedNewsletter
from flows.core.errors import DeliveryError
from flows.core.findings import Finding
from flows.core.settings import load_settings
from flows.core.text import has_unsafe
from flows.core.urls import url_problem
from flows.infra.markdown_table import cell
from flows.library.loader import LoadLog, load_library, load_message
from flows.publishing.inputs import load_inputs
from tests.conftest import CONTENT

FAST = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# Text that favours what breaks things: separators, bidi, controls, quotes, YAML and CSV syntax.
NASTY = st.sampled_from(
    [
        *"\u2028\u2029\x85\u202e\u2066\u200f\x00\x0b\x0c\r\n\t\"',;:-#&*|[]{}<>@=?\\ ",
        *("---", "\r\n", "=?utf-8?q?a=0D=0AB?=", "status: draft\n", "title: x\n", "\ufeff"),
    ]
)
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=6)), max_size=25).map("".join)
MESSAGE_HEAD = "---\nid: proef\nlang: nl\ntheme: slapen\naudiences: [ouders-jonge-kinderen]\n"


@FAST
@given(front=TEXT, body=TEXT)
def test_the_loader_gives_a_message_or_findings_never_an_exception(front: str, body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        path = root / "messages" / "slapen" / "proef.nl.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(f"{MESSAGE_HEAD}title: {front}\n---\n{body}".encode("utf-8", "replace"))
        log = LoadLog(root)
        message = load_message(path, log)
    assert (message is None) == bool(log.findings)
    assert all(isinstance(f, Finding) and f.line >= 0 for f in log.findings)
    if message is not None:  # what loads is safe for a subject, a file name, a link
        assert not has_unsafe(message.title)


@FAST
@given(rows=st.lists(st.lists(TEXT, min_size=0, max_size=7), max_size=6), raw=st.binary())
def test_the_partner_reader_gives_rows_or_findings_never_an_exception(
    rows: list[list[str]], raw: bytes
) -> None:
    header = "organisation,kind,email,audiences,language,unsubscribed\n"
    text = header + "".join(",".join(r) + "\n" for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        for data in (text.encode("utf-8", "replace"), raw, header.encode() + raw):
            path = Path(tmp) / "partners.csv"
            path.write_bytes(data)
            partners, findings = load_partners(path)
            assert partners or findings  # nobody on the list is always said out loud
            for p in partners:
                assert valid_email(p.email) and not has_unsafe(p.organisation)
                assert "\t" not in p.organisation


@FAST
@given(url=st.one_of(TEXT, st.builds("https://{}".format, TEXT), st.text(max_size=40)))
def test_the_url_policy_answers_any_text(url: str) -> None:
    why = url_problem(url)
    if why is None:
        parts = urlsplit(url)
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert not has_unsafe(url) and not any(c.isspace() for c in url)


@FAST
@given(text=TEXT)
def test_a_report_cell_is_one_line_of_literal_text(text: str) -> None:
    out = cell(text)
    assert "\n" not in out and "\r" not in out and not has_unsafe(out)
    unescaped = out.replace("\\\\", "").replace("\\|", "").replace("\\<", "").replace("\\[", "")
    assert "|" not in unescaped and "<" not in unescaped and "[" not in unescaped


@cache
def _rendered() -> RenderedNewsletter:
    settings_ = load_settings(content_dir=CONTENT)
    library = load_library(CONTENT)
    inputs = load_inputs(settings_, library)
    editions = NEWSLETTER.plan(
        library, inputs["newsletter"].value, library.campaigns, date(2027, 1, 5)
    )
    return NEWSLETTER.render(editions[0], Context(settings_, Path(tempfile.gettempdir())))


HEADERS = {
    "To",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "From",
    "Subject",
    "List-Id",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
}


@FAST
@given(subject=TEXT, organisation=TEXT, campaign=TEXT)
def test_a_built_message_parses_back_with_the_same_recipient_and_no_extra_headers(
    subject: str, organisation: str, campaign: str
) -> None:
    rendered = _rendered()
    meta = rendered.meta
    edition = dataclasses.replace(rendered.edition, campaign_title=campaign or "x")
    content = dataclasses.replace(meta.content, subject=subject or "x")
    settings_ = load_settings(content_dir=CONTENT)
    try:
        template = build_template(edition, content, meta.html, meta.text, settings_)
        raw = template.personalise("ouder@example.org", organisation)
    except DeliveryError as exc:  # refused with a reason, before anything is sent
        assert str(exc)
        return
    msg = email.message_from_bytes(raw, policy=policy.SMTP)
    assert set(msg.keys()) == HEADERS and len(msg.keys()) == len(HEADERS)
    (to,) = msg["To"].addresses
    assert to.addr_spec == "ouder@example.org"
    # Folding may change runs of spaces, never the words.
    assert str(msg["Subject"]).split() == (subject or "x").split()
    assert msg.defects == []
