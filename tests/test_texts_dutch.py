"""What a comms adviser reads is Dutch unless asked otherwise (issue 13): bad settings, the
publish day window, the channels' report lines, unknown outcomes, the command line's help and
its own words. English (the msgids) with `--lang en` or VEERKRACHT_LANG=en.

The test session speaks English (tests/conftest.py); each test here asks for its language with
flows.core.i18n.language, or runs the command line with --lang or without VEERKRACHT_LANG.
"""

from __future__ import annotations

import argparse
import gettext
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from channels.newsletter import CHANNEL as NEWSLETTER
from channels.newsletter.mime import HeaderInjection, check_header
from channels.newsletter.partners import load_partners
from channels.newsletter.send import unconfirmed_note
from channels.newsletter.transport import ServerUnreachable, SmtpTransport
from flows.cli.app import main
from flows.cli.commands.serve import make_server
from flows.cli.common import EXIT_OK, EXIT_USAGE
from flows.cli.words import ARGPARSE_WORDS, asked_language
from flows.core import i18n
from flows.core.errors import SettingsError
from flows.core.i18n import N_, language
from flows.core.models import Source
from flows.core.settings import load_settings
from flows.infra.netsafety import RefusedAddress, check_addresses
from flows.infra.state import engine_url
from flows.ingest.parse import prepare
from flows.ingest.report import render_report, summary_line
from flows.ingest.run import IngestResult, SourceResult
from flows.ingest.sources import load_sources
from flows.library.loader import LoadLog, load_message
from flows.linkcheck.check import Result, Verdict
from flows.linkcheck.report import to_html
from flows.linkcheck.run import LinkReport
from flows.planning.cadence import CadenceError, parse_cadence
from flows.publishing.public_app import collect_routes
from flows.publishing.publish import DayOutOfRange, check_day
from tests.conftest import FIXTURES
from tests.fixtures.links.httpserver import closed_port
from tests.serving import serving
from tests.test_newsletter_support import settings_for


def _setting_error(monkeypatch: pytest.MonkeyPatch, name: str, value: str, lang: str) -> str:
    monkeypatch.setenv(name, value)
    with language(lang), pytest.raises(SettingsError) as caught:
        load_settings()
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "dutch", "english"),
    [
        (
            "VEERKRACHT_SMTP_PORT",
            "vijf",
            (
                "VEERKRACHT_SMTP_PORT='vijf': moet een heel getal zijn (alleen cijfers); pas de "
                "waarde aan, of haal de variabele weg om de standaardwaarde te gebruiken (587)"
            ),
            (
                "VEERKRACHT_SMTP_PORT='vijf': must be a whole number (digits only); change it, or "
                "remove the variable to use the default (587)"
            ),
        ),
        (
            "VEERKRACHT_DELIVERY",
            "smpt",
            "VEERKRACHT_DELIVERY='smpt': moet een van deze zijn: outbox, smtp",
            "VEERKRACHT_DELIVERY='smpt': must be one of: outbox, smtp",
        ),
        (
            "VEERKRACHT_CATCHUP_DAYS",
            "400",
            "VEERKRACHT_CATCHUP_DAYS='400': moet 366 of minder zijn",
            "VEERKRACHT_CATCHUP_DAYS='400': must be 366 or less",
        ),
        (
            "VEERKRACHT_LEASE_SECONDS",
            "1,5",
            (
                "VEERKRACHT_LEASE_SECONDS='1,5': moet een getal zijn (een kommagetal schrijf je "
                "met een punt, zoals 2.5)"
            ),
            "VEERKRACHT_LEASE_SECONDS='1,5': must be a number (a decimal with a point, like 2.5)",
        ),
        (
            "VEERKRACHT_SMTP_TO_EXAMPLE",
            "misschien",
            (
                "moet true (ja) of false (nee) zijn; pas de waarde aan, of haal de variabele weg "
                "om de standaardwaarde te gebruiken (false)"
            ),
            "must be true or false; change it, or remove the variable to use the default (false)",
        ),
        (
            "VEERKRACHT_PUBLIC_BASE_URL",
            "veerkracht.example.org",
            "het openbare adres is geen volledig webadres; begin het met https://",
            "the public base URL is not a full web address; start it with https://",
        ),
        (
            "VEERKRACHT_NET_ALLOW",
            "intranet",
            (
                "instelling klopt niet: VEERKRACHT_NET_ALLOW is geen leesbare lijst; schrijf een "
                "lijst als JSON"
            ),
            "bad setting: VEERKRACHT_NET_ALLOW is not a list that can be read; write lists as JSON",
        ),
    ],
)
def test_a_bad_setting_says_which_variable_what_is_wrong_and_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, dutch: str, english: str
) -> None:
    in_dutch = _setting_error(monkeypatch, name, value, "nl")
    assert in_dutch.startswith("instelling klopt niet: ") and dutch in in_dutch
    assert english in _setting_error(monkeypatch, name, value, "en")
    # pydantic's own words never reach the person
    assert "Input should" not in in_dutch and "input_value" not in in_dutch


def test_the_value_of_a_bad_secret_setting_is_never_shown() -> None:
    with language("nl"), pytest.raises(SettingsError) as caught:
        load_settings(smtp_password=94127)  # not text: refused, and the value stays hidden
    assert str(caught.value).startswith(
        "instelling klopt niet: VEERKRACHT_SMTP_PASSWORD=(verborgen)"
    )
    assert "94127" not in str(caught.value)


def test_the_day_window_speaks_dutch_and_english() -> None:
    settings = load_settings(catchup_days=7)
    today = date(2027, 1, 20)
    with language("nl"), pytest.raises(DayOutOfRange) as past:
        check_day(date(2027, 1, 12), settings, today=today)
    assert str(past.value) == (
        "2027-01-12 is meer dan 7 dagen geleden (de vroegste dag die nog gepubliceerd kan worden "
        "is 2027-01-13); zet VEERKRACHT_CATCHUP_DAYS hoger om verder terug te gaan"
    )
    with language("nl"), pytest.raises(DayOutOfRange) as future:
        check_day(date(2027, 1, 21), settings, today=today)
    assert str(future.value).startswith("2027-01-21 ligt in de toekomst (vandaag is het 2027-01-20")
    with language("en"), pytest.raises(DayOutOfRange, match="is in the future"):
        check_day(date(2027, 1, 21), settings, today=today)
    one_day = load_settings(catchup_days=1)
    with language("nl"), pytest.raises(DayOutOfRange, match="meer dan 1 dag geleden"):
        check_day(date(2027, 1, 18), one_day, today=today)


def test_an_unknown_outcome_note_has_plural_forms_in_each_language() -> None:
    with language("nl"):
        one = unconfirmed_note(["a@example.org"])
        two = unconfirmed_note(["a@example.org", "b@example.org"])
    assert one.startswith("van 1 bericht weten we niet of het is aangekomen")
    assert two.startswith("van 2 berichten weten we niet of ze zijn aangekomen")
    assert "a@example.org, b@example.org" in two and "--resend-unconfirmed" in two
    with language("en"):
        assert unconfirmed_note(["a@example.org"]).startswith("1 message has an unknown outcome")


# --- the command line ---------------------------------------------------------------------------


def _without_language_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an adviser runs it: no VEERKRACHT_LANG, so Dutch (the session's English is put back
    by language(None) in the test)."""
    monkeypatch.delenv(i18n.SETTING, raising=False)
    i18n.set_language(None)


def test_asked_language_is_found_before_parsing() -> None:
    assert asked_language(["preview", "x", "--lang", "en", "--date", "x"]) == "en"
    assert asked_language(["check", "--lang=nl"]) == "nl"
    assert asked_language(["check", "--lang", "nl", "--lang", "en"]) == "en"  # the last wins
    assert asked_language(["check", "--lang", "de"]) is None  # argparse refuses it
    assert asked_language(["check", "--", "--lang", "en"]) is None
    assert asked_language(["check", "--lang"]) is None


def test_date_advice_follows_lang_not_only_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with language(None):
        _without_language_setting(monkeypatch)
        args = ["preview", "vast-ritme", "--date", "04-01-2027"]
        assert main([*args[:1], "--lang", "en", *args[1:]]) == EXIT_USAGE
        english = capsys.readouterr().err
        assert main(args) == EXIT_USAGE
        dutch = capsys.readouterr().err
    assert english.splitlines()[-1] == (
        "veerkracht preview: error: argument --date: '04-01-2027' is not a date; write it as "
        "YYYY-MM-DD, for example 2027-01-04"
    )
    assert dutch.splitlines()[-1] == (
        "veerkracht preview: fout: bij --date: '04-01-2027' is geen datum; schrijf hem als "
        "JJJJ-MM-DD, bijvoorbeeld 2027-01-04"
    )
    assert english.startswith("usage: veerkracht preview") and dutch.startswith("gebruik: ")


def test_help_is_dutch_by_default_and_english_with_lang(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with language(None):
        _without_language_setting(monkeypatch)
        assert main(["publish", "--help"]) == EXIT_OK
        dutch = capsys.readouterr().out
        assert main(["publish", "--help", "--lang", "en"]) == EXIT_OK
        english = capsys.readouterr().out
    assert dutch.startswith("gebruik: veerkracht publish [-h] [--date DATUM]")
    assert "\nopties:\n" in dutch and "toon deze hulptekst en stop" in dutch
    assert "map met de inhoud (standaard: ./content of" in dutch
    assert english.startswith("usage: veerkracht publish [-h] [--date DATE]")
    assert "\noptions:\n" in english and "show this help message and exit" in english
    # argparse speaks gettext's own (English) words again outside the command line
    assert vars(argparse)["_"] is gettext.gettext


def test_the_whole_help_with_a_channels_commands_is_dutch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with language(None):
        _without_language_setting(monkeypatch)
        assert main(["--help"]) == EXIT_OK
        top = capsys.readouterr().out
        assert main(["newsletter", "confirm"]) == EXIT_USAGE  # a channel's own subcommand
        refused = capsys.readouterr().err
    assert "Controleer, plan en publiceer de berichten van de campagne." in top
    assert "bekijk, test of verstuur de nieuwsbrief voor partners" in top
    assert refused.splitlines()[-1] == (
        "veerkracht newsletter confirm: fout: een van deze argumenten is verplicht: "
        "--arrived --all-arrived"
    )


def test_argparse_words_keep_their_placeholders() -> None:
    with language("nl"):
        for msgid in ARGPARSE_WORDS:
            text = i18n._(msgid)
            assert text != msgid, msgid
            assert sorted(re.findall(r"%\(\w+\)[sr]|%[sr]", text)) == sorted(
                re.findall(r"%\(\w+\)[sr]|%[sr]", msgid)
            ), msgid


# --- feed ingest ----------------------------------------------------------------------------


def _sources_file(content: Path) -> None:
    content.mkdir(parents=True, exist_ok=True)
    sources = [
        {"name": name, "url": url, "theme": "slapen", "audiences": ["ouders-jonge-kinderen"]}
        for name, url in (
            ("rivm", "www.rivm.nl/feed"),
            ("ggd", "https://ggd.example/feed"),
            ("ggd", "https://ggd.example/ander"),
        )
    ]
    (content / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")


def test_sources_yaml_findings_are_one_language(tmp_path: Path) -> None:
    _sources_file(tmp_path)
    with language("nl"):
        _, _, dutch = load_sources(tmp_path)
    with language("en"):
        _, _, english = load_sources(tmp_path)
    assert [f.message for f in dutch] == [
        (
            "bron 'rivm': url 'www.rivm.nl/feed' is geen volledig webadres; begin het met "
            "https://; schrijf het volledige https://-adres van de feed (deze bron wordt "
            "overgeslagen)"
        ),
        (
            "de bronnaam 'ggd' komt twee keer voor; geef elke bron een eigen naam (deze bron "
            "wordt overgeslagen)"
        ),
    ]
    assert english[0].message == (
        "source 'rivm': url 'www.rivm.nl/feed' is not a full web address; start it with "
        "https://; write the feed's full https:// address (this one is skipped)"
    )
    assert [f.code for f in dutch] == [f.code for f in english] == ["I500", "I500"]


def _ingest_result() -> IngestResult:
    source = Source(
        name="ggd",
        url="https://ggd.example/feed",
        theme="slapen",
        audiences=("ouders-jonge-kinderen",),
    )
    gone = SourceResult(
        source, "gone", error="the feed is gone (HTTP 410)", failures=3, needs_attention=True
    )
    return IngestResult(started=datetime(2027, 1, 4, 8, 0, tzinfo=UTC), sources=[gone])


def test_ingest_summary_and_report_speak_dutch_and_english() -> None:
    result = _ingest_result()
    with language("nl"):
        assert summary_line(result) == ("1 bron: 0 nieuwe concepten, 1 mislukt, 1 vraagt aandacht")
        report = render_report(result)
        note = prepare(b'<!DOCTYPE rss [<!ENTITY a "x">]><rss/>')[1]
    assert report.startswith("# Feeds ophalen 2027-01-04 09:00\n")
    assert "## Vraagt aandacht" in report and "| ggd | bestaat niet meer (410) | 0 | 0 |" in report
    assert note == [
        (
            "de DOCTYPE weggehaald (een feed heeft die niet nodig en er kunnen trucs met "
            "entiteiten in zitten)"
        )
    ]
    with language("en"):
        assert summary_line(result) == "1 source: 0 new drafts, 1 failing, 1 needs attention"
        assert "| ggd | gone (410) | 0 | 0 |" in render_report(result)


# --- link check -----------------------------------------------------------------------------


def test_a_refused_address_is_explained_in_the_persons_language() -> None:
    with language("nl"), pytest.raises(RefusedAddress) as dutch:
        check_addresses("intranet.example", ["10.1.2.3"], [])
    assert str(dutch.value) == (
        "geen verbinding gemaakt met intranet.example (10.1.2.3): het is een privéadres (een "
        "intern netwerk)"
    )
    assert dutch.value.reason == "private"  # the reason for machines stays as it was
    with language("nl"), pytest.raises(RefusedAddress) as mapped:
        check_addresses("::ffff:127.0.0.1", ["::ffff:127.0.0.1"], [])
    assert str(mapped.value).endswith(
        "het is een adres van deze computer zelf (loopback), geschreven als IPv6-adres"
    )
    with language("en"), pytest.raises(RefusedAddress) as english:
        check_addresses("10.1.2.3", ["10.1.2.3"], [])
    assert str(english.value) == (
        "refused to connect to 10.1.2.3: it is a private address (an internal network)"
    )


def _link_report() -> LinkReport:
    broken = Result("https://ggd.example/oud", Verdict.BROKEN, 404, detail="page not found (404)")
    fine = Result("https://ggd.example/", Verdict.OK, 200)
    return LinkReport(results=[broken, fine], from_cache=1, requests_sent=1)


def test_link_summary_and_report_speak_dutch_and_english() -> None:
    with language("nl"):
        summary = _link_report().summary()
        html = to_html(_link_report())
    assert summary == "2 links: 1 in orde, 1 kapot (1 uit de cache, 1 aanvraag)"
    assert '<html lang="nl">' in html and "<h1>Linkcontrole</h1>" in html
    assert "<th>Oordeel</th>" in html and '<td class="broken">kapot</td>' in html
    with language("en"):
        assert _link_report().summary() == "2 links: 1 ok, 1 broken (1 from cache, 1 request)"
        assert '<td class="broken">broken</td>' in to_html(_link_report())


# --- preview, partner list, newsletter delivery ---------------------------------------------

DRAFT = """---
id: nieuwe-tip
lang: nl
title: Samen buiten zijn
theme: bewegen
audiences: [ouders-jonge-kinderen]
screen:
  headline: Samen naar buiten
  text: Even buiten spelen geeft rust in je hoofd.
valid_from: 2027-01-20
status: draft
---
Ga elke dag even naar buiten met je kind.
"""


def test_preview_notes_speak_dutch_and_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = Path(shutil.copytree(FIXTURES / "screens" / "content", tmp_path / "content"))
    draft = content / "inbox" / "bron" / "nieuwe-tip.nl.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(DRAFT, encoding="utf-8")
    args = ["preview", str(draft), "--content", str(content), "--out", str(tmp_path / "out")]
    main([*args, "--date", "2027-01-12", "--lang", "nl"])
    dutch = capsys.readouterr().out
    main([*args, "--date", "2027-01-12", "--lang", "en"])
    english = capsys.readouterr().out
    assert (
        "let op: status: concept; het wordt pas gepubliceerd als iemand het heeft nagekeken "
        "(./veerkracht review content/inbox/bron/nieuwe-tip.nl.md --by NAAM)"
    ) in dutch
    assert "let op: te zien vanaf 2027-01-20, niet eerder" in dutch
    assert "note: shown from 2027-01-20, not before" in english


def test_partner_list_findings_speak_dutch_and_english(tmp_path: Path) -> None:
    csv_file = tmp_path / "partners.csv"
    csv_file.write_text(
        "organisation,kind,email,audiences\n"
        "Zwembad De Golf,zwembad,golf@example.org,ouders-jonge-kinderen\n"
        "School Oost,school,geen-adres,ouders-schoolkinderen\n",
        "utf-8",
    )
    with language("nl"):
        _, dutch = load_partners(csv_file)
    with language("en"):
        _, english = load_partners(csv_file)
    assert [f.code for f in dutch] == [f.code for f in english] == ["N604", "N602", "N607"]
    assert dutch[0].message == (
        "kolom 'kind' heeft een verkeerde waarde ('zwembad'): moet een van deze zijn: "
        "kinderopvang, school; rij overgeslagen"
    )
    assert dutch[1].message == "'geen-adres' is niet één geldig e-mailadres; rij overgeslagen"
    assert english[0].message == (
        "column 'kind' has a bad value ('zwembad'): must be one of: kinderopvang, school; "
        "row skipped"
    )
    assert "Input should" not in english[0].message  # never pydantic's words


def test_smtp_and_header_errors_speak_dutch_and_english(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, smtp_host="127.0.0.1", smtp_port=closed_port())
    with language("nl"), pytest.raises(ServerUnreachable) as dutch:
        SmtpTransport(settings, timeout=2).open()
    assert str(dutch.value).startswith(f"de SMTP-server 127.0.0.1:{settings.smtp_port} is niet ")
    assert str(dutch.value).endswith(
        "kijk of VEERKRACHT_SMTP_HOST, VEERKRACHT_SMTP_PORT en VEERKRACHT_SMTP_SECURITY kloppen"
    )
    with language("nl"), pytest.raises(HeaderInjection) as header:
        check_header(N_("organisation name"), "GGD\nBcc: iedereen@example.org")
    assert str(header.value).startswith("de naam van de organisatie bevat een regeleinde (")
    with language("en"), pytest.raises(HeaderInjection, match="organisation name contains a"):
        check_header(N_("organisation name"), "GGD\nBcc: iedereen@example.org")


# --- state database, public routes, serve -----------------------------------------------------


def test_state_database_errors_speak_dutch_and_english() -> None:
    with language("nl"), pytest.raises(SettingsError) as dutch:
        engine_url("state.db")
    assert str(dutch.value) == (
        "VEERKRACHT_STATE_URL='<geen databaseadres>' is geen databaseadres; schrijf het zoals "
        "sqlite:////pad/state.db of postgresql+psycopg://gebruiker@host:5432/veerkracht"
    )
    with language("en"), pytest.raises(SettingsError, match="must be SQLite or PostgreSQL"):
        engine_url("mysql://u@db/vk")


def test_a_route_clash_speaks_dutch_and_english(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with language("nl"), pytest.raises(SettingsError) as dutch:
        collect_routes(settings, [NEWSLETTER, NEWSLETTER])
    assert str(dutch.value) == (
        "het openbare adres /afmelden wordt gebruikt door het kanaal newsletter en ook door het "
        "kanaal newsletter; een van beide moet een ander adres gebruiken"
    )
    with language("en"), pytest.raises(SettingsError, match="is used by both the newsletter"):
        collect_routes(settings, [NEWSLETTER, NEWSLETTER])


def test_serve_says_not_found_in_the_persons_language(tmp_path: Path) -> None:
    with serving(make_server(tmp_path, port=0)) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/bestaat-niet.html"
        with language("nl"):
            dutch = httpx.get(url)
        with language("en"):
            english = httpx.get(url)
    assert dutch.status_code == english.status_code == 404
    assert '<html lang="nl">' in dutch.text and "<h1>Fout 404</h1>" in dutch.text
    assert "Dit bestand bestaat niet, of het is niet openbaar." in dutch.text
    assert "<h1>Error 404</h1>" in english.text and "is not public" in english.text


# --- campaign cadence, message dates ------------------------------------------------------------


def test_an_unreadable_cadence_speaks_dutch_and_english() -> None:
    with language("nl"), pytest.raises(CadenceError) as dutch:
        parse_cadence("wekelijks op zondaag")
    assert str(dutch.value) == (
        "ritme 'wekelijks op zondaag': 'zondaag' is geen dag van de week; schrijf bijvoorbeeld "
        "'wekelijks op maandag' of 'weekly on monday'"
    )
    with language("en"), pytest.raises(CadenceError, match="is not a day of the week"):
        parse_cadence("wekelijks op zondaag")


def test_dates_out_of_order_are_s115_in_each_language(tmp_path: Path) -> None:
    path = tmp_path / "messages" / "bewegen" / "nieuwe-tip.nl.md"
    path.parent.mkdir(parents=True)
    path.write_text(DRAFT.replace("status: draft", "valid_until: 2027-01-10\nstatus: draft"))
    for lang, text in (
        ("nl", "valid_until ligt voor valid_from"),
        ("en", "valid_until is before valid_from"),
    ):
        log = LoadLog(tmp_path)
        with language(lang):
            assert load_message(path, log) is None
        assert [(f.code, f.message.split(";")[0]) for f in log.findings] == [("S115", text)]
