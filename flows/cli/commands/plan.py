"""`veerkracht plan --from DATE --weeks N [--format text|json] [--ics FILE]`: what goes out when."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from flows.checks import held_by_checks
from flows.cli.common import EXIT_OK, EXIT_USAGE, add_common
from flows.core.i18n import _, current_language, ngettext
from flows.core.settings import load_settings
from flows.infra.outputs import write_atomic, write_report
from flows.library.loader import load_library
from flows.publishing.calendar import (
    PlanRow,
    input_notes,
    plan_range,
    to_html,
    to_ics,
    to_json,
)
from flows.publishing.checking import check_all
from flows.publishing.inputs import load_inputs
from flows.publishing.publish import links_hold
from flows.publishing.registry import label


def register(sub: Any) -> None:
    """Add the `plan` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "plan", help=_("show what goes out where, as a table, JSON or a calendar file")
    )
    p.add_argument(
        "--from", dest="start", required=True, metavar=_("DATE"), help=_("first day (YYYY-MM-DD)")
    )
    p.add_argument(
        "--weeks", type=int, default=4, metavar="N", help=_("how many weeks (default 4)")
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--ics",
        type=Path,
        default=None,
        metavar=_("FILE"),
        help=_(
            "where to write the iCalendar file (opens in Outlook; default out/reports/plan.ics)"
        ),
    )
    add_common(p)
    p.set_defaults(run=run)


def _table(rows: list[PlanRow]) -> Table:
    table = Table(title=_("Campaign plan"), show_lines=False)
    for column in (_("date"), _("channel"), _("target"), _("campaign"), _("messages")):
        table.add_column(column, overflow="fold")
    for r in rows:
        titles = ", ".join(t for _id, t in r.messages[:4])
        if len(r.messages) > 4:
            titles += f" (+{len(r.messages) - 4})"
        table.add_row(
            f"{r.day:%a %Y-%m-%d}",
            label(r.channel),
            r.target,
            r.campaign,
            titles,
        )
    return table


def run(args: argparse.Namespace) -> int:
    """Plan the range, print it, and write plan.html (and the .ics file when asked)."""
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        text = _("--from {text} is not a date; write it as YYYY-MM-DD").format(
            text=repr(args.start)
        )
        print(f"veerkracht: {text}", file=sys.stderr)
        return EXIT_USAGE
    if not 1 <= args.weeks <= 104:
        print("veerkracht: " + _("--weeks must be between 1 and 104"), file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    library = load_library(settings.content_dir)
    inputs = load_inputs(settings, library)
    # What is held back now (a check error, a broken link in the last link check) is left out.
    by_links, _note = links_hold(library, settings)
    checked = check_all(library, inputs, start)
    reasons: dict[tuple[str, str], str] = dict(held_by_checks(library, checked))
    for key in by_links:
        reasons.setdefault(key, "een link werkt niet (laatste linkcontrole)")
    held = frozenset(reasons)
    days = args.weeks * 7
    rows = plan_range(library, inputs, start, days, held)
    notes = input_notes(inputs)  # Dutch, as the plan page
    for note in input_notes(inputs, current_language()):
        print(_("note: {note}").format(note=note), file=sys.stderr)
    ics_path: Path = args.ics if args.ics is not None else settings.out_dir / "reports" / "plan.ics"
    html = to_html(rows, start, days, notes, library=library, held=reasons, ics_name=ics_path.name)
    html_path = write_report(settings.out_dir, "plan.html", html)
    ics = to_ics(rows, base_url=settings.public_base_url, library=library, start=start, days=days)
    write_atomic(ics_path, ics)
    if args.format == "json":
        print(to_json(rows))
    else:
        console = Console(width=max(Console().width, 120))
        console.print(_table(rows))
        print(
            _("{editions} in {weeks}; {held} (check errors, broken links)").format(
                editions=ngettext("{n} edition", "{n} editions", len(rows)).format(n=len(rows)),
                weeks=ngettext("{n} week", "{n} weeks", args.weeks).format(n=args.weeks),
                held=ngettext("{n} message held", "{n} messages held", len(held)).format(
                    n=len(held)
                ),
            )
        )
        print(_("calendar: {html}; iCalendar: {ics}").format(html=html_path, ics=ics_path))
    return EXIT_OK
