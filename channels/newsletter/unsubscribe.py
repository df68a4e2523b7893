"""Unsubscribing: a tiny WSGI app behind `<public_base_url>/afmelden?t=TOKEN`.

GET only shows a Dutch confirmation page with a button: mail scanners and link previews open
links by themselves, so a GET must never unsubscribe anyone. POST with a valid token records
the unsubscribe, both from that button and from a mail client's RFC 8058 one-click request
(body `List-Unsubscribe=One-Click`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flows.core.settings import Settings
from flows.infra.state import open_state

from . import ledger
from .tokens import token_matches

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_BODY = 4096

_PAGE = """<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font-family:Arial,Helvetica,sans-serif;max-width:36rem;margin:2rem auto;
padding:0 1rem;color:#1f2933;background:#ffffff;line-height:1.5}}h1{{color:#0b4f6c}}
button{{font-size:1rem;padding:.6rem 1.2rem;color:#ffffff;background:#0b4f6c;border:0;
border-radius:4px;cursor:pointer}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>
"""


def _page(title: str, body: str) -> bytes:
    return _PAGE.format(title=html.escape(title), body=body).encode("utf-8")


def confirm_page(token: str, organisation: str) -> bytes:
    """The GET page: explains, and offers a button that POSTs. Records nothing."""
    t = html.escape(token, quote=True)
    return _page(
        "Afmelden voor de nieuwsbrief",
        f"<p>Wilt u de nieuwsbrief van {html.escape(organisation)} niet meer ontvangen? "
        "Klik dan op de knop. U kunt zich later altijd weer aanmelden via uw contactpersoon "
        "bij de JGZ.</p>"
        f'<form method="post" action="?t={t}"><input type="hidden" name="t" value="{t}">'
        '<button type="submit" name="bevestig" value="ja">Ja, meld mij af</button></form>',
    )


def make_app(settings: Settings) -> WSGIApp:
    """The unsubscribe WSGI app for these settings (state database and secret)."""
    secret = settings.unsubscribe_secret.get_secret_value()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", ""))
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        token = (query.get("t") or [""])[0]

        def reply(
            status: str, body: bytes, extra: list[tuple[str, str]] | None = None
        ) -> list[bytes]:
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                *(extra or []),
            ]
            start_response(status, headers)
            return [body]

        if not path.rstrip("/").endswith("/afmelden"):
            return reply(
                "404 Not Found", _page("Niet gevonden", "<p>Deze pagina bestaat niet.</p>")
            )
        if method in ("GET", "HEAD"):
            return reply("200 OK", confirm_page(token, settings.organisation))
        if method != "POST":
            return reply(
                "405 Method Not Allowed", _page("Niet toegestaan", ""), [("Allow", "GET, POST")]
            )
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        form = parse_qs(raw.decode("utf-8", "replace"))
        token = token or (form.get("t") or [""])[0]
        one_click = form.get("List-Unsubscribe") == ["One-Click"]
        confirmed = form.get("bevestig") == ["ja"]
        if not (one_click or confirmed):
            return reply("400 Bad Request", confirm_page(token, settings.organisation))
        engine = open_state(settings.resolved_state_url())
        address = ledger.address_for_token(engine, token) if token else None
        if address is None or not token_matches(secret, address, token):
            return reply(
                "400 Bad Request",
                _page(
                    "Deze afmeldlink werkt niet",
                    "<p>Deze link is niet (meer) geldig. Neem contact op met "
                    f"{html.escape(settings.contact_email)} om u af te melden.</p>",
                ),
            )
        ledger.record_unsubscribe(engine, address, "one-click" if one_click else "form")
        return reply(
            "200 OK",
            _page(
                "U bent afgemeld",
                "<p>U ontvangt deze nieuwsbrief niet meer. Bedankt voor het samenwerken.</p>",
            ),
        )

    return app
