"""Message bodies to HTML: CommonMark with raw HTML switched off, then sanitised.

Raw HTML written in a body is shown as text by markdown-it (html=False) and nh3 removes anything
that could still run, so nothing from content can inject markup into any output.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "blockquote",
    "code",
    "pre",
}
_ALLOWED_ATTRS = {"a": {"href", "title"}}


@cache
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def parser() -> MarkdownIt:
    """The shared, HTML-disabled Markdown parser."""
    return _md()


def to_html(body: str) -> str:
    """Safe HTML for a message body: only basic tags, links only http(s) and mailto.

    Every heading becomes an h3: a message is one block inside a newsletter or feed, so a `#`
    heading must not come out larger than the newsletter's own title (or, as h1, be dropped).
    """
    md = _md()
    tokens = md.parse(body)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3"
    raw = md.renderer.render(tokens, md.options, {})
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )
