"""Alembic's environment for the state database, run by `flows.infra.migrate` only.

`migrate` hands over an open connection, already in a transaction, in
`config.attributes["connection"]`: the whole upgrade is that one transaction. There is no
offline (SQL script) mode and no alembic.ini.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the state migrations run through flows.infra.migrate (`veerkracht state upgrade`)"
    )
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
