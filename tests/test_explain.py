"""YAML slips and dates explained in the adviser's words (flows/library/explain.py).

Data-driven: every `tests/fixtures/checks/adviser/<case>/` with a `meldingen.txt` lists the
whole finding lines (`path:line:col: CODE melding`) the Dutch check must print for it, after
`#` comment lines; the codes and positions alone are in its `expected.txt`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from flows.core import i18n
from flows.library.explain import meant_date, yaml_problem
from flows.library.loader import load_library
from flows.library.safe_yaml import error_line, parse_yaml
from flows.publishing.checking import check_library
from tests.conftest import FIXTURES

ADVISER = FIXTURES / "checks" / "adviser"
TODAY = date(2026, 12, 1)


def _cases() -> list[Path]:
    return sorted(p.parent for p in ADVISER.glob("*/meldingen.txt"))


def test_there_are_dutch_cases() -> None:
    assert len(_cases()) >= 4


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_the_adviser_reads_these_dutch_findings(case: Path) -> None:
    text = (case / "meldingen.txt").read_text(encoding="utf-8")
    expected = [line for line in text.splitlines() if line and not line.startswith("#")]
    with i18n.language("nl"):
        findings = check_library(load_library(case / "content"), today=TODAY)
    assert sorted(f.format() for f in findings) == sorted(expected)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("04-01-2027", date(2027, 1, 4)),
        ("4-1-2027", date(2027, 1, 4)),
        ("31/12/2027", date(2027, 12, 31)),
        ("04.01.2027", date(2027, 1, 4)),
        ("4 januari 2027", date(2027, 1, 4)),
        ("4 jan. 2027", date(2027, 1, 4)),
        ("13 Maart 2027", date(2027, 3, 13)),
        ("2027-13-01", date(2027, 1, 13)),  # year-day-month
        ("2027-02-30", None),  # no such day either way
        ("31-02-2027", None),
        ("volgende week", None),
        ("2027-01-04", None),  # already right: nothing else meant
    ],
)
def test_dates_written_another_way_are_recognised(written: str, meant: date | None) -> None:
    assert meant_date(written) == meant


def _problem(text: str, lang: str) -> str:
    with i18n.language(lang):
        try:
            parse_yaml(text)
        except yaml.YAMLError as exc:
            return yaml_problem(exc, text, error_line(exc))
    raise AssertionError(f"no YAML error in {text!r}")


@pytest.mark.parametrize(
    ("text", "english", "dutch"),
    [
        (
            "id: a\ntitle: Slapen: zo doe je dat\n",
            (
                "on line 2 a text contains a colon: put the whole text between quotes, like title: "
                '"Slapen: zo doe je dat"'
            ),
            (
                "in regel 2 staat een dubbele punt in een tekst: zet de hele tekst tussen "
                'aanhalingstekens, zo: title: "Slapen: zo doe je dat"'
            ),
        ),
        (
            'id: a\ntitle: Zeg "hoi": zo\n',
            (
                "on line 2 a text contains a colon: put the whole text between quotes, like title: "
                "'Zeg \"hoi\": zo'"
            ),
            (
                "in regel 2 staat een dubbele punt in een tekst: zet de hele tekst tussen "
                "aanhalingstekens, zo: title: 'Zeg \"hoi\": zo'"
            ),
        ),
        (
            "resources:\n  - title: A\n   url: https://example.org\n",  # "- " is 2 more
            (
                "line 3 is indented less far than the line above it: fields under one field line "
                "up, so give it the same indent as the line above"
            ),
            (
                "regel 3 springt minder ver in dan de regel erboven: velden onder één veld staan "
                "recht onder elkaar, dus laat hem even ver inspringen als de regel erboven"
            ),
        ),
        (
            "id: a\nlang: nl\nzomaar een zin\ntheme: slapen\n",
            (
                "line 3 is not a field: write it as 'name: value', or indent it under the field it "
                "belongs to"
            ),
            (
                "regel 3 is geen veld: schrijf 'naam: waarde', of laat de regel inspringen onder "
                "het veld waar hij bij hoort"
            ),
        ),
    ],
)
def test_yaml_slips_in_plain_words(text: str, english: str, dutch: str) -> None:
    assert _problem(text, "en") == english
    assert _problem(text, "nl") == dutch


def test_an_unforeseen_yaml_error_keeps_the_parsers_words() -> None:
    text = "id: a\ntitle: @x\n"
    assert _problem(text, "en").startswith("cannot read the fields on line 2 (")
    assert "check the colons, quotes and indents" in _problem(text, "en")
