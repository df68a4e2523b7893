"""Load the content folder into a Library, turning every problem into a finding.

Loading never raises on bad content: a file that cannot be read or validated becomes a finding
and is left out, and the rest of the library still loads (one broken message never stops the
others). Only a missing content folder is an error (`ContentError`).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import BaseModel, ValidationError

from flows.core.errors import ContentError
from flows.core.findings import Finding, Severity, finding
from flows.core.models import AUDIENCES, THEMES, Campaign, Message, Style
from flows.core.text import describe, locate
from flows.library.safe_yaml import AliasNotAllowed, DuplicateKey, Parsed, error_line, parse_yaml

MAX_FILE_BYTES = 1024 * 1024  # a message is a few hundred words; anything this big is a mistake
MAX_UNSAFE_FINDINGS = 10  # per file: the first lines are enough to find the rest

# Only the front matter is wanted here: the "zero" preset without inline parsing makes the
# rest of the file one cheap paragraph scan (the checks parse the body once, fully).
_FRONT_MATTER = MarkdownIt("zero").use(front_matter_plugin)
_FRONT_MATTER.core.ruler.disable(["inline", "text_join"])
_LIKELY_CLOSE = re.compile(r"\n *(?:-{3,}|\.\.\.)[ \t]*(?:\r?\n|$)")
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
                    "this is a link to a file outside the content folder; copy the file "
                    "into the content folder instead",
                )
            ]
        info = path.stat()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, [finding(rel, 0, "S100", Severity.ERROR, f"cannot read file: {reason}")]
    if not stat.S_ISREG(info.st_mode):
        # A folder or pipe named like a message: reading it would fail or wait forever.
        return None, [
            finding(
                rel,
                0,
                "S100",
                Severity.ERROR,
                "this is not a file (a folder, pipe or device); remove it or give it a "
                "name that does not end in .md or .yaml",
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
                f"file is {size // 1024} KB; a content file must stay under "
                f"{MAX_FILE_BYTES // 1024} KB, split it or remove what does not belong",
            )
        ]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [finding(rel, 0, "S100", Severity.ERROR, f"cannot read file: {exc.strerror}")]
    if b"\x00" in raw:
        return None, [
            finding(
                rel,
                0,
                "S100",
                Severity.ERROR,
                "this is not a text file (it contains binary data); save it as plain "
                "text (UTF-8) or remove it from the content folder",
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
                "the text is not UTF-8; save the file as UTF-8 in your editor",
            )
        ]
    if not text.strip():
        return None, [
            finding(
                rel,
                1,
                "S103",
                Severity.ERROR,
                "the file is empty; write the message or delete the file",
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
                f"the invisible character {describe(found.char)} breaks the line or turns the "
                "text around where it is shown (a subject, a file name, a link); delete it "
                "(retype the words around it)",
                column=found.column,
            )
        )
    return out


def validation_findings(
    exc: ValidationError, rel: str, lines: dict[str, int], default_line: int, prefix: str = ""
) -> list[Finding]:
    """Turn pydantic's errors into findings with the line of the offending field."""
    out = []
    errors = exc.errors()
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
        return "S110", f"required field '{dotted}' is missing; add it"
    if kind == "extra_forbidden":
        return "S111", f"unknown field '{dotted}'; check the spelling or remove it"
    # The field itself or the list it sits in: campaigns have `weeks.1.theme`, `audiences.0`.
    names = {field_name, *(str(p) for p in err.get("loc", ()) if isinstance(p, str))}
    if kind == "literal_error" and "audiences" in names:
        return "S113", (f"unknown audience '{value}'; use one of: {', '.join(AUDIENCES)}")
    if kind == "literal_error" and "theme" in names:
        return "S114", f"unknown theme '{value}'; use one of: {', '.join(THEMES)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "S112", f"'{dotted}' must be a whole number, like 3 (not {value!r})"
    if "date" in kind:
        return "S115", f"'{dotted}' is not a valid date ({value!r}); write it as YYYY-MM-DD"
    # Pydantic's words ("valid tuple", "match pattern '^[a-z0-9]+...'") mean nothing to the
    # comms team; say what to write instead.
    if kind in ("tuple_type", "list_type"):
        example = "[ouders-jonge-kinderen]" if field_name == "audiences" else "[eerste, tweede]"
        return "S112", f"'{dotted}' must be a list; write it in square brackets, like {example}"
    if kind == "string_type":
        return "S112", (
            f"'{dotted}' must be text, but {value!r} reads as something else; "
            "put it between double quotes"
        )
    if kind == "string_pattern_mismatch":
        return "S112", (
            f"'{dotted}' may only use lowercase letters, digits and single hyphens, "
            f"like vast-ritme (not {value!r})"
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    if "before" in msg:
        return "S115", f"{msg}; correct the dates"
    return "S112", f"'{dotted}' is not valid: {msg}"


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """(front matter or None, first YAML line, body, first body line); lines 1-based."""
    # Hand the plugin only the lines up to the first likely closing line; if it finds no
    # front matter there, it gets the whole text (so the result is the same, only faster).
    close = _LIKELY_CLOSE.search(text)
    tokens = _FRONT_MATTER.parse(text[: close.end()]) if close else []
    if not tokens or tokens[0].type != "front_matter":
        tokens = _FRONT_MATTER.parse(text)
    if not tokens or tokens[0].type != "front_matter":
        return None, 0, text, 1
    start, end = tokens[0].map or (0, 0)
    lines = text.splitlines()[end:]
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1  # blank lines after the front matter are not part of the body
    return tokens[0].content, start + 2, "\n".join(lines[skipped:]), end + 1 + skipped


def load_message(path: Path, library: LoadLog) -> Message | None:
    """Load one message file; findings go to the log."""
    rel = library.rel(path)
    text, problems = read_text(path, library.root, rel)
    library.findings.extend(problems)
    if text is None:
        return None
    fm, fm_line, body, body_line = split_front_matter(text)
    if fm is None:
        if text.lstrip().startswith("---"):
            msg = "the front matter is not closed; add a line with only --- after the fields"
        else:
            msg = "the file must start with a line ---, then the fields, then --- again"
        library.findings.append(finding(rel, 1, "S103", Severity.ERROR, msg))
        return None
    parsed = _parse(fm, fm_line - 1, rel, library)
    if parsed is None:
        return None
    if not isinstance(parsed.data, dict):
        library.findings.append(
            finding(
                rel,
                fm_line,
                "S106",
                Severity.ERROR,
                "the front matter must be fields like 'title: ...', one per line",
            )
        )
        return None
    data = {**parsed.data, "body": body.rstrip()}
    if "body" in parsed.data:
        library.findings.append(
            finding(
                rel,
                parsed.lines["body"],
                "S111",
                Severity.ERROR,
                "'body' is not a field: write the text below the closing ---",
            )
        )
        return None
    try:
        message = Message(**data, path=path, line=1, body_line=body_line, field_lines=parsed.lines)
    except ValidationError as exc:
        library.findings.extend(validation_findings(exc, rel, parsed.lines, fm_line))
        return None
    return message


def _parse(text: str, offset: int, rel: str, library: LoadLog) -> Parsed | None:
    try:
        return parse_yaml(text, offset)
    except DuplicateKey as exc:
        library.findings.append(
            finding(
                rel,
                exc.line,
                "S107",
                Severity.ERROR,
                f"the field '{exc.key}' is written twice, on line {exc.first} and on line "
                f"{exc.line}; only one can count, so delete the one that is wrong",
            )
        )
    except AliasNotAllowed as exc:
        library.findings.append(
            finding(
                rel,
                error_line(exc, offset),
                "S105",
                Severity.ERROR,
                "YAML anchors and aliases (& and *) are not allowed; write the value out",
            )
        )
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or "syntax error")
        library.findings.append(
            finding(
                rel,
                error_line(exc, offset),
                "S104",
                Severity.ERROR,
                f"cannot read the fields ({problem}); {_yaml_advice(problem)}",
            )
        )
    return None


# PyYAML's words for the mistakes people make most, and what to do about each.
_YAML_ADVICE = (
    (
        "mapping values are not allowed",
        "a text contains ': ' (colon and space); put the whole text between double quotes",
    ),
    ("cannot start any token", "use spaces, not tabs, at the start of a line"),
    ("could not find expected ':'", "every field line needs 'name: value'"),
    ("expected <block end>", "check that the lines of one field line up (same indent)"),
    ("found unexpected end of stream", "a quote or bracket is opened but not closed"),
    ("is not a valid date", "write a date as year-month-day, for example 2027-01-04"),
)


def _yaml_advice(problem: str) -> str:
    for words, advice in _YAML_ADVICE:
        if words in problem:
            return advice
    return "check colons, quotes and indents"


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
                finding(rel, 1, "S106", Severity.ERROR, f"expected a list under '{list_key}:'")
            )
            return []
        items = [(f"{list_key}.{i}.", item) for i, item in enumerate(seq)]
    out: list[M] = []
    for prefix, data in items:
        line = parsed.lines.get(prefix.rstrip("."), 1)
        if not isinstance(data, dict):
            library.findings.append(
                finding(rel, line, "S106", Severity.ERROR, "expected fields like 'id: ...'")
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
        raise ContentError(f"content folder not found: {root} (use --content DIR)")
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
    )
