"""A campaign file's values as the studio's form edits them, written back in place.

Only the scalar values that changed are rewritten, each at the exact place YAML read it from:
comments, key order, blank lines, quoting of the other values and line endings stay as written
(as `flows.library.front_matter` does for a message's front matter). A week or a channel's
section is added as new lines after the last one, in the indentation the file already uses, and
a week is removed by taking out its lines; every other line stays as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# The values a form may change: the title, the period, each week's theme and each setting of a
# channel's section (cadence, items, ...). Lists and everything else stay as written.
_EDITABLE = re.compile(
    r"title|attribution|period\.(start|end)|weeks\.\d+\.theme|channels\.[\w-]+\.[\w-]+"
)


_STR = "tag:yaml.org,2002:str"


class NotWritable(ValueError):
    """A change that cannot be written in place."""


@dataclass(frozen=True)
class Scalar:
    """One value of the file: where it is and how it is written."""

    path: str  # "weeks.0.theme", "channels.newsletter.cadence"
    value: str  # the text YAML read (without quotes)
    start: int  # its characters in the file: text[start:end]
    end: int
    tag: str
    style: str | None  # None (plain), '"' or "'"


def scalars(text: str) -> dict[str, Scalar]:
    """Every editable one-line value of a campaign file, by its path; {} when it does not
    parse as one mapping."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    out: dict[str, Scalar] = {}

    def walk(node: Node, path: str) -> None:
        if isinstance(node, ScalarNode):
            one_line = node.start_mark.line == node.end_mark.line
            if one_line and node.style in (None, '"', "'") and _EDITABLE.fullmatch(path):
                out.setdefault(
                    path,
                    Scalar(
                        path,
                        node.value,
                        node.start_mark.index,
                        node.end_mark.index,
                        node.tag,
                        node.style,
                    ),
                )
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    walk(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}.{i}")

    if isinstance(root, MappingNode):
        walk(root, "")
    return out


def _reads_as(written: str) -> ScalarNode | None:
    try:
        node = yaml.compose(f"k: {written}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return None
    value = node.value[0][1]
    return value if isinstance(value, ScalarNode) else None


def render(new: str, old: Scalar) -> str:
    """`new` written as YAML in the place of `old`: plain when it reads back as the same kind of
    value (a number stays a number, a date a date), else in the quotes it had or double quotes."""
    if old.style == "'" and "\n" not in new:
        return "'" + new.replace("'", "''") + "'"
    if old.style is None and new:
        node = _reads_as(new)
        same_kind = node is not None and (node.tag == old.tag or old.tag != _STR)
        if node is not None and node.value == new and node.style is None and same_kind:
            return new
    return json.dumps(new, ensure_ascii=False)


def set_scalars(text: str, changes: dict[str, str]) -> str:
    """`text` with each value in `changes` (path to new text) rewritten where it stands.
    NotWritable for a path that is not an editable value, or a result that reads otherwise."""
    found = scalars(text)
    edits = []
    for path, new in changes.items():
        if path not in found:
            raise NotWritable(path)
        old = found[path]
        edits.append((old.start, old.end, render(new, old)))
    out = text
    for start, end, written in sorted(edits, reverse=True):
        out = out[:start] + written + out[end:]
    after = scalars(out)
    for path, new in changes.items():
        if path not in after or after[path].value != new:
            raise NotWritable(path)
    return out


@dataclass(frozen=True)
class Layout:
    """What the form needs to know of the file's lists: how many weeks, which channels."""

    weeks: int
    channels: tuple[str, ...]


def _root(text: str) -> MappingNode | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    return root if isinstance(root, MappingNode) else None


def _value(root: MappingNode, key: str) -> Node | None:
    for k, v in root.value:
        if isinstance(k, ScalarNode) and k.value == key and isinstance(v, Node):
            return v
    return None


def layout(text: str) -> Layout:
    """The weeks and channel sections of a campaign file (none when it does not parse)."""
    root = _root(text)
    if root is None:
        return Layout(0, ())
    weeks = _value(root, "weeks")
    channels = _value(root, "channels")
    return Layout(
        len(weeks.value) if isinstance(weeks, SequenceNode) else 0,
        tuple(str(k.value) for k, _ in channels.value) if isinstance(channels, MappingNode) else (),
    )


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _last_written(node: Node) -> Node:
    """The last value written inside `node`: a scalar, or an empty `{}` or `[]`."""
    while isinstance(node, MappingNode | SequenceNode) and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return node


def _after(text: str, node: Node) -> int:
    """Where the line after `node`'s last line starts (its trailing comment included)."""
    end = _last_written(node).end_mark.index
    if end > 0 and text[end - 1] == "\n":  # a block scalar ends at the start of a line
        return end
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _block(node: Node | None, kind: type[Node], what: str) -> Node | None:
    if node is None:
        return None
    if not isinstance(node, kind) or getattr(node, "flow_style", False) or not node.value:
        raise NotWritable(what)
    return node


def _insert(text: str, at: int, lines: str) -> str:
    eol = _eol(text)
    if at == len(text) and text and not text.endswith("\n"):
        lines = eol + lines
    return text[:at] + lines.replace("\n", eol) + text[at:]


def add_week(text: str, theme: str) -> str:
    """`text` with a week about `theme` after the last week (a `weeks:` list at the end of the
    file when it has none)."""
    root = _root(text)
    if root is None or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", theme):
        raise NotWritable("weeks")
    weeks = _block(_value(root, "weeks"), SequenceNode, "weeks")
    if weeks is None:
        return _insert(text, len(text), f"weeks:\n  - theme: {theme}\n")
    first = weeks.value[0]
    prefix = text[_line_start(text, first.start_mark.index) : first.start_mark.index]
    if not re.fullmatch(r" *- +", prefix):
        raise NotWritable("weeks")
    out = _insert(text, _after(text, weeks), f"{prefix}theme: {theme}\n")
    if layout(out).weeks != len(weeks.value) + 1:
        raise NotWritable("weeks")
    return out


def remove_weeks(text: str, indexes: set[int]) -> str:
    """`text` without the lines of the weeks at `indexes` (0 for the first); at least one week
    stays."""
    root = _root(text)
    weeks = _block(_value(root, "weeks") if root else None, SequenceNode, "weeks")
    if weeks is None or not indexes <= set(range(len(weeks.value))):
        raise NotWritable("weeks")
    if len(indexes) == len(weeks.value):
        raise NotWritable("alle weken")
    out = text
    for i in sorted(indexes, reverse=True):
        item = weeks.value[i]
        start = _line_start(text, item.start_mark.index)
        if not re.fullmatch(r" *- +", text[start : item.start_mark.index]):
            raise NotWritable(f"weeks.{i}")
        out = out[:start] + out[_after(text, item) :]
    if layout(out).weeks != len(weeks.value) - len(indexes):
        raise NotWritable("weeks")
    return out


def add_channel(text: str, name: str, settings: dict[str, str]) -> str:
    """`text` with a section for channel `name` after the last one under `channels:` (which is
    added at the end of the file when missing); its settings as quoted strings, `{}` (the
    channel's defaults) without any."""
    root = _root(text)
    if root is None or not re.fullmatch(r"[a-z0-9_-]+", name):
        raise NotWritable("channels")
    if any(not re.fullmatch(r"[a-z0-9_]+", key) for key in settings):
        raise NotWritable("channels")
    channels = _block(_value(root, "channels"), MappingNode, "channels")
    indent, sub = "  ", "  "
    if channels is not None:
        if name in layout(text).channels:
            raise NotWritable(f"channels.{name}")
        key = channels.value[0][0]
        indent = text[_line_start(text, key.start_mark.index) : key.start_mark.index]
        if indent.strip():
            raise NotWritable("channels")
        nested = next(
            (v for _, v in channels.value if isinstance(v, MappingNode) and v.value), None
        )
        if nested is not None and not nested.flow_style:
            depth = nested.value[0][0].start_mark.column - key.start_mark.column
            sub = " " * depth if depth > 0 else sub
    lines = f"{indent}{name}:"
    if settings:
        lines += "\n" + "".join(
            f"{indent}{sub}{key}: {json.dumps(value, ensure_ascii=False)}\n"
            for key, value in settings.items()
        )
    else:
        lines += " {}\n"
    if channels is None:
        out = _insert(text, len(text), "channels:\n" + lines)
    else:
        out = _insert(text, _after(text, channels), lines)
    if name not in layout(out).channels:
        raise NotWritable(f"channels.{name}")
    found = scalars(out)
    for key, value in settings.items():
        written = found.get(f"channels.{name}.{key}")
        if written is None or written.value != value:
            raise NotWritable(f"channels.{name}.{key}")
    return out
