"""Alembic migrations of the state database, shipped inside the package.

Run through `flows.infra.migrate` (`veerkracht state upgrade`); there is no alembic.ini. A new
table or column is a new revision in `versions/` (next number, `down_revision` the previous
one) and HEAD below becomes its number; `tests/test_state_postgres.py` fails while the
migrations and the table modules differ, or HEAD is not the newest revision.
"""

# The newest revision, known without importing Alembic: `open_state` compares the database's
# alembic_version with it, the one query a process makes before using the state.
HEAD = "0002"
