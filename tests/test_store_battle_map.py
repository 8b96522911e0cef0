"""The battle-map sheets end to end (real .xlsx files through the real pipeline): the
task columns of schema version 4, v_problem and v_weak current-only like v_task
(replaced by a later upload, back on rollback, gone with the demo data), and the
snapshot's task counts with tasks that have no star."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from analytics import store
from analytics.ingest import ingest_file
from analytics.settings import Settings

SETTINGS = Settings({"lock_timeout_s": 5})
STARS = ["支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"]


def workbook(path: Path, problems: list[list[Any]], weak_state: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "星级台账"
    ws.append(["县(市、区)", "乡镇", "村(社区)", *STARS, "软弱涣散"])
    ws.append(["甲县", "甲镇", "一村", "√", "√", "△", "△", "△", "是"])
    ws.append(["甲县", "甲镇", "二村", "√", "△", "△", "△", "△", None])
    tasks = wb.create_sheet("作战图")  # the seed's columns: no star column, heading rows
    tasks.append(["乡镇", "村(社区)", "专班人员", "重点任务", "具体举措", "负责人", "完成时限", "是否完成"])
    tasks.append(["平安法治星"])
    tasks.append(["甲镇", "一村", "王五", "调解", None, "张三", date(2024, 8, 10), "否"])  # overdue
    tasks.append([None, None, None, "巡逻", None, "张三", date(2024, 8, 31), "已验收"])
    tasks.append(["甲镇", "二村", None, "修路", None, None, date(2024, 8, 1), "否"])  # the heading's star goes on
    plist = wb.create_sheet("问题清单")
    plist.append(["乡镇", "村(社区)", "问题", "整改时限", "是否销号"])
    for p in problems:
        plist.append(p)
    weak = wb.create_sheet("软弱涣散整顿")
    weak.append(["乡镇", "村(社区)", "认定情形", "整顿状态"])
    weak.append(["甲镇", "一村", "班子弱", weak_state])
    wb.save(path)
    return path


def test_problem_and_weak_views_follow_the_current_upload(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = workbook(tmp_path / "甲镇2024年8月.xlsx", [["甲镇", "一村", "旧问题", "2024-08-31", "否"]], "整顿中")
    r1 = ingest_file(first, db=db, settings=SETTINGS)
    assert r1.ok, [str(e) for e in r1.errors]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute(
            "SELECT branch, star_slot, task, team, accepted FROM v_task ORDER BY branch, task"
        ).fetchall() == [
            ("一村", 4, "巡逻", None, True), ("一村", 4, "调解", "王五", False), ("二村", 4, "修路", None, False),
        ]
        assert con.execute("SELECT branch, problem, closed FROM v_problem").fetchall() == [("一村", "旧问题", False)]
        assert con.execute("SELECT branch, state FROM v_weak").fetchall() == [("一村", "整顿中")]
        assert con.execute("SELECT branch, weak, open_problems FROM v_branch_month ORDER BY branch").fetchall() == [
            ("一村", True, 1), ("二村", False, 0)]

    second = workbook(tmp_path / "甲镇2024年8月(更正).xlsx",
                      [["甲镇", "二村", "新问题", None, "整改中"], ["甲镇", "一村", "旧问题", None, "已销号"]],
                      "已摘帽")
    r2 = ingest_file(second, db=db, settings=SETTINGS)
    assert r2.ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT branch, problem, closed FROM v_problem ORDER BY branch").fetchall() == [
            ("一村", "旧问题", True), ("二村", "新问题", False)]
        assert con.execute("SELECT branch, state FROM v_weak").fetchall() == [("一村", "已摘帽")]
        assert con.execute("SELECT branch, weak FROM v_branch_month ORDER BY branch").fetchall() == [
            ("一村", False), ("二村", False)]
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, r2.upload_id or "")
        assert con.execute("SELECT branch, problem, closed FROM v_problem").fetchall() == [("一村", "旧问题", False)]
        assert con.execute("SELECT state FROM v_weak").fetchall() == [("整顿中",)]


def test_tasks_without_a_star_count_in_the_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    path = tmp_path / "甲镇2024年8月.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "星级台账"
    ws.append(["县(市、区)", "乡镇", "村(社区)", *STARS])
    ws.append(["甲县", "甲镇", "一村", "√", "√", "△", "△", "△"])
    tasks = wb.create_sheet("作战图")
    tasks.append(["乡镇", "村(社区)", "重点任务", "完成时限", "是否完成"])
    tasks.append(["甲镇", "一村", "甲", date(2024, 8, 10), "否"])  # overdue, no star
    tasks.append(["甲镇", "一村", "乙", date(2024, 8, 31), "已销号"])
    wb.save(path)
    assert ingest_file(path, db=db, settings=SETTINGS, is_demo=True).ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT star_slot, task FROM v_task ORDER BY task").fetchall() == [(None, "乙"), (None, "甲")]
        assert con.execute(
            "SELECT task_rows, overdue, tasks_done, tasks_total FROM branch_snapshot WHERE grain = 'month'"
        ).fetchall() == [(2, 1, 1, 2)]
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.clear_demo(con) == 1
        assert con.execute("SELECT count(*) FROM task").fetchone() == (0,)


def test_clear_demo_removes_problem_and_weak_rows(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    path = workbook(tmp_path / "甲镇2024年8月.xlsx", [["甲镇", "一村", "问题", None, "否"]], "整顿中")
    assert ingest_file(path, db=db, settings=SETTINGS, is_demo=True).ok
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.clear_demo(con) == 1
        assert con.execute("SELECT (SELECT count(*) FROM problem) + (SELECT count(*) FROM weak)").fetchone() == (0,)


def test_a_version_3_store_gets_the_battle_map_columns_and_views_on_open(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(db))
    con.execute("BEGIN TRANSACTION")
    for sql in store.MIGRATIONS[:3]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    con.execute("INSERT INTO task (upload_id, period, county, township, branch, star_slot, task, done)"
                " VALUES ('U00001', DATE '2024-08-01', '甲县', '甲镇', '一村', 2, '旧任务', true)")
    con.execute("COMMIT")
    con.close()
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        # The old row: not accepted, no team; a task without a star can now be stored.
        assert con.execute("SELECT task, star_slot, team, accepted FROM v_task").fetchall() == [
            ("旧任务", 2, None, False)]
        con.execute("INSERT INTO task (upload_id, period, county, township, branch, star_slot, task, done)"
                    " VALUES ('U00001', DATE '2024-08-01', '甲县', '甲镇', '一村', NULL, '未分星', false)")
        assert con.execute("SELECT count(*) FROM v_problem").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM v_weak").fetchone() == (0,)
