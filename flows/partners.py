"""The partner list (CSV): who receives the newsletter. Bad rows are reported and skipped."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pydantic import ValidationError

from flows.findings import Finding, Severity, finding
from flows.models import Partner

COLUMNS = ("organisation", "kind", "email", "audiences", "language", "unsubscribed")
REQUIRED = ("organisation", "kind", "email", "audiences")
# Deliberately simple: one @, no spaces or control characters, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_TRUE = {"1", "true", "yes", "ja", "j", "y", "x"}


def valid_email(address: str) -> bool:
    """True for a plain, single e-mail address without anything that could break a header."""
    return bool(_EMAIL.match(address)) and not any(ord(c) < 32 or ord(c) == 127 for c in address)


def load_partners(path: Path) -> tuple[list[Partner], list[Finding]]:
    """Read the partner CSV; every bad row becomes a finding with its line and is skipped."""
    rel = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [], [finding(rel, 0, "N600", Severity.ERROR,
                            "partner list not found; set VEERKRACHT_PARTNERS_CSV to its path")]
    except UnicodeDecodeError:
        return [], [finding(rel, 0, "N600", Severity.ERROR,
                            "the partner list is not UTF-8; export it as CSV UTF-8")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [finding(rel, 1, "N601", Severity.ERROR,
                            f"the first line must name the columns; missing: {', '.join(missing)}")]
    reader.fieldnames = header
    partners: list[Partner] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        email = values.get("email", "")
        if not valid_email(email):
            findings.append(finding(rel, line, "N602", Severity.ERROR,
                                    f"'{email}' is not a valid e-mail address; row skipped"))
            continue
        folded = email.casefold()
        if folded in seen:
            findings.append(finding(rel, line, "N603", Severity.ERROR,
                                    f"{email} is already on line {seen[folded]} (addresses are "
                                    "compared without case); row skipped, remove one of them"))
            continue
        data = {
            "organisation": values.get("organisation", ""),
            "kind": values.get("kind", "").lower(),
            "email": email,
            "audiences": tuple(a.strip() for a in re.split(r"[;|]", values.get("audiences", ""))
                               if a.strip()),
            "language": values.get("language") or "nl",
            "unsubscribed": values.get("unsubscribed", "").lower() in _TRUE,
            "line": line,
        }
        try:
            partners.append(Partner(**data))
        except ValidationError as exc:
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else "row"
                findings.append(finding(rel, line, "N604", Severity.ERROR,
                                        f"column '{col}' has a bad value ({err.get('input')!r}): "
                                        f"{str(err['msg']).removeprefix('Value error, ')}; "
                                        "row skipped"))
            continue
        seen[folded] = line
    return partners, findings
