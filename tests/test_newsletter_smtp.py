"""SMTP delivery against a real aiosmtpd server on 127.0.0.1: structure, ledger, crashes,
replies."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from channels.newsletter import ledger
from channels.newsletter.mime import HeaderInjection
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition, send_test
from channels.newsletter.tokens import message_id
from channels.newsletter.transport import ServerUnreachable
from flows.core.errors import TransientDeliveryError
from flows.infra.state import open_state
from tests.test_newsletter_support import (
    Sink,
    context,
    edition,
    free_port,
    settings_for,
    smtp_server,
    smtp_settings,
)

RECIPIENTS = tuple((f"partner{i}@example.org", f"Opvang {i}") for i in range(6))


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def assert_well_formed(raw: bytes, edition_key: str, address: str) -> EmailMessage:
    """Every structural promise of a newsletter message."""
    msg = parse(raw)
    assert msg.defects == []
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts)
    assert len(msg.get_all("To") or []) == 1
    assert [a.addr_spec for a in msg["To"].addresses] == [address]
    assert msg.get_all("Cc") is None and msg.get_all("Bcc") is None
    assert msg["Message-ID"] == message_id(edition_key, address, "jgz-voorbeeld.example.org")
    assert msg["Date"].datetime is not None
    assert msg["List-Id"].endswith("<kinderopvang-nl.nieuwsbrief.veerkracht.example.org>")
    unsub = str(msg["List-Unsubscribe"])
    assert "<https://veerkracht.example.org/afmelden?t=" in unsub and "<mailto:" in unsub
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for line in raw.split(b"\r\n"):
        assert len(line) <= 998
    return msg


def test_every_recipient_gets_one_well_formed_message(tmp_path: Path) -> None:
    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port)
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        report = deliver_edition(rendered, context(s))
        again = deliver_edition(rendered, context(s))
    assert (report.delivered, report.failed) == (6, 0)
    assert again.nothing_new and again.skipped == 6
    assert len(sink.received) == 6
    titles = [m.title for m in ed.messages]
    for address, _ in RECIPIENTS:
        assert sink.count(address) == 1
    for rcpts, raw in sink.received:
        msg = assert_well_formed(raw, ed.key, rcpts[0])
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        for title in titles:
            assert title in html and title.upper() in text
        assert "Tekst van bericht-2" in text and "Tekst van bericht-2" in html
        assert "[1]" in text and "https://www.ncj.nl/bericht-1" in text
    states = ledger.states(open_state(s.resolved_state_url()), ed.key)
    assert set(states.values()) == {"sent"} and len(states) == 6


def test_connection_dropped_after_k_messages_then_rerun_sends_the_rest(tmp_path: Path) -> None:
    sink = Sink(drop_at_mail_after=2)
    with smtp_server(sink) as port:
        # One connection: with more, the others would send what the dropped one gave back
        # (tests/test_newsletter_parallel.py); this is about stopping and resuming.
        s = smtp_settings(tmp_path, port, smtp_connections=1)
        rendered = render_edition(edition(RECIPIENTS), s)
        with pytest.raises(TransientDeliveryError, match="4 message"):
            deliver_edition(rendered, context(s))
        assert len(sink.received) == 2
        report = deliver_edition(rendered, context(s))
    assert report.delivered == 4 and report.skipped == 2
    assert all(sink.count(a) == 1 for a, _ in RECIPIENTS)


def test_dropped_connection_is_retried_in_the_same_run_with_backoff(tmp_path: Path) -> None:
    sink = Sink(drop_at_mail_after=3)
    waits: list[float] = []
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_retries=2, smtp_retry_backoff_seconds=0.5)
        report = deliver_edition(
            render_edition(edition(RECIPIENTS), s), context(s), sleep=waits.append
        )
    assert report.delivered == 6 and waits == [0.5]
    assert all(sink.count(a) == 1 for a, _ in RECIPIENTS)


def test_server_dies_after_final_dot_message_is_unconfirmed_never_resent(tmp_path: Path) -> None:
    sink = Sink(die_after_dot_at=2)
    lost = RECIPIENTS[2][0]
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=1)  # so the third message is `lost`
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        with pytest.raises(TransientDeliveryError, match=f"1 with an unknown outcome \\({lost}"):
            deliver_edition(rendered, context(s))
        engine = open_state(s.resolved_state_url())
        assert ledger.states(engine, ed.key)[lost] == "sending"
        sink.dead = False  # the server is back
        report = deliver_edition(rendered, context(s))
        assert all(sink.count(a) == 1 for a, _ in RECIPIENTS)  # exactly one each
        assert report.delivered == 3
        assert any(lost in n and "unknown outcome" in n for n in report.notes)
        third = deliver_edition(rendered, context(s))
        assert third.nothing_new and any(lost in n for n in third.notes)
        resent = deliver_edition(rendered, context(s), resend_unconfirmed=True)
    assert resent.delivered == 1 and sink.count(lost) == 2
    assert ledger.states(engine, ed.key)[lost] == "sent"


def test_451_is_retried_550_fails_that_recipient_only(tmp_path: Path) -> None:
    later, refused, refused_data = (RECIPIENTS[1][0], RECIPIENTS[3][0], RECIPIENTS[4][0])
    sink = Sink(
        rcpt_replies={later: ["451 4.3.0 Try again later"], refused: ["550 5.1.1 No such user"]},
        data_replies={refused_data: ["554 5.6.0 Message refused"]},
    )
    waits: list[float] = []
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_retries=1)
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        report = deliver_edition(rendered, context(s), sleep=waits.append)
        rerun = deliver_edition(rendered, context(s))
    assert (report.delivered, report.failed) == (4, 2) and len(waits) == 1
    assert sink.count(later) == 1 and sink.count(refused) == 0 and sink.count(refused_data) == 0
    states = ledger.states(open_state(s.resolved_state_url()), ed.key)
    assert states[refused] == "failed" and states[refused_data] == "failed"
    assert rerun.nothing_new  # a permanent failure is not retried


def test_451_without_retries_left_raises_transient_and_rerun_completes(tmp_path: Path) -> None:
    later = RECIPIENTS[0][0]
    sink = Sink(data_replies={later: ["451 4.7.1 Greylisted"]})
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_connections=1)  # alone, it cannot hand it over
        ed = edition(RECIPIENTS)
        rendered = render_edition(ed, s)
        with pytest.raises(TransientDeliveryError, match="6 message"):
            deliver_edition(rendered, context(s))
        assert ledger.states(open_state(s.resolved_state_url()), ed.key) == {}
        report = deliver_edition(rendered, context(s))
    assert report.delivered == 6 and all(sink.count(a) == 1 for a, _ in RECIPIENTS)


def test_421_closes_and_reconnects(tmp_path: Path) -> None:
    first = RECIPIENTS[2][0]
    sink = Sink(data_replies={first: ["421 4.3.2 Service shutting down"]})
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_retries=1)
        report = deliver_edition(
            render_edition(edition(RECIPIENTS), s), context(s), sleep=lambda _s: None
        )
    assert report.delivered == 6 and all(sink.count(a) == 1 for a, _ in RECIPIENTS)


def test_unreachable_server_fails_clearly_and_leaves_the_ledger_alone(tmp_path: Path) -> None:
    port = free_port()
    s = smtp_settings(tmp_path, port)
    ed = edition(RECIPIENTS)
    with pytest.raises(ServerUnreachable, match=f"127.0.0.1:{port}"):
        deliver_edition(render_edition(ed, s), context(s))
    assert ledger.states(open_state(s.resolved_state_url()), ed.key) == {}


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Slapen\r\nBcc: evil@example.net"),
        ("title", "Slapen\nX-Evil: 1"),
        ("campaign_title", "=?utf-8?q?Sterk=0D=0ABcc:_evil@example.net?="),
        ("campaign_title", "=?utf-8?b?U3RlcmsNCkJjYzogZXZpbEBleGFtcGxlLm5ldA==?="),
    ],
)
def test_header_injection_in_titles_is_refused_before_sending(
    tmp_path: Path, field: str, value: str
) -> None:
    from tests.test_newsletter_support import message

    s = settings_for(tmp_path)
    if field == "campaign_title":
        with pytest.raises(HeaderInjection, match="line break"):
            render_edition(edition(campaign_title=value), s)
        return
    # A block title becomes the subject with its whitespace folded to single spaces (it must
    # fit a phone): the line break can never reach the headers, whatever it tried to add.
    rendered = render_edition(edition(messages=[message("een", title=value)]), s)
    raw = rendered.meta.mime.personalise("ann@example.org", "Ann")
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = head.split("\r\n")
    assert not [x for x in lines if x.lower().startswith(("bcc:", "x-evil:"))]
    subject = next(line for line in lines if line.startswith("Subject:"))
    assert "Slapen" in subject or "=?" in subject


def test_header_injection_in_names_and_addresses_skips_only_that_recipient(tmp_path: Path) -> None:
    bad = (
        ("good1@example.org", "Opvang\r\nBcc: evil@example.net"),
        ("good2@example.org", "=?utf-8?q?Opvang=0ABcc:_evil@example.net?="),
        ("good3@example.org\r\nBcc: evil@example.net", "Opvang"),
        ("good4@example.org, evil@example.net", "Opvang"),
        ("fine@example.org", 'Kinderopvang "De Vos", locatie Noord'),
        ("lang@example.org", "Kinderdagverblijf ’t Zonnetje – locatie Noord-Oost en Zuid-West"),
    )
    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port)
        ed = edition(bad)
        report = deliver_edition(render_edition(ed, s), context(s))
    assert (report.delivered, report.failed) == (2, 4)
    # Two connections send the two good ones, in either order.
    got = {rcpts[0]: raw for rcpts, raw in sink.received}
    assert sorted(got) == ["fine@example.org", "lang@example.org"] and len(sink.received) == 2
    msg = assert_well_formed(got["fine@example.org"], ed.key, "fine@example.org")
    assert msg["To"].addresses[0].display_name == 'Kinderopvang "De Vos", locatie Noord'
    msg = assert_well_formed(got["lang@example.org"], ed.key, "lang@example.org")
    assert msg["To"].addresses[0].display_name == bad[-1][1]
    assert all(b"evil" not in raw for _, raw in sink.received)


def test_test_send_goes_to_one_address_and_leaves_the_ledger_alone(tmp_path: Path) -> None:
    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port)
        ed = edition(RECIPIENTS)
        send_test(render_edition(ed, s), context(s), "comms@example.org")
    assert [r for r, _ in sink.received] == [["comms@example.org"]]
    assert_well_formed(sink.received[0][1], ed.key, "comms@example.org")
    assert ledger.states(open_state(s.resolved_state_url()), ed.key) == {}


def test_rate_limit_spaces_messages(tmp_path: Path) -> None:
    import time

    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_rate_per_second=20)
        started = time.monotonic()
        deliver_edition(render_edition(edition(RECIPIENTS), s), context(s))
        took = time.monotonic() - started
    assert took >= 5 / 20 * 0.9 and len(sink.received) == 6


def test_sending_for_real_with_the_example_secret_is_flagged(tmp_path: Path) -> None:
    sink = Sink()
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path / "a", port)
        flagged = deliver_edition(render_edition(edition(), s), context(s))
        s = smtp_settings(tmp_path / "b", port, unsubscribe_secret="a long random value")
        clean = deliver_edition(render_edition(edition(), s), context(s))
    assert any("VEERKRACHT_UNSUBSCRIBE_SECRET" in n for n in flagged.notes)
    assert not any("VEERKRACHT_UNSUBSCRIBE_SECRET" in n for n in clean.notes)
