"""Data versions for caches: what changes when the data the pages show can change.

The store file changes on every write, a sign-in's record included (access.md §2), so a
cache keyed by the file's modification time misses after each sign-in; ``data_token``
changes only with the uploads and which of them are in force (data_token.sql).
"""

from __future__ import annotations

import duckdb

from analytics import sql


def data_token(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes whenever an upload is added, accepted, returned, rolled back or
    cleared, or another upload comes into force for a unit; not on sign-ins or audit records."""
    rows = sql.fetch(con, "data_token.sql", {})
    return str(rows[0][0])
