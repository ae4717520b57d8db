"""SQLite storage via sqlite-utils: connections, migrations and the queries the app uses."""

from storage.db import connect

__all__ = ["connect"]
