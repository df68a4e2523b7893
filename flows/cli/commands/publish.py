"""`veerkracht publish [--date DATE]`: run the publish-due flow for a day (embedded Prefect)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_common
from flows.cli.orphans import start_watchdog
from flows.core.clock import today
from flows.core.i18n import _
from flows.infra.state import open_state
from flows.publishing.publish import check_day
from flows.publishing.regions import run_settings


def register(sub: Any) -> None:
    """Add the `publish` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "publish", help=_("publish what is due today (or on a recent day after downtime)")
    )
    p.add_argument(
        "--date",
        default=None,
        metavar=_("DATE"),
        help=_(
            "day to publish (YYYY-MM-DD); default today in Europe/Amsterdam; "
            "at most VEERKRACHT_CATCHUP_DAYS back, never in the future"
        ),
    )
    p.add_argument(
        "--region",
        default=None,
        metavar="ID",
        help=_("region to publish (an id in VEERKRACHT_REGIONS_FILE); default VEERKRACHT_REGION"),
    )
    add_common(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the day, then run the flow (Prefect's embedded server without PREFECT_API_URL)."""
    try:
        day = date.fromisoformat(args.date) if args.date else today()
    except ValueError:
        print(
            "veerkracht: "
            + _("--date {value} is not a date; write it as YYYY-MM-DD").format(
                value=repr(args.date)
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = run_settings(
        str(args.content) if args.content else None,
        str(args.out) if args.out else None,
        args.region,
    )
    check_day(day, settings)  # refuse before starting Prefect; raises SettingsError -> exit 2
    if not settings.content_dir.is_dir():
        print(
            "veerkracht: "
            + _("content folder not found: {folder} (use --content DIR)").format(
                folder=settings.content_dir
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    # An unreachable or unmigrated state database is a setting to fix (exit 2), said before
    # Prefect starts rather than from inside a flow run.
    open_state(settings.resolved_state_url())
    # The embedded server must not try to send telemetry (the region's servers may be offline).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not os.environ.get("PREFECT_API_URL"):
        start_watchdog()  # the embedded server must not outlive a killed run
    from flows.publish_flow import publish_due  # imports Prefect: only when publishing

    # A failed edition or an unknown outcome raises (a DeliveryError: exit 1, with the count).
    summary = publish_due(
        day=day.isoformat(),
        content_dir=str(settings.content_dir),
        out_dir=str(settings.out_dir),
        region=settings.region or None,
    )
    print(summary["summary"])
    if summary["in_progress"]:
        return EXIT_OK  # another run publishes this day: nothing wrong, nothing to do here
    print(_("report: {path}").format(path=summary["report"]))
    return EXIT_ERRORS if summary["held"] else EXIT_OK
