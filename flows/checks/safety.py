"""Things that must never reach an output: non-http(s) URLs (S120) and raw HTML (S121); and
images (S122), which no channel shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from flows.checks.context import Context
from flows.core.findings import Finding, Severity

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f]")
_MAILTO = re.compile(r"^mailto:[^@\s/]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", re.IGNORECASE)


def url_problem(url: str, allow_mailto: bool = False) -> str | None:
    """Why a URL may not be used, or None when it is a well-formed http(s) address."""
    if allow_mailto and _MAILTO.match(url):
        return None
    if _INVISIBLE.search(url):
        return "contains spaces or invisible characters"
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return "is not a valid web address"
    scheme = parts.scheme.lower()
    if not scheme:
        return "is not a full web address (it must start with https://)"
    if scheme not in ("http", "https"):
        return f"uses '{scheme}:', which is not allowed (only https:// or http://)"
    host = parts.hostname or ""
    if not parts.netloc or not _HOST.match(host) or not port_ok:
        return "is not a valid web address (no proper site name after https://)"
    return None


def check(ctx: Context) -> Iterator[Finding]:
    """Resource URLs and body links must be http(s); raw HTML in a body is reported."""
    for message in ctx.library.messages:
        for i, resource in enumerate(message.resources):
            problem = url_problem(resource.url)
            if problem:
                yield ctx.at_field(
                    message,
                    f"resources.{i}.url",
                    "S120",
                    Severity.ERROR,
                    f"link '{_short(resource.url)}' {problem}; use the https:// address of "
                    f"the web page",
                )
        prose = ctx.prose(message)
        for link in prose.links:
            problem = url_problem(link.url, allow_mailto=not link.image)
            if problem:
                what = "image" if link.image else "link"
                yield ctx.at_body(
                    message,
                    link.line,
                    "S120",
                    Severity.ERROR,
                    f"{what} '{_short(link.url)}' {problem}; use the https:// address of the "
                    f"web page",
                    link.column,
                )
            elif link.image:
                # The renderers leave images out: e-mail programs block them, feeds and screens
                # have no room for them. Say so rather than let the comms team wonder.
                yield ctx.at_body(
                    message,
                    link.line,
                    "S122",
                    Severity.WARNING,
                    f"image '{_short(link.url)}' is not shown in newsletters, feeds or on "
                    "screens; say in words what it shows, or link to the page it is on",
                    link.column,
                )
        seen: set[int] = set()
        for html in prose.html:
            if html.line in seen:
                continue  # one finding per line is enough to find it
            seen.add(html.line)
            yield ctx.at_body(
                message,
                html.line,
                "S121",
                Severity.ERROR,
                f"raw HTML '{_short(html.snippet, 30)}' is not allowed (it is never run: "
                f"readers would see the code as text); write plain text or Markdown "
                f"(**bold**, [text](https://...)) instead",
                html.column,
            )


def _short(text: str, limit: int = 50) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
