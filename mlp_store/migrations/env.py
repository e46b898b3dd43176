"""Alembic's environment, run only through ``mlp_store.engine.migrate`` (no alembic.ini).

The caller hands in an open connection inside a transaction that already holds the
migration lock, so the version check and every step happen under that lock.
"""

from alembic import context

from mlp_store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
