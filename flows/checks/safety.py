"""Things that must never reach an output: non-http(s) URLs (S120) and raw HTML (S121); and
images (S122), which no channel shows."""

from __future__ import annotations

from collections.abc import Iterator

from flows.checks.context import Context
from flows.core.findings import Finding, Severity
from flows.core.i18n import _
from flows.core.urls import url_problem

__all__ = ["check", "url_problem"]  # url_problem: the S120 rule, owned by flows.core.urls


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
                    _("link '{url}' {problem}; use the https:// address of the web page").format(
                        url=_short(resource.url), problem=problem
                    ),
                )
        prose = ctx.prose(message)
        for link in prose.links:
            problem = url_problem(link.url, allow_mailto=not link.image)
            if problem:
                text = (
                    _("image '{url}' {problem}; use the https:// address of the web page")
                    if link.image
                    else _("link '{url}' {problem}; use the https:// address of the web page")
                )
                yield ctx.at_body(
                    message,
                    link.line,
                    "S120",
                    Severity.ERROR,
                    text.format(url=_short(link.url), problem=problem),
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
                    _(
                        "image '{url}' is not shown in newsletters, feeds or on screens; say in "
                        "words what it shows, or link to the page it is on"
                    ).format(url=_short(link.url)),
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
                _(
                    "raw HTML '{html}' is not allowed (it is never run: readers would see the "
                    "code as text); write plain text or Markdown (**bold**, [text](https://...)) "
                    "instead"
                ).format(html=_short(html.snippet, 30)),
                html.column,
            )


def _short(text: str, limit: int = 50) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
