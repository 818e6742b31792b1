"""Alembic environment: migrations always run on a connection the store hands over, inside
its transaction and under its lock (see store/engine.py ``migrate``); never from a URL."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
