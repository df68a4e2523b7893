"""The state database as it was before migrations, plus the publish leases.

Every table is created only when missing: a database made by the old `metadata.create_all`
(no alembic_version table) is adopted with its rows, and gets what it lacks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # flows/linkcheck/cache.py
    op.create_table(
        "link_checks",
        sa.Column("url", sa.String(), primary_key=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("observed", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("redirects", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.Float(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        if_not_exists=True,
    )
    # flows/publishing/published.py
    op.create_table(
        "published",
        sa.Column("edition_key", sa.String(300), primary_key=True),
        sa.Column("channel", sa.String(60), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("first_at", TZ, nullable=False),
        sa.Column("last_at", TZ, nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        if_not_exists=True,
    )
    op.create_index("ix_published_day", "published", ["day"], if_not_exists=True)
    # flows/publishing/leases.py
    op.create_table(
        "publish_leases",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("acquired_at", TZ, nullable=False),
        sa.Column("renewed_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        if_not_exists=True,
    )
    # flows/ingest/tables.py
    op.create_table(
        "ingest_sources",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_ok_at", TZ, nullable=True),
        sa.Column("last_run_at", TZ, nullable=True),
        if_not_exists=True,
    )
    op.create_table(
        "ingest_seen",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("seen_at", TZ, nullable=False),
        if_not_exists=True,
    )
    # channels/newsletter/ledger.py
    op.create_table(
        "newsletter_deliveries",
        sa.Column("edition_key", sa.String(200), primary_key=True),
        sa.Column("recipient", sa.String(320), primary_key=True),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        if_not_exists=True,
    )
    op.create_index(
        "ix_newsletter_deliveries_token",
        "newsletter_deliveries",
        ["token"],
        if_not_exists=True,
    )
    op.create_table(
        "newsletter_unsubscribes",
        sa.Column("recipient", sa.String(320), primary_key=True),
        sa.Column("via", sa.String(32), nullable=False),
        sa.Column("at", TZ, nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in (
        "newsletter_unsubscribes",
        "newsletter_deliveries",
        "ingest_seen",
        "ingest_sources",
        "publish_leases",
        "published",
        "link_checks",
    ):
        op.drop_table(table)
