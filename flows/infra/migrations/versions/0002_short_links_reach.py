"""Short links and their reach counts (channels/shared/reach.py).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "short_links",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        if_not_exists=True,  # a database made by create_all before migrations has them
    )
    op.create_table(
        "reach_tags",
        sa.Column("key", sa.String(1), primary_key=True),
        sa.Column("tag", sa.String(8), primary_key=True),
        sa.Column("channel", sa.String(60), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        if_not_exists=True,  # a database made by create_all before migrations has them
    )
    op.create_table(
        "reach_counts",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("channel", sa.String(60), primary_key=True),
        sa.Column("target", sa.String(300), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        if_not_exists=True,  # a database made by create_all before migrations has them
    )


def downgrade() -> None:
    for table in ("reach_counts", "reach_tags", "short_links"):
        op.drop_table(table)
