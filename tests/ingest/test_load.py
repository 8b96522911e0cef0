"""Load stage: one transaction, replace per (period, township), history, rollback, no-ops.

These tests build ``ParsedLedger`` objects directly (no reader/validator), so
they exercise only the load stage and the store.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from analytics import store
from analytics.ingest import Staged, load
from analytics.ingest.model import BRANCH_SCHEMA, TASK_SCHEMA, ParsedLedger, Problem
from analytics.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings({"lock_timeout_s": 5})
TABLES = ("meta", "uploads", "upload_scope", "archive", "branch_month", "task")


def branch(township: str, name: str, stars: int, county: str = "甲县", **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "county": county, "township": township, "branch": name,
        "branch_type": "社区" if name.endswith("社区") else "村",
        "stars": stars, "weak": False, "source_sheet": "星级台账",
    }
    for slot in range(1, 6):
        row[f"star_{slot}"] = "achieved" if slot <= stars else "in_progress"
    row.update(extra)
    return row


def task(township: str, name: str, slot: int, text: str, done: bool, county: str = "甲县") -> dict[str, Any]:
    return {"county": county, "township": township, "branch": name, "star_slot": slot,
            "task": text, "done": done, "source_sheet": "任务台账"}


def make_staged(
    period: date,
    branches: list[dict[str, Any]],
    tasks: list[dict[str, Any]] | None = None,
    *,
    content: bytes | None = None,
    file_name: str = "台账.xlsx",
    warnings: list[Problem] | None = None,
) -> Staged:
    """An accepted Staged whose bytes default to a text rendering of its rows (so equal rows = equal bytes)."""
    tasks = tasks or []
    b = pa.Table.from_pylist([{f.name: r.get(f.name) for f in BRANCH_SCHEMA} for r in branches], schema=BRANCH_SCHEMA)
    t = pa.Table.from_pylist([{f.name: r.get(f.name) for f in TASK_SCHEMA} for r in tasks], schema=TASK_SCHEMA)
    data = content if content is not None else repr((period, branches, tasks)).encode()
    parsed = ParsedLedger(period=period, branches=b, tasks=t, warnings=list(warnings or []))
    return Staged(file_name=file_name, data=data, sha256=hashlib.sha256(data).hexdigest(), parsed=parsed,
                  warnings=list(warnings or []))


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted — equal dumps mean an unchanged store."""
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def current(db: Path) -> list[tuple[Any, ...]]:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return con.execute(
            "SELECT township, branch, stars, upload_id FROM v_branch_month ORDER BY township, branch"
        ).fetchall()


AUG = date(2024, 8, 1)
SEP = date(2024, 9, 1)


def test_accepted_load_writes_upload_scope_rows_and_archive(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    warning = Problem("W_BLANK_STAR", "空白", sheet="星级台账", row=4, column="E")
    staged = make_staged(
        AUG,
        [branch("甲镇", "一村", 3), branch("甲镇", "二社区", 1), branch("乙镇", "三村", 0)],
        [task("甲镇", "一村", 2, "修路", True), task("甲镇", "一村", 5, "建广场", False)],
        warnings=[warning], file_name="甲县2024-08.xlsx",
    )
    result = load(staged, db=db, uploader="张三", settings=SETTINGS)
    assert result.ok and result.upload_id == "U00001" and result.duplicate_of is None
    assert (result.period, result.branches, result.tasks) == ("2024-08", 3, 2)
    assert result.scope == [("甲县", "乙镇"), ("甲县", "甲镇")]
    assert result.notice is not None and result.notice.startswith("已导入为 U00001")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        rec = store.get_upload(con, "U00001")
        assert rec is not None
        assert (rec.file_name, rec.uploader, rec.period, rec.n_branches, rec.n_tasks, rec.status) == (
            "甲县2024-08.xlsx", "张三", AUG, 3, 2, "current")
        assert rec.scope == [("甲县", "乙镇"), ("甲县", "甲镇")]
        assert rec.warnings == [warning.to_dict()]
        assert rec.size_bytes == len(staged.data) and rec.is_demo is False
        assert store.archived_bytes(con, staged.sha256) == staged.data
        assert con.execute("SELECT branch, star_slot, task, done, upload_id, period FROM v_task ORDER BY star_slot").fetchall() == [
            ("一村", 2, "修路", True, "U00001", AUG), ("一村", 5, "建广场", False, "U00001", AUG)]
    assert current(db) == [("乙镇", "三村", 0, "U00001"), ("甲镇", "一村", 3, "U00001"), ("甲镇", "二社区", 1, "U00001")]


def test_replace_per_township_keeps_history_and_rollback_restores(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("甲镇", "一村", 1), branch("乙镇", "三村", 2)]), db=db, settings=SETTINGS)
    load(make_staged(SEP, [branch("甲镇", "一村", 2)]), db=db, settings=SETTINGS)  # another month: no replace
    second = load(make_staged(AUG, [branch("甲镇", "一村", 4), branch("甲镇", "五村", 0)]), db=db, settings=SETTINGS)
    assert second.upload_id == "U00003"
    assert second.notice is not None and "替换了此前的版本 U00001" in second.notice
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        aug = con.execute(
            "SELECT township, branch, stars, upload_id FROM v_branch_month WHERE period = ? ORDER BY 1, 2", [AUG]
        ).fetchall()
        assert aug == [("乙镇", "三村", 2, "U00001"), ("甲镇", "一村", 4, "U00003"), ("甲镇", "五村", 0, "U00003")]
        # The replaced version is still stored (history), only not shown.
        assert con.execute("SELECT count(*) FROM branch_month WHERE upload_id = 'U00001'").fetchone() == (2,)
        statuses = {r.upload_id: r.status for r in store.list_uploads(con)}
        assert statuses == {"U00001": "partly_current", "U00002": "current", "U00003": "current"}
    with store.open_store(db, settings=SETTINGS) as con:
        rec = store.rollback(con, "u00003", by="李四")
        assert (rec.status, rec.rolled_back_by) == ("rolled_back", "李四")
        with pytest.raises(store.StoreError, match=r"已于 .* 回滚过"):
            store.rollback(con, "U00003")
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        aug = con.execute(
            "SELECT township, branch, stars, upload_id FROM v_branch_month WHERE period = ? ORDER BY 1, 2", [AUG]
        ).fetchall()
        assert aug == [("乙镇", "三村", 2, "U00001"), ("甲镇", "一村", 1, "U00001")]
        assert {r.upload_id: r.status for r in store.list_uploads(con)} == {
            "U00001": "current", "U00002": "current", "U00003": "rolled_back"}


def flags(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The maintained is_current flags of every stored row (history included)."""
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return {
            "scope": con.execute(
                "SELECT upload_id, strftime(period, '%Y-%m'), township, is_current FROM upload_scope ORDER BY ALL"
            ).fetchall(),
            "branch": con.execute(
                "SELECT upload_id, township, branch, is_current FROM branch_month ORDER BY ALL").fetchall(),
            "task": con.execute("SELECT upload_id, branch, task, is_current FROM task ORDER BY ALL").fetchall(),
        }


def test_is_current_follows_load_replace_rollback_and_clear_demo(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    # U00001: real, August, 甲镇 + 乙镇 (with a task). U00002: September 甲镇 (another month).
    load(make_staged(AUG, [branch("甲镇", "一村", 1), branch("乙镇", "三村", 2)],
                     [task("甲镇", "一村", 1, "建章立制", False)]), db=db, settings=SETTINGS)
    load(make_staged(SEP, [branch("甲镇", "一村", 2)]), db=db, settings=SETTINGS)
    assert flags(db) == {
        "scope": [("U00001", "2024-08", "乙镇", True), ("U00001", "2024-08", "甲镇", True),
                  ("U00002", "2024-09", "甲镇", True)],
        "branch": [("U00001", "乙镇", "三村", True), ("U00001", "甲镇", "一村", True), ("U00002", "甲镇", "一村", True)],
        "task": [("U00001", "一村", "建章立制", True)],
    }
    # U00003 (demo) replaces August 甲镇 only: U00001 stays current for 乙镇.
    load(make_staged(AUG, [branch("甲镇", "一村", 4)], [task("甲镇", "一村", 1, "修路", True)]),
         db=db, is_demo=True, settings=SETTINGS)
    # U00004 replaces August 乙镇; then it is rolled back: U00001 is 乙镇's version again.
    load(make_staged(AUG, [branch("乙镇", "三村", 5)]), db=db, settings=SETTINGS)
    assert flags(db)["scope"] == [
        ("U00001", "2024-08", "乙镇", False), ("U00001", "2024-08", "甲镇", False),
        ("U00002", "2024-09", "甲镇", True), ("U00003", "2024-08", "甲镇", True), ("U00004", "2024-08", "乙镇", True)]
    with store.open_store(db, settings=SETTINGS) as con:
        store.rollback(con, "U00004")
    state = flags(db)
    assert state["scope"] == [
        ("U00001", "2024-08", "乙镇", True), ("U00001", "2024-08", "甲镇", False),
        ("U00002", "2024-09", "甲镇", True), ("U00003", "2024-08", "甲镇", True), ("U00004", "2024-08", "乙镇", False)]
    assert state["branch"] == [
        ("U00001", "乙镇", "三村", True), ("U00001", "甲镇", "一村", False), ("U00002", "甲镇", "一村", True),
        ("U00003", "甲镇", "一村", True), ("U00004", "乙镇", "三村", False)]
    assert state["task"] == [("U00001", "一村", "建章立制", False), ("U00003", "一村", "修路", True)]
    assert sorted(current(db)) == [("乙镇", "三村", 2, "U00001"), ("甲镇", "一村", 2, "U00002"), ("甲镇", "一村", 4, "U00003")]
    # Clearing the demo data deletes U00003: U00001's August 甲镇 rows are current again.
    with store.open_store(db, settings=SETTINGS) as con:
        assert store.clear_demo(con) == 1
        assert store.current_upload_for(con, AUG, "甲县", "甲镇") == "U00001"
    assert flags(db) == {
        "scope": [("U00001", "2024-08", "乙镇", True), ("U00001", "2024-08", "甲镇", True),
                  ("U00002", "2024-09", "甲镇", True), ("U00004", "2024-08", "乙镇", False)],
        "branch": [("U00001", "乙镇", "三村", True), ("U00001", "甲镇", "一村", True), ("U00002", "甲镇", "一村", True),
                   ("U00004", "乙镇", "三村", False)],
        "task": [("U00001", "一村", "建章立制", True)],
    }
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT branch, task FROM v_task").fetchall() == [("一村", "建章立制")]
        assert {r.upload_id: r.status for r in store.list_uploads(con)} == {
            "U00001": "current", "U00002": "current", "U00004": "rolled_back"}


def test_a_failed_rollback_changes_no_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("甲镇", "一村", 1)]), db=db, settings=SETTINGS)
    load(make_staged(AUG, [branch("甲镇", "一村", 3)]), db=db, settings=SETTINGS)
    before = dump(db)

    def boom(con: Any, units: Any, **_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "refresh_current", boom)
    with store.open_store(db, settings=SETTINGS) as con, pytest.raises(RuntimeError, match="boom"):
        store.rollback(con, "U00002")
    assert dump(db) == before  # neither the rollback mark nor any flag was written


def test_identical_reupload_is_a_noop_that_says_so(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = make_staged(AUG, [branch("甲镇", "一村", 1)], content=b"same bytes")
    assert load(first, db=db, settings=SETTINGS).upload_id == "U00001"
    before = dump(db)
    again = load(make_staged(AUG, [branch("甲镇", "一村", 1)], content=b"same bytes"), db=db, settings=SETTINGS)
    assert (again.ok, again.upload_id, again.duplicate_of) == (True, None, "U00001")
    assert again.notice is not None and "完全相同" in again.notice and "未重复导入" in again.notice
    assert dump(db) == before
    # Once replaced, the same bytes again are a real upload (they become current again).
    load(make_staged(AUG, [branch("甲镇", "一村", 2)], content=b"other bytes"), db=db, settings=SETTINGS)
    third = load(make_staged(AUG, [branch("甲镇", "一村", 1)], content=b"same bytes"), db=db, settings=SETTINGS)
    assert (third.upload_id, third.duplicate_of) == ("U00003", None)
    assert current(db) == [("甲镇", "一村", 1, "U00003")]
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        # The bytes are archived once, however often they were uploaded.
        assert con.execute("SELECT count(*) FROM archive").fetchone() == (2,)


def test_same_bytes_for_another_period_is_not_a_duplicate(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("甲镇", "一村", 1)], content=b"x"), db=db, settings=SETTINGS)
    other = load(make_staged(SEP, [branch("甲镇", "一村", 1)], content=b"x"), db=db, settings=SETTINGS)
    assert (other.upload_id, other.duplicate_of) == ("U00002", None)


def test_refused_upload_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("甲镇", "一村", 1)]), db=db, settings=SETTINGS)
    before = dump(db)
    errors = [Problem("E_VALUE", f"无法识别 {i}", sheet="星级台账", row=3 + i, column="D", value="半达标") for i in range(5)]
    refused = Staged(file_name="坏.xlsx", data=b"bad", sha256=hashlib.sha256(b"bad").hexdigest(),
                     errors=errors, errors_total=7)
    result = load(refused, db=db, settings=SETTINGS.replace(max_listed_problems=3))
    assert (result.ok, result.upload_id, result.errors_total) == (False, None, 7)
    assert [e.row for e in result.errors] == [3, 4, 5]
    assert result.notice is not None and "未写入任何数据" in result.notice
    assert dump(db) == before
    # A refused file does not even create a store that does not exist yet.
    fresh = tmp_path / "fresh.duckdb"
    load(refused, db=fresh, settings=SETTINGS)
    assert not fresh.exists()


def test_exception_inside_the_transaction_leaves_the_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("甲镇", "一村", 1)]), db=db, settings=SETTINGS)
    before = dump(db)
    loader: Any = importlib.import_module("analytics.ingest.load")  # the module, not the function ``load``

    def boom() -> None:
        raise RuntimeError("crash before commit")

    loader.BEFORE_COMMIT = boom
    try:
        with pytest.raises(RuntimeError):
            load(make_staged(AUG, [branch("甲镇", "一村", 5)], [task("甲镇", "一村", 1, "x", True)]), db=db, settings=SETTINGS)
    finally:
        loader.BEFORE_COMMIT = None
    assert dump(db) == before
    assert load(make_staged(SEP, [branch("甲镇", "一村", 2)]), db=db, settings=SETTINGS).upload_id == "U00002"


def city_scale(period: date) -> Staged:
    """5,000 branches in 125 townships and 140,000 tasks (28 per branch), deterministic."""
    branches: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for i in range(5000):
        town = f"镇{i // 40:03d}"
        name = f"村{i:04d}"
        branches.append(branch(town, name, i % 6, county=f"县{i // 1000}", tasks_done=i % 29, tasks_total=29))
        tasks.extend(task(town, name, 1 + k % 5, f"任务{k}", k % 3 == 0, county=f"县{i // 1000}") for k in range(28))
    b = pa.Table.from_pylist(branches, schema=BRANCH_SCHEMA)
    t = pa.Table.from_pylist([{f.name: r.get(f.name) for f in TASK_SCHEMA} for r in tasks], schema=TASK_SCHEMA)
    data = f"city {period}".encode() * 1000
    return Staged(file_name="city.xlsx", data=data, sha256=hashlib.sha256(data).hexdigest(),
                  parsed=ParsedLedger(period=period, branches=b, tasks=t))


def test_city_scale_loads_replace_nothing_else_and_count_right(tmp_path: Path) -> None:
    """Three city-scale months (5,000 + 140,000 rows each) land intact; timing is the benchmark's job."""
    db = tmp_path / "s.duckdb"
    store.connect(db, settings=SETTINGS).close()
    load(make_staged(SEP, [branch("甲镇", "一村", 1)]), db=db, settings=SETTINGS)
    for month in (6, 7, 8):
        result = load(city_scale(date(2024, month, 1)), db=db, settings=SETTINGS)
        assert (result.branches, result.tasks, len(result.scope)) == (5000, 140000, 125)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert con.execute("SELECT count(*), sum(stars) FROM v_branch_month WHERE period = ?", [AUG]).fetchone() == (
            5000, sum(i % 6 for i in range(5000)))
        assert con.execute("SELECT count(*), count(*) FILTER (WHERE done) FROM v_task WHERE period = ?", [AUG]).fetchone() == (
            140000, 50000)
        assert con.execute("SELECT count(DISTINCT period) FROM v_branch_month").fetchone() == (4,)


KILL_SCRIPT = """
import importlib, sys, time
from datetime import date
sys.path.insert(0, {root!r})
from tests.ingest.test_load import SETTINGS, city_scale
from analytics.ingest import load
loader = importlib.import_module("analytics.ingest.load")
def pause():
    print("IN_TRANSACTION", flush=True)
    time.sleep(120)
loader.BEFORE_COMMIT = pause
load(city_scale(date(2024, 8, 1)), db={db!r}, settings=SETTINGS)
print("COMMITTED", flush=True)
"""


def test_kill_mid_load_leaves_the_store_exactly_as_before(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load(make_staged(AUG, [branch("镇000", "村0000", 1, county="县0")]), db=db, settings=SETTINGS)
    before = dump(db)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT.format(root=str(ROOT), db=str(db))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "IN_TRANSACTION", proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert dump(db) == before
    # The store is still usable and the next upload takes the next id.
    assert load(make_staged(SEP, [branch("甲镇", "一村", 2)]), db=db, settings=SETTINGS).upload_id == "U00002"
