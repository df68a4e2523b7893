"""The partner list (CSV): who receives the newsletter. Bad rows are reported and skipped.

Codes: N600 file unreadable, N601 header, N602 address, N603 duplicate address, N604 a bad
value in a column, N605 a line break, control character, line separator or bidi control in the
organisation name, N606 a row the CSV reader cannot read (an unclosed quote), N607 no usable row.

The reader never raises on what is in the file: each record is cut out by its quotes (at most
`MAX_RECORD_LINES` lines) and read on its own, so one malformed row is a finding with its line
and the rows after it are still read. A list with no usable row makes the newsletter fail for
that run (`PartnerList.unusable`), loudly, while the other channels still publish.
"""

from __future__ import annotations

import csv
import io
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from channels.base import Loaded
from channels.newsletter.settings import Partner
from flows.core import text as unsafe_text
from flows.core.errors import PermanentDeliveryError
from flows.core.findings import Finding, Severity, finding
from flows.core.i18n import N_, _, ngettext
from flows.core.phrase import Phrase, Shown
from flows.core.settings import Settings
from flows.library.loader import relative

EXAMPLE_FILE = "partners.example.csv"
COLUMNS = ("organisation", "kind", "email", "audiences", "language", "unsubscribed")
REQUIRED = ("organisation", "kind", "email", "audiences")
# Deliberately simple: one @, no spaces or control characters, a dot in the domain.
_EMAIL = re.compile(
    r"^[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_TRUE = {"1", "true", "yes", "ja", "j", "y", "x"}
MAX_BYTES = 10 * 1024 * 1024  # a partner list of 10 MB has over 50,000 rows: not ours
MAX_RECORD_LINES = 3  # a quoted cell may hold a line break (then N605); more is a lost quote
_FATAL = ("N600", "N601")  # the whole list refused; else N607 says no row was usable


def valid_email(address: str) -> bool:
    """True for a plain, single ASCII e-mail address without anything that could break a header.

    ASCII only: sending to an internationalised address needs SMTPUTF8, which we do not use.
    """
    return (
        address.isascii()
        and bool(_EMAIL.match(address))
        and not any(ord(c) < 32 or ord(c) == 127 for c in address)
    )


def _refuse(rel: str, line: int, code: str, message: str) -> tuple[list[Partner], list[Finding]]:
    return [], [finding(rel, line, code, Severity.ERROR, message)]


def _decode(raw: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """The file as text, or why it cannot be a partner list (N600)."""
    why = ""
    head = raw[:64]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        why = _('the partner list is saved as UTF-16 ("Unicode text"); export it as CSV UTF-8')
    elif b"\x00" in raw.split(b"\n", 1)[0] or raw.count(b"\x00") * 100 > len(raw):
        why = _(
            "the partner list is not a text file (it contains binary data); export the list "
            "from your spreadsheet again as CSV UTF-8"
        )
    elif not raw.strip():
        why = _(
            "the partner list is empty; put the column names on the first line and one "
            "partner per line below it"
        )
    if why:
        return None, [finding(rel, 0, "N600", Severity.ERROR, why)]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return None, [
            finding(
                rel,
                0,
                "N600",
                Severity.ERROR,
                _("the partner list is not UTF-8; export it as CSV UTF-8"),
            )
        ]


def _utf16_without_bom(head: bytes) -> bool:
    """True for ASCII text saved as UTF-16: every other byte NUL, the others not."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) == len(odd) and 0 not in even) or (
        even.count(0) == len(even) and 0 not in odd
    )


def _records(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, text) of each CSV record, cut by its quotes: a record goes on to
    the next line while it has an odd number of quotes, for at most MAX_RECORD_LINES lines.
    A record still open after that is returned alone (its own line), for the reader to refuse."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        end = i
        quotes = lines[i].count('"')
        while quotes % 2 and end + 1 < len(lines) and end - i + 1 < MAX_RECORD_LINES:
            end += 1
            quotes += lines[end].count('"')
        if quotes % 2:  # a quote that is never closed: this line alone, refused below
            end = i
        out.append((i + 1, end + 1, "\n".join(lines[i : end + 1])))
        i = end + 1
    return out


def _cells(record: str, delimiter: str) -> list[str] | str:
    """The cells of one record, or why the CSV reader cannot read it."""
    if "\x00" in record:
        return _("the line contains a NUL byte (binary data); type the row again")
    if record.count('"') % 2:
        return _(
            'a quote (") is opened but not closed on this line; close it, or remove the '
            "quotes around the cell"
        )
    try:
        rows = list(csv.reader(io.StringIO(record), delimiter=delimiter))
    except csv.Error as exc:
        return _(
            "the line cannot be read as CSV ({error}); export the list again as CSV UTF-8"
        ).format(error=exc)
    if len(rows) != 1:
        return _(
            "the line breaks into several rows (a stray carriage return); write it on one line"
        )
    return rows[0]


def load_partners(path: Path) -> tuple[list[Partner], list[Finding]]:
    """Read the partner CSV; every bad row becomes a finding with its line and is skipped.

    Never raises on the file's content. No usable row at all is N607 (besides the findings
    that say why): the newsletter cannot go out.
    """
    rel = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return _refuse(
                rel,
                0,
                "N600",
                _(
                    "the partner list is over {mb} MB; "
                    "this is not a partner list, check VEERKRACHT_PARTNERS_CSV"
                ).format(mb=MAX_BYTES // (1024 * 1024)),
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        return _refuse(
            rel, 0, "N600", _("partner list not found; set VEERKRACHT_PARTNERS_CSV to its path")
        )
    except OSError as exc:
        return _refuse(
            rel,
            0,
            "N600",
            _(
                "cannot read the partner list ({error}); check "
                "VEERKRACHT_PARTNERS_CSV and the file's permissions"
            ).format(error=exc.strerror or exc),
        )
    text, problems = _decode(raw, rel)
    if text is None:
        return [], problems
    records = _records(text)
    # Excel set to Dutch saves "CSV" with semicolons (the comma is the decimal sign there).
    first_line = records[0][2] if records else ""
    delimiter = max((",", ";", "\t"), key=first_line.count)
    head = _cells(first_line, delimiter)
    header = [h.strip().lower() for h in head] if isinstance(head, list) else []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return _refuse(
            rel,
            1,
            "N601",
            _("the first line must name the columns; missing: {columns}").format(
                columns=", ".join(missing)
            ),
        )
    partners, findings = _rows(records[1:], header, delimiter, rel)
    if not partners:
        findings.append(
            finding(
                rel,
                0,
                "N607",
                Severity.ERROR,
                _(
                    "no row of the partner list can be used, so nobody gets the newsletter; fix "
                    "the rows named here (or add partners below the first line) and publish again"
                ),
            )
        )
    return partners, findings


def _rows(
    records: list[tuple[int, int, str]], header: list[str], delimiter: str, rel: str
) -> tuple[list[Partner], list[Finding]]:
    partners: list[Partner] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for first, line, record in records:
        if not record.strip():
            continue
        cells = _cells(record, delimiter)
        if isinstance(cells, str):
            findings.append(finding(rel, first, "N606", Severity.ERROR, _skipped(cells)))
            continue
        values = {k: v.strip() for k, v in zip(header, cells, strict=False) if k}
        email = values.get("email", "")
        if not valid_email(email):
            why = (
                _("{email} has letters outside ASCII, which we cannot send to")
                if not email.isascii()
                else _("{email} is not a single valid e-mail address")
            )
            text = _skipped(why.format(email=repr(email)))
            findings.append(finding(rel, line, "N602", Severity.ERROR, text))
            continue
        organisation = values.get("organisation", "")
        if _control(organisation) or unsafe_text.has_unsafe(organisation):
            findings.append(
                finding(rel, line, "N605", Severity.ERROR, _organisation_problem(organisation))
            )
            continue
        folded = email.casefold()
        if folded in seen:
            findings.append(
                finding(
                    rel,
                    line,
                    "N603",
                    Severity.ERROR,
                    _(
                        "{email} is already on line {line} (addresses are "
                        "compared without case); row skipped, remove one of them"
                    ).format(email=email, line=seen[folded]),
                )
            )
            continue
        data = {
            "organisation": organisation,
            "kind": values.get("kind", "").lower(),
            "email": email,
            "audiences": tuple(
                a.strip() for a in re.split(r"[;|]", values.get("audiences", "")) if a.strip()
            ),
            "language": values.get("language") or "nl",
            "unsubscribed": values.get("unsubscribed", "").lower() in _TRUE,
            "line": line,
        }
        try:
            partners.append(Partner(**data))
        except ValidationError as exc:
            findings.extend(_value_findings(exc, rel, line))
            continue
        seen[folded] = line
    return partners, findings


def _control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _skipped(why: str) -> str:
    """A row's problem and that the row was left out."""
    return _("{why}; row skipped").format(why=why)


def _organisation_problem(organisation: str) -> str:
    if _control(organisation):
        return _skipped(
            _("the organisation name has a line break or control character; write it on one line")
        )
    return _skipped(unsafe_text.problem(organisation, _("the organisation name")) or "")


def _value_findings(exc: ValidationError, rel: str, line: int) -> list[Finding]:
    out: list[Finding] = []
    reported: set[str] = set()
    for err in exc.errors():
        col = str(err["loc"][0]) if err["loc"] else "row"
        if col in reported:  # one finding per column is enough to fix it
            continue
        reported.add(col)
        text = _("column '{column}' has a bad value ({value}): {problem}").format(
            column=col, value=repr(err.get("input")), problem=_column_problem(col, err)
        )
        out.append(finding(rel, line, "N604", Severity.ERROR, _skipped(text)))
    return out


def _column_problem(column: str, err: Any) -> str:
    """What is wrong with a value of `column`, in the person's words (never pydantic's)."""
    if err["type"] == "literal_error":
        annotation = (
            Partner.model_fields[column].annotation if column in Partner.model_fields else None
        )
        args = typing.get_args(annotation)
        if args and typing.get_origin(annotation) is tuple:  # audiences: tuple[Audience, ...]
            args = typing.get_args(args[0])
        return ngettext("must be {choices}", "must be one of: {choices}", len(args)).format(
            choices=", ".join(str(a) for a in args)
        )
    if err["type"] in ("string_too_short", "too_short", "missing"):
        return _("may not be empty")
    return _("is not a value this column can have")


class PartnerListUnusable(PermanentDeliveryError):
    """The partner list has no usable row: the newsletter cannot go out this run."""


@dataclass(frozen=True)
class PartnerList:
    """The partner list in use: its rows, where it came from, whether it is the example, and
    why it cannot be used at all (empty when it can)."""

    partners: tuple[Partner, ...]
    path: Path
    example: bool
    unusable: str = ""


def load_partner_list(settings: Settings) -> Loaded[PartnerList]:
    """The list named by VEERKRACHT_PARTNERS_CSV, else the bundled example (demo only).

    The example is said out loud (`note`), so a plan or report never looks real when it is not.
    """
    path = settings.resolved_partners_csv()
    bundled = settings.content_dir / EXAMPLE_FILE
    # Also when VEERKRACHT_PARTNERS_CSV names the example itself (the demo does).
    example = settings.partners_csv is None or path.resolve() == bundled.resolve()
    if settings.partners_csv is None and not path.exists():
        # No list set and no example beside the content: nobody to send to, nothing wrong.
        # A Phrase: the publish report shows it in its language, the plan page in Dutch
        # (flows/publishing/calendar.input_notes).
        none = Phrase(N_("no partner list; set VEERKRACHT_PARTNERS_CSV to send newsletters"))
        return Loaded(PartnerList((), path, example), note=none)
    partners, findings = load_partners(path)
    unusable = ""
    if not partners:
        why = next((f for f in findings if f.code in _FATAL), None) or findings[-1]
        unusable = _(
            "the partner list {path} cannot be used ({code}: {why}); "
            "nobody got the newsletter. Fix the list (VEERKRACHT_PARTNERS_CSV) and publish "
            "again: what was sent today is not sent twice"
        ).format(path=why.path, code=why.code, why=why.message)
    note: Shown = (
        Phrase.of(
            N_("example list {path}; set VEERKRACHT_PARTNERS_CSV for the real partner list"),
            path=relative(path, settings.content_dir),
        )
        if example
        else ""
    )
    value = PartnerList(tuple(partners), path, example, unusable)
    return Loaded(value, tuple(findings), 1, note)
