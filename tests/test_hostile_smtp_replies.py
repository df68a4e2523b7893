"""What a mail server may answer, one case each (tests/fixtures/hostile/smtp-replies.yaml),
against a real aiosmtpd: the recipient it answers for ends in the expected ledger state, the
others are still sent, nothing raises, and the stored and reported text is bounded and safe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from channels.newsletter import ledger
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from flows.core.text import has_unsafe
from flows.infra.markdown_table import cell
from flows.infra.state import open_state
from tests.test_newsletter_support import Sink, context, edition, smtp_server, smtp_settings

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "hostile" / "smtp-replies.yaml").read_text("utf-8")
)
PEOPLE = (("a@example.org", "A"), ("hostile@example.org", "B"), ("c@example.org", "C"))


@pytest.mark.parametrize("case", CASES, ids=[c["tries"][:40] for c in CASES])
def test_a_hostile_reply_affects_only_its_recipient(case: dict[str, Any], tmp_path: Path) -> None:
    reply = str(case["reply"]).replace("{long}", "x" * 5000)
    sink = Sink()
    target = sink.rcpt_replies if case["stage"] == "rcpt" else sink.data_replies
    target["hostile@example.org"] = [reply]
    with smtp_server(sink) as port:
        s = smtp_settings(tmp_path, port, smtp_security="none", smtp_connections=1)
        ed = edition(PEOPLE, target="hostile")
        report = deliver_edition(render_edition(ed, s), context(s))
    assert sorted(r[0] for rcpts, _ in sink.received for r in [rcpts]) == [
        "a@example.org",
        "c@example.org",
    ]
    assert (report.delivered, report.failed) == (2, 1 if case["state"] == "failed" else 0)
    engine = open_state(s.resolved_state_url())
    with engine.connect() as conn:
        rows = {
            r.recipient: r
            for r in conn.execute(
                ledger.deliveries.select().where(ledger.deliveries.c.edition_key == ed.key)
            )
        }
    assert rows["hostile@example.org"].state == ledger.FAILED
    assert len(rows["hostile@example.org"].detail) <= 500
    for note in report.notes:  # what a report shows goes through the one cell rule
        shown = cell(note)
        assert re.search(r"(?<!\\)[<\[]", shown) is None  # no tag, no link: all escaped
        assert not has_unsafe(shown)
