"""Short links: a stable short code per resource URL, `<public base>/r/<code>`.

A code is five characters of Crockford base32 (lower case, no i, l, o or u, so it is typed
without doubt) of a SHA-256 of the URL: the same URL gets the same code on every machine and
run, with nothing to look up. 32^5 codes leave a library of a few hundred URLs a chance of
about 1 in 500 that two share one; `collisions` finds them over a whole library (a test runs
it over `content/`), and `reach.register` refuses to point a code that is taken elsewhere.

What a QR code carries may name where it was scanned: a tag after `?<channel key>=` (`s` a
screen, `n` a newsletter edition, `f` a feed, `p` a poster week). A tag is four characters of
a hash of (channel, target), never the target itself, so it fits the 30 characters after the
host (`/r/k3x9q?s=a7fq` is 15) whatever a screen is called; the public endpoint maps it back
through the tags channels registered (`channels.shared.reach`), and counts an unknown one as
"overig". A query, not a path segment: a plain web server serving out/ finds
`out/r/<code>/index.html` for `/r/<code>?s=a7fq` too, so the static redirect pages work for
every tagged link.

The static redirect pages (`redirect_page`, `write_redirects`) are the public output: a meta
refresh, `<link rel=canonical>` and a visible Dutch link, from any web server.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from channels.shared.files import write_changed
from channels.shared.qr import short_address

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
CODE_LENGTH = 5
TAG_LENGTH = 4
MAX_AFTER_HOST = 30  # characters of path and query after the host
PREFIX = "r"  # out/r/<code>/ and /r/<code>
# The query key each channel tags its links with; anything else is "overig".
CHANNEL_KEYS = {"screens": "s", "newsletter": "n", "feeds": "f", "posters": "p"}
OTHER = "overig"


def _base32(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        out.append(ALPHABET[digit])
    return "".join(out)


@lru_cache(maxsize=65536)
def short_code(url: str) -> str:
    """The short code of `url`: five characters, the same for the same URL everywhere."""
    return _base32(hashlib.sha256(b"veerkracht-link\0" + url.encode("utf-8")).digest(), CODE_LENGTH)


@lru_cache(maxsize=65536)
def tag_for(channel: str, target: str) -> str:
    """The tag naming one target of one channel (a screen id, an edition) in a link."""
    digest = hashlib.sha256(f"veerkracht-tag\0{channel}\0{target}".encode()).digest()
    return _base32(digest, TAG_LENGTH)


def is_code(text: str) -> bool:
    """True when `text` has the form of a short code (checked before any lookup)."""
    return len(text) == CODE_LENGTH and all(c in ALPHABET for c in text)


def is_tag(text: str) -> bool:
    """True when `text` has the form of a tag."""
    return len(text) == TAG_LENGTH and all(c in ALPHABET for c in text)


def collisions(urls: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Codes shared by more than one of `urls` (code -> the URLs, sorted); empty when none."""
    by_code: dict[str, set[str]] = defaultdict(set)
    for url in urls:
        by_code[short_code(url)].add(url)
    return {c: tuple(sorted(us)) for c, us in sorted(by_code.items()) if len(us) > 1}


def linkable(url: str) -> bool:
    """True for an http(s) URL with a host: only those get a short link."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def short_url(base_url: str, url: str, channel: str = "", target: str = "") -> str:
    """`<base>/r/<code>`, tagged with `?<key>=<tag>` when a channel and target are given.

    The tag is left off when it would take the path and query over `MAX_AFTER_HOST`
    characters (a long base path): the scan is then counted as "overig".
    """
    base = base_url.rstrip("/")
    path = f"/{PREFIX}/{short_code(url)}"
    key = CHANNEL_KEYS.get(channel)
    if key and target:
        query = f"?{key}={tag_for(channel, target)}"
        if len(urlsplit(base).path + path + query) <= MAX_AFTER_HOST:
            return base + path + query
    return base + path


def printed_address(base_url: str, url: str) -> str:
    """What a screen or poster prints under the QR code: host and `/r/<code>`, to type."""
    return short_address(short_url(base_url, url))


def redirect_page(url: str) -> bytes:
    """The static page of one short link: refresh, canonical link and a visible Dutch link."""
    href = html.escape(url, quote=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<link rel="canonical" href="{href}">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        "<title>Doorsturen</title>\n</head>\n"
        "<body>\n<main>\n<h1>U wordt doorgestuurd</h1>\n"
        f'<p>Gebeurt er niets? Ga dan naar <a href="{href}">{html.escape(url)}</a>.</p>\n'
        "</main>\n</body>\n</html>\n"
    ).encode()


def redirect_files(urls: Iterable[str]) -> dict[str, bytes]:
    """`r/<code>/index.html` for each linkable URL (relative to out/)."""
    return {
        f"{PREFIX}/{short_code(u)}/index.html": redirect_page(u)
        for u in sorted(set(urls))
        if linkable(u)
    }


def write_redirects(out_dir: Path, urls: Iterable[str]) -> list[str]:
    """Write the static redirect pages of `urls` under `out_dir`; the paths written (an
    unchanged page is left alone, each one renamed into place whole)."""
    return write_changed(out_dir, redirect_files(urls))


def links_of(urls: Iterable[str]) -> Mapping[str, str]:
    """code -> URL for the linkable `urls`."""
    return {short_code(u): u for u in sorted(set(urls)) if linkable(u)}
