"""`veerkracht reach [--from DATE] [--until DATE]`: how often short links were followed.

Writes out/reports/reach.html and reach.md and prints one line per message; see
flows/publishing/reach_report.py for what is counted (nothing about people).
"""

from __future__ import annotations

import argparse
from typing import Any

from channels.shared.reach import counts
from flows.cli.common import EXIT_OK, add_common, iso_date
from flows.core.i18n import _, ngettext
from flows.core.settings import load_settings
from flows.infra.outputs import write_report
from flows.infra.state import open_state
from flows.library.loader import load_library
from flows.publishing.reach_report import shown, summarise, to_html, to_markdown


def register(sub: Any) -> None:
    """Add the `reach` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "reach", help=_("how often the short links (QR codes, newsletter links) were followed")
    )
    p.add_argument("--from", dest="since", type=iso_date, default=None, metavar=_("DATE"))
    p.add_argument("--until", type=iso_date, default=None, metavar=_("DATE"))
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the counts, write the report, print the summary."""
    settings = load_settings(content_dir=args.content, out_dir=args.out)
    rows = counts(open_state(settings.resolved_state_url()), args.since, args.until)
    items = summarise(rows, load_library(settings.content_dir))
    path = write_report(settings.out_dir, "reach.html", to_html(items, args.since, args.until))
    write_report(settings.out_dir, "reach.md", to_markdown(items, args.since, args.until))
    for m in items:
        print(f"{shown(m.total):>6}  {m.title}")
    print(
        ngettext(
            "{n} link followed; report: {path}", "{n} links followed; report: {path}", len(items)
        ).format(n=len(items), path=path)
    )
    return EXIT_OK
