"""`veerkracht state upgrade|current|copy`: the state database's schema, and moving it.

`upgrade` runs the Alembic migrations shipped in the package (PostgreSQL is never migrated by a
run on its own; SQLite is, but may be upgraded here too). `current` prints the revision and the
URL with its password masked; exit 1 when it is behind. `copy --from URL --to URL` copies every
row into a new, empty database: the way from the embedded SQLite file to PostgreSQL.
"""

from __future__ import annotations

import argparse
from typing import Any

from flows.cli.common import EXIT_ERRORS, EXIT_OK
from flows.core.i18n import _, ngettext
from flows.core.settings import load_settings


def register(sub: Any) -> None:
    """Add the `state` subcommand and its actions."""
    p: argparse.ArgumentParser = sub.add_parser(
        "state",
        help=_("the state database: upgrade its schema, show its revision, copy it"),
        description=_(
            "The state database (VEERKRACHT_STATE_URL; by default SQLite in the state "
            "folder): upgrade its schema to this version, show its revision, or copy it into a new "
            "database."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    up = actions.add_parser("upgrade", help=_("migrate the schema to this version (Alembic)"))
    now = actions.add_parser("current", help=_("print the revision and the database URL"))
    for action in (up, now):
        action.add_argument(
            "--url", default=None, help=_("this database instead of VEERKRACHT_STATE_URL")
        )
    cp = actions.add_parser(
        "copy", help=_("copy every row into a new, empty database (SQLite to PostgreSQL)")
    )
    cp.add_argument(
        "--from", dest="source", default=None, metavar="URL", help=_("default: the current state")
    )
    cp.add_argument("--to", dest="target", required=True, metavar="URL")
    up.set_defaults(run=run_upgrade)
    now.set_defaults(run=run_current)
    cp.set_defaults(run=run_copy)


def _url(given: str | None) -> str:
    return given or load_settings().resolved_state_url()


def run_upgrade(args: argparse.Namespace) -> int:
    """`veerkracht state upgrade`."""
    from flows.infra import migrate
    from flows.infra.state import masked

    url = _url(args.url)
    before, after = migrate.upgrade(url)
    if before == after:
        print(
            _("state database {url}: already at revision {revision}").format(
                url=masked(url), revision=after
            )
        )
    else:
        was = (
            _("revision {revision}").format(revision=before)
            if before
            else _("no revision (empty, or made before migrations)")
        )
        print(
            _("state database {url}: upgraded from {was} to revision {revision}").format(
                url=masked(url), was=was, revision=after
            )
        )
    return EXIT_OK


def run_current(args: argparse.Namespace) -> int:
    """`veerkracht state current`: exit 1 when the database is behind this version."""
    from flows.infra import migrate
    from flows.infra.state import masked

    url = _url(args.url)
    revision, head = migrate.current(url), migrate.head()
    print(f"{revision or _('none')} {masked(url)}")
    if revision != head:
        print(
            _("behind this version's revision {revision}: run `{command}`").format(
                revision=head, command=migrate.UPGRADE_COMMAND
            )
        )
        return EXIT_ERRORS
    return EXIT_OK


def run_copy(args: argparse.Namespace) -> int:
    """`veerkracht state copy --from URL --to URL`."""
    from flows.infra import migrate
    from flows.infra.state import masked

    source = _url(args.source)
    copied = migrate.copy(source, args.target)
    for table, count in copied.items():
        print(ngettext("{table}: {n} row", "{table}: {n} rows", count).format(table=table, n=count))
    total = sum(copied.values())
    print(
        ngettext(
            "copied {source} to {target} ({n} row)",
            "copied {source} to {target} ({n} rows)",
            total,
        ).format(source=masked(source), target=masked(args.target), n=total)
    )
    return EXIT_OK
