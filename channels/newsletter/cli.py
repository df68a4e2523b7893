"""`veerkracht newsletter preview|test|send`: the partner newsletter by hand.

`publish` sends the newsletter with everything else; these commands are for looking first
(preview), trying one address (test), and sending or resending by hand (send). The channel adds
them itself (`register_cli`), with what the command line lends it (`CommandKit`), so flows/cli
knows nothing of newsletters. The unsubscribe page is served by `veerkracht public` (the
channel's `public_routes`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from channels.base import CommandKit, Context
from flows.core.errors import DeliveryError
from flows.core.settings import Settings

if TYPE_CHECKING:
    from channels.newsletter.render import NewsletterEdition


def register(sub: Any, kit: CommandKit) -> None:
    """Add the `newsletter` subcommand and its actions."""
    add_common, iso_date = kit.add_common, kit.iso_date
    p: argparse.ArgumentParser = sub.add_parser(
        "newsletter", help="preview, test or send the partner newsletter"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    pre = actions.add_parser("preview", help="write the editions due to out/newsletters/")
    test = actions.add_parser("test", help="send the editions due to one address (no ledger)")
    test.add_argument("--to", required=True, metavar="ADDRESS", help="where the test goes")
    send = actions.add_parser("send", help="send the editions due (what was sent is skipped)")
    send.add_argument(
        "--resend-unconfirmed",
        action="store_true",
        help="also resend messages whose outcome is unknown (see the report)",
    )
    confirm = actions.add_parser(
        "confirm",
        help="a person checked with the mail server: mark unknown-outcome messages as arrived",
    )
    who = confirm.add_mutually_exclusive_group(required=True)
    who.add_argument("--arrived", nargs="+", metavar="ADDRESS", help="these arrived")
    who.add_argument("--all-arrived", action="store_true", help="every unknown one arrived")
    for q in (pre, test, send, confirm):
        q.add_argument(
            "--date",
            type=iso_date,
            default=None,
            metavar="DATE",
            help="the day to plan for (YYYY-MM-DD; default today)",
        )
        q.add_argument(
            "--region", default=None, metavar="ID", help="region (an id in regions.yaml)"
        )
        add_common(q)
        q.set_defaults(run=lambda args: run(args, kit))

    def usage(_args: argparse.Namespace) -> int:
        p.print_help()
        return kit.EXIT_USAGE

    p.set_defaults(run=usage)


def _due(settings: Settings, day: date, kit: CommandKit) -> tuple[list[NewsletterEdition], Context]:
    from channels.newsletter import CHANNEL

    prepared = kit.prepare(settings, day)
    partners = prepared.inputs[CHANNEL.name]
    for f in partners.findings:
        print(f.format(), file=sys.stderr)
    for key in sorted(prepared.held):
        print(f"held back (check error): {key[0]} ({key[1]})", file=sys.stderr)
    library = prepared.library
    editions = CHANNEL.plan(library, partners.value, library.campaigns, day, prepared.held)
    if settings.region:  # the keys publish uses, so the ledger is the same one
        editions = [dataclasses.replace(e, region=settings.region) for e in editions]
    return editions, Context(settings, settings.out_dir)


def run(args: argparse.Namespace, kit: CommandKit) -> int:
    """Plan the day's editions, then preview, test-send or send them."""
    from channels.newsletter import CHANNEL
    from channels.newsletter.send import deliver_edition, send_test, write_archive

    settings = kit.settings(args)
    day = args.date or kit.today()
    editions, ctx = _due(settings, day, kit)
    if not editions:
        print(f"no newsletter is due on {day.isoformat()}")
        return kit.EXIT_OK
    if args.action == "confirm":
        return _confirm(args, settings, editions, kit)
    status = kit.EXIT_OK
    for edition in editions:
        try:
            rendered = CHANNEL.render(edition, ctx)
        except DeliveryError as exc:  # for example a line break in a title: fix the content
            print(f"{edition.key}: cannot be rendered: {exc}", file=sys.stderr)
            status = kit.EXIT_ERRORS
            continue
        where = ctx.out_dir / "newsletters" / edition.key / "index.html"
        if args.action == "preview":
            write_archive(rendered, ctx)
            count = len(edition.payload.recipients)
            print(f"{edition.key}: {count} recipient(s), {where}")
        elif args.action == "test":
            send_test(rendered, ctx, args.to)
            print(f"{edition.key}: test sent to {args.to} ({settings.delivery})")
        else:
            try:
                report = deliver_edition(rendered, ctx, resend_unconfirmed=args.resend_unconfirmed)
            except DeliveryError as exc:  # this edition stops; the next ones still get a go
                print(f"{edition.key}: not (fully) delivered: {exc}", file=sys.stderr)
                status = kit.EXIT_ERRORS
                continue
            print(
                f"{edition.key}: {report.delivered} sent, {report.skipped} skipped, "
                f"{report.failed} failed"
            )
            for note in report.notes:
                print(f"  {note}")
            if report.failed or any("unknown outcome" in n for n in report.notes):
                status = kit.EXIT_ERRORS
    return status


def _confirm(
    args: argparse.Namespace,
    settings: Settings,
    editions: list[NewsletterEdition],
    kit: CommandKit,
) -> int:
    """Mark messages with an unknown outcome as arrived, on a person's word (never resends)."""
    from channels.newsletter import ledger
    from channels.newsletter.tokens import fold
    from flows.infra.state import open_state

    engine = open_state(settings.resolved_state_url())
    wanted = None if args.all_arrived else {fold(a.strip()) for a in args.arrived}
    marked: list[str] = []
    for edition in editions:
        done = ledger.confirm_arrived(engine, edition.key, wanted)
        marked += done
        for address in done:
            print(f"{edition.key}: {address}: marked as arrived")
    missing = sorted((wanted or set()) - {fold(a) for a in marked})
    for address in missing:
        print(f"{address}: no message with an unknown outcome on this day", file=sys.stderr)
    print(f"{len(marked)} message(s) marked as arrived; nothing was sent")
    return kit.EXIT_ERRORS if missing else kit.EXIT_OK
