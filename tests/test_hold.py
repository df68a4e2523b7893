"""Which findings hold a message (style.yaml `hold:`), and messages recovered from broken front
matter: checked with everything else, never published."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from flows.checks import held_by_checks
from flows.core.findings import Severity
from flows.library.loader import load_library
from flows.publishing.checking import check_library

CASES = Path(__file__).resolve().parent / "fixtures" / "checks"
ALL_AT_ONCE = CASES / "adviser" / "alles-in-een-keer" / "content"
TODAY = date(2026, 12, 1)
MESSAGE = """---
id: lees-samen
lang: nl
title: Lees samen
theme: slapen
audiences: [ouders-jonge-kinderen]
screen:
  headline: Lees samen
  text: Een boekje voor het slapen geeft rust, want je kind komt tot rust.
valid_from: 2026-11-01
status: gepubliceerd
reviewed_by: Redactie JGZ
reviewed_on: 2026-11-20
---

Veel ouders herkennen dit. Je doet al veel goed als je tijd maakt voor je kind.

Lees samen een boekje voor het slapen.
"""


def _content(tmp_path: Path, style_extra: str = "") -> Path:
    content = tmp_path / "content"
    folder = content / "messages" / "slapen"
    folder.mkdir(parents=True)
    (folder / "lees-samen.nl.md").write_text(MESSAGE, encoding="utf-8")
    style = (CASES / "tips" / "content" / "style.yaml").read_text(encoding="utf-8")
    (content / "style.yaml").write_text(style + style_extra, encoding="utf-8")
    return content


def test_a_tip_without_reason_holds_by_default(tmp_path: Path) -> None:
    library = load_library(_content(tmp_path))
    findings = check_library(library, today=TODAY)
    tips = [f for f in findings if f.code == "T202"]
    assert [(f.line, f.severity) for f in tips] == [(18, Severity.ERROR)]
    assert held_by_checks(library, findings) == {
        ("lees-samen", "nl"): "T202 tip without a reason at line 18"
    }


def test_style_yaml_can_let_a_rule_only_warn(tmp_path: Path) -> None:
    library = load_library(_content(tmp_path, "hold:\n  T202: warning\n"))
    assert library.findings == ()
    findings = check_library(library, today=TODAY)
    assert [(f.code, f.severity) for f in findings] == [("T202", Severity.WARNING)]
    assert held_by_checks(library, findings) == {}


def test_style_yaml_can_make_a_warning_hold(tmp_path: Path) -> None:
    text = MESSAGE.replace("Veel ouders herkennen dit. Je doet al veel goed als je", "Als je")
    content = _content(tmp_path, "hold:\n  T204: error\n  T202: warning\n")
    (content / "messages/slapen/lees-samen.nl.md").write_text(text, encoding="utf-8")
    library = load_library(content)
    findings = check_library(library, today=TODAY)
    assert ("T204", Severity.ERROR) in [(f.code, f.severity) for f in findings]
    assert held_by_checks(library, findings)[("lees-samen", "nl")].startswith("T204 ")


def test_a_broken_file_or_an_unsafe_link_cannot_be_let_through(tmp_path: Path) -> None:
    library = load_library(_content(tmp_path, "hold:\n  S104: warning\n  T999: error\n"))
    (problem,) = [f for f in library.findings if f.path.endswith("style.yaml")]
    assert (problem.code, problem.severity) == ("S112", Severity.ERROR)
    assert "S104 cannot be set here" in problem.message
    assert (
        problem.line
        == len((CASES / "tips" / "content" / "style.yaml").read_text(encoding="utf-8").splitlines())
        + 1
    )  # the `hold:` line


def test_a_recovered_message_is_checked_but_never_published(tmp_path: Path) -> None:
    content = Path(shutil.copytree(ALL_AT_ONCE, tmp_path / "content"))
    library = load_library(content)
    assert library.messages == ()  # nothing of it can be planned
    (recovered,) = library.unloaded
    assert recovered.title == "Slapen: zo doe je dat"  # the broken line's text, for the checks
    assert recovered.status == "klaar-voor-review"
    assert recovered.line_of("valid_from") == 10
    findings = check_library(library, today=TODAY)
    assert {f.code for f in findings} == {"S104", "T202", "T210", "T211"}
    s104 = next(f for f in findings if f.code == "S104")
    assert "a text contains a colon: put the whole text between quotes" in s104.message
    assert s104.line == 4
