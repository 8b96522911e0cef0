"""Units of replacement have a kind (schema 6): a county-wide register unit and a month's
ledger unit of the same county are replaced, rolled back and flagged independently."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from analytics import store
from tests.factories import build_store

AUG = date(2024, 8, 1)


def _register_upload(con: duckdb.DuckDBPyConnection, upload_id: str, seq: int, branches: list[str]) -> None:
    """A register upload of 甲县 written straight into the tables, then made current."""
    con.execute(
        "INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,"
        " n_branches, n_tasks, warnings, skipped_sheets, kind)"
        " VALUES (?, ?, 'register.xlsx', 'test', ?, ?, 0, ?, ?, 0, '[]', '[]', 'register')",
        [upload_id, seq, datetime(2024, 9, 1), upload_id, store.TIMELESS, len(branches)],
    )
    con.execute(
        "INSERT INTO upload_scope (upload_id, kind, period, county, township) VALUES (?, 'register', ?, '甲县', '')",
        [upload_id, store.TIMELESS],
    )
    for i, name in enumerate(branches, start=2):
        con.execute(
            "INSERT INTO register (upload_id, county, township, branch, branch_type, status, source_row)"
            " VALUES (?, '甲县', '甲镇', ?, '村', '在册', ?)",
            [upload_id, name, i],
        )
    store.refresh_current(con, [(store.TIMELESS, "甲县", "")], kind="register")


def _registered(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT branch FROM v_register ORDER BY branch").fetchall()]


def test_a_register_unit_replaces_and_rolls_back_without_touching_the_month(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": AUG, "township": "甲镇", "branch": "一村", "stars": 3},
    ])
    with store.open_store(db) as con:
        con.execute("BEGIN TRANSACTION")
        _register_upload(con, "U00002", 2, ["一村", "二村"])
        _register_upload(con, "U00003", 3, ["一村", "三村"])
        con.execute("COMMIT")
        # The county's later import replaces its register as a whole.
        assert _registered(con) == ["一村", "三村"]
        # The month's ledger unit of the same county is another kind: still current.
        assert con.execute("SELECT upload_id FROM v_current_scope").fetchall() == [("U00001",)]
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchone() == (1,)

        store.rollback(con, "U00003")
        assert _registered(con) == ["一村", "二村"]
        assert con.execute(
            "SELECT kind, is_current FROM upload_scope WHERE upload_id = 'U00002'").fetchall() == [("register", True)]

        store.rollback(con, "U00001")
        # Rolling back the month leaves the register alone.
        assert _registered(con) == ["一村", "二村"]
        assert con.execute("SELECT count(*) FROM v_branch_month").fetchone() == (0,)


def test_every_kind_of_unit_names_row_tables_that_exist(tmp_path: Path) -> None:
    with store.open_store(tmp_path / "s.duckdb") as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        columns = {
            (r[0], r[1]) for r in con.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall()
        }
    for kind, rows in store.UNIT_ROWS.items():
        for table, keys in rows:
            assert table in tables, kind
            for key in (*keys, "upload_id", "is_current"):
                assert (table, key) in columns, (kind, table, key)
