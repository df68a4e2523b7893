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
    assert code == 0 and "recipient(s)" in out
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
