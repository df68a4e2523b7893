"""YAML errors and dates explained in the comms team's words, not the parser's.

PyYAML and libyaml say "mapping values are not allowed in this context" or "found a tab
character that violates indentation"; an adviser needs to hear "on line 4 a text contains a
colon: put the whole text between quotes, like title: "Slapen: zo doe je dat"". `yaml_problem`
looks at the line the parser points at and says what is wrong there and what to write instead;
`date_advice` recognises a date in Dutch order (04-01-2027, 4 januari 2027) and offers the
spelling to write (2027-01-04). Only a mistake nobody foresaw keeps the parser's own words.
"""

from __future__ import annotations

import re
from datetime import date

import yaml

from flows.core.i18n import _, current_language
from flows.library.safe_yaml import BadValue

_KEY = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<key>[A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+|$)")
_EXAMPLE_DATE = "2027-01-04"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "february"),
            ("maart", "mrt", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("augustus", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_WRITTEN = re.compile(r"(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})")
_ISO_LIKE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def meant_date(value: object) -> date | None:
    """The day a date written another way most likely means: day-month-year (04-01-2027,
    4/1/2027, 4 januari 2027, 4 jan. 2027), or year-day-month where year-month-day does not
    exist (2027-13-01). None when it is no such date."""
    text = str(value).strip().lower()
    if m := _NUMERIC.fullmatch(text):
        return _date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _WRITTEN.fullmatch(text)) and m[2] in _MONTHS:
        return _date(int(m[3]), _MONTHS[m[2]], int(m[1]))
    if (m := _ISO_LIKE.fullmatch(text)) and _date(int(m[1]), int(m[2]), int(m[3])) is None:
        return _date(int(m[1]), int(m[3]), int(m[2]))
    return None


def date_advice(field: str, value: object) -> str:
    """What to write for a date that cannot be read: the ISO spelling of the day it means."""
    meant = meant_date(value)
    if meant is not None and _ISO_LIKE.fullmatch(str(value).strip()):
        return _(
            "'{field}' is {value}, a date that does not exist (year-month-day has at most 12 "
            "months); write {date} if you mean {day}"
        ).format(field=field, value=value, date=meant.isoformat(), day=_day_name(meant))
    if meant is not None:
        return _(
            "'{field}' is written day-month-year ({value}); write {date} (year-month-day)"
        ).format(field=field, value=value, date=meant.isoformat())
    return _("'{field}' is not a date ({value}); write year-month-day, for example {date}").format(
        field=field, value=value, date=_EXAMPLE_DATE
    )


def _day_name(day: date) -> str:
    """The day in words, as the current language writes it ("13 januari 2027")."""
    from babel.dates import format_date

    return str(format_date(day, format="long", locale=current_language()))


def yaml_problem(exc: yaml.YAMLError, text: str | None, line: int) -> str:
    """What is wrong on the line a YAML error points at (`line`, as the finding shows it), and
    what to write instead. `text` is what was parsed (the marks count lines in it)."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None)
    lines = text.split("\n") if text is not None else []

    def at(index: int) -> str:
        return lines[index] if 0 <= index < len(lines) else ""

    if isinstance(exc, BadValue):
        field = _KEY.match(at(mark.line) if mark is not None else "")
        if exc.kind == "date":
            name = field["key"] if field is not None else "date"
            return _("on line {line}, {advice}").format(
                line=line, advice=date_advice(name, exc.value)
            )
        return _(
            "on line {line} '{value}' cannot be read; correct it, or write it as text between "
            'double quotes ("...")'
        ).format(line=line, value=exc.value)
    here = at(mark.line) if mark is not None else ""
    if "tab" in problem or ("cannot start any token" in problem and "\t" in here):
        return _(
            "line {line} is indented with a tab: use spaces instead, as many as the other "
            "fields under the same field"
        ).format(line=line)
    if "quoted scalar" in context and start is not None:
        quote = at(start.line)[start.column : start.column + 1] or '"'
        return _(
            "on line {line} a text starts with {quote} but does not end with it: put {quote} "
            "at the end of the text too"
        ).format(line=line, quote=quote)
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        return _(
            "on line {line} a list starts with {open} but does not end with {close}: close it, "
            "like [ouders-jonge-kinderen]"
        ).format(line=line, open=opening, close=closing)
    if "mapping values are not allowed" in problem and mark is not None:
        key = _KEY.match(here)
        if key is not None and mark.column >= key.end():  # a colon after the field's own
            value = here[key.end() :].strip()
            quoted = f"'{value}'" if '"' in value else f'"{value}"'
            return _(
                "on line {line} a text contains a colon: put the whole text between quotes, "
                "like {example}"
            ).format(line=line, example=f"{key['key']}: {quoted}")
        return _indent(lines, mark.line, line)
    if mark is not None and (
        "expected <block end>" in problem
        or "did not find expected key" in problem
        or "did not find expected '-' indicator" in problem
    ):
        return _indent(lines, mark.line, line)
    if "could not find expected ':'" in problem:
        return _(
            "line {line} is not a field: write it as 'name: value', or indent it under the "
            "field it belongs to"
        ).format(line=line)
    return _(
        "cannot read the fields on line {line} ({problem}); check the colons, quotes and indents"
    ).format(line=line, problem=problem or _("a YAML syntax error"))


def _indent(lines: list[str], index: int, line: int) -> str:
    """A line indented unlike the field above it: how many spaces to give it."""
    above = next(
        (
            lines[i]
            for i in range(min(index, len(lines)) - 1, -1, -1)
            if lines[i].strip() and not lines[i].lstrip().startswith("#")
        ),
        "",
    )
    key = _KEY.match(above)
    if key is None or not above[key.end() :].strip():
        # Nothing to line up with, or the line above opens a field (`screen:`).
        return _(
            "line {line} is not indented like the fields around it: fields under one field "
            "start with the same number of spaces"
        ).format(line=line)
    expected = len(key["indent"])  # "  - title:" -> its fields start after the "- "
    found = len(lines[index]) - len(lines[index].lstrip(" ")) if index < len(lines) else expected
    if found > expected:
        return _(
            "line {line} is indented further than the line above it: fields under one field "
            "line up, so give it the same indent as the line above"
        ).format(line=line)
    if found < expected:
        return _(
            "line {line} is indented less far than the line above it: fields under one field "
            "line up, so give it the same indent as the line above"
        ).format(line=line)
    return _(
        "line {line} is not indented like the fields around it: fields under one field "
        "start with the same number of spaces"
    ).format(line=line)
