"""The partner list (CSV): who receives the newsletter. Bad rows are reported and skipped.

Codes: N600 file unreadable, N601 header, N602 address, N603 duplicate address, N604 a bad
value in a column, N605 a line break in the organisation name.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from channels.base import Loaded
from channels.newsletter.settings import Partner
from flows.core.findings import Finding, Severity, finding
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


def valid_email(address: str) -> bool:
    """True for a plain, single ASCII e-mail address without anything that could break a header.

    ASCII only: sending to an internationalised address needs SMTPUTF8, which we do not use.
    """
    return (
        address.isascii()
        and bool(_EMAIL.match(address))
        and not any(ord(c) < 32 or ord(c) == 127 for c in address)
    )


def _control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def load_partners(path: Path) -> tuple[list[Partner], list[Finding]]:
    """Read the partner CSV; every bad row becomes a finding with its line and is skipped."""
    rel = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [], [
            finding(
                rel,
                0,
                "N600",
                Severity.ERROR,
                "partner list not found; set VEERKRACHT_PARTNERS_CSV to its path",
            )
        ]
    except UnicodeDecodeError:
        return [], [
            finding(
                rel,
                0,
                "N600",
                Severity.ERROR,
                "the partner list is not UTF-8; export it as CSV UTF-8",
            )
        ]
    # Excel set to Dutch saves "CSV" with semicolons (the comma is the decimal sign there).
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            finding(
                rel,
                1,
                "N601",
                Severity.ERROR,
                f"the first line must name the columns; missing: {', '.join(missing)}",
            )
        ]
    reader.fieldnames = header
    partners: list[Partner] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        email = values.get("email", "")
        if not valid_email(email):
            why = (
                "has letters outside ASCII, which we cannot send to"
                if not email.isascii()
                else "is not a single valid e-mail address"
            )
            findings.append(
                finding(rel, line, "N602", Severity.ERROR, f"{email!r} {why}; row skipped")
            )
            continue
        if _control(values.get("organisation", "")):
            findings.append(
                finding(
                    rel,
                    line,
                    "N605",
                    Severity.ERROR,
                    "the organisation name has a line break or control "
                    "character; write it on one line; row skipped",
                )
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
                    f"{email} is already on line {seen[folded]} (addresses are "
                    "compared without case); row skipped, remove one of them",
                )
            )
            continue
        data = {
            "organisation": values.get("organisation", ""),
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
            reported: set[str] = set()
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else "row"
                if col in reported:  # one finding per column is enough to fix it
                    continue
                reported.add(col)
                findings.append(
                    finding(
                        rel,
                        line,
                        "N604",
                        Severity.ERROR,
                        f"column '{col}' has a bad value ({err.get('input')!r}): "
                        f"{str(err['msg']).removeprefix('Value error, ')}; "
                        "row skipped",
                    )
                )
            continue
        seen[folded] = line
    return partners, findings


@dataclass(frozen=True)
class PartnerList:
    """The partner list in use: its rows, where it came from, and whether it is the example."""

    partners: tuple[Partner, ...]
    path: Path
    example: bool


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
        note = "geen partnerlijst; zet VEERKRACHT_PARTNERS_CSV om nieuwsbrieven te versturen"
        return Loaded(PartnerList((), path, example), note=note)
    partners, findings = load_partners(path)
    note = (
        f"voorbeeldlijst {relative(path, settings.content_dir)}; zet VEERKRACHT_PARTNERS_CSV "
        "voor de echte partnerlijst"
        if example
        else ""
    )
    return Loaded(PartnerList(tuple(partners), path, example), tuple(findings), 1, note)
