"""QR codes as small inline SVG, each unique URL encoded once per process, and once per machine
when a cache folder is set.

Screens tag their QR codes with the screen (reach is counted per screen), so every screen has
codes of its own: 1,000 screens of 60 slides are 60,000 codes, at several milliseconds each.
They are the same from one day to the next, so `use_cache(folder)` keeps each code's SVG in a
file named by a hash of what it depends on (the URL, the colours, segno's version); a
publish the next day reads them instead of making them again.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno
from segno import consts

from channels.shared.themes import QR_DARK, QR_LIGHT

_cache: list[Path] = []  # the folder of use_cache, when one is set


def use_cache(folder: Path | None) -> None:
    """Keep made codes in `folder` (created 0700 when needed), or in memory only (None)."""
    _cache[:] = [folder] if folder is not None else []


def _cached_path(url: str) -> Path | None:
    if not _cache:
        return None
    key = f"{segno.__version__}\0{QR_DARK}\0{QR_LIGHT}\0{url}".encode()
    return _cache[0] / f"{hashlib.sha256(key).hexdigest()[:40]}.svg"


@lru_cache(maxsize=65536)
def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG document (black on white, four-module quiet zone).

    Error correction M: still scans when a screen has glare or a scratch. A short link
    (`channels.shared.shortlinks`) stays at version 3 (29 modules): see `make_code`.
    """
    path = _cached_path(url)
    if path is not None:
        try:
            kept = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            kept = ""
        if kept.startswith("<svg ") and kept.endswith("</svg>"):
            return kept
    svg = _make_svg(url)
    if path is not None:
        _keep(path, svg)
    return svg


def _keep(path: Path, svg: str) -> None:
    # A cache: a folder that cannot be written only means making the code again next time. The
    # file appears whole (rename) so two workers sharing the folder never read half a code.
    # Not flows.infra.outputs.write_atomic: it fsyncs and sweeps the folder for stale
    # temporaries on every write, and this folder holds one file per code (60,000 and more).
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(svg, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


def _make_svg(url: str) -> str:
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
