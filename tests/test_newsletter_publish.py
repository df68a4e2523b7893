"""End to end: the publish-due Prefect flow sends the newsletter through the outbox backend."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from channels.newsletter.partners import load_partners
from tests.conftest import CONTENT

FIRST_TUESDAY = "2027-01-05"  # the campaign's first newsletter day


@pytest.mark.usefixtures("prefect_harness")
def test_publish_flow_sends_each_partner_one_newsletter_once(tmp_path: Path) -> None:
    from flows.publish_flow import publish_due

    out = tmp_path / "out"
    first = publish_due(day=FIRST_TUESDAY, content_dir=str(CONTENT), out_dir=str(out), any_day=True)
    partners, _ = load_partners(CONTENT / "partners.example.csv")
    wanted = {p.email for p in partners if not p.unsubscribed}
    files = sorted((out / "outbox").rglob("*.eml"))
    received: dict[str, int] = {}
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg.get_content_type() == "multipart/alternative" and msg.defects == []
        (to,) = msg["To"].addresses
        received[to.addr_spec] = received.get(to.addr_spec, 0) + 1
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received == dict.fromkeys(wanted, 1)
    archives = sorted((out / "newsletters").glob("*newsletter*/index.html"))
    assert len(archives) == len({p.parent.name for p in files})
    report = Path(first["report"]).read_text(encoding="utf-8")
    assert "newsletter" in report

    second = publish_due(
        day=FIRST_TUESDAY, content_dir=str(CONTENT), out_dir=str(out), any_day=True
    )
    assert sorted((out / "outbox").rglob("*.eml")) == files
    assert second["nothing_new"] is True


def test_smtp_to_the_bundled_example_list_is_refused_unless_asked(tmp_path: Path) -> None:
    """With VEERKRACHT_PARTNERS_CSV unset and SMTP delivery, the first version e-mailed the
    example addresses. Now the newsletter editions fail with advice, nothing reaches the
    server, and the other channels still publish; with the test flag the mail goes out."""
    from datetime import date

    from flows.core.settings import load_settings
    from flows.publishing.publish import publish_plain
    from tests.test_newsletter_support import Sink, smtp_server

    sink = Sink()
    with smtp_server(sink) as port:
        base = {
            "content_dir": CONTENT,
            "delivery": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
        }
        refused = publish_plain(
            load_settings(out_dir=tmp_path / "a", **base), date(2027, 1, 5), any_day=True
        )
        failed = [o for o in refused.outcomes if o.status == "failed"]
        assert failed and {o.edition.channel for o in failed} == {"newsletter"}
        assert all("bundled example" in o.error for o in failed)
        assert any(
            o.status == "published" for o in refused.outcomes if o.edition.channel != "newsletter"
        )
        assert sink.received == []
        allowed = publish_plain(
            load_settings(out_dir=tmp_path / "b", smtp_to_example=True, **base),
            date(2027, 1, 5),
            any_day=True,
        )
    assert not allowed.failed and len(sink.received) > 0
