"""The only code that knows SQL: connections, migrations and queries."""

from assistant.storage.db import open_database, transaction

__all__ = ["open_database", "transaction"]
