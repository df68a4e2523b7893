"""Hostile input at every surface (issue 17): each test says what it tries and what it expects.

The fixture files are in tests/fixtures/ (checks/hostile-input, partners/*.csv); the
property-based tests (Hypothesis) are in tests/test_hostile_properties.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from channels.newsletter.partners import load_partner_list
from flows.cli.app import main
from flows.core.settings import load_settings
from flows.core.text import describe, has_unsafe, locate, one_line, problem
from flows.library.loader import LoadLog, load_yaml_models
from flows.publishing.publish import publish_plain
from tests.conftest import CONTENT

FIRST_TUESDAY = date(2027, 1, 5)  # the demo campaign's first newsletter day
HEADER = "organisation,kind,email,audiences,language,unsubscribed\n"

# Partner lists nobody can be sent to: each used to give a finding and then "no newsletter is
# due" (exit 0), or abort the whole publish (the unclosed quote).
UNUSABLE = {
    "empty": b"",
    "nul-filled": b"\x00" * 256,
    "utf-16": (HEADER + "A,school,a@example.org,ouders-schoolkinderen,nl,\n").encode("utf-16"),
    "binary": bytes(range(256)) * 4,
    "header-only": HEADER.encode(),
    "unclosed-quote-only": (
        HEADER + '"Kinderopvang Open,kinderopvang,open@example.org,ouders-jonge-kinderen\n'
    ).encode(),
    "every-row-bad": (HEADER + "A,school,geen-adres,ouders-schoolkinderen,nl,\n").encode(),
}


# --- the text rule (flows/core/text.py) ------------------------------------------------------


def test_unsafe_characters_are_found_by_line_and_column_as_an_editor_counts() -> None:
    text = "ok\nbad \u2028 here\n\u202eflip\ttab is fine\r\nNEL\x85"
    found = [(u.line, u.column, u.char) for u in locate(text)]
    assert found == [(2, 5, "\u2028"), (3, 1, "\u202e"), (4, 4, "\x85")]
    assert not has_unsafe("Zo'n dag: één café, tab\tand CRLF\r\n")
    assert describe("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert describe("\x85") == "U+0085 (NEXT LINE)"
    assert problem("Opvang\u2066X", "the name") is not None
    assert problem("Opvang X", "the name") is None
    assert one_line("a\u2028b\u202ec\r\nd\x00e") == "a bc  d e"


# --- YAML: duplicate keys in the YAML that is not a message --------------------------------


def test_a_key_twice_in_sources_yaml_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    """sources.yaml with `url:` twice: the second would silently win (a feed swapped)."""
    from flows.core.models import Source

    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - name: ggd\n    url: https://ggd.example.org/feed\n"
        "    url: https://evil.example.org/feed\n",
        encoding="utf-8",
    )
    log = LoadLog(tmp_path)
    assert load_yaml_models(path, Source, log, "sources") == []
    (only,) = log.findings
    assert (only.line, only.code) == (4, "S107")
    assert "line 3" in only.message and "line 4" in only.message


# --- the partner list: unusable fails the newsletter, loudly, and only the newsletter ------


@pytest.mark.parametrize("data", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_an_unusable_partner_list_fails_only_the_newsletter(tmp_path: Path, data: bytes) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_bytes(data)
    settings = load_settings(content_dir=CONTENT, out_dir=tmp_path / "out", partners_csv=partners)
    loaded = load_partner_list(settings)
    assert loaded.value.partners == () and "cannot be used" in loaded.value.unusable
    result = publish_plain(settings, FIRST_TUESDAY, any_day=True)
    failed = result.failed
    assert failed and {o.edition.channel for o in failed} == {"newsletter"}
    assert all("PartnerListUnusable" in o.error and str(partners) in o.error for o in failed)
    others = [o for o in result.outcomes if o.edition.channel != "newsletter"]
    assert others and all(o.status == "published" for o in others)
    assert "screens" in {o.edition.channel for o in others}
    assert not (tmp_path / "out" / "outbox").exists()
    report = result.report_text
    assert "Nobody got the newsletter" in report
    assert "the other partners still got their newsletter" not in report
    assert "## Not delivered" in report


def test_newsletter_send_with_an_unusable_list_exits_1_not_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_bytes(UNUSABLE["utf-16"])
    monkeypatch.setenv("VEERKRACHT_PARTNERS_CSV", str(partners))
    argv = ["newsletter", "send", "--date", "2027-01-05", "--content", str(CONTENT)]
    code = main([*argv, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "UTF-16" in err and "cannot be used" in err


def test_one_malformed_row_does_not_stop_the_others(tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text(
        HEADER
        + '"Open,kinderopvang,open@example.org,ouders-jonge-kinderen,nl,\n'
        + "Goed,school,goed@example.org,ouders-schoolkinderen,nl,\n",
        encoding="utf-8",
    )
    settings = load_settings(content_dir=CONTENT, out_dir=tmp_path / "out", partners_csv=partners)
    loaded = load_partner_list(settings)
    assert [p.email for p in loaded.value.partners] == ["goed@example.org"]
    assert [(f.line, f.code) for f in loaded.findings] == [(2, "N606")]
    assert loaded.value.unusable == ""


# --- settings: one clear error at start-up naming the variable ------------------------------

BAD_SETTINGS = {
    "public_base_url": ("https://veerkracht.example.org/x\r\nBcc: a@evil.example", "PUBLIC_BASE"),
    "organisation": ("JGZ \u202eRegio", "U+202E"),
    "contact_email": ("a@example.org, b@evil.example", "one plain e-mail address"),
    "smtp_port": (70000, "65535"),
    "catchup_days": (-1, "must be 0 or more"),
    "smtp_host": ("mail.example.org\u2028", "U+2028"),
}


@pytest.mark.parametrize("name", BAD_SETTINGS)
def test_a_bad_setting_is_refused_naming_the_variable(name: str) -> None:
    from flows.core.errors import SettingsError

    value, words = BAD_SETTINGS[name]
    with pytest.raises(SettingsError) as caught:
        load_settings(**{name: value})
    text = str(caught.value)
    assert f"VEERKRACHT_{name.upper()}=" in text and words in text, text


# --- MIME headers: refused with a reason, never a bare ValueError (exit 3) -----------------


@pytest.mark.parametrize("value", ["a\u2028b", "a\x85b", "a\x0bb", "a\u202eb", "a\u2066b", "a\tb"])
def test_a_header_with_a_separator_or_bidi_control_is_refused(value: str) -> None:
    from channels.newsletter.mime import HeaderInjection, check_header

    with pytest.raises(HeaderInjection, match="subject"):
        check_header("the subject", value)
    assert check_header("the subject", "Slapen: één rustig ritme") == "Slapen: één rustig ritme"


def test_the_fast_unsafe_scan_agrees_with_the_rule_for_every_character() -> None:
    from flows.core.text import has_unsafe, is_unsafe

    for code in range(0x10000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue  # lone surrogates never come out of decoding
        assert has_unsafe(f"é{ch}x") == is_unsafe(ch), f"U+{code:04X}"
