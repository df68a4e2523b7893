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
from flows.core.i18n import _, ngettext
from flows.core.settings import Settings

if TYPE_CHECKING:
    from channels.newsletter.render import NewsletterEdition


def register(sub: Any, kit: CommandKit) -> None:
    """Add the `newsletter` subcommand and its actions."""
    add_common, iso_date = kit.add_common, kit.iso_date
    p: argparse.ArgumentParser = sub.add_parser(
        "newsletter", help=_("preview, test or send the partner newsletter")
    )
    actions = p.add_subparsers(dest="action", metavar=_("ACTION"))
    pre = actions.add_parser("preview", help=_("write the editions due to out/newsletters/"))
    test = actions.add_parser("test", help=_("send the editions due to one address (no ledger)"))
    test.add_argument("--to", required=True, metavar=_("ADDRESS"), help=_("where the test goes"))
    send = actions.add_parser("send", help=_("send the editions due (what was sent is skipped)"))
    send.add_argument(
        "--resend-unconfirmed",
        action="store_true",
        help=_("also resend messages whose outcome is unknown (see the report)"),
    )
    confirm = actions.add_parser(
        "confirm",
        help=_("a person checked with the mail server: mark unknown-outcome messages as arrived"),
    )
    who = confirm.add_mutually_exclusive_group(required=True)
    who.add_argument("--arrived", nargs="+", metavar=_("ADDRESS"), help=_("these arrived"))
    who.add_argument("--all-arrived", action="store_true", help=_("every unknown one arrived"))
    for q in (pre, test, send, confirm):
        q.add_argument(
            "--date",
            type=iso_date,
            default=None,
            metavar=_("DATE"),
            help=_("the day to plan for (YYYY-MM-DD; default today)"),
        )
        q.add_argument(
            "--region", default=None, metavar="ID", help=_("region (an id in regions.yaml)")
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
        print(
            _("held back (check error): {id} ({lang})").format(id=key[0], lang=key[1]),
            file=sys.stderr,
        )
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
        print(_("no newsletter is due on {day}").format(day=day.isoformat()))
        return kit.EXIT_OK
    if args.action == "confirm":
        return _confirm(args, settings, editions, kit)
    status = kit.EXIT_OK
    for edition in editions:
        try:
            rendered = CHANNEL.render(edition, ctx)
        except DeliveryError as exc:  # for example a line break in a title: fix the content
            print(
                _("{edition}: cannot be rendered: {error}").format(edition=edition.key, error=exc),
                file=sys.stderr,
            )
            status = kit.EXIT_ERRORS
            continue
        where = ctx.out_dir / "newsletters" / edition.key / "index.html"
        if args.action == "preview":
            write_archive(rendered, ctx)
            count = len(edition.payload.recipients)
            print(
                ngettext(
                    "{edition}: {n} recipient, {where}", "{edition}: {n} recipients, {where}", count
                ).format(edition=edition.key, n=count, where=where)
            )
        elif args.action == "test":
            send_test(rendered, ctx, args.to)
            print(
                _("{edition}: test sent to {address} ({delivery})").format(
                    edition=edition.key, address=args.to, delivery=settings.delivery
                )
            )
        else:
            try:
                report = deliver_edition(rendered, ctx, resend_unconfirmed=args.resend_unconfirmed)
            except DeliveryError as exc:  # this edition stops; the next ones still get a go
                print(
                    _("{edition}: not (fully) delivered: {error}").format(
                        edition=edition.key, error=exc
                    ),
                    file=sys.stderr,
                )
                status = kit.EXIT_ERRORS
                continue
            print(
                _("{edition}: {sent} sent, {skipped} skipped, {failed} failed").format(
                    edition=edition.key,
                    sent=report.delivered,
                    skipped=report.skipped,
                    failed=report.failed,
                )
            )
            for note in report.notes:
                print(f"  {note}")
            if report.failed or report.unknown:
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
            print(
                _("{edition}: {address}: marked as arrived").format(
                    edition=edition.key, address=address
                )
            )
    missing = sorted((wanted or set()) - {fold(a) for a in marked})
    for address in missing:
        print(
            _("{address}: no message with an unknown outcome on this day").format(address=address),
            file=sys.stderr,
        )
    print(
        ngettext(
            "{n} message marked as arrived; nothing was sent",
            "{n} messages marked as arrived; nothing was sent",
            len(marked),
        ).format(n=len(marked))
    )
    return kit.EXIT_ERRORS if missing else kit.EXIT_OK
