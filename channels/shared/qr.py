"""QR codes as small inline SVG, each unique URL encoded once per process."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import segno
from segno import consts

from channels.shared.themes import QR_DARK, QR_LIGHT


@lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG document (black on white, four-module quiet zone).

    Error correction M: still scans when a screen has glare or a scratch. A short link
    (`channels.shared.shortlinks`) stays at version 3 (29 modules): see `make_code`.
    """
    code = make_code(url)
    buffer = io.BytesIO()
    # A standalone document (with its namespace): the page shows it as an image.
    code.save(
        buffer,
        kind="svg",
        scale=1,
        border=4,
        dark=QR_DARK,
        light=QR_LIGHT,
        xmldecl=False,
        svgns=True,
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    svg = buffer.getvalue().decode("utf-8")
    # A viewBox lets the image scale to any size; crisp edges keep modules sharp for scanners.
    size = code.symbol_size(scale=1, border=4)[0]
    return svg.replace(
        "<svg ", f'<svg viewBox="0 0 {size} {size}" shape-rendering="crispEdges" ', 1
    )


SMALL = 3  # the version (29 modules) a short link must fit to scan from the chairs at 3 m
# Scheme and host, which RFC 3986 makes case-insensitive, in the characters of QR's
# alphanumeric mode once upper-cased (0-9 A-Z space $%*+-./:).
_ORIGIN = re.compile(r"(?P<origin>https?://[A-Za-z0-9.-]+(:[0-9]+)?/)(?P<rest>.*)", re.DOTALL)


def make_code(url: str) -> segno.QRCode:
    """The smallest QR code of `url` at error correction M.

    Scheme and host may go upper case in alphanumeric mode (5.5 bits a character instead of
    8) with the rest of the URL as bytes: `https://veerkracht.example.org/r/k3x9q?s=a7fq` then
    fits version 3 (29 modules) instead of 4. Phones open such a URL as usual; the split is
    used only when it brings a code down to version 3 or below (`SMALL`), so a long URL that
    stays bigger anyway is encoded as written.
    """
    match = _ORIGIN.fullmatch(url)
    if not match or not match.group("rest"):
        return segno.make(url, error="m", micro=False)
    segments: list[Any] = [
        (match.group("origin").upper(), consts.MODE_ALPHANUMERIC),
        (match.group("rest"), consts.MODE_BYTE),
    ]
    # Which encoding wins is a matter of version only: probe both with a fixed mask (choosing
    # the best of eight masks is most of the work of a code), then make the winner properly.
    plain = segno.make(url, error="m", micro=False, mask=0)
    mixed = segno.make(segments, error="m", micro=False, mask=0)  # type: ignore[arg-type]
    small = mixed.version <= SMALL < plain.version  # type: ignore[operator]
    return segno.make(segments if small else url, error="m", micro=False)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def short_address(url: str) -> str:
    """The address people can type: host and path without scheme or trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    text = host + parts.path.rstrip("/")
    if parts.query:
        text += "?" + parts.query
    return text or url
