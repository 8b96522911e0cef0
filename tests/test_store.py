"""The store: schema and views of the contract (§7), lock wait, rollback, demo data."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from analytics import store
from analytics.ingest import Staged, load
from analytics.ingest.model import BRANCH_SCHEMA, TASK_SCHEMA, ParsedLedger
from analytics.settings import Settings
from tests.factories import build_store

SETTINGS = Settings({"lock_timeout_s": 5})

HOLD_SCRIPT = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("HOLDING", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that keeps the store file open (locked) for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, str(db), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "HOLDING"
    return proc


def test_views_have_exactly_the_contract_columns_and_types(tmp_path: Path) -> None:
    with store.open_store(tmp_path / "s.duckdb", settings=SETTINGS) as con:
        branch = [(r[0], r[1]) for r in con.execute("DESCRIBE v_branch_month").fetchall()]
        task = [(r[0], r[1]) for r in con.execute("DESCRIBE v_task").fetchall()]
        week = [(r[0], r[1]) for r in con.execute("DESCRIBE v_branch_week").fetchall()]
    # cadence.md §1: v_branch_week has the columns of v_branch_month (without source_period).
    assert week == branch[:-1]
    assert branch == [
        ("period", "DATE"), ("county", "VARCHAR"), ("township", "VARCHAR"), ("branch", "VARCHAR"),
        ("branch_type", "VARCHAR"), ("target_stars", "INTEGER"),
        ("star_1", "VARCHAR"), ("star_2", "VARCHAR"), ("star_3", "VARCHAR"), ("star_4", "VARCHAR"), ("star_5", "VARCHAR"),
        ("stars", "INTEGER"), ("tasks_done", "INTEGER"), ("tasks_total", "INTEGER"), ("open_problems", "INTEGER"),
        ("weak", "BOOLEAN"), ("upload_id", "VARCHAR"),
        ("source_period", "VARCHAR"),  # cadence.md §1: '2024-08' or '2024-W35'
    ]
    assert task == [
        ("period", "DATE"), ("county", "VARCHAR"), ("township", "VARCHAR"), ("branch", "VARCHAR"),
        ("star_slot", "INTEGER"), ("task", "VARCHAR"), ("measure", "VARCHAR"), ("owner", "VARCHAR"),
        ("deadline", "DATE"), ("done", "BOOLEAN"), ("done_date", "DATE"), ("upload_id", "VARCHAR"),
        # battle-map.md §1
        ("team", "VARCHAR"), ("star_owner", "VARCHAR"), ("department", "VARCHAR"), ("accepted", "BOOLEAN"),
        ("accepted_date", "DATE"),
        # cadence.md §1 ('week' | 'month'); the last day of the report's period (month end / Sunday)
        ("period_kind", "VARCHAR"), ("period_end", "DATE"),
    ]


def test_a_new_store_is_migrated_once_and_reopens(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "s.duckdb"
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:  # read-only open of a missing file creates it
        assert store.schema_version(con) == store.SCHEMA_VERSION == len(store.MIGRATIONS)
        assert store.is_empty(con)
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION


def test_a_file_that_is_not_a_store_gives_a_chinese_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 1000)
    with pytest.raises(store.StoreError, match="无法打开数据库文件"):
        store.connect(bad, settings=SETTINGS)
    with pytest.raises(store.StoreError, match="不是文件"):
        store.connect(tmp_path, settings=SETTINGS)


def test_connect_waits_for_another_process_to_let_go(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    holder = hold(db, 1.0)
    started = time.monotonic()
    with store.open_store(db, settings=SETTINGS) as con:
        waited = time.monotonic() - started
        assert store.is_empty(con)
    holder.wait(timeout=30)
    assert 0.3 < waited < 5


def test_connect_gives_up_with_a_chinese_message_after_lock_timeout(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    holder = hold(db, 30)
    try:
        started = time.monotonic()
        with pytest.raises(store.StoreLockedError, match=r"正被另一个程序占用.*已等待 0\.5 秒"):
            store.connect(db, read_only=True, settings=SETTINGS.replace(lock_timeout_s=0.5))
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()


def test_history_statuses_and_rollback_errors(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2},
        {"period": "2024-08", "township": "乙镇", "branch": "二村", "stars": 4},
    ])
    with store.open_store(db, settings=SETTINGS) as con:
        assert [(r.upload_id, r.status, r.scope) for r in store.list_uploads(con)] == [
            ("U00002", "current", [("甲县", "乙镇")]), ("U00001", "current", [("甲县", "甲镇")])]
        with pytest.raises(store.StoreError, match="找不到上传记录 U00009"):
            store.rollback(con, "U00009")
        store.rollback(con, "U00002")
        with pytest.raises(store.StoreError, match="不能重复回滚"):
            store.rollback(con, "U00002")
        assert con.execute("SELECT branch FROM v_branch_month").fetchall() == [("一村",)]
        assert store.current_upload_for(con, store.get_upload(con, "U00001").period, "甲县", "乙镇") is None  # type: ignore[union-attr]
        assert [r.status for r in store.list_uploads(con)] == ["rolled_back", "current"]


def test_clear_demo_deletes_demo_uploads_rows_and_archive_only(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2},
        {"period": "2024-08", "township": "乙镇", "branch": "二村", "stars": 4},
    ], [{"period": "2024-08", "township": "甲镇", "branch": "一村", "star_slot": 1, "task": "建章立制", "done": True}],
        is_demo=True)
    with store.open_store(db, settings=SETTINGS) as con:
        con.execute("INSERT INTO archive SELECT sha256, 1, 'x'::BLOB FROM uploads")
        # A real upload after the demo: it and its archive entry must survive.
        con.execute(
            "INSERT INTO uploads (upload_id, seq, file_name, uploaded_at, sha256, size_bytes, period, n_branches,"
            " n_tasks, is_demo) VALUES ('U00003', 3, '真.xlsx', now(), 'real', 1, DATE '2024-09-01', 1, 0, false)"
        )
        con.execute("INSERT INTO upload_scope (upload_id, period, county, township)"
                    " VALUES ('U00003', DATE '2024-09-01', '甲县', '丙镇')")
        con.execute("INSERT INTO archive VALUES ('real', 1, 'y'::BLOB)")
        assert store.has_demo_data(con) and store.demo_cleared_at(con) is None
        assert store.clear_demo(con) == 2
        assert not store.has_demo_data(con)
        assert con.execute("SELECT upload_id FROM uploads").fetchall() == [("U00003",)]
        assert con.execute("SELECT sha256 FROM archive").fetchall() == [("real",)]
        for table in ("branch_month", "task"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        assert con.execute("SELECT upload_id FROM upload_scope").fetchall() == [("U00003",)]
        assert store.demo_cleared_at(con) is not None
        assert store.clear_demo(con) == 0


def test_upload_ids_are_never_reused_after_clearing_demo(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2},
        {"period": "2024-08", "township": "乙镇", "branch": "二村", "stars": 4},
    ], is_demo=True)
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.next_upload_id(con) == ("U00003", 3)
        store.clear_demo(con)
        assert store.is_empty(con)
        assert store.next_upload_id(con) == ("U00003", 3)


def test_store_version_changes_when_the_store_is_written(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    before = store.store_version(db, SETTINGS)
    time.sleep(0.01)
    build_store(db, [{"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2}])
    assert store.store_version(db, SETTINGS) != before


def make_v1_store(db: Path) -> None:
    """A store as schema version 1 left it: August 甲镇 loaded twice, 乙镇 once, then a rolled-back 乙镇."""
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(store.MIGRATIONS[0])
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for upload_id, seq, rolled_back in (("U00001", 1, None), ("U00002", 2, None), ("U00003", 3, "2024-09-02 10:00:00")):
        con.execute(
            "INSERT INTO uploads (upload_id, seq, file_name, uploaded_at, sha256, size_bytes, period, n_branches,"
            " n_tasks, rolled_back_at) VALUES (?, ?, 'a.xlsx', TIMESTAMP '2024-09-01 09:00:00', ?, 1,"
            " DATE '2024-08-01', 1, 1, ?)",
            [upload_id, seq, upload_id, rolled_back],
        )
    con.execute(
        "INSERT INTO upload_scope VALUES ('U00001', DATE '2024-08-01', '甲县', '甲镇'),"
        " ('U00001', DATE '2024-08-01', '甲县', '乙镇'), ('U00002', DATE '2024-08-01', '甲县', '甲镇'),"
        " ('U00003', DATE '2024-08-01', '甲县', '乙镇')"
    )
    con.execute(
        "INSERT INTO branch_month (upload_id, period, county, township, branch, branch_type, stars, secretary) VALUES"
        " ('U00001', DATE '2024-08-01', '甲县', '甲镇', '一村', '村', 1, '王一'),"
        " ('U00001', DATE '2024-08-01', '甲县', '乙镇', '二村', '村', 2, '王二'),"
        " ('U00002', DATE '2024-08-01', '甲县', '甲镇', '一村', '村', 3, '李一'),"
        " ('U00003', DATE '2024-08-01', '甲县', '乙镇', '二村', '村', 5, '李二')"
    )
    con.execute(
        "INSERT INTO task (upload_id, period, county, township, branch, star_slot, task, done) VALUES"
        " ('U00001', DATE '2024-08-01', '甲县', '甲镇', '一村', 1, '旧任务', false),"
        " ('U00002', DATE '2024-08-01', '甲县', '甲镇', '一村', 1, '新任务', true),"
        " ('U00003', DATE '2024-08-01', '甲县', '乙镇', '二村', 2, '撤回任务', false)"
    )
    con.close()


def test_a_version_1_store_is_migrated_to_maintained_current_flags(tmp_path: Path) -> None:
    db = tmp_path / "v1.duckdb"
    make_v1_store(db)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:  # a read-only open migrates first
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert con.execute(
            "SELECT upload_id, township, is_current FROM upload_scope ORDER BY ALL").fetchall() == [
            ("U00001", "乙镇", True), ("U00001", "甲镇", False), ("U00002", "甲镇", True), ("U00003", "乙镇", False)]
        assert con.execute("SELECT upload_id, branch, is_current FROM branch_month ORDER BY ALL").fetchall() == [
            ("U00001", "一村", False), ("U00001", "二村", True), ("U00002", "一村", True), ("U00003", "二村", False)]
        assert con.execute("SELECT task, is_current FROM task ORDER BY ALL").fetchall() == [
            ("撤回任务", False), ("新任务", True), ("旧任务", False)]
        assert con.execute("SELECT township, branch, stars, upload_id FROM v_branch_month ORDER BY ALL").fetchall() == [
            ("乙镇", "二村", 2, "U00001"), ("甲镇", "一村", 3, "U00002")]
        assert con.execute("SELECT branch, task, done, upload_id FROM v_task").fetchall() == [
            ("一村", "新任务", True, "U00002")]
        assert con.execute("SELECT branch, secretary FROM v_branch_month_detail ORDER BY ALL").fetchall() == [
            ("一村", "李一"), ("二村", "王二")]
        assert "is_current" not in [r[0] for r in con.execute("DESCRIBE v_branch_month_detail").fetchall()]
        assert con.execute("SELECT * FROM v_current_scope ORDER BY township").fetchall() == [
            (date(2024, 8, 1), "甲县", "乙镇", "U00001"), (date(2024, 8, 1), "甲县", "甲镇", "U00002")]
        assert {r.upload_id: r.status for r in store.list_uploads(con)} == {
            "U00001": "partly_current", "U00002": "current", "U00003": "rolled_back"}
    # Later changes keep the flags right: rolling back U00002 brings U00001's 甲镇 back.
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, "U00002")
        assert con.execute("SELECT township, branch, stars, upload_id FROM v_branch_month ORDER BY ALL").fetchall() == [
            ("乙镇", "二村", 2, "U00001"), ("甲镇", "一村", 1, "U00001")]
        assert con.execute("SELECT task FROM v_task").fetchall() == [("旧任务",)]


def test_store_helpers_leave_no_pending_result_for_con_sql(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [{"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2}])
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert con.sql("SELECT count(*) FROM v_branch_month").fetchall() == [(1,)]
        assert store.current_upload_for(con, date(2024, 8, 1), "甲县", "甲镇") == "U00001"
        assert not store.is_empty(con) and not store.has_demo_data(con) and store.demo_cleared_at(con) is None
        assert con.sql("SELECT upload_id FROM v_current_scope").fetchall() == [("U00001",)]


# --- the per-period snapshot table (schema version 3) ---------------------------


def snapshot(con: Any, grain: str | None = None) -> list[tuple[Any, ...]]:
    """(grain, period_start, period, township, branch, stars, tasks_done, overdue, task_rows, same_since, upload_id)
    of one grain, or of months and quarters (half-years, years and weeks: tests/test_store_weeks.py)."""
    rows = con.execute(
        "SELECT grain, strftime(period_start, '%Y-%m'), strftime(period, '%Y-%m'), township, branch, stars,"
        " tasks_done, overdue, task_rows, strftime(same_since, '%Y-%m'), upload_id"
        " FROM branch_snapshot WHERE coalesce(grain = $grain::VARCHAR, grain IN ('month', 'quarter')) ORDER BY ALL",
        {"grain": grain},
    ).fetchall()
    return [tuple(r) for r in rows]


def links(con: Any, grain: str) -> list[tuple[Any, ...]]:
    """(period_start, township, branch, in_prev, prev_stars, prev_attained, in_next, name_order) of one grain."""
    return [tuple(r) for r in con.execute(
        "SELECT strftime(period_start, '%Y-%m'), township, branch, in_prev, prev_stars, prev_attained, in_next,"
        " name_order FROM branch_snapshot WHERE grain = ? ORDER BY ALL", [grain]).fetchall()]


def assert_maintained_equals_rebuild(db: Path) -> None:
    """Every column of branch_snapshot as maintained by loads equals a rebuild from scratch."""
    with store.open_store(db, settings=SETTINGS) as con:
        everything = "SELECT * EXCLUDE (upload_id), upload_id FROM branch_snapshot ORDER BY ALL"
        maintained = con.execute(everything).fetchall()
        con.execute("BEGIN TRANSACTION")
        store.rebuild_snapshots(con)
        rebuilt = con.execute(everything).fetchall()
        con.execute("ROLLBACK")
    assert maintained == rebuilt


def staged(period: date, rows: list[tuple[str, str, int, int | None]],
           tasks: Sequence[tuple[str, str, str, date | None, bool]] = (), tag: str = "") -> Staged:
    """An accepted upload: rows (township, branch, stars, tasks_done), tasks (township, branch, task, deadline, done)."""
    branches = [
        {"county": "甲县", "township": t, "branch": b, "branch_type": "村", "stars": n, "tasks_done": d,
         "tasks_total": 10, "weak": False, "source_sheet": "星级台账",
         **{f"star_{i}": "achieved" if i <= n else "in_progress" for i in range(1, 6)}}
        for t, b, n, d in rows
    ]
    task_rows = [{"county": "甲县", "township": t, "branch": b, "star_slot": 1, "task": name, "deadline": due,
                  "done": done, "source_sheet": "任务台账"} for t, b, name, due, done in tasks]
    bt = pa.Table.from_pylist([{f.name: r.get(f.name) for f in BRANCH_SCHEMA} for r in branches], schema=BRANCH_SCHEMA)
    tt = pa.Table.from_pylist([{f.name: r.get(f.name) for f in TASK_SCHEMA} for r in task_rows], schema=TASK_SCHEMA)
    data = repr((period, rows, tasks, tag)).encode()
    parsed = ParsedLedger(period=period, branches=bt, tasks=tt, warnings=[])
    return Staged(file_name="台账.xlsx", data=data, sha256=hashlib.sha256(data).hexdigest(), parsed=parsed, warnings=[])


JUL, AUG, SEP = date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)


def test_snapshot_table_follows_load_replace_rollback_and_clear_demo(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # U00001 July 甲镇; U00002 August 甲镇 + 乙镇 (one task overdue at the end of August, one not yet due).
    load(staged(JUL, [("甲镇", "一村", 2, 5)]), db=db, settings=SETTINGS)
    load(staged(AUG, [("甲镇", "一村", 2, 5), ("乙镇", "二村", 3, None)],
                [("甲镇", "一村", "修路", date(2024, 8, 31), False), ("甲镇", "一村", "建房", date(2024, 9, 1), False),
                 ("甲镇", "一村", "种树", date(2024, 8, 1), True)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert snapshot(con) == [
            # month rows: August 一村 continues July's run (same stars and tasks_done)
            ("month", "2024-07", "2024-07", "甲镇", "一村", 2, 5, 0, 0, "2024-07", "U00001"),
            ("month", "2024-08", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("month", "2024-08", "2024-08", "甲镇", "一村", 2, 5, 1, 3, "2024-07", "U00002"),
            # Q3: each branch's latest month
            ("quarter", "2024-07", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("quarter", "2024-07", "2024-08", "甲镇", "一村", 2, 5, 1, 3, "2024-07", "U00002"),
        ]
    assert_maintained_equals_rebuild(db)
    # U00003 (demo) replaces August 甲镇: 一村 now has 3 stars, the run restarts; 乙镇 stays U00002.
    load(staged(AUG, [("甲镇", "一村", 3, 5)]), db=db, is_demo=True, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:  # the quarter's latest month replaced
        assert snapshot(con, "quarter") == [
            ("quarter", "2024-07", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("quarter", "2024-07", "2024-08", "甲镇", "一村", 3, 5, 0, 0, "2024-08", "U00003"),
        ]
    # U00004: September 甲镇 (the quarter's latest month for 一村).
    load(staged(SEP, [("甲镇", "一村", 3, 5)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert snapshot(con, "month")[1:] == [
            ("month", "2024-08", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("month", "2024-08", "2024-08", "甲镇", "一村", 3, 5, 0, 0, "2024-08", "U00003"),
            ("month", "2024-09", "2024-09", "甲镇", "一村", 3, 5, 0, 0, "2024-08", "U00004"),
        ]
        assert snapshot(con, "quarter") == [
            ("quarter", "2024-07", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("quarter", "2024-07", "2024-09", "甲镇", "一村", 3, 5, 0, 0, "2024-08", "U00004"),
        ]
    assert_maintained_equals_rebuild(db)
    # Clearing the demo data brings U00002's August 甲镇 back: September's run now starts in September.
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.clear_demo(con) == 1
        assert snapshot(con, "month")[2:] == [
            ("month", "2024-08", "2024-08", "甲镇", "一村", 2, 5, 1, 3, "2024-07", "U00002"),
            ("month", "2024-09", "2024-09", "甲镇", "一村", 3, 5, 0, 0, "2024-09", "U00004"),
        ]
    # Rolling back U00004 (September): the quarter's latest month of 一村 is August again.
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, "U00004")
        assert snapshot(con, "quarter") == [
            ("quarter", "2024-07", "2024-08", "乙镇", "二村", 3, None, 0, 0, "2024-08", "U00002"),
            ("quarter", "2024-07", "2024-08", "甲镇", "一村", 2, 5, 1, 3, "2024-07", "U00002"),
        ]
        assert ("month", "2024-09") not in {r[:2] for r in snapshot(con)}
        rows_now = snapshot(con)
        store.rebuild_snapshots(con)  # what was maintained equals a rebuild from scratch
        assert snapshot(con) == rows_now
    assert_maintained_equals_rebuild(db)


def test_the_neighbouring_periods_and_the_name_order_follow_each_load(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # 甲镇 in July and August, 乙镇 only in August: 二村 has no July, 一村 goes on into August.
    load(staged(JUL, [("甲镇", "一村", 2, 5), ("甲镇", "三村", 4, 5)]), db=db, settings=SETTINGS)
    load(staged(AUG, [("甲镇", "一村", 3, 5)]), db=db, settings=SETTINGS)
    load(staged(AUG, [("乙镇", "二村", 1, 5)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        # Code-point order: 一 (U+4E00) < 三 (U+4E09) < 二 (U+4E8C); 三村 is not in August (in_next false).
        assert links(con, "month") == [
            ("2024-07", "甲镇", "一村", False, None, None, True, 1),
            ("2024-07", "甲镇", "三村", False, None, None, False, 2),
            ("2024-08", "乙镇", "二村", False, None, None, False, 2),
            ("2024-08", "甲镇", "一村", True, 2, False, False, 1),
        ]
    # September 甲镇 with 三村 back: August 一村 now has a next month; 三村's previous month is missing.
    load(staged(SEP, [("甲镇", "一村", 3, 6), ("甲镇", "三村", 4, 6)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert links(con, "month")[2:] == [
            ("2024-08", "乙镇", "二村", False, None, None, False, 2),
            ("2024-08", "甲镇", "一村", True, 2, False, True, 1),
            ("2024-09", "甲镇", "一村", True, 3, False, False, 1),
            ("2024-09", "甲镇", "三村", False, None, None, False, 2),
        ]
        # One quarter (Q3), nothing before or after it.
        assert links(con, "quarter") == [
            ("2024-07", "乙镇", "二村", False, None, None, False, 3),
            ("2024-07", "甲镇", "一村", False, None, None, False, 1),
            ("2024-07", "甲镇", "三村", False, None, None, False, 2),
        ]
    assert_maintained_equals_rebuild(db)
    # Rolling back August 甲镇: July 一村 loses its next month, September 一村 its previous one.
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, "U00002")
        assert [r for r in links(con, "month") if r[2] == "一村"] == [
            ("2024-07", "甲镇", "一村", False, None, None, False, 1),
            ("2024-09", "甲镇", "一村", False, None, None, False, 1),
        ]
    assert_maintained_equals_rebuild(db)


def test_a_rewritten_earlier_month_carries_the_stagnation_run_forward(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(staged(JUL, [("甲镇", "一村", 2, 4)]), db=db, settings=SETTINGS)
    load(staged(AUG, [("甲镇", "一村", 2, 5)]), db=db, settings=SETTINGS)
    load(staged(SEP, [("甲镇", "一村", 2, 5)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert [r[9] for r in snapshot(con, "month")] == ["2024-07", "2024-08", "2024-08"]
    # A corrected July equal to August: September's run now starts in July (a later month rewritten).
    load(staged(JUL, [("甲镇", "一村", 2, 5)], tag="fix"), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert [r[9] for r in snapshot(con, "month")] == ["2024-07", "2024-07", "2024-07"]
        assert snapshot(con, "quarter") == [
            ("quarter", "2024-07", "2024-09", "甲镇", "一村", 2, 5, 0, 0, "2024-07", "U00003")]


def test_a_branch_whose_type_changes_inside_a_quarter_has_a_row_per_type(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-07", "township": "甲镇", "branch": "一村", "branch_type": "村", "stars": 1},
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "branch_type": "社区", "stars": 2},
        {"period": "2024-08", "township": "甲镇", "branch": "二村", "branch_type": "村", "stars": 4},
    ])
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute(
            "SELECT branch, branch_type, strftime(period, '%Y-%m'), stars, is_latest FROM branch_snapshot"
            " WHERE grain = 'quarter' ORDER BY ALL").fetchall() == [
            ("一村", "村", "2024-07", 1, False), ("一村", "社区", "2024-08", 2, True), ("二村", "村", "2024-08", 4, True)]


def test_a_version_2_store_gets_its_snapshot_table_on_open(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "v2.duckdb"
    make_v1_store(db)
    con = duckdb.connect(str(db))
    con.execute("BEGIN TRANSACTION")
    con.execute(store.MIGRATIONS[1])
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.execute("COMMIT")
    assert "branch_snapshot" not in [r[0] for r in con.execute("SHOW TABLES").fetchall()]
    con.close()
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert snapshot(con) == [
            ("month", "2024-08", "2024-08", "乙镇", "二村", 2, None, 0, 0, "2024-08", "U00001"),
            ("month", "2024-08", "2024-08", "甲镇", "一村", 3, None, 0, 1, "2024-08", "U00002"),
            ("quarter", "2024-07", "2024-08", "乙镇", "二村", 2, None, 0, 0, "2024-08", "U00001"),
            ("quarter", "2024-07", "2024-08", "甲镇", "一村", 3, None, 0, 1, "2024-08", "U00002"),
        ]
        assert con.execute(
            "SELECT secretary FROM branch_snapshot WHERE grain = 'month' ORDER BY branch").fetchall() == [
            ("李一",), ("王二",)]
