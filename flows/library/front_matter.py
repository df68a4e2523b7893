"""Edit a message file's front matter in place: only the fields that change are rewritten.

Used by `veerkracht review` (the review fields) and by the studio (every field of the form).
Comments, unknown fields, field order, line endings and the body stay as written; a field that
is new goes after the field before it in `ORDER`, so a new file gets a stable order.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

# The order of the fields of a message file, as the studio writes a new one.
ORDER: tuple[str, ...] = (
    "id",
    "lang",
    "title",
    "theme",
    "audiences",
    "screen",
    "resources",
    "valid_from",
    "valid_until",
    "review_by",
    "status",
    "reviewed_by",
    "reviewed_on",
)
_FIELD = re.compile(
    r"^(?P<key>status|reviewed_by|reviewed_on)[ \t]*:(?P<rest>.*?)(?P<eol>\r?\n?)$", re.DOTALL
)
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:")
_PLAIN_NAME = re.compile(r"[A-Za-zÀ-ÿ][\w .'À-ÿ-]*")


def yaml_text(value: str) -> str:
    """A name as YAML reads it back unchanged: plain when safe, else double-quoted."""
    if _PLAIN_NAME.fullmatch(value) and not value.endswith(" ") and ": " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _bounds(lines: list[str]) -> int | None:
    """The index of the closing `---` line, or None without front matter."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return None
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)


def set_review_fields(text: str, name: str, day: str) -> str | None:
    """`text` with status, reviewed_by and reviewed_on set in its front matter; each field's
    line is replaced where it is written (a comment after it is kept), missing ones are added
    after `status:` (or at the end of the front matter). None without front matter."""
    lines = text.splitlines(keepends=True)
    close = _bounds(lines)
    if close is None:
        return None
    eol = "\r\n" if lines[0].endswith("\r\n") else "\n"
    values = {"status": "gepubliceerd", "reviewed_by": yaml_text(name), "reviewed_on": day}
    where: dict[str, int] = {}
    for i in range(1, close):
        m = _FIELD.match(lines[i])
        if m and m["key"] not in where:
            where[m["key"]] = i
            comment = re.search(r"[ \t]+#.*$", m["rest"]) if m["key"] == "status" else None
            tail = comment.group(0) if comment else ""
            lines[i] = f"{m['key']}: {values[m['key']]}{tail}{m['eol'] or eol}"
    after = where.get("status", close - 1)
    if "status" not in where:
        lines.insert(close, f"status: {values['status']}{eol}")
        after = close
    for key in ("reviewed_by", "reviewed_on"):
        if key in where:
            after = max(after, where[key])
            continue
        if not lines[after].endswith("\n"):
            lines[after] += eol
        lines.insert(after + 1, f"{key}: {values[key]}{eol}")
        after += 1
    return "".join(lines)


def render_field(key: str, value: Any) -> str:
    """One field as YAML lines (without line ending at the end): lists of words in brackets,
    everything else in block style, long texts on one line."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = ", ".join(_scalar(v) for v in value)
        return f"{key}: [{items}]"
    dumped = yaml.safe_dump(
        {key: value}, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )
    return dumped.rstrip("\n")


def _scalar(value: str) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000).rstrip("\n")
    return dumped.removesuffix("\n...").removesuffix("...").rstrip("\n")


def _blocks(lines: list[str], close: int) -> dict[str, tuple[int, int]]:
    """Each top-level field's lines [start, end) in the front matter (first one if written
    twice); a field's block runs until the next line at column 0 that is not a list item."""
    found: dict[str, tuple[int, int]] = {}
    i = 1
    while i < close:
        m = _TOP_KEY.match(lines[i])
        if not m:
            i += 1
            continue
        end = i + 1
        while end < close:
            line = lines[end]
            if line.strip() and not line[0].isspace() and not line.startswith("-"):
                break
            end += 1
        while end - 1 > i and not lines[end - 1].strip():
            end -= 1  # blank lines after a field belong to no field
        found.setdefault(m["key"], (i, end))
        i = end
    return found


def _value_of(block: str) -> Any:
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return _Unreadable()
    return next(iter(data.values())) if isinstance(data, dict) and data else _Unreadable()


class _Unreadable:
    """A field that does not parse: never equal to a new value, so it is rewritten."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def _comment(line: str, value: Any) -> str:
    """A comment after a one-line field (`status: concept  # nog nakijken`), or ''."""
    for m in re.finditer(r"[ \t]+#", line):
        if _value_of(line[: m.start()]) == value:
            return line[m.start() :].rstrip("\r\n")
    return ""


def update_fields(text: str, values: dict[str, Any]) -> str | None:
    """`text` with each field of `values` set (None removes it). A field whose value is already
    the same keeps its lines exactly; a changed one-line field keeps its comment. None without
    front matter."""
    lines = text.splitlines(keepends=True)
    close = _bounds(lines)
    if close is None:
        return None
    eol = "\r\n" if lines[0].endswith("\r\n") else "\n"
    blocks = _blocks(lines, close)
    replaced: dict[int, tuple[int, list[str]]] = {}  # start -> (end, new lines)
    added: dict[int, list[str]] = {}  # insert before this index
    for key, value in values.items():
        new = None if value is None else [f"{x}{eol}" for x in render_field(key, value).split("\n")]
        if key in blocks:
            start, end = blocks[key]
            old = "".join(lines[start:end])
            if new is not None and _value_of(old) == _value_of("".join(new)):
                continue
            if new is not None and end - start == 1 and len(new) == 1:
                new = [f"{new[0].rstrip(eol)}{_comment(lines[start], _value_of(old))}{eol}"]
            replaced[start] = (end, new or [])
        elif new is not None:
            at = close
            if key in ORDER:
                before = [blocks[k][1] for k in ORDER[: ORDER.index(key)] if k in blocks]
                at = max(before) if before else 1
            added.setdefault(at, []).extend(new)
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.extend(added.get(i, []))
        if i in replaced:
            end, new_lines = replaced[i]
            out.extend(new_lines)
            i = end
            continue
        line = lines[i]
        if i + 1 in added and not line.endswith("\n"):
            line += eol
        out.append(line)
        i += 1
    out.extend(added.get(len(lines), []))
    return "".join(out)


def new_message_text(values: dict[str, Any], body: str) -> str:
    """A new message file: the fields in `ORDER` (others after them), then the body."""
    keys = [k for k in ORDER if values.get(k) is not None]
    keys += [k for k in values if k not in ORDER and values[k] is not None]
    fields = "\n".join(render_field(k, values[k]) for k in keys)
    return f"---\n{fields}\n---\n{body.strip()}\n"
