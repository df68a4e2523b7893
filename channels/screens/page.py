"""The screen page: one self-contained HTML file with its CSS, script, visuals and playlist inline.

Nothing is fetched from another origin; the Content-Security-Policy allows exactly the inline
script and style by hash, images from this origin or data: URLs, fetches to this origin, and a
service worker from this origin: `sw.js` beside the page (`service_worker`), which keeps the page
and its last good playlist for a reload or reboot with no network.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Template

from channels.screens.playlist import to_script_json
from channels.shared.themes import PALETTES, theme_css
from flows.infra.templates import environment

REFRESH_SECONDS = 300  # how often a screen fetches playlist.json again
REST_SECONDS = 30  # how often the resting slide checks whether it may show slides again

REST_TEXT: dict[str, tuple[str, str]] = {
    "nl": ("Fijn dat je er bent", "Hier komen zo weer tips voor jou en je kind."),
    "en": ("Good to see you", "Tips for you and your child will be back here soon."),
}

_ENV = environment(keep_trailing_newline=True)


@cache
def asset(name: str) -> str:
    """A file shipped beside this module (CSS, script, visuals)."""
    return resources.files("channels.screens").joinpath(name).read_text(encoding="utf-8")


def csp_hash(source: str) -> str:
    """The CSP source expression ('sha256-...') allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@cache
def _template() -> Template:
    return _ENV.from_string(asset("page.html"))


@cache
def _static() -> tuple[str, str, str, str]:
    css = asset("screen.css").strip() + theme_css()
    js = asset("screen.js").strip()
    visuals = "".join(line.strip() for line in asset("visuals.svg").splitlines())
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {csp_hash(js)}",
            f"style-src {csp_hash(css)}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return css, js, visuals, csp


WAIT_LINE = re.compile(r"^var WAIT_MS = \d+;", re.MULTILINE)


def service_worker(wait_seconds: int = 8) -> str:
    """The service worker written as `sw.js` in each screen's folder: the same for every screen
    but for how long it waits for the network (the screen's `offline_wait_seconds`)."""
    script, found = WAIT_LINE.subn(f"var WAIT_MS = {wait_seconds * 1000};", asset("sw.js"))
    if found != 1:  # sw.js was edited without keeping its WAIT_MS line
        raise RuntimeError("channels/screens/sw.js has no single 'var WAIT_MS = <ms>;' line")
    return script


def content_security_policy() -> str:
    """The page's CSP (the same for every screen: the script and style never change per screen)."""
    return _static()[3]


def page_fingerprint() -> str:
    """A short hash of the page code (template, style, script, visuals): part of each version."""
    css, js, visuals, _ = _static()
    source = "\0".join((asset("page.html"), css, js, visuals, service_worker()))
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def render_page(
    playlist: dict[str, Any], playlist_json: str, refresh_seconds: int = REFRESH_SECONDS
) -> str:
    """The HTML of one screen page with `playlist` (and its JSON text) embedded."""
    css, js, visuals, csp = _static()
    screen = playlist["screen"]
    lang = screen["language"] if screen["language"] in REST_TEXT else "nl"
    headline, text = REST_TEXT[lang]
    return _template().render(
        lang=lang,
        csp=csp,
        title=f"{screen['location']} – {playlist['campaign']}"
        if playlist["campaign"]
        else screen["location"],
        css=css,
        js=js,
        visuals=visuals,
        refresh=refresh_seconds,
        rest=REST_SECONDS,
        themes=" ".join(PALETTES),
        orientation=screen["orientation"],
        location=screen["location"],
        rest_headline=headline,
        rest_text=text,
        playlist_json=to_script_json(playlist_json),
    )
