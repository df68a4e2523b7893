"""A verdict's detail is stored without a language and shown in the language of the run that
shows it: a link checked in a Dutch run reads English in an English run, and the other way round.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli import main
from flows.core.i18n import N_, language
from flows.core.phrase import Phrase, dumps, loads
from flows.core.settings import Settings, load_settings
from flows.infra.state import open_state
from flows.library.loader import load_library
from flows.linkcheck import cache
from flows.linkcheck.check import Options, Result, Verdict, check_urls
from flows.linkcheck.hold import held_by_links
from flows.linkcheck.report import table, to_html, to_json
from flows.linkcheck.run import run_link_check
from tests.fixtures.links.httpserver import ServerThread, serving
from tests.test_links_run import make_content

FAST = Options(total_timeout=2.0, connect_timeout=1.0, backoff=0.05, retry_after_cap=2.0)
NOT_FOUND = {"nl": "pagina niet gevonden (404)", "en": "page not found (404)"}
MOVED = {"nl": "voorgoed verhuisd; gebruik", "en": "moved permanently; use"}
OTHER = {"nl": "en", "en": "nl"}


@pytest.fixture
def servers() -> Iterator[ServerThread]:
    with serving(count=2) as st:
        yield st


@pytest.fixture
def setup(tmp_path: Path, servers: ServerThread) -> tuple[Path, Settings]:
    content = make_content(tmp_path / "content", servers.servers[0].base, servers.servers[1].base)
    settings = load_settings(content_dir=content, out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    return content, settings


@pytest.mark.parametrize("checked_in", ["nl", "en"])
def test_a_cached_detail_is_shown_in_the_language_of_the_run_that_shows_it(
    setup: tuple[Path, Settings], servers: ServerThread, checked_in: str
) -> None:
    content, settings = setup
    shown_in = OTHER[checked_in]
    library = load_library(content)
    gone = servers.servers[0].base + "/notfound/weg"
    with language(checked_in):
        first = run_link_check(library, settings, options=FAST)
    assert first.requests_sent > 0
    assert any(NOT_FOUND[checked_in] in f.message for f in first.findings)

    with language(shown_in):
        again = run_link_check(library, settings, options=FAST)
        held = held_by_links(library, settings)
        html = to_html(again)
        rows = {row["url"]: row for row in json.loads(to_json(again))}
        artifact = table(again)
    assert again.requests_sent == 0 and again.from_cache == len(again.results)
    broken = [f.message for f in again.findings if f.code == "L401"]
    assert broken and all(NOT_FOUND[checked_in] not in m for m in broken)
    assert any(NOT_FOUND[shown_in] in m for m in broken)
    assert NOT_FOUND[shown_in] in held[("avond", "nl")]
    assert NOT_FOUND[checked_in] not in held[("avond", "nl")]
    assert rows[gone]["detail"] == NOT_FOUND[shown_in]
    assert rows[servers.servers[0].base + "/moved/1/slaap"]["detail"].startswith(MOVED[shown_in])
    assert NOT_FOUND[shown_in] in html and NOT_FOUND[checked_in] not in html
    assert any(NOT_FOUND[shown_in] in row.values() for row in artifact)

    # The stored detail is the language-neutral form, not the words of either run.
    stored = cache.load(open_state(settings.resolved_state_url()), [gone])[gone].result.detail
    assert stored == Phrase(N_("page not found (404)"))


def test_the_command_line_shows_cached_details_in_its_language(
    setup: tuple[Path, Settings],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content, settings = setup
    monkeypatch.setenv("VEERKRACHT_NET_ALLOW", '["127.0.0.1"]')
    out = str(settings.out_dir)
    assert main(["links", str(content), "--out", out, "--lang", "nl"]) == 1
    assert NOT_FOUND["nl"] in capsys.readouterr().out
    assert main(["links", str(content), "--out", out, "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert NOT_FOUND["en"] in text and NOT_FOUND["nl"] not in text
    assert "4 from cache" in text


def test_nested_details_are_translated_all_the_way_down(tmp_path: Path) -> None:
    """A refused address: the refusal, the kind of address and the advice, each translated."""
    settings = load_settings(out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    url = "http://10.1.2.3/intern"
    with language("nl"):
        results, _sent = asyncio.run(check_urls([url], settings, FAST))
        dutch = str(results[url].detail)
    assert results[url].verdict is Verdict.REFUSED
    assert dutch == (
        "geen verbinding gemaakt met 10.1.2.3: het is een privéadres (een intern netwerk); "
        "gebruik een openbaar adres"
    )
    engine = open_state(settings.resolved_state_url())
    cache.save(engine, list(results.values()), {})
    with language("en"):
        english = str(cache.load(engine, [url])[url].result.detail)
    assert english == (
        "refused to connect to 10.1.2.3: it is a private address (an internal network); "
        "use a public address"
    )


def test_an_old_plain_text_detail_is_shown_as_it_is(
    setup: tuple[Path, Settings], servers: ServerThread
) -> None:
    """Rows stored by older versions hold the words of the run that checked them."""
    content, settings = setup
    engine = open_state(settings.resolved_state_url())
    gone = servers.servers[0].base + "/notfound/weg"
    old = Result(gone, Verdict.BROKEN, 404, gone, detail="pagina niet gevonden (404)")
    old.checked_at = time.time()
    cache.save(engine, [old], {})
    with open_state(settings.resolved_state_url()).connect() as conn:
        stored = conn.execute(cache.link_checks.select()).one()._mapping["detail"]
    assert stored == "pagina niet gevonden (404)"  # a plain string is stored as it is
    with language("en"):
        held = held_by_links(load_library(content), settings)
        loaded = cache.load(engine, [gone])[gone].result.detail
    assert loaded == "pagina niet gevonden (404)"
    assert "(pagina niet gevonden (404))" in held[("avond", "nl")]


def test_phrases_round_trip_and_other_texts_stay_as_they_are() -> None:
    inner = Phrase(N_("a private address (an internal network)"))
    phrase = Phrase.of(N_("{reason}; use a public address"), reason=inner)
    assert loads(dumps(phrase)) == phrase
    assert Phrase.of(N_("page not available ({status})"), status=451).args == (("status", "451"),)
    for text in ("", "plain words", "{not json", '{"msgid": 3, "args": {}}', "[1, 2]", '{"a": 1}'):
        assert loads(text) == text
        assert dumps(text) == text
    with language("nl"):
        assert f"[{phrase}]" == "[een privéadres (een intern netwerk); gebruik een openbaar adres]"
    # A stored msgid whose placeholders changed since is shown, not raised.
    odd = Phrase.of(N_("page not available ({status})"), code="451")
    with language("en"):
        assert str(odd) == "page not available ({status}) (451)"
