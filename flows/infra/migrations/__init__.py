"""Alembic migrations of the state database, shipped inside the package.

Run through `flows.infra.migrate` (`veerkracht state upgrade`); there is no alembic.ini. A new
table or column is a new revision in `versions/` (next number, `down_revision` the previous
one); `tests/test_state_postgres.py` fails while the migrations and the table modules differ.
"""
