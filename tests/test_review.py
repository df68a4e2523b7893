"""`veerkracht review MESSAGE --by NAME`: a clean message gets its review fields, nothing else in
the file changes; a message with errors is refused with its findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.cli import main
from flows.core import clock
from flows.library.front_matter import set_review_fields
from flows.library.loader import load_library

GOOD = Path(__file__).resolve().parent / "fixtures" / "checks" / "good" / "content"
RITME = "messages/slapen/vast-ritme.nl.md"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GOOD, tmp_path / "content"))


def _ready_for_review(path: Path) -> str:
    """The message as an adviser hands it in: a comment, status before the dates, no review."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("reviewed_by: Redactie JGZ\n", "").replace("reviewed_on: 2026-11-20\n", "")
    text = text.replace("status: gepubliceerd\n", "")
    text = text.replace(
        "valid_from: 2026-01-01\n",
        "status: klaar-voor-review  # Sanne, wil jij kijken?\n# nog even nalezen\n"
        "valid_from: 2026-01-01\n",
    )
    path.write_text(text, encoding="utf-8")
    return text


def test_review_sets_the_fields_and_nothing_else(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = content / RITME
    before = _ready_for_review(path)
    assert main(["review", str(path), "--by", "Sanne de Vries", "--content", str(content)]) == 0
    after = path.read_text(encoding="utf-8")
    day = clock.today().isoformat()
    expected = before.replace(
        "status: klaar-voor-review  # Sanne, wil jij kijken?\n",
        f"status: gepubliceerd  # Sanne, wil jij kijken?\nreviewed_by: Sanne de Vries\n"
        f"reviewed_on: {day}\n",
    )
    assert after == expected
    assert f"reviewed by Sanne de Vries on {day}" in capsys.readouterr().out
    library = load_library(content)
    assert library.findings == ()
    (message,) = [m for m in library.messages if m.key == ("vast-ritme", "nl")]
    assert (message.status, message.reviewed_by) == ("gepubliceerd", "Sanne de Vries")


def test_review_by_id_updates_existing_fields_in_place(content: Path) -> None:
    path = content / RITME
    before = path.read_text(encoding="utf-8")
    assert main(["review", "vast-ritme", "--by", "Team: JGZ #2", "--content", str(content)]) == 0
    after = path.read_text(encoding="utf-8")
    day = clock.today().isoformat()
    assert after == before.replace("Redactie JGZ", '"Team: JGZ #2"').replace(
        "reviewed_on: 2026-11-20", f"reviewed_on: {day}"
    )
    message = load_library(content).message("vast-ritme")
    assert message is not None and message.reviewed_by == "Team: JGZ #2"


def test_a_message_with_errors_is_refused_and_left_alone(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = content / RITME
    text = _ready_for_review(path).replace("title: Een vast ritme", "title: Slapen: een vast ritme")
    path.write_text(text, encoding="utf-8")
    assert main(["review", str(path), "--by", "Sanne", "--content", str(content)]) == 1
    out = capsys.readouterr().out
    assert f"{RITME}:4:1: S104" in out and "not reviewed: 1 error to fix first" in out
    assert path.read_text(encoding="utf-8") == text


def test_a_message_without_status_gets_all_three_fields(content: Path) -> None:
    path = content / RITME
    text = path.read_text(encoding="utf-8")
    bare = "".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("status:", "reviewed_"))
    )
    path.write_text(bare, encoding="utf-8")
    assert main(["review", str(path), "--by", "Sanne", "--content", str(content)]) == 0
    message = load_library(content).message("vast-ritme")
    assert message is not None and message.status == "gepubliceerd"
    assert message.reviewed_on == clock.today()


def test_usage_errors(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "bestaat-niet", "--by", "Sanne", "--content", str(content)]) == 2
    assert main(["review", str(content / RITME), "--by", " ", "--content", str(content)]) == 2
    assert "--by needs the reviewer's name" in capsys.readouterr().err


def test_set_review_fields_keeps_line_endings() -> None:
    text = "---\r\nid: a\r\nstatus: concept\r\n---\r\nTekst.\r\n"
    assert set_review_fields(text, "Sanne", "2027-01-04") == (
        "---\r\nid: a\r\nstatus: gepubliceerd\r\nreviewed_by: Sanne\r\n"
        "reviewed_on: 2027-01-04\r\n---\r\nTekst.\r\n"
    )
    assert set_review_fields("geen front matter\n", "Sanne", "2027-01-04") is None
