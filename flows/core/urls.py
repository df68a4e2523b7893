"""The URL acceptance rule: which addresses this tool accepts, in content, feeds and redirects.

An address is accepted (`url_problem` returns None) when all of these hold:

- at most `MAX_LENGTH` characters (longer ones are refused by many servers and mail programs);
- no whitespace, control or invisible formatting character anywhere (zero-width space, bidi
  override, U+2028): the address people see must be the address that is used. Callers that
  tolerate blanks around an address strip it first, on purpose;
- no backslash: browsers read it as "/", Python's parser does not, so the two would disagree on
  the site (https://good.example\\@evil.example);
- scheme http or https, in any case;
- a site name: dot-separated labels of letters, digits and hyphens (an IDN name counts in its
  xn-- form), a dotted-quad IPv4 address or a bracketed IPv6 address without a zone; numbers in
  disguise (2130706433, 0x7f000001, 127.1, 256.1.1.1) are refused;
- no user name or password (https://user:pass@host leaks them, https://good.example@evil.example
  misleads the reader);
- a port, when given, from 1 to 65535.

Characters that browsers percent-encode themselves (non-ASCII, `<`, `>`, `"`) are accepted in the
path and query: every output escapes them.

Whether a site may be *reached* (loopback, private, link-local...) is decided when connecting,
by `flows.infra.netsafety`, which reads address literals with `ip_literal` from here.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

from flows.core.i18n import N_
from flows.core.phrase import Phrase

MAX_LENGTH = 2048
WEB_SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NUMERIC = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_MAILTO = re.compile(r"^mailto:[^@\s/]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", re.IGNORECASE)
_ASCII_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
_INVISIBLE = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))
_INVALID = N_("is not a valid web address; check it for typing errors")


def has_web_scheme(url: str) -> bool:
    """True when `url` (stripped) starts with http: or https:, however the rest looks."""
    try:
        return urlsplit(url.strip()).scheme.lower() in WEB_SCHEMES
    except ValueError:
        return False


def is_mailto(url: str) -> bool:
    """True for a plain `mailto:name@domain.tld` (no parameters, nothing that is not an address)."""
    return _MAILTO.match(url) is not None


def ip_literal(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal ("[::1]", "10.0.0.1", "fe80::1%eth0"), else None.

    A zone ("%eth0") does not change what kind of address it is, so it is ignored here.
    """
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _has_invisible(url: str) -> bool:
    if url.isascii():
        return _ASCII_INVISIBLE.search(url) is not None
    return any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in url)


def _no_scheme(url: str) -> Phrase:
    site = url.split("/", 1)[0].split(":", 1)[0]
    if url.lower().startswith("www.") or "." in site:
        return Phrase(N_("is not a full web address; start it with https://"))
    return Phrase(N_("is not a web address; write a full address starting with https://"))


def _host_ok(parts: SplitResult) -> bool:
    """True when the site name is a DNS name, a dotted-quad IPv4 or a bracketed IPv6 address."""
    host = parts.hostname or ""
    if parts.netloc.startswith("["):
        ip = ip_literal(host) if "%" not in host else None
        return isinstance(ip, ipaddress.IPv6Address)
    try:
        name = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    name = name.removesuffix(".")
    labels = name.split(".")
    if _NUMERIC.match(labels[-1]):
        # A name ending in a number is an IPv4 address to browsers; only the plain form is.
        return isinstance(ip_literal(name), ipaddress.IPv4Address)
    return len(name) <= 253 and all(_LABEL.match(label) for label in labels)


def url_problem(url: str, *, allow_mailto: bool = False) -> str | None:
    """Why `url` may not be used ("link 'x' <reason>"), or None when it is accepted.

    `allow_mailto` also accepts a plain mailto: address (links in a message body).
    """
    problem = url_problem_phrase(url, allow_mailto=allow_mailto)
    return None if problem is None else problem.render()


def url_problem_phrase(url: str, *, allow_mailto: bool = False) -> Phrase | None:
    """`url_problem` as a Phrase, translated when it is shown (for verdicts that are stored)."""
    if len(url) > MAX_LENGTH:
        return Phrase.of(
            N_("is longer than {n} characters; link to a shorter address for the page"),
            n=MAX_LENGTH,
        )
    if allow_mailto and is_mailto(url):
        return None
    if _has_invisible(url):
        return Phrase(
            N_("contains spaces or invisible characters; remove them (a space is written %20)")
        )
    if "\\" in url:
        return Phrase(N_("contains a backslash (\\); web addresses use / instead"))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return Phrase(_INVALID)
    scheme = parts.scheme.lower()
    if not scheme or "." in scheme:  # "example.org:8080/x" names a site, not a scheme
        return _no_scheme(url)
    if scheme not in WEB_SCHEMES:
        return Phrase.of(
            N_("uses '{scheme}:', which is not allowed (only https:// or http://)"),
            scheme=scheme[:20],
        )
    if not parts.netloc or not parts.hostname:
        return Phrase.of(N_("has no site name after {scheme}://"), scheme=scheme)
    if "@" in parts.netloc:
        return Phrase(N_("contains a user name or password before '@'; leave them out"))
    if not _host_ok(parts):
        return Phrase.of(
            N_("has an invalid site name after {scheme}://; check it for typing errors"),
            scheme=scheme,
        )
    if port == 0:
        return Phrase(_INVALID)
    return None


def is_web_url(url: str) -> bool:
    """True when `url` is an accepted http(s) address (`url_problem` has nothing against it)."""
    return url_problem_phrase(url) is None
