"""Issue 13 item 1: no workbook the product writes holds a formula that came from user text.

A store whose branch names, secretary, uploader and file name are hostile texts; every
Excel download the pages offer is captured (st.download_button patched to keep what it
would serve, deferred data included), plus ``report --xlsx``, the pre-filled template and
the problem list of a refused upload. Each workbook is opened with openpyxl: no cell is a
formula, and the hostile texts come back exactly as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from analytics import store
from analytics.exports import frames_to_xlsx, problems_to_xlsx
from analytics.ingest import stage
from analytics.periods import Period
from analytics.report import write_report_xlsx
from analytics.scope import Scope
from analytics.settings import Settings
from tests.factories import build_store
from tests.ui.conftest import with_account
from tests.ui.test_pages import open_page

HOSTILE_BRANCHES = ['=HYPERLINK("http://x","点我")', "+1", "-1+1", "@SUM(1)", "  =1+1", "\t=2+2"]
SECRETARY = "=cmd|'/Ccalc'!A0"
UPLOADER = "=1+1"
FILE_NAME = "=HYPERLINK(1)x.xlsx"
HOSTILE = {*HOSTILE_BRANCHES, SECRETARY, UPLOADER, FILE_NAME}


def _rows() -> list[dict[str, Any]]:
    rows = []
    for period, bump in (("2024-07", 0), ("2024-08", 1)):
        for i, name in enumerate(HOSTILE_BRANCHES):
            rows.append({"period": period, "township": "东镇", "branch": name, "stars": min(5, (i + bump) % 6),
                         "target_stars": 3, "tasks_done": 3 + i, "tasks_total": 29, "secretary": SECRETARY})
    return rows


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = with_account(build_store(tmp_path / "hostile.duckdb", _rows()))
    with store.open_store(db) as con:
        con.execute("UPDATE uploads SET uploader = ?, file_name = ?", [UPLOADER, FILE_NAME])
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


def cells(data: bytes) -> Iterator[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_no_formula(name: str, data: bytes, expected: set[str]) -> None:
    texts = set()
    for cell in cells(data):
        assert cell.data_type != "f", f"{name}: formula in {cell.coordinate}: {cell.value!r}"
        if isinstance(cell.value, str):
            texts.add(cell.value)
    missing = expected - texts
    assert not missing, f"{name}: texts not kept exactly: {missing!r}"


def test_every_page_export_writes_user_text_as_text(hostile_db: Path, downloads: dict[str, bytes]) -> None:
    branches = set(HOSTILE_BRANCHES)
    expected = {"作战图": branches | {SECRETARY}, "排名": branches, "红黑榜": set(), "对比": set(), "上传历史": {UPLOADER, FILE_NAME},
                "简报": branches}
    for page in ("pages/battle_map.py", "pages/ranking.py", "pages/red_black.py", "pages/compare.py",
                 "pages/briefing.py", "pages/upload.py"):
        at = open_page(page)
        assert not at.exception, [e.value for e in at.exception]
    # the pre-filled template lists the township's branches from the store
    at.selectbox(key="f_township").set_value("东镇")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    names = sorted(downloads)
    for stem in expected:
        assert any(stem in n for n in names), (stem, names)
    assert any("模板" in n and "东镇" in n for n in names), names
    for name, data in downloads.items():
        want = next((w for stem, w in expected.items() if stem in name), set())
        if "模板" in name and "东镇" in name:
            want = branches
        assert_no_formula(name, data, want)
    # the red list names the top branches with their reasons: some hostile name is on it
    red_black = next(d for n, d in downloads.items() if "红黑榜" in n)
    assert {c.value for c in cells(red_black)} & branches


def test_report_xlsx_writes_user_text_as_text(hostile_db: Path) -> None:
    buffer = io.BytesIO()
    with store.open_store(hostile_db, read_only=True) as con:
        write_report_xlsx(con, Period.parse("2024-08"), Scope(), Settings({}), buffer)
    assert_no_formula("report", buffer.getvalue(), set(HOSTILE_BRANCHES))


def test_problem_list_shows_the_cell_text_not_a_result() -> None:
    csv = ("县区,乡镇,村名,支部过硬星,产业兴旺星,生态宜居星,平安法治星,文明幸福星,报送月份\n"
           "甲县,北镇,八村,=1+1,已达标,已达标,未启动,@SUM(1),2024-09\n").encode()
    staged = stage(csv, "坏文件.csv", settings=Settings({}))
    assert not staged.ok
    data = problems_to_xlsx(list(staged.errors) + list(staged.warnings), file_name=FILE_NAME)
    assert_no_formula("问题清单", data, {"=1+1", "@SUM(1)", f"台账检查结果：{FILE_NAME}"})


def test_guard_keeps_numbers_numbers() -> None:
    frame = pd.DataFrame({"村（社区）": ["-1+1", "  =1+1"], "差距": [-3, 2], "得分变化": [-1.5, 0.5]})
    data = frames_to_xlsx({"表": frame}, title="=标题")
    kinds = {c.value: c.data_type for c in cells(data) if c.value is not None}
    assert kinds["-1+1"] == "s" and kinds["  =1+1"] == "s" and kinds["=标题"] == "s"
    assert kinds[-3] == "n" and kinds[-1.5] == "n"


def test_a_frame_longer_than_a_sheet_continues_on_the_next_sheets(monkeypatch) -> None:
    """A province's task list (~1.5 million rows) is more than an .xlsx sheet holds (1,048,576):
    the rows go on 任务（1）, 任务（2）… each with the header, none is dropped. (The sheet size is
    made 10 rows here: title, note, a blank row and the header leave 6 data rows per sheet.)"""
    from analytics import exports

    monkeypatch.setattr(exports, "SHEET_ROWS", 10)
    frame = pd.DataFrame({"支部": [f"村{i:02d}" for i in range(15)], "序": list(range(15))})
    data = exports.frames_to_xlsx({"任务": frame, "问题": frame.head(2)}, title="作战图", note="说明")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["任务（1）", "任务（2）", "任务（3）", "问题"]
    rows = []
    for name in wb.sheetnames[:3]:
        ws = wb[name]
        assert [c.value for c in ws[4]] == ["支部", "序"]  # the header on every part
        rows += [r[0] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert rows == [f"村{i:02d}" for i in range(15)]
    assert [r[0] for r in wb["问题"].iter_rows(min_row=5, values_only=True)] == ["村00", "村01"]
