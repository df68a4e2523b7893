"""A campaign file's values as the studio's form edits them, written back in place.

Only the scalar values that changed are rewritten, each at the exact place YAML read it from:
comments, key order, blank lines, quoting of the other values and line endings stay as written
(as `flows.library.front_matter` does for a message's front matter).
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
