"""The tool speaks Dutch (flows/core/i18n.py): the Dutch catalog is complete and true to the code.

- every msgid in the code (`_`, `ngettext`, `N_` in flows/ and channels/, extracted with Babel)
  has a Dutch translation, and the catalog holds no msgid the code no longer uses;
- a translation has exactly its msgid's `{placeholders}` (same names, same format specs);
- a call to `_` or `ngettext` is given string literals (an f-string would never be translated);
- Dutch unless told otherwise: `language()`, `set_language` and VEERKRACHT_LANG.
"""

from __future__ import annotations

import ast
import functools
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from flows.core import i18n
from flows.core.codes import lookup
from tests.conftest import FIXTURES, REPO


@functools.cache
def dutch() -> Catalog:
    with i18n.catalog_path("nl").open("rb") as po:
        return read_po(po, locale="nl", domain=i18n.DOMAIN)


@functools.cache
def used() -> dict[str | tuple[str, ...], str]:
    """msgid -> where it is first used."""
    found: dict[str | tuple[str, ...], str] = {}
    for folder in i18n.SOURCE_DIRS:
        for name, line, msgid, _comments, _context in extract_from_dir(
            REPO / folder, method_map=[("**.py", "python")]
        ):
            found.setdefault(msgid, f"{folder}/{name}:{line}")
    return found


def test_code_uses_translated_strings() -> None:
    assert len(used()) > 100  # the findings at least: the extraction found the code


def test_every_msgid_in_the_code_has_a_dutch_translation() -> None:
    missing = []
    for msgid, where in used().items():
        message = dutch().get(msgid)
        strings = _forms(message.string) if message is not None else ()
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "run `python -m flows.core.i18n` and translate:\n" + "\n".join(missing)


def test_the_catalog_has_no_msgid_the_code_does_not_use() -> None:
    stale = [m.id for m in dutch() if m.id and m.id not in used()]
    assert stale == [], "run `python -m flows.core.i18n` to drop them"


def _forms(value: object) -> tuple[str, ...]:
    """The singular and plural forms of a msgid or translation, as a tuple."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value) if isinstance(value, tuple | list) else ()


def _fields(text: str) -> list[tuple[str, str]]:
    return sorted(
        (name, spec or "")
        for _literal, name, spec, _conversion in string.Formatter().parse(text)
        if name is not None
    )


def _translated(catalog: Catalog) -> Iterator[tuple[Message, str, str]]:
    """(message, msgid, translation) for each form of each translated message."""
    for message in catalog:
        if not message.id:
            continue
        ids = _forms(message.id)
        for i, text in enumerate(_forms(message.string)):
            if text:
                yield message, ids[min(i, len(ids) - 1)], text


def test_placeholders_of_each_translation_are_its_msgids() -> None:
    wrong = [
        f"{msgid!r}: {_fields(msgid)} but {text!r}: {_fields(text)}"
        for _message, msgid, text in _translated(dutch())
        if _fields(msgid) != _fields(text)
    ]
    assert wrong == []


def test_the_placeholder_test_sees_a_wrong_placeholder() -> None:
    broken = Catalog(locale="nl")
    broken.add("the file is {size} KB", "het bestand is {grootte} KB")
    broken.add("{n} files", "{n} bestanden")
    found = [(msgid, text) for _m, msgid, text in _translated(broken)]
    assert [_fields(msgid) == _fields(text) for msgid, text in found] == [False, True]


def _calls() -> Iterator[tuple[str, ast.Call]]:
    for folder in i18n.SOURCE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_", "ngettext")
                ):
                    yield f"{path.relative_to(REPO)}:{node.lineno}", node


def test_translated_strings_are_literals() -> None:
    """A msgid is a literal, or a name holding one marked with N_ (`_(self.text)`); never an
    f-string, a sum or a call (`_(f"...")` or `_("..." .format())` is never in the catalog)."""
    count = 0
    bad = []
    for where, call in _calls():
        count += 1
        assert isinstance(call.func, ast.Name)
        texts = call.args[:2] if call.func.id == "ngettext" else call.args[:1]
        literal = all(isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts)
        if call.func.id == "N_" and not literal:
            bad.append(where)  # N_ marks a literal for the catalog
        elif not texts or any(isinstance(t, ast.JoinedStr | ast.BinOp | ast.Call) for t in texts):
            bad.append(where)
    assert count > 100 and bad == []


def test_dutch_by_default_english_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    msgid = "the file is empty; write the message or delete the file"
    monkeypatch.delenv(i18n.SETTING, raising=False)
    with i18n.language(None):
        i18n.set_language(None)
        assert i18n.current_language() == "nl"
        assert i18n._(msgid) == "het bestand is leeg; schrijf het bericht of verwijder het bestand"
    monkeypatch.setenv(i18n.SETTING, "en")
    with i18n.language(None):
        i18n.set_language(None)
        assert i18n._(msgid) == msgid
    with i18n.language("nl"):
        assert i18n._(msgid).startswith("het bestand is leeg")
        with i18n.language("en"):
            assert i18n._(msgid) == msgid
        assert i18n.current_language() == "nl"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        i18n.set_language("de")


def test_code_descriptions_are_translated() -> None:
    with i18n.language("nl"):
        assert lookup("T202").description == "een tip zonder reden"
    with i18n.language("en"):
        assert lookup("T202").description == "a tip without a reason" == lookup("T202").text


def test_the_adviser_fixture_reads_in_dutch() -> None:
    from flows.checks import run_checks
    from flows.library.loader import load_library

    content = FIXTURES / "checks" / "adviser" / "alles-in-een-keer" / "content"
    with i18n.language("nl"):
        findings = run_checks(load_library(content))
    by_code = {f.code: f.message for f in findings}
    assert by_code["T202"].startswith("tip zonder reden: ")
    assert by_code["T211"].startswith("zin van ")
    assert "want" in by_code["T202"]  # the reason words of the Dutch style list


def test_the_catalog_file_is_where_the_package_data_says() -> None:
    path = i18n.catalog_path("nl")
    assert path == REPO / "flows" / "locale" / "nl" / "LC_MESSAGES" / "veerkracht.po"
    assert Path(path).is_file()


def test_an_unknown_language_setting_is_a_bad_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.core.errors import SettingsError
    from flows.core.settings import load_settings

    monkeypatch.setenv(i18n.SETTING, "de")
    # The error is translated, which fixes the process's language from the bad setting (Dutch):
    # language(None) gives the session its own language back afterwards.
    with i18n.language(None), pytest.raises(SettingsError, match="VEERKRACHT_LANG='de'"):
        load_settings()
    monkeypatch.setenv(i18n.SETTING, "en")
    assert load_settings().lang == "en"
    with i18n.language(None):
        i18n.set_language(None)
        monkeypatch.setenv(i18n.SETTING, "de")
        assert i18n.current_language() == i18n.DEFAULT  # the command then reports the setting


def test_check_speaks_the_language_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli.app import main

    content = FIXTURES / "checks" / "adviser" / "yaml-in-gewone-woorden" / "content"
    assert main(["check", str(content), "--lang", "nl"]) == 1
    dutch_out = capsys.readouterr().out.splitlines()
    assert dutch_out[-1] == "5 bestanden gecontroleerd: 6 fouten, 0 waarschuwingen"
    assert any("springt in met een tab: gebruik spaties" in line for line in dutch_out)
    assert i18n.current_language() == "en"  # --lang was for that call only
    assert main(["check", str(content / "messages" / "slapen" / "met-tab.nl.md")]) == 1
    english = capsys.readouterr().out.splitlines()
    assert english[-1] == "1 file checked: 1 error, 0 warnings"
    assert "is indented with a tab: use spaces instead" in english[0]
