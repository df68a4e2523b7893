"""The reach report: how often each message's short link was followed, per channel and place.

Counts come from `channels.shared.reach` (per code, channel, screen or edition tag, and day;
nothing about the people who scanned). A count below 5 is shown as "< 5", so a small number
never points at one person in a quiet waiting room. Dutch, for the comms team.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from channels.shared.reach import Reach
from flows.infra.markdown_table import cell
from flows.library.loader import Library

SMALL = 5  # counts below this are shown as "< 5"

CHANNEL_NL = {
    "screens": "schermen",
    "posters": "posters",
    "newsletter": "nieuwsbrief",
    "feeds": "feeds",
    "overig": "overig",
}


def shown(count: int) -> str:
    """A count as the report shows it: "< 5" below 5."""
    return f"< {SMALL}" if 0 < count < SMALL else str(count)


@dataclass
class MessageReach:
    """The counts of one message (or of a link no message uses any more)."""

    title: str
    url: str
    total: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_place: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def summarise(rows: Sequence[Reach], library: Library) -> list[MessageReach]:
    """Counts per message (through the messages' resource URLs), biggest first."""
    titles: dict[str, list[str]] = defaultdict(list)
    for m in library.messages:
        for r in m.resources:
            titles[r.url].append(f"{m.title} ({m.lang})")
    by_url: dict[str, MessageReach] = {}
    for row in rows:
        name = ", ".join(sorted(set(titles.get(row.url, [])))) or "(geen bericht meer)"
        item = by_url.setdefault(row.url or row.code, MessageReach(name, row.url or row.code))
        item.total += row.count
        channel = row.channel or "overig"
        item.by_channel[channel] += row.count
        item.by_place[(channel, row.target or "-")] += row.count
    return sorted(by_url.values(), key=lambda m: (-m.total, m.title))


def to_markdown(items: Sequence[MessageReach], since: date | None, until: date | None) -> str:
    """The report as Markdown (every value through the one cell rule)."""
    period = _period(since, until)
    lines = [f"# Bereik {period}", "", _explain(), ""]
    if not items:
        return "\n".join([*lines, "Nog niets gescand of aangeklikt.", ""])
    lines += ["| bericht | totaal | per kanaal | per plek |", "|---|---|---|---|"]
    for m in items:
        channels = ", ".join(
            f"{CHANNEL_NL.get(c, c)} {shown(n)}" for c, n in sorted(m.by_channel.items())
        )
        places = ", ".join(
            f"{CHANNEL_NL.get(c, c)} {t}: {shown(n)}" for (c, t), n in sorted(m.by_place.items())
        )
        lines.append(f"| {cell(m.title)} | {shown(m.total)} | {cell(channels)} | {cell(places)} |")
    return "\n".join(lines) + "\n"


def to_html(items: Sequence[MessageReach], since: date | None, until: date | None) -> str:
    """The report as one HTML page (every value escaped)."""
    e = html.escape
    rows = []
    for m in items:
        places = "".join(
            f"<li>{e(CHANNEL_NL.get(c, c))} {e(t)}: {e(shown(n))}</li>"
            for (c, t), n in sorted(m.by_place.items())
        )
        rows.append(
            f"<tr><td>{e(m.title)}<br><small>{e(m.url)}</small></td>"
            f"<td>{e(shown(m.total))}</td><td><ul>{places}</ul></td></tr>"
        )
    body = (
        "<table><thead><tr><th>Bericht</th><th>Totaal</th><th>Per plek</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>Nog niets gescand of aangeklikt.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Bereik {e(_period(since, until))}</title>"
        "<style>body{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:1rem auto;"
        "padding:0 1rem;color:#1f2933}table{border-collapse:collapse;width:100%}"
        "td,th{border-bottom:1px solid #ccd;padding:.4rem;text-align:left;vertical-align:top}"
        "small{color:#52606d;overflow-wrap:anywhere}ul{margin:0;padding-left:1rem}</style>"
        f"</head><body><main><h1>Bereik {e(_period(since, until))}</h1>"
        f"<p>{e(_explain())}</p>{body}</main></body></html>\n"
    )


def _period(since: date | None, until: date | None) -> str:
    if since and until:
        return f"{since.isoformat()} tot en met {until.isoformat()}"
    if since:
        return f"vanaf {since.isoformat()}"
    if until:
        return f"tot en met {until.isoformat()}"
    return "sinds het begin"


def _explain() -> str:
    return (
        "Hoe vaak een korte link (QR-code op een scherm of poster, link in de nieuwsbrief) is "
        "gevolgd. Er wordt niets over personen bewaard: geen IP-adres, geen cookie, geen "
        f"apparaat. Aantallen onder de {SMALL} staan als '< {SMALL}'."
    )
