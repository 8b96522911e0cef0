"""Weekly ledgers in the store (cadence.md §1): units of kind 'week', replaced per (week,
township) and never replacing a month's nor the reverse; the month view falls back to the
latest weekly report whose Sunday falls in the month; snapshot grains week, half, year."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from analytics import store
from analytics.ingest import Staged, load
from analytics.ingest.model import BRANCH_SCHEMA, TASK_SCHEMA, ParsedLedger
from analytics.periods import Period
from analytics.settings import Settings
from tests.test_store import assert_maintained_equals_rebuild

SETTINGS = Settings({"lock_timeout_s": 5})


def staged(period: str, rows: list[tuple[str, str, int, int | None]],
           tasks: Sequence[tuple[str, str, str, date | None, bool]] = (), tag: str = "") -> Staged:
    """An accepted upload of ``period`` ('2024-08' or '2024-W35'): rows (township, branch, stars,
    tasks_done), tasks (township, branch, task, deadline, done)."""
    p = Period.parse(period)
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
    parsed = ParsedLedger(period=p.start, branches=bt, tasks=tt, warnings=[], period_kind=p.kind)
    return Staged(file_name="台账.xlsx", data=data, sha256=hashlib.sha256(data).hexdigest(), parsed=parsed, warnings=[])


def rows(con: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in con.execute(sql, params).fetchall()]


MONTH_VIEW = "SELECT strftime(period, '%Y-%m'), township, branch, stars, source_period FROM v_branch_month ORDER BY ALL"


def test_the_month_falls_back_to_the_latest_week_whose_sunday_is_in_it(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # Weekly reports of 甲镇: W33 (8.12–8.18), W34 (8.19–8.25) and W35 (8.26–9.1, Sunday in September).
    for week, stars in (("2024-W33", 1), ("2024-W34", 2), ("2024-W35", 3)):
        assert load(staged(week, [("甲镇", "一村", stars, None), ("甲镇", "二村", stars, None)]),
                    db=db, settings=SETTINGS).ok
    # A monthly report for August covers 一村 only: it beats the weeks for 一村.
    assert load(staged("2024-08", [("甲镇", "一村", 5, None)]), db=db, settings=SETTINGS).ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert rows(con, MONTH_VIEW) == [
            ("2024-08", "甲镇", "一村", 5, "2024-08"),   # the monthly report beats every week
            ("2024-08", "甲镇", "二村", 2, "2024-W34"),  # the latest week whose Sunday is in August (not W35)
            ("2024-09", "甲镇", "一村", 3, "2024-W35"),  # W35's Sunday is 1 September
            ("2024-09", "甲镇", "二村", 3, "2024-W35"),
        ]
        assert rows(con, "SELECT period, branch, stars FROM v_branch_week WHERE branch = '二村' ORDER BY period") == [
            (date(2024, 8, 12), "二村", 1), (date(2024, 8, 19), "二村", 2), (date(2024, 8, 26), "二村", 3)]
        # The quarter, half-year and year take each branch's latest month (September, from W35).
        for grain, start in (("quarter", date(2024, 7, 1)), ("half", date(2024, 7, 1)), ("year", date(2024, 1, 1))):
            assert rows(con, "SELECT branch, period, stars, source_kind, source_period FROM branch_snapshot"
                             " WHERE grain = ? AND period_start = ? ORDER BY branch", [grain, start]) == [
                ("一村", date(2024, 9, 1), 3, "week", date(2024, 8, 26)),
                ("二村", date(2024, 9, 1), 3, "week", date(2024, 8, 26))]
    assert_maintained_equals_rebuild(db)


def test_weekly_and_monthly_uploads_never_replace_each_other_even_when_a_monday_is_the_first(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # 2025-09-01 is a Monday: 2025-W36 and the month 2025-09 share their first day.
    assert Period.parse("2025-W36").start == date(2025, 9, 1)
    month = load(staged("2025-09", [("甲镇", "一村", 4, 8)], [("甲镇", "一村", "月任务", date(2025, 9, 30), False)]),
                 db=db, settings=SETTINGS)
    week = load(staged("2025-W36", [("甲镇", "一村", 2, 3)], [("甲镇", "一村", "周任务", date(2025, 9, 3), False)]),
                db=db, settings=SETTINGS)
    assert month.ok and week.ok and week.upload_id != month.upload_id and week.period == "2025-W36"
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert rows(con, "SELECT kind, period, upload_id, is_current FROM upload_scope ORDER BY ALL") == [
            ("month", date(2025, 9, 1), month.upload_id, True), ("week", date(2025, 9, 1), week.upload_id, True)]
        assert {r.upload_id: r.status for r in store.list_uploads(con)} == {
            month.upload_id: "current", week.upload_id: "current"}
        assert rows(con, MONTH_VIEW) == [("2025-09", "甲镇", "一村", 4, "2025-09")]
        assert rows(con, "SELECT period, stars, upload_id FROM v_branch_week") == [
            (date(2025, 9, 1), 2, week.upload_id)]
        # v_task: both reports' tasks, each with its kind; the month's overdue day is its end, the week's its Sunday.
        assert rows(con, "SELECT task, period, period_kind, period_end FROM v_task ORDER BY task") == [
            ("周任务", date(2025, 9, 1), "week", date(2025, 9, 7)),
            ("月任务", date(2025, 9, 1), "month", date(2025, 9, 30))]
        # The snapshot of each grain counts only its own report's tasks.
        assert rows(con, "SELECT grain, stars, task_rows, overdue FROM branch_snapshot"
                         " WHERE grain IN ('week', 'month') ORDER BY grain") == [("month", 4, 1, 1), ("week", 2, 1, 1)]
    # A second weekly upload replaces the week only; the month stays current.
    week2 = load(staged("2025-W36", [("甲镇", "一村", 3, 3)], tag="again"), db=db, settings=SETTINGS)
    with store.open_store(db, settings=SETTINGS) as con:
        assert week2.ok and store.get_upload(con, str(week.upload_id)).status == "superseded"  # type: ignore[union-attr]
        assert store.get_upload(con, str(month.upload_id)).status == "current"  # type: ignore[union-attr]
        assert rows(con, "SELECT stars FROM v_branch_week") == [(3,)]
        assert rows(con, MONTH_VIEW) == [("2025-09", "甲镇", "一村", 4, "2025-09")]
        # Rolling back the month leaves the week alone, and September falls back to the week.
        store.rollback(con, str(month.upload_id))
        assert rows(con, MONTH_VIEW) == [("2025-09", "甲镇", "一村", 3, "2025-W36")]
        assert rows(con, "SELECT stars, upload_id FROM v_branch_week") == [(3, week2.upload_id)]
        assert rows(con, "SELECT task, period_kind FROM v_task") == []  # week2 has no tasks; the month's is withdrawn
    # A new monthly upload does not touch the week either.
    again = load(staged("2025-09", [("甲镇", "一村", 5, 8)], tag="new"), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert again.ok and again.duplicate_of is None
        assert store.get_upload(con, str(week2.upload_id)).status == "current"  # type: ignore[union-attr]
        assert rows(con, MONTH_VIEW) == [("2025-09", "甲镇", "一村", 5, "2025-09")]
    assert_maintained_equals_rebuild(db)


def test_identical_bytes_as_a_week_and_as_the_month_starting_the_same_day_are_two_uploads(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    base = staged("2025-09", [("甲镇", "一村", 4, 8)])
    as_week = staged("2025-W36", [("甲镇", "一村", 4, 8)])
    as_week.data, as_week.sha256 = base.data, base.sha256  # the same file read once as a month, once as a week
    first, second = load(base, db=db, settings=SETTINGS), load(as_week, db=db, settings=SETTINGS)
    assert first.ok and second.ok and second.duplicate_of is None and second.upload_id != first.upload_id


def test_weeks_across_a_year_and_their_previous_week(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # 2024-W52 (12.23–12.29) and 2025-W01 (12.30–1.5: Sunday in January 2025).
    load(staged("2024-W52", [("甲镇", "一村", 2, None)]), db=db, settings=SETTINGS)
    load(staged("2025-W01", [("甲镇", "一村", 3, None)]), db=db, settings=SETTINGS)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert rows(con, "SELECT period_start, in_prev, prev_stars, in_next FROM branch_snapshot"
                         " WHERE grain = 'week' ORDER BY period_start") == [
            (date(2024, 12, 23), False, None, True), (date(2024, 12, 30), True, 2, False)]
        assert rows(con, MONTH_VIEW) == [("2024-12", "甲镇", "一村", 2, "2024-W52"),
                                         ("2025-01", "甲镇", "一村", 3, "2025-W01")]
        # The years: 2024 ends with W52's December, 2025 starts with W01's January.
        assert rows(con, "SELECT period_start, stars, in_prev, prev_stars FROM branch_snapshot WHERE grain = 'year'"
                         " ORDER BY period_start") == [(date(2024, 1, 1), 2, False, None), (date(2025, 1, 1), 3, True, 2)]
    # Loading an earlier week later keeps every link right (maintained = rebuilt).
    load(staged("2024-W51", [("甲镇", "一村", 2, None)]), db=db, settings=SETTINGS)
    assert_maintained_equals_rebuild(db)


def test_a_store_of_schema_6_is_migrated_with_its_half_years_and_years(tmp_path: Path) -> None:
    """Migration 7 rebuilds the snapshot: an existing store gains half-year and year rows."""
    db = tmp_path / "s.duckdb"
    load(staged("2024-05", [("甲镇", "一村", 2, None)]), db=db, settings=SETTINGS)
    with store.open_store(db, settings=SETTINGS) as con:
        con.execute("DELETE FROM branch_snapshot WHERE grain IN ('half', 'year')")
        con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
        con.execute("DROP TABLE branch_star")  # (migration 8 creates it again)
        # Undo migration 7's columns and views enough for it to run again.
        con.execute("DROP VIEW v_branch_week")
        for view in ("v_branch_month", "v_task", "v_problem", "v_weak", "v_branch_month_detail"):
            con.execute(f"DROP VIEW {view}")
        for table in ("uploads", "branch_month", "task", "problem", "weak"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN period_kind")
        con.execute("ALTER TABLE branch_snapshot DROP COLUMN source_kind")
        con.execute("ALTER TABLE branch_snapshot DROP COLUMN source_period")
        con.execute("CREATE VIEW v_branch_month AS SELECT 1 AS x")
        for view in ("v_task", "v_problem", "v_weak", "v_branch_month_detail"):
            con.execute(f"CREATE VIEW {view} AS SELECT 1 AS x")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert rows(con, "SELECT grain, period_start, stars FROM branch_snapshot ORDER BY grain") == [
            ("half", date(2024, 1, 1), 2), ("month", date(2024, 5, 1), 2), ("quarter", date(2024, 4, 1), 2),
            ("year", date(2024, 1, 1), 2)]
        assert rows(con, MONTH_VIEW) == [("2024-05", "甲镇", "一村", 2, "2024-05")]


def test_a_weekly_upload_and_its_rollback_are_logged_with_the_week(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    week = load(staged("2024-W35", [("甲镇", "一村", 2, None)]), db=db, settings=SETTINGS)
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, str(week.upload_id), reason="报错了周次")
        assert rows(con, "SELECT action, township, period FROM audit_log ORDER BY seq") == [
            ("upload_accepted", "甲镇", "2024-W35"), ("upload_rolled_back", "甲镇", "2024-W35")]
        assert store.get_upload(con, str(week.upload_id)).to_dict()["period"] == "2024-W35"  # type: ignore[union-attr]
        assert rows(con, "SELECT count(*) FROM v_branch_week") == [(0,)]
        assert rows(con, "SELECT count(*) FROM v_branch_month") == [(0,)]  # September's fallback is gone too
