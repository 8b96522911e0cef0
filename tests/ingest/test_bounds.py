"""Issue 14: every upload is bounded (columns, branch and task rows, stored warnings, expansion),
over a bound a clear Chinese refusal naming the sheet, nothing written; the server's upload
limit is max_upload_mb. The probe's files are generated here, never checked in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analytics import spec, store
from analytics.ingest import _spawn, ingest_bytes, stage
from analytics.sample_data import write_scale_ledger
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, HEADER, TITLE, ledger_xlsx

SETTINGS = Settings({"lock_timeout_s": 5})
MIB = 1024 * 1024


def _csv_wide(columns: int) -> bytes:
    """The probe's 2 MB CSV: a real ledger header and rows, then ``columns`` more filled columns."""
    head = ",".join([*HEADER[1:], "报送月份", *(f"列{i}" for i in range(columns))])
    row = ",".join(["甲镇", "一村", "√", "√", "√", "√", "√", "2024-08", *("x" * columns)])
    return f"{head}\n{row}\n".encode()


def test_csv_with_200000_columns_is_refused_before_its_table_is_built(tmp_path: Path) -> None:
    data = _csv_wide(200_000)
    assert len(data) > 1 * MIB
    db = tmp_path / "s.duckdb"
    result = ingest_bytes(data, "宽表.csv", county="甲县", db=db, settings=SETTINGS)
    assert not result.ok and [p.code for p in result.errors] == ["E_FILE"]
    message = result.errors[0].message
    assert "工作表“宽表”有 200,008 列含数据".replace(",", "") in message and "超过上限 200 列" in message
    assert result.warnings == [] and not db.exists()  # nothing stored, not even the store


def test_trailing_empty_columns_do_not_count(tmp_path: Path) -> None:
    head = ",".join([*HEADER[1:], "报送月份"]) + "," * 500
    rows = [",".join([*map(str, r), "2024-08"]) + "," * 500 for r in GOOD_ROWS]
    staged = stage("\n".join([head, *rows]).encode(), "台账.csv", county="甲县", settings=SETTINGS)
    assert staged.ok, [str(p) for p in staged.errors]


def _book(rows: list[list[object]]) -> tuple[openpyxl.Workbook, openpyxl.worksheet.worksheet.Worksheet]:
    """A star ledger sheet (title, header, ``rows``) in a new workbook: (workbook, sheet)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "星级台账"
    ws.append([TITLE])
    ws.append(HEADER)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    return wb, ws


def _saved(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_data_beyond_the_column_bound_is_refused() -> None:
    wb, ws = _book(GOOD_ROWS)
    ws.cell(row=3, column=260, value="多余")
    data = _saved(wb)
    staged = stage(data, "台账.xlsx", settings=SETTINGS)
    assert [(p.code, p.value) for p in staged.errors] == [("E_FILE", "台账.xlsx")]
    assert "工作表“星级台账”有 260 列含数据，超过上限 200 列" in staged.errors[0].message
    assert stage(data, "台账.xlsx", settings=SETTINGS.replace(max_columns_per_sheet=300)).ok


def test_branch_rows_over_the_bound_are_refused_naming_the_sheet(tmp_path: Path) -> None:
    rows = [["甲镇", f"{i}村", "√", "√", "√", "√", "√"] for i in range(6)]
    data = ledger_xlsx(rows)
    bounded = SETTINGS.replace(max_branches_per_upload=5)
    db = tmp_path / "s.duckdb"
    result = ingest_bytes(data, "台账.xlsx", db=db, settings=bounded)
    assert [(p.code, p.sheet) for p in result.errors] == [("E_FILE", "星级台账")]
    assert "星级台账支部共 6 行，超过一次上传的上限 5 行（设置 max_branches_per_upload）" in result.errors[0].message
    assert not db.exists()
    assert stage(ledger_xlsx(rows[:5]), "台账.xlsx", settings=bounded).ok


def test_task_rows_over_the_bound_are_refused_naming_the_sheet() -> None:
    wb, _ = _book([["甲镇", "一村", "√", "√", "√", "√", "√"]])
    tasks = wb.create_sheet("任务台账")
    tasks.append(["乡镇", "村(社区)", "所属星", "重点任务", "是否完成"])
    for i in range(4):
        tasks.append(["甲镇", "一村", "产业兴旺星", f"任务{i}", "是"])
    data = _saved(wb)
    staged = stage(data, "台账.xlsx", settings=SETTINGS.replace(max_task_rows_per_upload=3))
    assert [(p.code, p.sheet) for p in staged.errors] == [("E_FILE", "任务台账")]
    assert "任务、问题清单和整顿明细共 4 行，超过一次上传的上限 3 行" in staged.errors[0].message
    assert stage(data, "台账.xlsx", settings=SETTINGS.replace(max_task_rows_per_upload=4)).ok


def test_stored_warnings_are_bounded_and_the_rest_counted(tmp_path: Path) -> None:
    rows = [["甲镇", f"{i}村", "√", None, "√", "√", "√"] for i in range(10)]  # one W_BLANK_STAR (one blank cell) per row
    db = tmp_path / "s.duckdb"
    result = ingest_bytes(ledger_xlsx(rows), "台账.xlsx", db=db, settings=SETTINGS.replace(max_stored_warnings=4))
    assert result.ok
    assert [w.code for w in result.warnings] == ["W_BLANK_STAR"] * 4 + [spec.W_MORE_WARNINGS]
    assert "另有 6 条警告未逐条列出和保存（共 10 条，上限 4 条" in result.warnings[-1].message
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        [record] = store.list_uploads(con)
    assert len(record.warnings) == 5


def test_expansion_limit_scales_with_the_file() -> None:
    # The real 43.6 MiB ledger (expanding ~11.7×, as a real city ledger does) passes now…
    assert _spawn.expansion_limit_mb(int(43.6 * MIB), 500, 20) >= 43.6 * 11.7
    # …and so does any ledger up to max_upload_mb expanding up to 20×; small files keep max_expanded_mb.
    assert _spawn.expansion_limit_mb(50 * MIB, 500, 20) == 1000
    assert _spawn.expansion_limit_mb(1 * MIB, 500, 20) == 500


def test_real_ledger_passes_and_a_bomb_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.xlsx"
    write_scale_ledger(real, 300, seed=0, period="2024-08")
    with zipfile.ZipFile(real) as zf:
        ratio = sum(i.file_size for i in zf.infolist()) / real.stat().st_size
    assert 8 < ratio < 20  # what real ledgers do (measured: 11.7× for 5,000 branches)
    tight = SETTINGS.replace(max_expanded_mb=1)  # below what this ledger expands to (~4 MB)
    assert stage(real.read_bytes(), real.name, settings=tight).ok

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * MIB))
    staged = stage(bomb.getvalue(), "炸弹.xlsx", settings=tight)
    assert [p.code for p in staged.errors] == ["E_FILE"]
    assert "解压后的内容超过" in staged.errors[0].message


def test_server_upload_limit_is_max_upload_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import serve

    monkeypatch.setenv("FIVESTAR_MAX_UPLOAD_MB", "7")
    command = serve.streamlit_command(["--server.port", "8600", "--server.maxUploadSize", "200"])
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("app.py")
    assert command[5:] == ["--server.maxUploadSize", "7", "--server.address", "127.0.0.1", "--server.port", "8600"]
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "-m ui.serve" in makefile and "streamlit run" not in makefile
