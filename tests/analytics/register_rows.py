"""Literal register, goals and submission rows for the goals / status / B4 tests.

Written straight into the schema-6 tables (``register``, ``goal``, ``uploads``,
``upload_scope``, ``branch_month``) the way an import records them, without the
register importer (built elsewhere):

    path = build_store(tmp_path / "s.duckdb", branches)
    with store.open_store(path) as con:
        add_register(con, "甲县", [("甲镇", "一村"), ("乙镇", "二村", "撤并")])
        add_goals(con, "甲县", [(None, 2, 7, 5, "2024-12-31"), ("甲镇", 1, 2, 3, "2024-12-31")])
        add_submission(con, "2024-08", "甲县", "丙镇", ["三村"], state="pending", uploaded_at=...)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import duckdb

from analytics import store


def _next(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    return store.next_upload_id(con)


def _upload(con: duckdb.DuckDBPyConnection, *, kind: str, period: date, file_name: str,
            uploaded_at: datetime, state: str = "accepted", reason: str | None = None,
            n_branches: int = 0) -> str:
    upload_id, seq = _next(con)
    con.execute(
        "INSERT INTO uploads (upload_id, seq, file_name, uploader, uploaded_at, sha256, size_bytes, period,"
        " n_branches, n_tasks, warnings, skipped_sheets, is_demo, state, accepted_seq, kind, review_reason,"
        " reviewed_at)"
        " VALUES (?, ?, ?, 'test', ?, ?, 0, ?, ?, 0, '[]', '[]', false, ?, ?, ?, ?, ?)",
        [upload_id, seq, file_name, uploaded_at, upload_id, period, n_branches, state,
         seq if state == "accepted" else None, kind, reason,
         uploaded_at if state != "pending" else None],
    )
    return upload_id


def add_register(con: duckdb.DuckDBPyConnection, county: str, rows: Iterable[Sequence[Any]],
                 *, uploaded_at: datetime = datetime(2024, 1, 2)) -> str:
    """One register upload of ``county``: rows (township, branch[, status[, branch_type]])."""
    upload_id = _upload(con, kind="register", period=store.TIMELESS, file_name=f"{county}名册.xlsx",
                        uploaded_at=uploaded_at)
    con.execute("INSERT INTO upload_scope (upload_id, kind, period, county, township) VALUES (?, 'register', ?, ?, '')",
                [upload_id, store.TIMELESS, county])
    for i, r in enumerate(rows, start=2):
        township, branch = r[0], r[1]
        status = r[2] if len(r) > 2 else "在册"
        branch_type = r[3] if len(r) > 3 else ("社区" if branch.endswith("社区") else "村")
        con.execute(
            "INSERT INTO register (upload_id, county, township, branch, branch_type, status, source_sheet, source_row)"
            " VALUES (?, ?, ?, ?, ?, ?, '支部名册', ?)",
            [upload_id, county, township, branch, branch_type, status, i],
        )
    return upload_id


def add_goals(con: duckdb.DuckDBPyConnection, county: str, rows: Iterable[Sequence[Any]],
              *, uploaded_at: datetime = datetime(2024, 1, 2)) -> str:
    """One goals upload of ``county``: rows (township or None, goal_5, goal_4, goal_3, due[, due_text])."""
    upload_id = _upload(con, kind="register", period=store.TIMELESS, file_name=f"{county}目标.xlsx",
                        uploaded_at=uploaded_at)
    con.execute("INSERT INTO upload_scope (upload_id, kind, period, county, township) VALUES (?, 'goals', ?, ?, '')",
                [upload_id, store.TIMELESS, county])
    for i, r in enumerate(rows, start=2):
        township, g5, g4, g3, due = r[:5]
        due_text = r[5] if len(r) > 5 else None
        con.execute(
            "INSERT INTO goal (upload_id, county, township, goal_5, goal_4, goal_3, due, due_text, source_sheet,"
            " source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '创建目标', ?)",
            [upload_id, county, township, g5, g4, g3, date.fromisoformat(str(due)), due_text, i],
        )
    return upload_id


def add_submission(con: duckdb.DuckDBPyConnection, period: str, county: str, township: str,
                   branches: Iterable[str], *, state: str, uploaded_at: datetime,
                   reason: str | None = None, stars: int = 3) -> str:
    """A monthly ledger of one township in review state ``state`` (pending | returned | accepted),
    as the importer and the review record it; an accepted one becomes the unit's current version."""
    first = date.fromisoformat(f"{period}-01")
    names = list(branches)
    upload_id = _upload(con, kind="ledger", period=first, file_name=f"{township}{period}.xlsx",
                        uploaded_at=uploaded_at, state=state, reason=reason, n_branches=len(names))
    current = state == "accepted"
    con.execute(
        "INSERT INTO upload_scope (upload_id, kind, period, county, township, is_current)"
        " VALUES (?, 'month', ?, ?, ?, ?)", [upload_id, first, county, township, current])
    for name in names:
        con.execute(
            "INSERT INTO branch_month (upload_id, period, county, township, branch, branch_type, stars, weak,"
            " is_current) VALUES (?, ?, ?, ?, ?, ?, ?, false, ?)",
            [upload_id, first, county, township, name, "社区" if name.endswith("社区") else "村", stars, current],
        )
    if current:
        store.refresh_current(con, [(first, county, township)])
    return upload_id


def set_uploaded_at(con: duckdb.DuckDBPyConnection, upload_id: str, when: datetime) -> None:
    """When a factory-built upload was received (build_store records 2024-01-01 for all)."""
    con.execute("UPDATE uploads SET uploaded_at = ? WHERE upload_id = ?", [when, upload_id])


def upload_of(con: duckdb.DuckDBPyConnection, period: str, county: str, township: str) -> str:
    """The upload id build_store gave a (period, county, township) unit."""
    value = con.execute(
        "SELECT upload_id FROM upload_scope WHERE kind = 'month' AND period = ? AND county = ? AND township = ?",
        [date.fromisoformat(f"{period}-01"), county, township]).fetchone()
    assert value is not None, (period, county, township)
    return str(value[0])
