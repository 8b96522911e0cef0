"""The public pipeline on real (tiny) .xlsx files: stage -> validate -> load.

``ledger_xlsx`` writes a literal ledger with openpyxl; the CLI tests use it too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from analytics import store
from analytics.ingest import ingest_bytes, ingest_file, load, stage
from analytics.settings import Settings

SETTINGS = Settings({"lock_timeout_s": 5})
TITLE = "甲县“五星”支部创建工作台账（2024年8月）"
HEADER = ["序号", "乡镇", "村(社区)", "支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"]


def ledger_xlsx(
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = TITLE,
    sheet: str = "星级台账",
) -> bytes:
    """Title row (optional), the header row, then one row per branch; returns the .xlsx bytes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title is not None:
        ws.append([title])
    ws.append(HEADER)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_ROWS: list[list[object]] = [
    ["甲镇", "一村", "已达标", "已达标", "创建中", "未启动", "已达标"],
    ["甲镇", "二村", "创建中", "创建中", "创建中", "未启动", "未启动"],
    ["乙镇", "三村", "√", "√", "√", "√", "√"],
]


def test_stage_reads_and_validates_without_writing(tmp_path: Path) -> None:
    data = ledger_xlsx(GOOD_ROWS)
    staged = stage(data, "台账.xlsx", settings=SETTINGS)
    assert staged.ok and staged.errors == []
    assert (staged.period, staged.scope, staged.size_bytes) == ("2024-08", [("甲县", "乙镇"), ("甲县", "甲镇")], len(data))
    assert staged.parsed is not None
    assert staged.parsed.branches.column("stars").to_pylist() == [3, 0, 5]
    assert not (tmp_path / "s.duckdb").exists()


def test_ingest_bytes_lands_in_the_views(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    data = ledger_xlsx(GOOD_ROWS)  # openpyxl stamps the save time: build once, upload the same bytes twice
    result = ingest_bytes(data, "台账.xlsx", db=db, uploader="王五", settings=SETTINGS)
    assert (result.ok, result.upload_id, result.period, result.branches, result.tasks) == (True, "U00001", "2024-08", 3, 0)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        rows = con.execute(
            "SELECT township, branch, branch_type, star_1, star_3, star_4, stars, upload_id FROM v_branch_month ORDER BY branch"
        ).fetchall()
    assert rows == [
        ("甲镇", "一村", "村", "achieved", "in_progress", "not_started", 3, "U00001"),
        ("乙镇", "三村", "村", "achieved", "achieved", "achieved", 5, "U00001"),
        ("甲镇", "二村", "村", "in_progress", "in_progress", "not_started", 0, "U00001"),
    ]
    again = ingest_bytes(data, "台账（副本）.xlsx", db=db, settings=SETTINGS)
    assert (again.ok, again.upload_id, again.duplicate_of) == (True, None, "U00001")


def test_period_and_county_from_the_uploader(tmp_path: Path) -> None:
    data = ledger_xlsx(GOOD_ROWS, title=None)
    refused = stage(data, "台账.xlsx", settings=SETTINGS)
    assert not refused.ok and {p.code for p in refused.errors} == {"E_PERIOD", "E_COUNTY"}
    staged = stage(data, "台账.xlsx", period="2024-09", county="乙县", settings=SETTINGS)
    assert staged.ok and (staged.period, staged.scope) == ("2024-09", [("乙县", "乙镇"), ("乙县", "甲镇")])


def test_bad_cell_is_refused_with_its_address_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][2] = "半达标"  # 二村 支部过硬星 -> Excel row 4 (title, header, 一村, 二村), column D
    staged = stage(ledger_xlsx(rows), "台账.xlsx", settings=SETTINGS)
    assert not staged.ok and staged.parsed is None
    assert [(p.code, p.sheet, p.row, p.column, p.value) for p in staged.errors] == [
        ("E_VALUE", "星级台账", 4, "D", "半达标")]
    result = load(staged, db=db, settings=SETTINGS)
    assert (result.ok, result.upload_id, result.errors_total) == (False, None, 1)
    assert str(result.errors[0]).startswith("E_VALUE 星级台账!D4 “半达标”：")
    assert not db.exists()


def test_errors_are_capped_but_counted(tmp_path: Path) -> None:
    rows = [["甲镇", f"{i}村", "半达标", "已达标", "已达标", "已达标", "已达标"] for i in range(1, 6)]
    result = ingest_bytes(ledger_xlsx(rows), "台账.xlsx", db=tmp_path / "s.duckdb",
                          settings=SETTINGS.replace(max_listed_problems=2))
    assert (result.ok, len(result.errors), result.errors_total) == (False, 2, 5)
    assert [e.row for e in result.errors] == [3, 4]


@pytest.mark.parametrize("data", [b"", ledger_xlsx(GOOD_ROWS)[:300]], ids=["empty", "truncated"])
def test_unreadable_file_is_refused_as_e_file(data: bytes) -> None:
    staged = stage(data, "坏文件.xlsx", settings=SETTINGS)
    assert not staged.ok and [p.code for p in staged.errors] == ["E_FILE"]


def test_oversized_file_is_refused_before_reading() -> None:
    data = b"x" * (1024 * 1024 + 1)
    staged = stage(data, "大文件.xlsx", settings=SETTINGS.replace(max_upload_mb=1))
    assert [p.code for p in staged.errors] == ["E_FILE"]
    assert "超过上限 1 MB" in staged.errors[0].message


def test_ingest_file_reports_the_path_and_stores_the_name(tmp_path: Path) -> None:
    path = tmp_path / "甲县台账.xlsx"
    path.write_bytes(ledger_xlsx(GOOD_ROWS))
    db = tmp_path / "s.duckdb"
    result = ingest_file(path, db=db, settings=SETTINGS)
    assert result.ok and result.file == str(path)
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert [r.file_name for r in store.list_uploads(con)] == ["甲县台账.xlsx"]
    missing = ingest_file(tmp_path / "没有.xlsx", db=db, settings=SETTINGS)
    assert not missing.ok and [p.code for p in missing.errors] == ["E_FILE"]


def test_staged_rows_own_their_memory() -> None:
    """The reader's sheets are memory-mapped files: a staged column that validation passed
    through unchanged (free text) must not be a slice of them, or the whole mapped sheet would
    stay resident through the load (ParsedLedger.detached)."""
    samples = Path(__file__).resolve().parents[2] / "sample_uploads"
    path = samples / "望川区五星支部创建台账_2024年1月.xlsx"  # a golden ledger with a task sheet (tasks, owners, measures)
    staged = stage(path.read_bytes(), path.name, settings=SETTINGS)
    assert staged.ok and staged.parsed is not None and staged.parsed.tasks.num_rows > 0
    mapped = [
        (name, column)
        for name in ("branches", "tasks", "problems", "weak")
        for column, values in zip(getattr(staged.parsed, name).column_names, getattr(staged.parsed, name).columns,
                                  strict=True)
        for chunk in values.chunks
        for buffer in chunk.buffers()
        if buffer is not None and not buffer.is_mutable
    ]
    assert mapped == []
