"""Texts kept now and shown later, in the language of whoever shows them.

A `Phrase` is a msgid (marked with `N_`, so `python -m flows.core.i18n` extracts it) and its
named arguments; an argument is a plain string (a URL, a status, an error of a library) or
another Phrase. Nothing is translated when a Phrase is made: `str(phrase)` (also in
`"{x}".format(x=phrase)`) translates it in the language current at that moment. So a verdict
stored by a Dutch run is shown in English by an English run, and the other way round.

Stored, a Phrase is JSON (`dumps`); `loads` gives back a Phrase, or the text as it is when it is
not a Phrase's JSON (texts stored by older versions, which were translated when stored).

    detail = Phrase.of(N_("page not available ({status})"), status=451)
    str(detail)    # "pagina niet beschikbaar (451)" in a Dutch run
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from flows.core.i18n import _

_KEY: Final = "msgid"  # a stored Phrase is {"msgid": ..., "args": {...}}
_ARGS: Final = "args"


@dataclass(frozen=True)
class Phrase:
    """A msgid and its arguments, translated each time it is shown (see the module docstring)."""

    msgid: str
    args: tuple[tuple[str, Shown], ...] = ()

    @classmethod
    def of(cls, msgid: str, /, **args: object) -> Phrase:
        """`msgid` (mark it with `N_`) with named arguments: Phrases stay Phrases, anything else
        is kept as its plain text (`str`)."""
        return cls(
            msgid, tuple((k, v if isinstance(v, Phrase) else str(v)) for k, v in args.items())
        )

    def render(self) -> str:
        """The text in the current language (arguments rendered too)."""
        text = _(self.msgid)
        if not self.args:
            return text
        try:
            return text.format(**{name: str(value) for name, value in self.args})
        except (KeyError, IndexError, ValueError):
            # A stored Phrase whose msgid has changed since: its words, not a crash.
            shown = ", ".join(str(value) for _name, value in self.args)
            return f"{text} ({shown})"

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)

    def to_data(self) -> dict[str, Any]:
        """The JSON-ready form (see `dumps`)."""
        return {
            _KEY: self.msgid,
            _ARGS: {
                name: value.to_data() if isinstance(value, Phrase) else value
                for name, value in self.args
            },
        }

    @classmethod
    def from_data(cls, data: object) -> Phrase | None:
        """The Phrase of `to_data`'s form, or None when `data` is not that form."""
        if not isinstance(data, dict) or set(data) != {_KEY, _ARGS}:
            return None
        msgid, args = data[_KEY], data[_ARGS]
        if not isinstance(msgid, str) or not isinstance(args, dict):
            return None
        out: list[tuple[str, Shown]] = []
        for name, value in args.items():
            if isinstance(value, str):
                out.append((str(name), value))
                continue
            inner = cls.from_data(value)
            if inner is None:
                return None
            out.append((str(name), inner))
        return cls(msgid, tuple(out))


Shown: TypeAlias = str | Phrase  # a text for people: as it is, or translated when shown


def dumps(value: Shown) -> str:
    """`value` for storing: a Phrase as JSON, a plain string as it is."""
    if isinstance(value, Phrase):
        return json.dumps(value.to_data(), ensure_ascii=False, separators=(",", ":"))
    return value


def loads(text: str) -> Shown:
    """What `dumps` stored: a Phrase again, or `text` as it is (also texts of older versions)."""
    if not text.startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    phrase = Phrase.from_data(data)
    return text if phrase is None else phrase
