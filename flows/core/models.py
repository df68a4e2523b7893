"""The content model: messages, campaigns, screens, partners, sources and style settings.

Pydantic validates what the comms team writes; `extra="forbid"` turns a misspelt field into a
finding instead of silently ignoring it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.core.codes import CODES
from flows.core.i18n import _

AUDIENCES: dict[str, str] = {
    "ouders-jonge-kinderen": "ouders van kinderen van 0 tot 4 jaar",
    "ouders-schoolkinderen": "ouders van kinderen van 4 tot 12 jaar",
    "jongeren": "jongeren (voortgezet onderwijs)",
    "aanstaande-ouders": "aanstaande ouders",
    "kinderopvang-team": "medewerkers van de kinderopvang",
    "school-team": "leerkrachten en mentoren",
}
STAFF_AUDIENCES = frozenset({"kinderopvang-team", "school-team"})
PUBLIC_AUDIENCES = frozenset(AUDIENCES) - STAFF_AUDIENCES

THEMES: dict[str, str] = {
    "slapen": "Slapen",
    "eten": "Eten",
    "bewegen": "Bewegen",
    "schermtijd": "Schermtijd",
    "steun": "Steun om je heen",
    "veerkracht": "Veerkracht",
    "ouder-kind": "Samen met je kind",
    "gebeurtenis": "Na een ingrijpende gebeurtenis",
    "gezonde-stress": "Gezonde stress",
    "partners": "Voor professionals",
}
LANGUAGES = frozenset({"nl", "en"})

Audience = Literal[
    "ouders-jonge-kinderen",
    "ouders-schoolkinderen",
    "jongeren",
    "aanstaande-ouders",
    "kinderopvang-team",
    "school-team",
]
Theme = Literal[
    "slapen",
    "eten",
    "bewegen",
    "schermtijd",
    "steun",
    "veerkracht",
    "ouder-kind",
    "gebeurtenis",
    "gezonde-stress",
    "partners",
]
Lang = Literal["nl", "en"]
# Where a message is in its review: only `gepubliceerd` is published.
Status = Literal["concept", "klaar-voor-review", "gepubliceerd"]
STATUSES: tuple[Status, ...] = ("concept", "klaar-voor-review", "gepubliceerd")
PUBLISHED: Status = "gepubliceerd"
# English values are accepted and read as their Dutch value.
STATUS_SYNONYMS: dict[str, Status] = {
    "draft": "concept",
    "ready-for-review": "klaar-voor-review",
    "published": "gepubliceerd",
}


class DatesOutOfOrder(ValueError):
    """An end date before its start date (the loader reports it as S115)."""


class Strict(BaseModel):
    """Base for content models: unknown fields are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Resource(Strict):
    title: str = Field(min_length=1)
    url: str = Field(min_length=1)


class ScreenText(Strict):
    headline: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Message(Strict):
    """One message in one language, as written in `messages/<theme>/<id>.<lang>.md`."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    lang: Lang
    title: str = Field(min_length=1)
    theme: Theme
    audiences: tuple[Audience, ...] = Field(min_length=1)
    body: str = ""
    screen: ScreenText
    resources: tuple[Resource, ...] = ()
    valid_from: date
    valid_until: date | None = None
    review_by: date | None = None
    # A message file must say its status (the loader reports S110 when it does not); the
    # default is for messages built in code. `gepubliceerd` also needs reviewed_by and
    # reviewed_on (flows/checks/schema.py, S119).
    status: Status = PUBLISHED
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    # Where it came from: set by the loader, not written by the comms team.
    path: Path = Path()
    line: int = 1
    body_line: int = 1
    field_lines: dict[str, int] = Field(default_factory=dict, exclude=True)

    @field_validator("status", mode="before")
    @classmethod
    def _dutch_status(cls, value: object) -> object:
        if isinstance(value, str):
            return STATUS_SYNONYMS.get(value, value)
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Message:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise DatesOutOfOrder(_("valid_until is before valid_from"))
        return self

    @property
    def key(self) -> tuple[str, str]:
        """(id, lang): unique in a library."""
        return (self.id, self.lang)

    def line_of(self, field: str) -> int:
        """The line where a front-matter field was written (the file's first line if unknown)."""
        return self.field_lines.get(field, self.line)

    def is_live(self, day: date) -> bool:
        """Published and within its validity window on `day`."""
        if self.status != PUBLISHED or day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


class Period(Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise DatesOutOfOrder(_("the end of the period is before its start"))
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class Week(Strict):
    """What a campaign week is about: a theme, or an explicit list of message ids."""

    theme: Theme | None = None
    messages: tuple[str, ...] = ()


class Campaign(Strict):
    """A campaign in `campaigns/<id>.yaml`."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    attribution: str = ""
    period: Period
    audiences: tuple[Audience, ...] = Field(min_length=1)
    weeks: tuple[Week, ...] = ()
    messages: tuple[str, ...] = ()
    # Each channel's section, as written; the channel validates its own (channels/<name>/).
    channels: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    path: Path = Path()
    line: int = 1
    field_lines: dict[str, int] = Field(default_factory=dict, exclude=True)

    def week_of(self, day: date) -> Week | None:
        """The campaign week that `day` falls in (weeks run from the period start)."""
        if day not in self.period or not self.weeks:
            return None
        index = (day - self.period.start).days // 7
        return self.weeks[index] if index < len(self.weeks) else None


class Source(Strict):
    """A feed to ingest, from `sources.yaml`."""

    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    url: str
    theme: Theme
    audiences: tuple[Audience, ...] = Field(min_length=1)
    attribution: str = ""
    licence: str = ""
    enabled: bool = True
    line: int = 1


class StyleLimits(Strict):
    sentence_words_avg: float = 15
    sentence_words_max: int = 25
    flesch_douma_min: float = 60
    hard_words_max: int = 3
    screen_headline_chars: int = 60
    screen_text_chars: int = 180
    newsletter_words: int = 150
    resources_max: int = 3
    # A readability score over a few words says little: below this many it is not computed.
    readability_min_words: int = 30
    # With `common_words:` set, a word rarer than this Zipf frequency (wordfreq) is a hard word.
    hard_word_zipf: float = 3.0


# Imperatives that start a tip ("Lees samen ..."). Words that are also common nouns or numbers
# at the start of a sentence (rust, slaap, vier, dans) are left out on purpose.
DUTCH_TIP_VERBS = (
    "lees",
    "ga",
    "geef",
    "neem",
    "probeer",
    "zorg",
    "maak",
    "praat",
    "vraag",
    "zet",
    "houd",
    "hou",
    "laat",
    "kijk",
    "doe",
    "speel",
    "leg",
    "plan",
    "begin",
    "stop",
    "blijf",
    "zeg",
    "help",
    "luister",
    "schrijf",
    "gebruik",
    "bied",
    "noem",
    "benoem",
    "eet",
    "drink",
    "beweeg",
    "wandel",
    "knuffel",
    "lach",
    "kies",
    "spreek",
    "deel",
    "geniet",
    "zoek",
    "bel",
    "let",
    "denk",
    "onthoud",
    "bewaar",
    "wees",
    "ontdek",
    "stel",
    "fiets",
    "zing",
    "oefen",
    "herhaal",
    "bouw",
    "kook",
    "haal",
    "breng",
    "toon",
    "prijs",
    "moedig",
    "erken",
    "bespreek",
    "betrek",
    "vertel",
    "wacht",
    "volg",
    "schep",
    "ruim",
    "dek",
)
ENGLISH_TIP_VERBS = (
    "read",
    "go",
    "give",
    "take",
    "try",
    "make",
    "talk",
    "ask",
    "put",
    "keep",
    "let",
    "look",
    "do",
    "play",
    "plan",
    "start",
    "stop",
    "stay",
    "say",
    "help",
    "listen",
    "write",
    "use",
    "offer",
    "name",
    "eat",
    "drink",
    "move",
    "walk",
    "hug",
    "laugh",
    "choose",
    "share",
    "enjoy",
    "find",
    "call",
    "think",
    "remember",
    "be",
    "set",
    "spend",
    "tell",
    "praise",
    "celebrate",
    "create",
    "turn",
    "switch",
    "show",
    "notice",
    "sing",
    "cook",
)


DUTCH_NEGATIONS = ("niet", "geen", "niemand", "niemands", "nooit", "nergens")
ENGLISH_NEGATIONS = ("not", "no", "never", "nobody", "nobody's", "isn't", "wasn't", "aren't")


class ToneWords(Strict):
    """The word lists of the tone rules for one language, declared once: `style.yaml`'s top
    level holds the Dutch ones (these defaults), its `english:` part the English ones."""

    jargon: tuple[str, ...] = ()
    blame: tuple[str, ...] = ()
    reason_markers: tuple[str, ...] = ("want", "omdat", "zo ", "daardoor", "dan ")
    strength_markers: tuple[str, ...] = ()
    # Optional: the imperatives that make a sentence a tip (T202).
    tip_verbs: tuple[str, ...] = DUTCH_TIP_VERBS
    # Issue 14, all optional (a list left out switches its rule off; see content/style.yaml):
    # negations before a blame word, blame phrases that are fine, reason words that count only
    # opening a clause, fear framing, officialese, common words and the team's spelling list.
    negations: tuple[str, ...] = DUTCH_NEGATIONS
    blame_fine: tuple[str, ...] = ()
    reason_openers: tuple[str, ...] = ("zo", "dan")
    fear_harm: tuple[str, ...] = ()
    fear_lasting: tuple[str, ...] = ()
    negative_words: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    officialese: dict[str, str] = Field(default_factory=dict)
    common_words: tuple[str, ...] | None = None
    team_words: tuple[str, ...] | None = None


class OtherLanguageWords(ToneWords):
    """Word lists for English messages: the fields of ToneWords, with English defaults where
    the Dutch ones would be wrong."""

    blame: tuple[str, ...] = ("fault", "guilt", "guilty", "bad parent", "you must")
    reason_markers: tuple[str, ...] = ("because", "so ", "that way", "then ", "this helps")
    strength_markers: tuple[str, ...] = (
        "already",
        "well done",
        "good",
        "strong",
        "strength",
        "you do",
        "works",
        "goes well",
    )
    tip_verbs: tuple[str, ...] = ENGLISH_TIP_VERBS
    negations: tuple[str, ...] = ENGLISH_NEGATIONS
    reason_openers: tuple[str, ...] = ("so", "then")


class Style(ToneWords):
    """The tone-of-voice lists (the Dutch ones, from ToneWords) and limits of `style.yaml`."""

    @field_validator("hold")
    @classmethod
    def _only_content_rules(cls, hold: dict[str, str]) -> dict[str, str]:
        wrong = [c for c in hold if not re.fullmatch(r"[TD]\d{3}", c)]
        if wrong:
            raise ValueError(
                _(
                    "{codes} cannot be set here: only the tone, language, channel-fit "
                    "and date rules (codes T... and D..., like T202) can hold or not; a broken "
                    "file or an unsafe link always holds"
                ).format(codes=", ".join(wrong))
            )
        unknown = [c for c in hold if c not in CODES]
        if unknown:
            raise ValueError(
                _("{codes} is not a finding code; see the code table in README.md").format(
                    codes=", ".join(unknown)
                )
            )
        return hold

    hard_words: dict[str, str] = Field(default_factory=dict)
    limits: StyleLimits = StyleLimits()
    link_policy: Literal["hold", "warn"] = "hold"
    # Which rules hold a message back: a code (T202) -> error (holds) or warning (reported
    # only). Codes not named keep their defaults (flows/checks/__init__.py, DEFAULT_HOLD).
    hold: dict[str, Literal["error", "warning"]] = Field(default_factory=dict)
    english: OtherLanguageWords = OtherLanguageWords()
