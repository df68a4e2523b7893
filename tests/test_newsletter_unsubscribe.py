"""Unsubscribe endpoint over real HTTP on 127.0.0.1: GET never unsubscribes, POST does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest

from channels.newsletter import ledger
from channels.newsletter.render import render_edition
from channels.newsletter.send import deliver_edition
from channels.newsletter.tokens import make_token
from channels.newsletter.unsubscribe import make_app
from flows.core.settings import Settings
from flows.infra.state import open_state
from tests.serving import serving
from tests.test_newsletter_support import context, edition, settings_for

ADDRESS = "Ann@Example.org"


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log in test output."""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The unsubscribe app on a free port, after one edition went out to ADDRESS."""
    s = settings_for(tmp_path)
    deliver_edition(render_edition(edition(((ADDRESS, "Opvang Ann"),), target="u1"), s), context(s))
    server: WSGIServer = make_server("127.0.0.1", 0, make_app(s), handler_class=Quiet)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_port}/afmelden", s


def gone(s: Settings) -> set[str]:
    return ledger.unsubscribed(open_state(s.resolved_state_url()))


def test_get_shows_a_dutch_confirmation_and_never_unsubscribes(
    site: tuple[str, Settings],
) -> None:
    url, s = site
    token = make_token(s.unsubscribe_secret.get_secret_value(), ADDRESS)
    page = httpx.get(url, params={"t": token})
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert re.search(r'<form method="post"', page.text) and "Ja, meld mij af" in page.text
    # Link scanners sometimes add parameters or use HEAD: still nothing happens.
    httpx.get(url, params={"t": token, "List-Unsubscribe": "One-Click", "bevestig": "ja"})
    httpx.head(url, params={"t": token})
    assert gone(s) == set()


def test_one_click_post_unsubscribes_and_the_next_edition_skips(
    site: tuple[str, Settings],
    tmp_path: Path,
) -> None:
    url, s = site
    token = make_token(s.unsubscribe_secret.get_secret_value(), ADDRESS)
    reply = httpx.post(
        url,
        params={"t": token},
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status_code == 200 and "U bent afgemeld" in reply.text
    assert gone(s) == {ADDRESS.casefold()}
    report = deliver_edition(
        render_edition(edition(((ADDRESS.upper(), "Ann"),), target="u2"), s), context(s)
    )
    assert report.delivered == 0 and report.skipped == 1


def test_the_confirmation_button_unsubscribes(site: tuple[str, Settings]) -> None:
    url, s = site
    token = make_token(s.unsubscribe_secret.get_secret_value(), ADDRESS)
    page = httpx.get(url, params={"t": token})
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    reply = httpx.post(url + action.group(1).replace("&amp;", "&"), data={"bevestig": "ja"})
    assert reply.status_code == 200 and gone(s) == {ADDRESS.casefold()}


@pytest.mark.parametrize("token", ["", "bogus-token", "x" * 24])
def test_bad_tokens_and_forged_tokens_do_nothing(site: tuple[str, Settings], token: str) -> None:
    url, s = site
    forged = make_token("another secret", ADDRESS)
    for t in (token, forged):
        reply = httpx.post(
            url,
            params={"t": t},
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status_code == 400
    assert gone(s) == set()


def test_post_without_confirmation_does_nothing(site: tuple[str, Settings]) -> None:
    url, s = site
    token = make_token(s.unsubscribe_secret.get_secret_value(), ADDRESS)
    reply = httpx.post(url, params={"t": token}, content=b"")
    assert reply.status_code == 400 and gone(s) == set()
