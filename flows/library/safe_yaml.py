"""YAML for content files: safe types only, no aliases, no key twice, and line numbers for
every key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


class AliasNotAllowed(yaml.YAMLError):
    """Content files may not use YAML anchors/aliases (they enable alias bombs)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"YAML alias at line {line}")
        self.line = line


class DuplicateKey(yaml.YAMLError):
    """A key written twice in one mapping: YAML would silently keep the last one."""

    def __init__(self, key: str, first: int, line: int) -> None:
        super().__init__(f"the field '{key}' is on line {first} and again on line {line}")
        self.key, self.first, self.line = key, first, line


class BadValue(yaml.MarkedYAMLError):
    """A value that looks like a date, number or boolean but is none (2027-13-01): `value` as
    written, `kind` "date" or "value"."""

    def __init__(self, value: str, kind: str, reason: str, mark: Any) -> None:
        super().__init__(problem=f"'{value}' is not a valid {kind} ({reason})", problem_mark=mark)
        self.value, self.kind = value, kind


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise AliasNotAllowed(event.start_mark.line + 1)
        return super().compose_node(parent, index)


@dataclass
class Parsed:
    """A YAML document's data plus the 1-based line of each (dotted) key path."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)


def _collect_lines(node: yaml.Node, prefix: str, offset: int, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1 + offset
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise DuplicateKey(key.value, seen[key.value], line)
                seen[key.value] = line
            name = f"{prefix}{key.value}" if isinstance(key, yaml.ScalarNode) else prefix
            lines[name] = line
            _collect_lines(value, f"{name}.", offset, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            name = f"{prefix}{i}"
            lines[name] = item.start_mark.line + 1 + offset
            _collect_lines(item, f"{name}.", offset, lines)


# libyaml's C parser is about 8x faster than the pure-Python one, which dominated the time
# `veerkracht check` takes (bench/check.py). It cannot refuse aliases while composing, so
# aliases are looked for in its event stream first (only when the text has a '*').
_CLoader: Any = getattr(yaml, "CSafeLoader", None)


def _quick_resolver(base: Any) -> Any:
    """`base` with PyYAML's Resolver.resolve for a loader without path resolvers (SafeLoader
    has none), the implicit resolvers of each first character joined once: libyaml calls it
    for every node, and the lookups and list concatenation of each call were a sixth of the
    compose time. The tags it gives are the same (tests/test_fast_paths.py, section 1)."""
    if base is None or base.yaml_path_resolvers:
        return base
    wildcard = tuple(base.yaml_implicit_resolvers.get(None, ()))
    by_first = {
        first: (*resolvers, *wildcard)
        for first, resolvers in base.yaml_implicit_resolvers.items()
        if first is not None
    }
    scalar, sequence, mapping = (
        base.DEFAULT_SCALAR_TAG,
        base.DEFAULT_SEQUENCE_TAG,
        base.DEFAULT_MAPPING_TAG,
    )

    class QuickResolver(base):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    # value[:1] is "" for an empty value, the key PyYAML looks up for it.
                    for tag, regexp in by_first.get(value[:1], wildcard):
                        if regexp.match(value):
                            return tag
                return scalar
            if kind is yaml.SequenceNode:
                return sequence
            return mapping if kind is yaml.MappingNode else None

    return QuickResolver


_CLoader = _quick_resolver(_CLoader)


def _refuse_aliases(text: str) -> None:
    if "*" not in text:
        return
    for event in yaml.parse(text, Loader=_CLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise AliasNotAllowed(mark.line + 1 if mark is not None else 1)


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's own constructor (merge keys, explicit tags)."""


def _construct(node: yaml.Node, loader: Any) -> Any:
    # PyYAML's constructor is pure Python even with libyaml and took a third of the load time;
    # plain maps, lists and strings are built directly, other scalars (dates, numbers, booleans)
    # still go through it, and anything unusual falls back to it whole.
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else _scalar(node, loader)
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        out = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag not in (
                _STR,
                "tag:yaml.org,2002:int",
            ):
                raise _Unusual
            out[_construct(key, loader)] = _construct(value, loader)
        return out
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_construct(item, loader) for item in node.value]
    raise _Unusual


def _scalar(node: yaml.ScalarNode, loader: Any) -> Any:
    """A date, number or boolean; a value that only looks like one (2027-13-01) is a YAML error
    at its line, not a crash: PyYAML raises a bare ValueError for it, and for an explicit tag
    that does not fit its value (`!!timestamp nope`, `!!bool nope`, `!!int ""`) even an
    AttributeError, KeyError or IndexError."""
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError, AttributeError, KeyError, IndexError) as exc:
        kind = "date" if node.tag.endswith(":timestamp") else "value"
        raise BadValue(node.value, kind, str(exc), node.start_mark) from None


def parse_yaml(text: str, line_offset: int = 0) -> Parsed:
    """Parse one YAML document safely; raises yaml.YAMLError (incl. AliasNotAllowed and
    DuplicateKey, which name the lines)."""
    if _CLoader is not None:
        _refuse_aliases(text)
        loader = _CLoader(text)
    else:
        loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None)
        try:
            data = _construct(node, loader)
        except _Unusual:
            try:
                data = loader.construct_document(node)
            except (ValueError, OverflowError) as exc:
                raise yaml.MarkedYAMLError(
                    problem=f"a value is not valid ({exc})", problem_mark=node.start_mark
                ) from None
        lines: dict[str, int] = {}
        _collect_lines(node, "", line_offset, lines)
    except RecursionError:
        # libyaml allows 1,000 levels; walking that many in Python overflows the stack.
        raise yaml.MarkedYAMLError(problem="the fields are nested too deeply") from None
    finally:
        loader.dispose()
    return Parsed(data, lines)


def error_line(exc: yaml.YAMLError, line_offset: int = 0) -> int:
    """The 1-based line a YAML error points at, or the offset line when unknown."""
    if isinstance(exc, AliasNotAllowed):
        return exc.line + line_offset
    if isinstance(exc, DuplicateKey):
        return exc.line  # already counted with the offset
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = str(getattr(exc, "context", None) or "")
    if any(opened in context for opened in _OPENED) and getattr(exc, "context_mark", None):
        mark = exc.context_mark  # type: ignore[attr-defined]
    return (mark.line + 1 + line_offset) if mark is not None else max(line_offset, 1)


# A quote or bracket never closed, or a line that is no `key: value`: libyaml and PyYAML notice
# it at different lines further on, both say where it started.
_OPENED = ("quoted scalar", "flow sequence", "flow mapping", "simple key")
