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
from flows.core.settings import load_settings


def register(sub: Any) -> None:
    """Add the `state` subcommand and its actions."""
    p: argparse.ArgumentParser = sub.add_parser(
        "state",
        help="the state database: upgrade its schema, show its revision, copy it",
        description="The state database (VEERKRACHT_STATE_URL; by default SQLite in the state "
        "folder): upgrade its schema to this version, show its revision, or copy it into a new "
        "database.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="migrate the schema to this version (Alembic)")
    now = actions.add_parser("current", help="print the revision and the database URL")
    for action in (up, now):
        action.add_argument(
            "--url", default=None, help="this database instead of VEERKRACHT_STATE_URL"
        )
    cp = actions.add_parser(
        "copy", help="copy every row into a new, empty database (SQLite to PostgreSQL)"
    )
    cp.add_argument(
        "--from", dest="source", default=None, metavar="URL", help="default: the current state"
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
        print(f"state database {masked(url)}: already at revision {after}")
    else:
        was = f"revision {before}" if before else "no revision (empty, or made before migrations)"
        print(f"state database {masked(url)}: upgraded from {was} to revision {after}")
    return EXIT_OK


def run_current(args: argparse.Namespace) -> int:
    """`veerkracht state current`: exit 1 when the database is behind this version."""
    from flows.infra import migrate
    from flows.infra.state import masked

    url = _url(args.url)
    revision, head = migrate.current(url), migrate.head()
    print(f"{revision or 'none'} {masked(url)}")
    if revision != head:
        print(f"behind this version's revision {head}: run `{migrate.UPGRADE_COMMAND}`")
        return EXIT_ERRORS
    return EXIT_OK


def run_copy(args: argparse.Namespace) -> int:
    """`veerkracht state copy --from URL --to URL`."""
    from flows.infra import migrate
    from flows.infra.state import masked

    source = _url(args.source)
    copied = migrate.copy(source, args.target)
    for table, count in copied.items():
        print(f"{table}: {count} rows")
    print(f"copied {masked(source)} to {masked(args.target)} ({sum(copied.values())} rows)")
    return EXIT_OK
