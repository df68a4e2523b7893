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
