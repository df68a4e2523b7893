"""Collect every http(s) URL the library uses, with the file and line of each use.

Sources: each message's `resources` (front matter) and the links in its body (Markdown links,
`<https://...>` autolinks and bare web addresses in the text). Addresses that are not full
http(s) URLs, or that cannot be parsed, become findings instead of being checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _
from flows.core.models import Message
from flows.core.urls import has_web_scheme, url_problem
from flows.infra.markdown import parser
from flows.library.loader import Library

# Bare web addresses in running text; the trailing punctuation of a sentence is not part of it.
_BARE_URL = re.compile(r"https?://[^\s<>\"'`\]\[()]+", re.IGNORECASE)
_TRAILING = ".,;:!?"
# Link targets that are fine without being checked.
_NOT_WEB = ("mailto:", "tel:", "#")


@dataclass(frozen=True, order=True)
class Use:
    """One place where a URL is used."""

    path: str
    line: int
    column: int
    message: tuple[str, str]  # (id, lang)


@dataclass
class Collected:
    """Every unique URL (without #fragment) with its uses, plus findings for bad addresses."""

    uses: dict[str, list[Use]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def add(self, url: str, use: Use) -> None:
        """Record a use of `url` (the fragment is dropped: it is never sent to the server)."""
        key = url.split("#", 1)[0]
        places = self.uses.setdefault(key, [])
        if use not in places:
            places.append(use)


def check_key(url: str) -> str:
    """The form of a URL that is checked and cached (no #fragment, no surrounding spaces)."""
    return url.strip().split("#", 1)[0]


def malformed_reason(url: str) -> str | None:
    """Why `url` cannot be checked as a web address, or None when it is a fine http(s) URL.

    The content check's rule (`flows.core.urls`); blanks around the address are forgiven here.
    """
    return url_problem(url.strip())


def collect_urls(library: Library) -> Collected:
    """All http(s) URLs used by messages (every status), with file and line of each use."""
    out = Collected()
    for message in library.messages:
        _collect_message(message, library, out)
    for places in out.uses.values():
        places.sort()
    return out


def _collect_message(message: Message, library: Library, out: Collected) -> None:
    rel = library.rel(message.path)
    try:
        lines = message.path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for i, resource in enumerate(message.resources):
        line = message.field_lines.get(
            f"resources.{i}.url", message.field_lines.get("resources", message.line)
        )
        column = _column(lines, line, resource.url)
        _add(out, resource.url, Use(rel, line, column, message.key), strict=True)
    for url, body_offset in _body_links(message.body):
        line = message.body_line + body_offset
        line, column = _locate(lines, line, url)
        _add(out, url, Use(rel, line, column, message.key), strict=False)


def _add(out: Collected, url: str, use: Use, strict: bool) -> None:
    """Add a URL to check, or a finding when it cannot be checked."""
    if strict or has_web_scheme(url):
        reason = malformed_reason(url)
        if reason is None:
            out.add(url.strip(), use)
            return
        # Body links like "/pagina" or "www.site.nl" never work in a newsletter or feed.
        out.findings.append(_malformed(url, reason, use))
        return
    if url.lower().startswith(_NOT_WEB):
        return
    reason = malformed_reason(url) or _("is not a web address")
    out.findings.append(_malformed(url, reason, use))


def _malformed(url: str, reason: str, use: Use) -> Finding:
    """The L405 error for a link that cannot be checked."""
    text = _("link {url} {reason}").format(url=repr(url), reason=reason)
    return finding(use.path, use.line, "L405", Severity.ERROR, text, use.column)


def _body_links(body: str) -> list[tuple[str, int]]:
    """(url, line offset within the body) for links and bare addresses in a Markdown body."""
    found: list[tuple[str, int]] = []
    for block in parser().parse(body):
        if block.type != "inline" or block.children is None:
            continue
        start = block.map[0] if block.map else 0
        found.extend((url, start) for url in _inline_links(block.children))
    return found


def _inline_links(children: list[Token]) -> list[str]:
    urls: list[str] = []
    in_link = 0
    for token in children:
        if token.type == "link_open":
            in_link += 1
            href = str(token.attrGet("href") or "")
            if href:
                urls.append(href)
        elif token.type == "link_close":
            in_link = max(0, in_link - 1)
        elif token.type == "text" and not in_link:
            for match in _BARE_URL.finditer(token.content):
                urls.append(match.group(0).rstrip(_TRAILING))
    return urls


def _locate(lines: list[str], start: int, url: str) -> tuple[int, int]:
    """The (line, column) where `url` is written, searching from `start` (1-based)."""
    candidates = {url}
    try:
        from mdurl import decode

        candidates.add(decode(url))
    except ImportError:  # pragma: no cover - mdurl comes with markdown-it-py
        pass
    for index in range(max(start - 1, 0), len(lines)):
        for text in candidates:
            column = lines[index].find(text)
            if column >= 0:
                return index + 1, column + 1
    return start, 1


def _column(lines: list[str], line: int, text: str) -> int:
    if 0 < line <= len(lines):
        column = lines[line - 1].find(text.strip())
        if column >= 0:
            return column + 1
    return 1


def paths_of(uses: list[Use]) -> list[dict[str, object]]:
    """Uses as JSON-friendly {path, line} dicts, one per place."""
    seen: list[dict[str, object]] = []
    for use in uses:
        item: dict[str, object] = {"path": use.path, "line": use.line}
        if item not in seen:
            seen.append(item)
    return seen
