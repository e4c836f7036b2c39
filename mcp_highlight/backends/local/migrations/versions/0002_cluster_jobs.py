"""Cluster mode: jobs carry what a worker needs (kind, payload, queue id) and what it reports (progress,
worker, attempts); indexes for the lookups every request makes; on PostgreSQL, Procrastinate's queue.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("kind", sa.String, nullable=False, server_default="render"))
        jobs.add_column(sa.Column("payload", sa.Text, nullable=True))
        jobs.add_column(sa.Column("queue_id", sa.Integer, nullable=True))
        jobs.add_column(sa.Column("progress", sa.Float, nullable=False, server_default="0"))
        jobs.add_column(sa.Column("message", sa.Text, nullable=False, server_default=""))
        jobs.add_column(sa.Column("worker", sa.String, nullable=True))
        jobs.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_jobs_session_id", "jobs", ["session_id"])
    op.create_index("ix_media_session_id", "media", ["session_id"])
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        op.execute(SchemaManager.get_schema())
