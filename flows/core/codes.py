"""Every finding code Veerkracht can report, in one typed table.

A code is a family letter and three digits (`S110`). Each entry says how bad a finding with that
code is (its `Severity`), what it means in a few English words (`text`, the msgid; `description`
is that in the current language), and which section of README.md documents it (the GitHub
anchor of that `##` heading, where a `| code | severity | what |` table lists it). The modules
that report findings still write their codes as literals; `tests/test_codes.py` keeps those
literals, this table, README.md's code tables and the fixture cases (one per code) in step.

Families: S schema and loading, T tone, style and channel fit, D dates, P planning (campaign
cadence), L links, N newsletter partner list, I feed ingest sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from flows.core.findings import Severity
from flows.core.i18n import N_, _

README: Final = "README.md"

# README.md sections (GitHub anchors of their `##` headings) that hold a code table.
CHECKS: Final = "checks"
LINKS: Final = "link-check"
INGEST: Final = "feed-ingest"
PARTNERS: Final = "partner-newsletter"

FAMILIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "S": "schema and loading",
        "T": "tone, style and channel fit",
        "D": "dates",
        "P": "planning (campaign cadence)",
        "L": "links",
        "N": "newsletter partner list",
        "I": "feed ingest sources",
    }
)

ERROR: Final = Severity.ERROR
WARNING: Final = Severity.WARNING
INFO: Final = Severity.INFO


@dataclass(frozen=True)
class Code:
    """One finding code: how severe its findings are, what it means, where it is documented."""

    code: str
    severity: Severity
    text: str
    section: str  # anchor of the README.md section whose code table lists it

    @property
    def description(self) -> str:
        """What it means, in the current language (`text` is the English msgid)."""
        return _(self.text)

    @property
    def family(self) -> str:
        """The family letter: S, T, D, P, L, N or I."""
        return self.code[0]

    @property
    def doc(self) -> str:
        """Where it is documented, as a link: `README.md#<section>`."""
        return f"{README}#{self.section}"


TABLE: Final[tuple[Code, ...]] = (
    # S: loading a file and its schema (flows/library/loader.py, flows/checks/schema.py).
    Code("S100", ERROR, N_("file unreadable, not a file, binary or not UTF-8"), CHECKS),
    Code("S101", ERROR, N_("file over 1 MB"), CHECKS),
    Code("S102", ERROR, N_("a link to a file outside the content folder"), CHECKS),
    Code("S103", ERROR, N_("no front matter, front matter not closed, or an empty file"), CHECKS),
    Code("S104", ERROR, N_("YAML syntax error"), CHECKS),
    Code("S105", ERROR, N_("YAML anchor or alias (& or *)"), CHECKS),
    Code("S106", ERROR, N_("not `field: value` lines (or no list where one belongs)"), CHECKS),
    Code("S107", ERROR, N_("the same YAML field twice in one place (both lines named)"), CHECKS),
    Code("S108", ERROR, N_("a control character, Unicode line separator or bidi control"), CHECKS),
    Code("S110", ERROR, N_("a required field is missing"), CHECKS),
    Code("S111", ERROR, N_("unknown field"), CHECKS),
    Code("S112", ERROR, N_("invalid value (wrong type, not a list, not a valid id)"), CHECKS),
    Code("S113", ERROR, N_("unknown audience"), CHECKS),
    Code("S114", ERROR, N_("unknown theme"), CHECKS),
    Code("S115", ERROR, N_("invalid date, or dates out of order"), CHECKS),
    Code("S116", ERROR, N_("the same id and language twice"), CHECKS),
    Code("S117", ERROR, N_("file name not `<id>.<lang>.md`"), CHECKS),
    Code("S118", ERROR, N_("folder is not the message's theme"), CHECKS),
    Code("S119", ERROR, N_("no or unknown status, or gepubliceerd without a review named"), CHECKS),
    # S: things that must never reach an output (flows/checks/safety.py).
    Code("S120", ERROR, N_("a link or resource that is not http(s)"), CHECKS),
    Code("S121", ERROR, N_("raw HTML in a text"), CHECKS),
    Code("S122", WARNING, N_("an image in a text (no channel shows images)"), CHECKS),
    # S: campaign references (flows/checks/campaigns.py).
    Code("S130", ERROR, N_("a campaign names a message that does not exist"), CHECKS),
    Code("S131", ERROR, N_("a campaign names a screen that does not exist"), CHECKS),
    Code("S132", ERROR, N_("a campaign has more weeks than its period"), CHECKS),
    # T: tone of voice (flows/checks/tone.py).
    Code("T201", ERROR, N_("professional jargon in a message for parents or young people"), CHECKS),
    # T202 and T211 are reported as warnings and hold by default (style.yaml `hold:`).
    Code("T202", ERROR, N_("a tip without a reason"), CHECKS),
    Code("T203", ERROR, N_("a blame or command word"), CHECKS),
    Code("T204", WARNING, N_("no strength named"), CHECKS),
    # T: patterns word lists cannot see (flows/checks/patterns.py).
    Code("T205", ERROR, N_("the reader named as the cause of a problem (cause-blame)"), CHECKS),
    Code("T206", ERROR, N_("a judgement of parents ('een goede ouder ...')"), CHECKS),
    Code("T207", ERROR, N_("an obligation for the reader ('je moet', 'verplicht')"), CHECKS),
    Code("T208", ERROR, N_("fear framing: harm to a child with no handle nearby"), CHECKS),
    # T: plain language, B1 (flows/checks/readability.py).
    Code("T210", WARNING, N_("average sentence length over the limit"), CHECKS),
    Code("T211", ERROR, N_("a sentence over the maximum length"), CHECKS),
    Code("T212", WARNING, N_("readability score below the minimum"), CHECKS),
    Code("T213", WARNING, N_("more hard words than allowed"), CHECKS),
    Code("T214", WARNING, N_("officialese ('indien', 'middels')"), CHECKS),
    Code("T215", WARNING, N_("a word the spelling check does not know"), CHECKS),
    # T: fits its channel (flows/checks/fit.py).
    Code("T220", ERROR, N_("screen headline too long"), CHECKS),
    Code("T221", ERROR, N_("screen text too long"), CHECKS),
    Code("T222", WARNING, N_("text too long for a newsletter"), CHECKS),
    Code("T223", ERROR, N_("too many resources"), CHECKS),
    # D: dates (flows/checks/dates.py).
    Code("D301", WARNING, N_("`review_by` has passed"), CHECKS),
    Code("D302", WARNING, N_("`valid_until` has passed"), CHECKS),
    # P: campaign cadence (flows/planning/rotation.py).
    Code("P701", ERROR, N_("a campaign cadence that cannot be read"), CHECKS),
    Code("P702", WARNING, N_("a campaign cadence never due in the campaign's period"), CHECKS),
    # L: link check (flows/linkcheck/).
    Code("L401", ERROR, N_("broken link (404, 410, 451)"), LINKS),
    Code("L402", WARNING, N_("link moved permanently"), LINKS),
    Code("L403", INFO, N_("link could not be verified"), LINKS),
    Code("L404", WARNING, N_("link leads to an internal address and is never opened"), LINKS),
    Code("L405", ERROR, N_("not a full web address"), LINKS),
    Code("L406", INFO, N_("offline: no site could be reached, links not verified"), LINKS),
    # N: partner list (channels/newsletter/partners.py).
    Code("N600", ERROR, N_("partner list not found, empty, binary, UTF-16 or not UTF-8"), PARTNERS),
    Code("N601", ERROR, N_("the first line does not name the required columns"), PARTNERS),
    Code("N602", ERROR, N_("not a single valid (ASCII) e-mail address"), PARTNERS),
    Code("N603", ERROR, N_("the same address twice (compared without case)"), PARTNERS),
    Code("N604", ERROR, N_("a bad value in a column"), PARTNERS),
    Code(
        "N605",
        ERROR,
        N_("a line break, control character, line separator or bidi control in the organisation"),
        PARTNERS,
    ),
    Code("N606", ERROR, N_("a row the CSV reader cannot read (an unclosed quote)"), PARTNERS),
    Code("N607", ERROR, N_("no usable row: the newsletter fails for this run"), PARTNERS),
    # I: feed ingest (flows/ingest/sources.py, flows/ingest/run.py).
    # I500 is also reported as info for a missing sources.yaml (flows/ingest/sources.py).
    Code(
        "I500", ERROR, N_("sources.yaml: a source name twice, or a url that is not http(s)"), INGEST
    ),
    Code("I501", WARNING, N_("a source could not be read this time"), INGEST),
    Code("I502", ERROR, N_("a source needs attention: it failed several runs in a row"), INGEST),
    Code("I503", ERROR, N_("a source needs attention: the feed is gone (410)"), INGEST),
    Code("I505", WARNING, N_("a malformed feed, read as far as it goes"), INGEST),
    Code(
        "I506", INFO, N_("a note on a feed (charset, control characters, DOCTYPE removed)"), INGEST
    ),
    Code("I508", INFO, N_("a note on an entry (link removed, date not used)"), INGEST),
    Code("I509", WARNING, N_("an entry skipped: it does not make a valid draft"), INGEST),
    Code("I510", INFO, N_("more new entries than drafts per run; the rest remembered"), INGEST),
    Code("I511", WARNING, N_("a source moved permanently"), INGEST),
)

CODES: Final[Mapping[str, Code]] = MappingProxyType({c.code: c for c in TABLE})


class UnknownCodeError(LookupError):
    """A code that is not in the catalogue."""


def lookup(code: str) -> Code:
    """The catalogue entry for `code` (like `S110`); UnknownCodeError when there is none."""
    try:
        return CODES[code]
    except KeyError:
        raise UnknownCodeError(
            f"unknown finding code {code!r}; add it to flows/core/codes.py"
        ) from None


def family(letter: str) -> tuple[Code, ...]:
    """Every code of one family (`S`, `T`, ...), in catalogue order."""
    return tuple(c for c in TABLE if c.family == letter)
