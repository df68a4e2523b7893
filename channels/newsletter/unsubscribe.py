"""Unsubscribing: the newsletter's public route `<public_base_url>/afmelden?t=TOKEN`.

GET only shows a Dutch confirmation page with a button: mail scanners and link previews open
links by themselves, so a GET must never unsubscribe anyone. POST with a valid token records
the unsubscribe, both from that button and from a mail client's RFC 8058 one-click request
(body `List-Unsubscribe=One-Click`).

The route is a Starlette route the channel offers (`NewsletterChannel.public_routes`); the
public endpoint (`flows.publishing.public_app`, `veerkracht public`) serves it under uvicorn
and limits what reaches it (body size and read time, headers, connections).
"""

from __future__ import annotations

import html
import sys
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from flows.core.errors import SettingsError
from flows.core.i18n import _
from flows.core.settings import Settings
from flows.infra.state import open_state

from . import ledger
from .tokens import token_matches

PATH = "/afmelden"

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


def page(title: str, body: str) -> bytes:
    """A Dutch page in the endpoint's plain style (`body` is trusted HTML)."""
    return _PAGE.format(title=html.escape(title), body=body).encode("utf-8")


def confirm_page(token: str, organisation: str) -> bytes:
    """The GET page: explains, and offers a button that POSTs. Records nothing."""
    t = html.escape(token, quote=True)
    return page(
        "Afmelden voor de nieuwsbrief",
        f"<p>Wilt u de nieuwsbrief van {html.escape(organisation)} niet meer ontvangen? "
        "Klik dan op de knop. U kunt zich later altijd weer aanmelden via uw contactpersoon "
        "bij de JGZ.</p>"
        f'<form method="post" action="?t={t}"><input type="hidden" name="t" value="{t}">'
        '<button type="submit" name="bevestig" value="ja">Ja, meld mij af</button></form>',
    )


def _reply(status: int, body: bytes) -> Response:
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def routes(settings: Settings) -> list[BaseRoute]:
    """The unsubscribe route for these settings (state database and secret).

    Refuses to start without a secret; warns (on stderr) while it is the example value.
    """
    from .send import DEFAULT_SECRET_NOTE, default_secret

    secret = settings.unsubscribe_secret.get_secret_value()
    if not secret.strip():
        raise SettingsError(
            _(
                "VEERKRACHT_UNSUBSCRIBE_SECRET is empty; set it to a long random value (and keep "
                "it) before starting"
            )
        )
    if default_secret(settings):
        print(_("warning: {note}").format(note=_(DEFAULT_SECRET_NOTE)), file=sys.stderr)

    def record(token: str, via: str) -> bool:
        """Look the token up and record the unsubscribe (blocking: run in a thread)."""
        engine = open_state(settings.resolved_state_url())
        address = ledger.address_for_token(engine, token) if token else None
        if address is None or not token_matches(secret, address, token):
            return False
        ledger.record_unsubscribe(engine, address, via)
        return True

    async def afmelden(request: Request) -> Response:
        token = request.query_params.get("t", "")
        if request.method in ("GET", "HEAD"):
            return _reply(200, confirm_page(token, settings.organisation))
        # The endpoint has already refused a body over its limit or too slow to arrive.
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = token or (form.get("t") or [""])[0]
        one_click = form.get("List-Unsubscribe") == ["One-Click"]
        confirmed = form.get("bevestig") == ["ja"]
        if not (one_click or confirmed):
            return _reply(400, confirm_page(token, settings.organisation))
        if not await run_in_threadpool(record, token, "one-click" if one_click else "form"):
            return _reply(
                400,
                page(
                    "Deze afmeldlink werkt niet",
                    "<p>Deze link is niet (meer) geldig. Neem contact op met "
                    f"{html.escape(settings.contact_email)} om u af te melden.</p>",
                ),
            )
        return _reply(
            200,
            page(
                "U bent afgemeld",
                "<p>U ontvangt deze nieuwsbrief niet meer. Bedankt voor het samenwerken.</p>",
            ),
        )

    methods = ["GET", "HEAD", "POST"]
    return [
        Route(PATH, afmelden, methods=methods, name="afmelden"),
        Route(PATH + "/", afmelden, methods=methods, name="afmelden-slash"),
    ]
