"""Load the content folder into a Library, turning every problem into a finding.

Loading never raises on bad content: a file that cannot be read or validated becomes a finding
and is left out, and the rest of the library still loads (one broken message never stops the
others). Only a missing content folder is an error (`ContentError`).

One run shows every problem of a message file: when its front matter is not valid YAML, each
top-level field is read on its own (a broken line is reported, the good fields are kept), and a
message whose fields are broken is still recovered with stand-ins for them (`Library.unloaded`),
so the body checks see it. An unloaded message is never published.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import BaseModel, ValidationError

from flows.core.errors import ContentError
from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import _
from flows.core.models import (
    AUDIENCES,
    LANGUAGES,
    STATUSES,
    THEMES,
    Campaign,
    DatesOutOfOrder,
    Message,
    ScreenText,
    Style,
)
from flows.core.text import describe, locate
from flows.library.explain import date_advice, yaml_problem
from flows.library.safe_yaml import AliasNotAllowed, DuplicateKey, Parsed, error_line, parse_yaml

MAX_FILE_BYTES = 1024 * 1024  # a message is a few hundred words; anything this big is a mistake
MAX_UNSAFE_FINDINGS = 10  # per file: the first lines are enough to find the rest

# Only the front matter is wanted here: the "zero" preset without inline parsing makes the
# rest of the file one cheap paragraph scan (the checks parse the body once, fully).
_FRONT_MATTER = MarkdownIt("zero").use(front_matter_plugin)
_FRONT_MATTER.core.ruler.disable(["inline", "text_join"])
_LIKELY_CLOSE = re.compile(r"\n *(?:-{3,}|\.\.\.)[ \t]*(?:\r?\n|$)")
# The front matter nearly every file has: '---', lines none of which starts (after spaces or
# tabs) with '---' or '...' and which hold no \r or NUL (markdown-it rewrites those), then a
# bare '---'. For it the plugin's answer is known without running markdown-it; anything else
# (other openers, indented or dotted closers, CR line ends) goes to the plugin.
_SIMPLE_FRONT_MATTER = re.compile(
    r"---\n((?:(?![ \t]*(?:---|\.\.\.))[^\n\r\x00]*\n)*?)---(?:\n|\Z)"
)
M = TypeVar("M", bound=BaseModel)


def relative(path: Path, root: Path) -> str:
    """A path relative to the content folder's parent, for findings people can click."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


@dataclass
class LoadLog:
    """Where loading writes what went wrong; a channel loading its own files uses one too."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    # Messages whose file has a loading error, recovered for the body checks only.
    unloaded: list[Message] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        """A path as findings show it."""
        return relative(path, self.root)


@dataclass(frozen=True, eq=False)
class Library:
    """The content folder as loaded: messages, campaigns and style, plus what went wrong.

    Immutable after loading. Channel configuration (screens.yaml, the partner list) is not here:
    each channel loads its own (`Channel.load_inputs`). `memo` is the planner's working memory
    for this library (selections already made), owned by it so no global cache is needed.
    """

    root: Path
    messages: tuple[Message, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    style: Style = field(default_factory=Style)
    findings: tuple[Finding, ...] = ()
    files: int = 0
    drafts_waiting: int = 0
    # Message files with a loading error, recovered as far as they go: checked, never planned.
    unloaded: tuple[Message, ...] = ()
    memo: dict[object, object] = field(default_factory=dict, repr=False)

    def message(self, message_id: str, lang: str = "nl") -> Message | None:
        """The message with this id and language, if loaded."""
        for m in self.messages:
            if m.id == message_id and m.lang == lang:
                return m
        return None

    def ids(self) -> set[str]:
        """Every message id in the library."""
        return {m.id for m in self.messages}

    def rel(self, path: Path) -> str:
        """A path relative to the content folder's parent, for findings people can click."""
        return relative(path, self.root)

    def with_messages(self, *extra: Message) -> Library:
        """A copy with more messages (a draft being previewed); the memo is not shared."""
        return replace(self, messages=(*self.messages, *extra), memo={})

    def for_checks(self) -> Library:
        """A copy whose messages include the unloaded ones, so every rule checks them too."""
        if not self.unloaded:
            return self
        return replace(self, messages=(*self.messages, *self.unloaded), unloaded=(), memo={})


def read_text(path: Path, root: Path, rel: str) -> tuple[str | None, list[Finding]]:
    """Read a content file as UTF-8 text, or explain why it cannot be read."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return None, [
                finding(
                    rel,
                    0,
                    "S102",
                    Severity.ERROR,
                    _(
                        "this is a link to a file outside the content folder; copy the file "
                        "into the content folder instead"
                    ),
                )
            ]
        info = path.stat()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        reason = getattr(exc, "strerror", None) or str(exc)
        text = _("cannot read the file: {reason}").format(reason=reason)
        return None, [finding(rel, 0, "S100", Severity.ERROR, text)]
    if not stat.S_ISREG(info.st_mode):
        # A folder or pipe named like a message: reading it would fail or wait forever.
        return None, [
            finding(
                rel,
                0,
                "S100",
                Severity.ERROR,
                _(
                    "this is not a file (a folder, pipe or device); remove it or give it a "
                    "name that does not end in .md or .yaml"
                ),
            )
        ]
    size = info.st_size
    if size > MAX_FILE_BYTES:
        return None, [
            finding(
                rel,
                0,
                "S101",
                Severity.ERROR,
                _(
                    "the file is {size} KB; a content file must stay under {limit} KB, split "
                    "it or remove what does not belong"
                ).format(size=size // 1024, limit=MAX_FILE_BYTES // 1024),
            )
        ]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        text = _("cannot read the file: {reason}").format(reason=exc.strerror)
        return None, [finding(rel, 0, "S100", Severity.ERROR, text)]
    if b"\x00" in raw:
        return None, [
            finding(
                rel,
                0,
                "S100",
                Severity.ERROR,
                _(
                    "this is not a text file (it contains binary data); save it as plain "
                    "text (UTF-8) or remove it from the content folder"
                ),
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            finding(
                rel,
                line,
                "S100",
                Severity.ERROR,
                _("the text is not UTF-8; save the file as UTF-8 in your editor"),
            )
        ]
    if not text.strip():
        return None, [
            finding(
                rel,
                1,
                "S103",
                Severity.ERROR,
                _("the file is empty; write the message or delete the file"),
            )
        ]
    text = text.removeprefix("\ufeff")
    unsafe = unsafe_findings(text, rel)
    if unsafe:
        return None, unsafe
    return text, []


def unsafe_findings(text: str, rel: str, first_line: int = 1) -> list[Finding]:
    """S108 at each line with a control character, a Unicode line separator or a bidi control
    (flows.core.text): one finding per line, at the column of the first one."""
    out: list[Finding] = []
    last = 0
    for found in locate(text, first_line):
        if found.line == last:
            continue
        last = found.line
        if len(out) == MAX_UNSAFE_FINDINGS:
            break
        out.append(
            finding(
                rel,
                found.line,
                "S108",
                Severity.ERROR,
                _(
                    "the invisible character {char} breaks the line or turns the text around "
                    "where it is shown (a subject, a file name, a link); delete it (retype the "
                    "words around it)"
                ).format(char=describe(found.char)),
                column=found.column,
            )
        )
    return out


def validation_findings(
    exc: ValidationError,
    rel: str,
    lines: dict[str, int],
    default_line: int,
    prefix: str = "",
    broken: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Turn pydantic's errors into findings with the line of the offending field.

    A field in `broken` could not be read at all (its YAML error is already reported), so
    neither it nor a field beside it under the same top-level field is reported missing."""
    out = []
    unread = {name.split(".", 1)[0] for name in broken}
    errors = [
        e
        for e in exc.errors()
        if not (e["type"] == "missing" and e["loc"] and str(e["loc"][0]) in unread)
    ]
    # A bad list item also makes the list "too short"; the item's own error says it better.
    failed_fields = {e["loc"][0] for e in errors if len(e["loc"]) > 1}
    for err in errors:
        if err["type"] == "too_short" and err["loc"] and err["loc"][0] in failed_fields:
            continue
        loc = [str(p) for p in err["loc"]]
        dotted = prefix + ".".join(loc)
        line = default_line
        for i in range(len(loc), 0, -1):  # deepest known key wins
            key = prefix + ".".join(loc[:i])
            if key in lines:
                line = lines[key]
                break
        field_name = loc[0] if loc else ""
        code, text = _explain(err, dotted, field_name)
        out.append(finding(rel, line, code, Severity.ERROR, text))
    return out


def _explain(err: Any, dotted: str, field_name: str) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return "S110", _("the required field '{field}' is missing; add it").format(field=dotted)
    if kind == "extra_forbidden":
        return "S111", _("unknown field '{field}'; check the spelling or remove it").format(
            field=dotted
        )
    # The field itself or the list it sits in: campaigns have `weeks.1.theme`, `audiences.0`.
    names = {field_name, *(str(p) for p in err.get("loc", ()) if isinstance(p, str))}
    if kind == "literal_error" and "audiences" in names:
        return "S113", _("unknown audience '{value}'; use one of: {choices}").format(
            value=value, choices=", ".join(AUDIENCES)
        )
    if kind == "literal_error" and "theme" in names:
        return "S114", _("unknown theme '{value}'; use one of: {choices}").format(
            value=value, choices=", ".join(THEMES)
        )
    if kind == "literal_error" and field_name == "status":
        return "S119", _("unknown status '{value}'; {advice}").format(
            value=value, advice=status_advice()
        )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "S112", _("'{field}' must be a whole number, like 3 (not {value})").format(
            field=dotted, value=repr(value)
        )
    if "date" in kind:
        return "S115", date_advice(dotted, value)
    # Pydantic's words ("valid tuple", "match pattern '^[a-z0-9]+...'") mean nothing to the
    # comms team; say what to write instead.
    if kind in ("tuple_type", "list_type"):
        example = "[ouders-jonge-kinderen]" if field_name == "audiences" else "[eerste, tweede]"
        return "S112", _(
            "'{field}' must be a list; write it in square brackets, like {example}"
        ).format(field=dotted, example=example)
    if kind == "string_type":
        return "S112", _(
            "'{field}' must be text, but {value} reads as something else; put it between "
            "double quotes"
        ).format(field=dotted, value=repr(value))
    if kind == "string_pattern_mismatch":
        return "S112", _(
            "'{field}' may only use lowercase letters, digits and single hyphens, like "
            "vast-ritme (not {value})"
        ).format(field=dotted, value=repr(value))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if isinstance((err.get("ctx") or {}).get("error"), DatesOutOfOrder):
        return "S115", _("{problem}; correct the dates").format(problem=msg)
    return "S112", _("'{field}' is not valid: {problem}").format(field=dotted, problem=msg)


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """(front matter or None, first YAML line, body, first body line); lines 1-based."""
    simple = _SIMPLE_FRONT_MATTER.match(text)
    if simple is not None:
        inner = simple.group(1)
        # The plugin's token: the lines between the markers, and map [0, closing line + 1].
        content, start, end = inner[:-1], 0, inner.count("\n") + 2
    else:
        content, start, end = _plugin_front_matter(text)
        if content is None:
            return None, 0, text, 1
    lines = text.splitlines()[end:]
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1  # blank lines after the front matter are not part of the body
    return content, start + 2, "\n".join(lines[skipped:]), end + 1 + skipped


def _plugin_front_matter(text: str) -> tuple[str | None, int, int]:
    """(content, first line, line after the closing marker) of the front matter as
    front_matter_plugin finds it (0-based lines), or (None, 0, 0)."""
    # Hand the plugin only the lines up to the first likely closing line; if it finds no
    # front matter there, it gets the whole text (so the result is the same, only faster).
    close = _LIKELY_CLOSE.search(text)
    tokens = _FRONT_MATTER.parse(text[: close.end()]) if close else []
    if not tokens or tokens[0].type != "front_matter":
        tokens = _FRONT_MATTER.parse(text)
    if not tokens or tokens[0].type != "front_matter":
        return None, 0, 0
    start, end = tokens[0].map or (0, 0)
    return tokens[0].content, start, end


def load_message(path: Path, library: LoadLog) -> Message | None:
    """Load one message file; findings go to the log.

    A file with a problem in its fields returns None (it is never published), but the message
    is recovered as far as it goes into `library.unloaded`, so the body checks still run."""
    rel = library.rel(path)
    text, problems = read_text(path, library.root, rel)
    library.findings.extend(problems)
    if text is None:
        return None
    fm, fm_line, body, body_line = split_front_matter(text)
    if fm is None:
        if text.lstrip().startswith("---"):
            msg = _("the front matter is not closed; add a line with only --- after the fields")
        else:
            msg = _("the file must start with a line ---, then the fields, then --- again")
        library.findings.append(finding(rel, 1, "S103", Severity.ERROR, msg))
        return None
    found: list[Finding] = []
    broken: frozenset[str] = frozenset()
    try:
        parsed = parse_yaml(fm, fm_line - 1)
    except AliasNotAllowed as exc:  # a possible alias bomb: nothing of it is read further
        library.findings.append(yaml_finding(exc, fm_line - 1, rel, fm))
        return None
    except yaml.YAMLError as exc:
        recovered = recover_fields(fm, fm_line - 1, rel)
        found.extend(recovered.findings or [yaml_finding(exc, fm_line - 1, rel, fm)])
        parsed = Parsed(recovered.data, recovered.lines)
        broken = frozenset(recovered.broken)
    if not isinstance(parsed.data, dict):
        library.findings.append(
            finding(
                rel,
                fm_line,
                "S106",
                Severity.ERROR,
                _("the front matter must be fields like 'title: ...', one per line"),
            )
        )
        return None
    data = {**parsed.data, "body": body.rstrip()}
    if "body" in parsed.data:
        found.append(
            finding(
                rel,
                parsed.lines["body"],
                "S111",
                Severity.ERROR,
                _("'body' is not a field: write the text below the closing ---"),
            )
        )
    if "status" not in parsed.data and "status" not in broken:
        found.append(
            finding(
                rel,
                fm_line,
                "S119",
                Severity.ERROR,
                _(
                    "the field 'status' is missing, so nobody has said this message may go "
                    "out; {advice}"
                ).format(advice=status_advice()),
            )
        )
        data["status"] = "concept"
    where = {"path": path, "line": 1, "body_line": body_line}
    message: Message | None = None
    try:
        message = Message(**data, **where, field_lines=parsed.lines)
    except ValidationError as exc:
        found.extend(validation_findings(exc, rel, parsed.lines, fm_line, broken=broken))
    if not found:
        return message
    library.findings.extend(found)
    stand_in = message or _stand_in(data, where, parsed.lines)
    if stand_in is not None:
        library.unloaded.append(stand_in)
    return None


def _stand_in(data: dict[str, Any], where: dict[str, Any], lines: dict[str, int]) -> Message | None:
    """The message with stand-ins for its invalid fields, for the body checks; None when even
    that does not validate. Fields replaced lose their line (findings then point at line 1)."""
    path: Path = where["path"]
    name_id, _sep, rest = path.name.partition(".")
    name_lang = rest.partition(".")[0]
    folder = path.parent.name
    theme = folder if folder in THEMES else "partners"
    stand_ins: dict[str, Any] = {
        "id": name_id if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name_id) else "onbekend",
        "lang": name_lang if name_lang in LANGUAGES else "nl",
        "title": "",
        "theme": theme,
        "audiences": ("kinderopvang-team",) if theme == "partners" else ("ouders-jonge-kinderen",),
        "screen": ScreenText.model_construct(headline="", text=""),
        "valid_from": date(2000, 1, 1),
        "status": STATUSES[0],
    }
    fields = {k: v for k, v in data.items() if k in Message.model_fields and k != "body"}
    fields["body"] = data.get("body", "")
    kept = dict(lines)
    for _attempt in range(3):
        try:
            return Message(**{**stand_ins, **fields}, **where, field_lines=kept)
        except ValidationError as exc:
            failed = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not failed:  # the dates out of order: drop the end date
                failed = {"valid_until"}
            for name in failed:
                fields.pop(name, None)
                kept = {k: v for k, v in kept.items() if k != name and not k.startswith(name + ".")}
    return None


def _parse(text: str, offset: int, rel: str, library: LoadLog) -> Parsed | None:
    try:
        return parse_yaml(text, offset)
    except yaml.YAMLError as exc:
        library.findings.append(yaml_finding(exc, offset, rel, text))
    return None


def duplicate_finding(rel: str, key: str, first: int, line: int) -> Finding:
    """S107: a field written twice."""
    return finding(
        rel,
        line,
        "S107",
        Severity.ERROR,
        _(
            "the field '{field}' is written twice, on line {first} and on line {line}; only "
            "one can count, so delete the one that is wrong"
        ).format(field=key, first=first, line=line),
    )


def yaml_finding(exc: yaml.YAMLError, offset: int, rel: str, text: str | None = None) -> Finding:
    """The finding for a YAML error: S107 a field twice, S105 an alias, S104 any other, said in
    the adviser's words (flows.library.explain; `text` is what was parsed)."""
    if isinstance(exc, DuplicateKey):
        return duplicate_finding(rel, exc.key, exc.first, exc.line)
    if isinstance(exc, AliasNotAllowed):
        return finding(
            rel,
            error_line(exc, offset),
            "S105",
            Severity.ERROR,
            _("YAML anchors and aliases (& and *) are not allowed; write the value out"),
        )
    line = error_line(exc, offset)
    return finding(rel, line, "S104", Severity.ERROR, yaml_problem(exc, text, line))


def status_advice() -> str:
    """What to write in `status:`, for the S119 findings."""
    return _(
        "write status: concept while you write, status: klaar-voor-review when a colleague may "
        "read it, and let the reviewer set status: gepubliceerd (./veerkracht review FILE --by "
        "NAME)"
    )


# Text fields whose line is kept as written when YAML cannot read it (a colon in a title): the
# message stays held by the YAML error, but its text is still checked.
_TEXT_FIELDS = frozenset({"title", "headline", "text", "reviewed_by"})
_FIELD_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")


@dataclass
class Recovered:
    """What line-by-line reading of broken YAML kept: the good fields, their lines, the
    problems found, and the fields that could not be read."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)


def recover_fields(text: str, offset: int, rel: str) -> Recovered:
    """Read a block of `key: value` fields one top-level field at a time.

    A field starts at a line without indent; its indented lines (and `- ` items) belong to it.
    Each field is parsed alone: a good one is kept, a broken one is reported at its line. A
    broken field with indented fields under it (`screen:`) is read the same way, one level
    down; a broken one-line text field keeps its text as written, for the checks.
    """
    out = Recovered()
    _recover(text.split("\n"), offset, rel, "", out)
    return out


def _chunks(lines: list[str]) -> list[tuple[int, list[str]]]:
    chunks: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines):
        starts = bool(line.strip()) and not line[0].isspace() and not line.startswith(("#", "- "))
        if starts or not chunks:
            chunks.append((i, [line]))
        else:
            chunks[-1][1].append(line)
    return chunks


def _recover(lines: list[str], offset: int, rel: str, prefix: str, out: Recovered) -> None:
    data = out.data
    for name in prefix.rstrip(".").split(".") if prefix else ():
        data = data.setdefault(name, {})
    for start, chunk in _chunks(lines):
        text = "\n".join(chunk)
        if not text.strip():
            continue
        first = offset + start
        key_match = _FIELD_LINE.match(chunk[0])
        try:
            parsed = parse_yaml(text, first)
        except yaml.YAMLError as exc:
            key = key_match[1] if key_match else None
            rest = [c for c in chunk[1:] if c.strip()]
            if key and key_match and not key_match[2] and rest:
                indent = min(len(c) - len(c.lstrip()) for c in rest)
                if indent > 0:  # `screen:` with its fields below: read those one by one
                    out.lines.setdefault(prefix + key, first + 1)
                    _recover(
                        [c[indent:] for c in chunk[1:]], first + 1, rel, f"{prefix}{key}.", out
                    )
                    continue
            out.findings.append(yaml_finding(exc, first, rel, text))
            if key is None:
                continue
            out.broken.add(prefix + key)
            out.lines.setdefault(prefix + key, first + 1)
            value = key_match[2] if key_match else None
            if key in _TEXT_FIELDS and value and not rest and value[0] not in "\"'[{|>&*!":
                data.setdefault(key, value)
            continue
        if parsed.data is None:  # only comments
            continue
        if not isinstance(parsed.data, dict):
            out.findings.append(
                finding(
                    rel,
                    first + 1,
                    "S106",
                    Severity.ERROR,
                    _(
                        "this line is not a field like 'title: ...'; write 'name: value' or "
                        "indent it under the field it belongs to"
                    ),
                )
            )
            continue
        for key, value in parsed.data.items():
            dotted = f"{prefix}{key}"
            if key in data:
                line = parsed.lines.get(str(key), first + 1)
                out.findings.append(
                    duplicate_finding(rel, str(key), out.lines.get(dotted, line), line)
                )
                continue
            data[key] = value
        for dotted, line in parsed.lines.items():
            out.lines.setdefault(prefix + dotted, line)


def load_yaml_models(
    path: Path, model: type[M], library: LoadLog, list_key: str | None = None
) -> list[M]:
    """Load a YAML file holding one model, or a list of them under `list_key`."""
    rel = library.rel(path)
    text, problems = read_text(path, library.root, rel)
    library.findings.extend(problems)
    if text is None:
        return []
    parsed = _parse(text, 0, rel, library)
    if parsed is None:
        return []
    items: Iterable[tuple[str, Any]]
    if list_key is None:
        items = [("", parsed.data)]
    else:
        seq = parsed.data.get(list_key) if isinstance(parsed.data, dict) else None
        if not isinstance(seq, list):
            library.findings.append(
                finding(
                    rel,
                    1,
                    "S106",
                    Severity.ERROR,
                    _("expected a list under '{key}:'").format(key=list_key),
                )
            )
            return []
        items = [(f"{list_key}.{i}.", item) for i, item in enumerate(seq)]
    out: list[M] = []
    for prefix, data in items:
        line = parsed.lines.get(prefix.rstrip("."), 1)
        if not isinstance(data, dict):
            library.findings.append(
                finding(rel, line, "S106", Severity.ERROR, _("expected fields like 'id: ...'"))
            )
            continue
        extra: dict[str, Any] = {}
        if "line" in model.model_fields:  # Style has no line of its own
            extra["line"] = line
        if "path" in model.model_fields:
            extra["path"] = path
        if "field_lines" in model.model_fields:
            extra["field_lines"] = {
                k.removeprefix(prefix): v for k, v in parsed.lines.items() if k.startswith(prefix)
            }
        try:
            out.append(model(**data, **extra))
        except ValidationError as exc:
            library.findings.extend(validation_findings(exc, rel, parsed.lines, line, prefix))
    return out


def load_library(root: Path | str) -> Library:
    """Load messages, campaigns and style from a content folder."""
    root = Path(root)
    if not root.is_dir():
        raise ContentError(
            _("content folder not found: {folder} (use --content DIR)").format(folder=root)
        )
    log = LoadLog(root)
    files = 0
    messages: list[Message] = []
    for path in sorted((root / "messages").rglob("*.md")):
        files += 1
        message = load_message(path, log)
        if message is not None:
            messages.append(message)
    campaigns: list[Campaign] = []
    for path in sorted((root / "campaigns").glob("*.y*ml")):
        files += 1
        campaigns.extend(load_yaml_models(path, Campaign, log))
    style = Style()
    style_path = root / "style.yaml"
    if style_path.exists():
        files += 1
        styles = load_yaml_models(style_path, Style, log)
        if styles:
            style = styles[0]
    inbox = root / "inbox"
    drafts = sum(1 for _ in inbox.rglob("*.md")) if inbox.is_dir() else 0
    return Library(
        root=root,
        messages=tuple(messages),
        campaigns=tuple(campaigns),
        style=style,
        findings=tuple(log.findings),
        files=files,
        drafts_waiting=drafts,
        unloaded=tuple(log.unloaded),
    )
