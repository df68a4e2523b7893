"""Message bodies to plain text, with links as numbered references like [1]."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from markdown_it.token import Token

from flows.core.urls import is_mailto, is_web_url
from flows.infra.markdown import parser

WIDTH = 72


class References:
    """Numbered link references shared by one plain-text document."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def number(self, url: str) -> int:
        """The reference number for `url`, reusing it when the same link comes again."""
        if url in self.urls:
            return self.urls.index(url) + 1
        self.urls.append(url)
        return len(self.urls)


def _safe_url(url: str) -> bool:
    return is_web_url(url) or is_mailto(url)


def _inline(children: Sequence[Token] | None, refs: References) -> str:
    out: list[str] = []
    href: str | None = None
    for tok in children or ():
        if tok.type == "text" or tok.type == "code_inline":
            out.append(tok.content)
        elif tok.type in ("softbreak",):
            out.append(" ")
        elif tok.type == "hardbreak":
            out.append("\n")
        elif tok.type == "link_open":
            href = str(tok.attrGet("href") or "")
        elif tok.type == "link_close":
            if href and _safe_url(href):
                out.append(f" [{refs.number(href)}]")
            href = None
        elif tok.type == "image":
            out.append(tok.content)
    return "".join(out)


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    lines: list[str] = []
    for i, part in enumerate(text.split("\n")):
        lines.extend(
            textwrap.wrap(
                part,
                WIDTH,
                initial_indent=first if i == 0 else rest,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [first if i == 0 else rest]
        )
    return lines


def to_text(body: str, refs: References) -> str:
    """Plain text for a Markdown body; links become [n] and are numbered in `refs`."""
    tokens = parser().parse(body)
    blocks: list[tuple[str, int]] = []  # (text, number of the list it is an item of, or 0)
    lists = 0
    stack: list[list[int]] = []  # one [counter] per open list; 0 means a bullet list
    quote = 0
    for i, tok in enumerate(tokens):
        if tok.type == "bullet_list_open":
            lists += not stack
            stack.append([0])
        elif tok.type == "ordered_list_open":
            lists += not stack
            stack.append([int(tok.attrGet("start") or 1)])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif tok.type == "blockquote_open":
            quote += 1
        elif tok.type == "blockquote_close":
            quote -= 1
        elif tok.type == "inline":
            text = _inline(tok.children, refs)
            prefix = "> " * quote
            opener = tokens[i - 1] if i else None
            if opener is not None and opener.type == "heading_open":
                blocks.append((prefix + (text.upper() if opener.tag == "h1" else text), 0))
                continue
            in_item = any(t.type == "list_item_open" for t in tokens[max(0, i - 2) : i])
            if stack and in_item:
                counter = stack[-1]
                indent = "  " * (len(stack) - 1)
                if counter[0] == 0:
                    mark = "- "
                else:
                    mark = f"{counter[0]}. "
                    counter[0] += 1
                lines = _wrap(text, prefix + indent + mark, prefix + indent + " " * len(mark))
                blocks.append(("\n".join(lines), lists))
            else:
                blocks.append(("\n".join(_wrap(text, prefix, prefix)), 0))
        elif tok.type in ("fence", "code_block"):
            blocks.append((tok.content.rstrip("\n"), 0))
    return _join(blocks)


def _join(blocks: list[tuple[str, int]]) -> str:
    # Items of one list sit on consecutive lines; everything else is separated by a blank line.
    out: list[str] = []
    previous = 0
    for text, list_no in blocks:
        if out and list_no and list_no == previous:
            out[-1] += "\n" + text
        else:
            out.append(text)
        previous = list_no
    return "\n\n".join(out)


def references_text(refs: References, start: int = 0) -> str:
    """The reference list from number `start + 1` on, one `[n] url` per line."""
    return "\n".join(f"[{n}] {url}" for n, url in enumerate(refs.urls[start:], start + 1))
