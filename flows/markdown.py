"""Message bodies to HTML: CommonMark with raw HTML switched off, then sanitised.

Raw HTML written in a body is shown as text by markdown-it (html=False) and nh3 removes anything
that could still run, so nothing from content can inject markup into any output.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code",
}
_ALLOWED_ATTRS = {"a": {"href", "title"}}


@cache
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def parser() -> MarkdownIt:
    """The shared, HTML-disabled Markdown parser."""
    return _md()


def to_html(body: str) -> str:
    """Safe HTML for a message body: only basic tags, links only http(s) and mailto."""
    raw = _md().render(body)
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
