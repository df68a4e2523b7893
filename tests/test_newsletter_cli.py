"""`veerkracht newsletter preview|test|send` on the bundled content, outbox backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from tests.conftest import CONTENT

DAY = "2027-01-05"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["newsletter", *args])
    return code, capsys.readouterr().out


def test_preview_writes_archives_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        capsys, "preview", "--date", DAY, "--content", str(CONTENT), "--out", str(tmp_path)
    )
    assert code == 0 and " recipients, " in out
    archives = list((tmp_path / "newsletters").glob("*/index.html"))
    assert archives and all('<html lang="' in p.read_text() for p in archives)
    assert not (tmp_path / "outbox").exists()


def test_send_then_send_again_then_test_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--date", DAY, "--content", str(CONTENT), "--out", str(tmp_path)]
    code, out = run(capsys, "send", *common)
    assert code == 0 and " 0 sent" not in out
    sent = sorted((tmp_path / "outbox").rglob("*.eml"))
    assert len(sent) == 9  # ten partners in the example list, one unsubscribed
    code, out = run(capsys, "send", *common)
    assert code == 0 and out.count(" 0 sent") == out.count("\n")
    code, out = run(capsys, "test", "--to", "comms@example.org", *common)
    assert code == 0 and "test sent to comms@example.org" in out
    assert sorted((tmp_path / "outbox").rglob("*.eml")) == sent  # the ledger's outbox untouched
    assert len(list((tmp_path / "test" / "outbox").rglob("*.eml"))) == out.count("test sent")


def test_a_day_without_newsletter_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        capsys, "preview", "--date", "2027-01-06", "--content", str(CONTENT), "--out", str(tmp_path)
    )
    assert code == 0 and "no newsletter is due on 2027-01-06" in out


def test_an_unreachable_server_fails_each_edition_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_newsletter_support import free_port

    monkeypatch.setenv("VEERKRACHT_DELIVERY", "smtp")
    monkeypatch.setenv("VEERKRACHT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VEERKRACHT_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("VEERKRACHT_SMTP_TO_EXAMPLE", "true")  # the example list, on purpose
    code = main(
        ["newsletter", "send", "--date", DAY, "--content", str(CONTENT), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1 and "cannot reach the SMTP server 127.0.0.1:" in err
    assert err.count("not (fully) delivered") >= 2  # every edition tried, each fails clearly


def test_confirm_marks_unknown_outcomes_as_arrived_on_a_persons_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import update

    from channels.newsletter import ledger
    from flows.core.settings import load_settings
    from flows.infra.state import open_state

    common = ["--date", DAY, "--content", str(CONTENT), "--out", str(tmp_path)]
    assert run(capsys, "send", *common)[0] == 0
    engine = open_state(load_settings().resolved_state_url())
    with engine.begin() as conn:  # two messages whose 250 never came
        rows = conn.execute(ledger.deliveries.select().limit(2)).all()
        for r in rows:
            conn.execute(
                update(ledger.deliveries)
                .where(
                    ledger.deliveries.c.edition_key == r.edition_key,
                    ledger.deliveries.c.recipient == r.recipient,
                )
                .values(state=ledger.SENDING)
            )
    code, out = run(capsys, "send", *common)
    assert code == 1 and "unknown outcome" in out  # reported, not resent
    code, out = run(capsys, "confirm", "--arrived", rows[0].address.upper(), *common)
    assert code == 0 and "1 message marked as arrived; nothing was sent" in out
    assert ledger.states(engine, rows[0].edition_key)[rows[0].recipient] == ledger.SENT
    assert ledger.states(engine, rows[1].edition_key)[rows[1].recipient] == ledger.SENDING
    code, out = run(capsys, "confirm", "--arrived", "nobody@example.org", *common)
    assert code == 1
    code, out = run(capsys, "confirm", "--all-arrived", *common)
    assert code == 0 and "1 message marked as arrived" in out
    before = sorted((tmp_path / "outbox").rglob("*.eml"))
    code, out = run(capsys, "send", *common)
    assert code == 0 and sorted((tmp_path / "outbox").rglob("*.eml")) == before


def test_a_region_sends_under_its_own_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    regions = tmp_path / "regions.yaml"
    regions.write_text(
        f"regions:\n  - id: noord\n    content_dir: {CONTENT}\n    out_dir: {tmp_path}/noord\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VEERKRACHT_REGIONS_FILE", str(regions))
    code, _ = run(capsys, "send", "--date", DAY, "--region", "noord")
    assert code == 0
    folders = sorted(p.name for p in (tmp_path / "noord" / "outbox").iterdir())
    assert folders and all(f.startswith(f"noord-{DAY}-newsletter-") for f in folders)
