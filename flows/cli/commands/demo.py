"""`veerkracht demo`: publish the bundled campaign's first day and say where everything went.

Uses the embedded Prefect server, the bundled partner example and the outbox (no e-mail leaves
the machine). It is allowed to publish a day outside the catch-up window, because it is a demo.
Works offline: links are reported as not verified instead of failing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flows.cli.common import EXIT_OK, add_common
from flows.core.i18n import N_, _, ngettext
from flows.core.settings import Settings, load_settings
from flows.infra.outputs import write_report
from flows.library.loader import load_library
from flows.publishing.calendar import input_notes, plan_range
from flows.publishing.calendar import to_html as plan_html
from flows.publishing.calendar import to_ics as plan_ics
from flows.publishing.day_plan import plan_day
from flows.publishing.inputs import load_inputs
from flows.publishing.publish import LINKS_OFFLINE
from flows.publishing.registry import channels

DEMO_DAY = date(2027, 1, 4)  # Monday, the first day of campaign sterk-begin-2027
REPORTS = ("reports", N_("publish reports, plan.html and plan.ics (the first four weeks)"))


def outputs() -> list[tuple[str, str]]:
    """Every channel's output folders, then the reports."""
    found = [o for ch in channels().values() for o in ch.outputs]
    return [*sorted(found), REPORTS]


def register(sub: Any) -> None:
    """Add the `demo` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "demo", help=_("publish the bundled campaign's first day and show where the output is")
    )
    add_common(p)
    p.set_defaults(run=run)


def demo_days(settings: Settings) -> list[date]:
    """The campaign's first day, plus the first later day that week when a channel with nothing
    due on the first day has an edition (the newsletter, on the bundled campaign's Tuesday)."""
    days = [DEMO_DAY]
    library = load_library(settings.content_dir)
    inputs = load_inputs(settings, library)
    first = {e.channel for e in plan_day(library, inputs, DEMO_DAY)}
    for offset in range(1, 7):
        day = DEMO_DAY + timedelta(days=offset)
        if {e.channel for e in plan_day(library, inputs, day)} - first:
            days.append(day)
            break
    return days


@contextmanager
def demo_environment(content: Path) -> Iterator[None]:
    """Outbox delivery and the bundled partners for the demo; the environment is put back after."""
    values = {
        # The demo never e-mails anyone and always uses the bundled example partners.
        "VEERKRACHT_DELIVERY": "outbox",
        "VEERKRACHT_PARTNERS_CSV": str(content / "partners.example.csv"),
        # No telemetry from the embedded server (it cannot reach anything offline and logs an
        # error trying), and only warnings from Prefect so the summary stays readable.
        "PREFECT_SERVER_ANALYTICS_ENABLED": os.environ.get(
            "PREFECT_SERVER_ANALYTICS_ENABLED", "false"
        ),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


Publish = Callable[[Settings, date], str]  # publishes one day, returns its summary line


def publish_demo(content: Path, out: Path, publish: Publish) -> tuple[Settings, str]:
    """Publish the demo day(s) with `publish`, then write the first four weeks as a calendar
    (plan.html and plan.ics); the settings used and the last summary line."""
    with demo_environment(content):
        settings = load_settings(content_dir=content, out_dir=out)
        line = ""
        for day in demo_days(settings):
            line = publish(settings, day)
            print(line)
        # The first four weeks as a calendar, so the comms team sees what comes next.
        library = load_library(settings.content_dir)
        inputs = load_inputs(settings, library)
    rows = plan_range(library, inputs, DEMO_DAY, 28)
    notes = input_notes(inputs)
    html = plan_html(rows, DEMO_DAY, 28, notes, library=library)
    write_report(settings.out_dir, "plan.html", html)
    ics = plan_ics(
        rows, base_url=settings.public_base_url, library=library, start=DEMO_DAY, days=28
    )
    write_report(settings.out_dir, "plan.ics", ics)
    return settings, line


def _with_prefect(settings: Settings, day: date) -> str:
    from flows.publish_flow import publish_due  # imports Prefect: only when publishing

    summary = publish_due(
        day=day.isoformat(),
        content_dir=str(settings.content_dir),
        out_dir=str(settings.out_dir),
        any_day=True,
    )
    return str(summary["summary"])


def run(args: argparse.Namespace) -> int:
    """Run publish-due for the demo day(s) and print the output folders."""
    content = Path(args.content or "content")
    out = Path(args.out or "out")
    settings, line = publish_demo(content, out, _with_prefect)
    links = line.rsplit("; ", 1)[-1]
    library = load_library(settings.content_dir)
    print()
    print(_("Demo output in {path}:").format(path=settings.out_dir.resolve()))
    width = max(len(str(settings.out_dir / folder)) for folder, _what in outputs()) + 2
    for folder, what in outputs():
        path = settings.out_dir / folder
        n = sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0
        files = ngettext("{n} file", "{n} files", n).format(n=f"{n:>4}")
        print(f"  {str(path) + '/':<{width}} {files}  {_(what)}")
    if links == _(LINKS_OFFLINE):
        print(_("Links: not verified (offline); run `veerkracht links` when online."))
    print(
        _("Open {path} for what went where and what was held back.").format(
            path=settings.out_dir / "reports"
        )
    )
    print(
        _(
            "See the waiting-room screens: `.venv/bin/veerkracht serve`, then open "
            "http://127.0.0.1:8000/screens/ in a browser."
        )
    )
    if library.messages:
        example = library.rel(library.messages[0].path)
        print(
            _(
                "See one message as a slide and in a newsletter: `.venv/bin/veerkracht preview "
                "{file}` (any message file works)."
            ).format(file=example)
        )
    return EXIT_OK
