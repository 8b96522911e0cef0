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


# branch_star (schema version 8): (branch, star_slot, tasks, done, accepted, overdue, open problems,
# overdue problems, people) of the current August reports. In workbook(): 一村 has 调解 (王五's team,
# owner 张三, due 8/10, not done: overdue) and 巡逻 (张三, 已验收: done and accepted); 二村 修路 (due 8/1,
# not done: overdue); the problem sheet has no star column (未分星, star_slot NULL) and no owner.
STAR_ROWS = ("SELECT branch, star_slot, tasks, tasks_done, tasks_accepted, tasks_overdue, open_problems,"
             " overdue_problems, people FROM branch_star WHERE period = DATE '2024-08-01' AND period_kind = 'month'"
             " ORDER BY branch, star_slot NULLS LAST")
FIRST_STARS = [
    # 一村: star 4 (2 tasks: 1 done and accepted, 1 overdue; 张三 and 王五 named), 未分星 (旧问题 open,
    # due 8/31 = the month's last day: overdue), 0 = the whole report.
    ("一村", 0, 2, 1, 1, 1, 1, 1, None), ("一村", 4, 2, 1, 1, 1, 0, 0, "张三、王五"), ("一村", None, 0, 0, 0, 0, 1, 1, None),
    ("二村", 0, 1, 0, 0, 1, 0, 0, None), ("二村", 4, 1, 0, 0, 1, 0, 0, None),
]


def assert_star_summary_equals_rebuild(db: Path) -> None:
    with store.open_store(db, settings=SETTINGS) as con:
        everything = "SELECT * FROM branch_star ORDER BY ALL"
        maintained = con.execute(everything).fetchall()
        con.execute("BEGIN TRANSACTION")
        store.rebuild_branch_star(con)
        rebuilt = con.execute(everything).fetchall()
        con.execute("ROLLBACK")
    assert maintained == rebuilt


def test_the_star_summary_follows_load_replace_rollback_and_clear_demo(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = workbook(tmp_path / "甲镇2024年8月.xlsx", [["甲镇", "一村", "旧问题", "2024-08-31", "否"]], "整顿中")
    r1 = ingest_file(first, db=db, settings=SETTINGS)
    assert r1.ok
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute(STAR_ROWS).fetchall() == FIRST_STARS
    # A correction replaces August 甲镇: 旧问题 closed (its row stays, all zero), 二村 has an open problem
    # without a deadline (never overdue).
    second = workbook(tmp_path / "甲镇2024年8月(更正).xlsx",
                      [["甲镇", "二村", "新问题", None, "整改中"], ["甲镇", "一村", "旧问题", None, "已销号"]], "已摘帽")
    r2 = ingest_file(second, db=db, settings=SETTINGS)
    assert r2.ok
    second_stars = [
        ("一村", 0, 2, 1, 1, 1, 0, 0, None), ("一村", 4, 2, 1, 1, 1, 0, 0, "张三、王五"), ("一村", None, 0, 0, 0, 0, 0, 0, None),
        ("二村", 0, 1, 0, 0, 1, 1, 0, None), ("二村", 4, 1, 0, 0, 1, 0, 0, None), ("二村", None, 0, 0, 0, 0, 1, 0, None),
    ]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute(STAR_ROWS).fetchall() == second_stars
    assert_star_summary_equals_rebuild(db)
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, r2.upload_id or "")
        assert con.execute(STAR_ROWS).fetchall() == FIRST_STARS
    assert_star_summary_equals_rebuild(db)
    # A demo upload of September: its rows come and go with the demo data; August stays.
    sept = workbook(tmp_path / "甲镇2024年9月.xlsx", [["甲镇", "一村", "九月问题", None, "否"]], "整顿中")
    assert ingest_file(sept, db=db, settings=SETTINGS, is_demo=True, period="2024-09").ok
    with store.open_store(db, settings=SETTINGS) as con:
        assert con.execute("SELECT count(*) FROM branch_star WHERE period = DATE '2024-09-01'").fetchone() == (5,)
        assert store.clear_demo(con) == 1
        assert con.execute("SELECT count(*) FROM branch_star WHERE period = DATE '2024-09-01'").fetchone() == (0,)
        assert con.execute(STAR_ROWS).fetchall() == FIRST_STARS


def test_a_pending_submission_enters_the_star_summary_when_accepted(tmp_path: Path) -> None:
    from analytics import accounts, audit, review
    from analytics.ingest import load, stage

    db = tmp_path / "s.duckdb"
    with store.open_store(db, settings=SETTINGS) as con:
        jia = accounts.add_account(con, "jia", role="township", county="甲县", township="甲镇",
                                   by=audit.cli_actor())[0].actor()
        county = accounts.add_account(con, "jiaxian", role="county", county="甲县", by=audit.cli_actor())[0].actor()
    path = workbook(tmp_path / "甲县甲镇2024年8月.xlsx", [["甲镇", "一村", "旧问题", "2024-08-31", "否"]], "整顿中")
    outcome = load(stage(path.read_bytes(), path.name, settings=SETTINGS), db=db, settings=SETTINGS, actor=jia)
    assert outcome.ok and outcome.upload_id
    with store.open_store(db, settings=SETTINGS) as con:
        assert con.execute("SELECT count(*) FROM branch_star").fetchone() == (0,)  # waiting: not counted
        review.accept(con, outcome.upload_id, actor=county)
        assert con.execute(STAR_ROWS).fetchall() == FIRST_STARS


def test_a_version_7_store_gets_the_star_summary_on_open(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = workbook(tmp_path / "甲镇2024年8月.xlsx", [["甲镇", "一村", "旧问题", "2024-08-31", "否"]], "整顿中")
    assert ingest_file(first, db=db, settings=SETTINGS).ok
    with store.open_store(db, settings=SETTINGS) as con:  # back to version 7: no summary table
        con.execute("DROP TABLE branch_star")
        con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION == 8
        assert con.execute(STAR_ROWS).fetchall() == FIRST_STARS
