"""What the studio knows of the content folder: the checked library, its files, the checks of
an unsaved text, and the only way from a name in a URL to a file (never outside the folder).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
import weakref
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from flows.core.findings import Finding
from flows.core.models import Message
from flows.core.settings import Settings
from flows.library.loader import Library, LoadLog, load_message, split_front_matter
from flows.publishing.checking import Checked, check_all, check_folder
from flows.publishing.preview import Preview, preview_message
from flows.studio.watch import Watch

# Where the studio may read and write message files, relative to the content folder.
AREAS = ("messages", "inbox")
# Channels left out of the live preview while typing: the poster preview is a PDF, which the
# editor does not show, and rendering it was about 150 of 280 ms of each check of a message
# (measured on the bundled library); `veerkracht preview` still writes it.
LIVE_PREVIEW_SKIPS = frozenset({"posters"})
_SAFE_PART = re.compile(r"[a-z0-9][a-z0-9._-]{0,120}")


class NotAllowed(Exception):
    """A name that is not a message file inside the content folder."""


def digest(data: bytes) -> str:
    """The hash kept in the edit form, to notice a file changed on disk since it was opened."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Checked1:
    """The checks of one (possibly unsaved) message text."""

    rel: str
    message: Message | None
    findings: list[Finding]
    body_line: int
    preview: Preview | None


# The messages and unloaded messages of one id, each with its place in the library.
ById = tuple[list[tuple[int, Message]], list[tuple[int, Message]]]


def _by_id(library: Library) -> dict[str, ById]:
    """The library's messages and unloaded messages by id, in the library's order."""
    out: dict[str, ById] = {}
    for which, found in enumerate((library.messages, library.unloaded)):
        for place, m in enumerate(found):
            out.setdefault(m.id, ([], []))[which].append((place, m))
    return out


class ContentState:
    """The content folder, checked again whenever a file in it changed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.content_dir.resolve()
        self._lock = threading.Lock()
        self._seen: tuple[tuple[str, int, int], ...] | None = None
        self._checked: Checked | None = None
        self._by_id: dict[str, ById] = {}
        self._watch = Watch(self.root)
        # Where a typed text is loaded from (as its own file, by the loader); one folder for
        # the process, used under `_scratch_lock`, as making and removing a temporary folder
        # on each keystroke took 5-15 ms on this machine's disk.
        self._scratch = Path(tempfile.mkdtemp(prefix="studio-")) / self.root.name
        self._scratch_lock = threading.Lock()
        weakref.finalize(self, shutil.rmtree, self._scratch.parent, ignore_errors=True)

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        """Every file under the content folder with its mtime and size (symlinked folders are
        not entered, as rglob does not). os.scandir and plain strings: Path.rglob and sorting
        Paths were 90 ms of it with 2,000 messages. Each folder is watched (inotify) before it
        is listed, so any change after its listing shows as an event: while none came, the
        signature still holds and the next check need not take it again."""
        out = []
        folders = [str(self.root)]
        watched = self._watch.usable
        while folders:
            folder = folders.pop()
            watched = self._watch.add(folder) and watched
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                        continue
                    if entry.is_symlink():
                        watched = False  # its target may change elsewhere, with no event here
                    st = entry.stat()
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    out.append((entry.path, st.st_mtime_ns, st.st_size))
        self._watch.trusted = watched
        return tuple(sorted(out))

    def checked(self) -> Checked:
        """The whole folder checked (the same check as `veerkracht check`), again only when a
        file under it changed."""
        return self._current()[0]

    def _current(self) -> tuple[Checked, dict[str, ById]]:
        """The folder's check and its messages by id (of the same check)."""
        with self._lock:
            if self._checked is None or not self._watch.quiet():
                seen = self._signature()
                if self._checked is None or seen != self._seen:
                    self._checked = check_folder(self.root, self.settings)
                    self._seen = seen
                    self._by_id = _by_id(self._checked.library)
            return self._checked, self._by_id

    def path(self, rel: str) -> Path:
        """The file `rel` names (`messages/slapen/x.nl.md`, `inbox/bron/x.md`); NotAllowed for
        anything else: other folders, `..`, absolute names, links that lead outside."""
        parts = rel.split("/")
        if (
            len(parts) < 2
            or parts[0] not in AREAS
            or not all(_SAFE_PART.fullmatch(p) for p in parts[1:])
            or not rel.endswith(".md")
            or ".." in parts
        ):
            raise NotAllowed(rel)
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to((self.root / parts[0]).resolve()):
            raise NotAllowed(rel)
        return path

    def campaign_path(self, name: str) -> Path:
        """The campaign file `name` (`sterk-begin-2027.yaml`) in `campaigns/`; NotAllowed for
        any other name, and for a link that leads outside that folder."""
        if not _SAFE_PART.fullmatch(name) or not name.endswith((".yaml", ".yml")):
            raise NotAllowed(name)
        folder = (self.root / "campaigns").resolve()
        path = self.root / "campaigns" / name
        if not path.resolve().is_relative_to(folder):
            raise NotAllowed(name)
        return path

    def campaign_names(self) -> list[str]:
        """The campaign files the studio can edit."""
        folder = self.root / "campaigns"
        found = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
        out = []
        for path in found:
            try:
                if self.campaign_path(path.name).is_file():
                    out.append(path.name)
            except NotAllowed:
                continue
        return out

    def check_campaign(self, name: str, text: str, day: date) -> list[Finding]:
        """Every finding of the whole folder as if campaign `name` held `text`: the folder is
        copied to a scratch folder and checked there with the checks of `veerkracht check`."""
        with tempfile.TemporaryDirectory(prefix="studio-") as tmp:
            scratch = Path(tmp) / self.root.name
            shutil.copytree(self.root, scratch)
            (scratch / "campaigns" / name).write_text(text, encoding="utf-8", newline="")
            return check_folder(scratch, self.settings, day).findings

    def rel(self, path: Path) -> str:
        """The name of a file in URLs: relative to the content folder."""
        return path.resolve().relative_to(self.root).as_posix()

    def check_text(self, rel: str, text: str, day: date, with_preview: bool) -> Checked1:
        """Every finding of `text` as if it were the file `rel`, with the rest of the folder as it
        is on disk: the file is loaded by the loader from a scratch copy and checked with the
        same checks (and previewed with the same renderers) as the command line."""
        checked, by_id = self._current()
        library = checked.library
        real = self.path(rel)
        with self._scratch_lock:
            scratch = self._scratch.joinpath(*rel.split("/"))
            scratch.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_text(text, encoding="utf-8")
            try:
                log = LoadLog(self._scratch)
                message = load_message(scratch, log)
            finally:
                scratch.unlink()
        here = library.rel(real)
        loaded = [m.model_copy(update={"path": real}) for m in log.unloaded]
        mine = message.model_copy(update={"path": real}) if message is not None else None
        # Only this file's findings are wanted, and every rule that reports on a message file
        # looks at that message, the campaigns and the messages with the same id (S116). So the
        # text is checked beside those alone, not the whole library again on each keystroke
        # (3 of 3.5 s with 2,000 messages); tests/test_studio.py checks the findings are the
        # same as `veerkracht check` gives. The messages of an id come from an index made once
        # per check of the folder, in the library's order; only their paths are resolved.
        ids = {m.id for m in (mine, *loaded) if m is not None}
        where = real.resolve()

        def others(which: int) -> tuple[Message, ...]:
            found = sorted(p_m for i in ids for p_m in by_id.get(i, ([], []))[which])
            return tuple(m for _, m in found if m.path.resolve() != where)

        one: Library = replace(
            library,
            messages=(*others(0), *([mine] if mine else [])),
            unloaded=(*others(1), *loaded),
            findings=tuple(replace(f, path=here) for f in log.findings),
            memo={},
        )
        body_line = split_front_matter(text)[3]
        preview = None
        if mine is not None and with_preview:
            preview = preview_message(
                one, mine, self.settings, day, checked.inputs, skip=LIVE_PREVIEW_SKIPS
            )
            findings = preview.findings
        else:
            findings = [f for f in check_all(one, checked.inputs, day) if f.path == here]
        return Checked1(here, mine, sorted(findings), body_line, preview)


def where_text(f: Finding, body_line: int, fields: dict[str, int]) -> str:
    """Where a finding points, for an adviser: a field of the form or a line of the text."""
    if f.line <= 0:
        return "het hele bestand"
    if f.line >= body_line:
        return f"tekst, regel {f.line - body_line + 1}"
    names = [k for k, line in sorted(fields.items(), key=lambda kv: kv[1]) if line == f.line]
    if names:
        return f"veld {names[-1]} (regel {f.line})"
    return f"regel {f.line} van het bestand"


def finding_json(f: Finding, body_line: int, fields: dict[str, int]) -> dict[str, Any]:
    """A finding for the page's script."""
    return {
        "line": f.line,
        "column": f.column,
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "where": where_text(f, body_line, fields),
        "body_line": f.line - body_line + 1 if f.line >= body_line else 0,
    }
