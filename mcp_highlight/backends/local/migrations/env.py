"""Alembic's entry point: migrate the connection `database.upgrade` hands over (no alembic.ini)."""

from alembic import context

from mcp_highlight.backends.local.schema import is_ours, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=is_ours,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
