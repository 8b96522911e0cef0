"""Issue 13 item 8: what readers see must not mislead them (红黑榜 notes and cards, …)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from tests.factories import build_store
from tests.ui.test_pages import frame, metrics, open_page

# 东镇 has three branches; 丙村 gains a star (晋星, on the red list) yet stays last (黑旗).
BOTH = [
    {"period": "2024-07", "township": "东镇", "branch": "甲村", "stars": 4, "tasks_done": 20, "tasks_total": 29},
    {"period": "2024-07", "township": "东镇", "branch": "乙村", "stars": 3, "tasks_done": 20, "tasks_total": 29},
    {"period": "2024-07", "township": "东镇", "branch": "丙村", "stars": 1, "tasks_done": 5, "tasks_total": 29},
    {"period": "2024-08", "township": "东镇", "branch": "甲村", "stars": 4, "tasks_done": 20, "tasks_total": 29},
    {"period": "2024-08", "township": "东镇", "branch": "乙村", "stars": 3, "tasks_done": 20, "tasks_total": 29},
    {"period": "2024-08", "township": "东镇", "branch": "丙村", "stars": 2, "tasks_done": 5, "tasks_total": 29},
]


@pytest.fixture
def both_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = build_store(tmp_path / "both.duckdb", BOTH)
    # 黑旗 is judged for quarters only by default (cadence.md §4): this office also names it monthly.
    settings = tmp_path / "fivestar.toml"
    settings.write_text('black_flag_periods = ["month", "quarter"]\n', encoding="utf-8")
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(settings))
    return db


def test_branch_on_both_lists_is_named_on_the_page_and_in_the_excel(both_db: Path, downloads: dict[str, bytes]) -> None:
    at = open_page("pages/red_black.py")
    notes = [w.value for w in at.warning if "同时在红榜和黑榜上" in w.value]
    assert len(notes) == 1
    assert "东镇 丙村（红榜：" in notes[0] and "晋星" in notes[0] and "黑榜：黑旗" in notes[0]
    [data] = [d for n, d in downloads.items() if "红黑榜" in n]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:  # the note is under the title of both sheets
        assert "东镇 丙村（红榜：" in str(ws["A2"].value)


def test_flag_cards_follow_the_reason_filter(seeded_db: Path) -> None:
    at = open_page("pages/red_black.py")
    assert metrics(at)["▲ 红旗"] == "2 个"
    at.multiselect(key="rb_codes").set_value(["R3"])  # 晋星: 一村 (红旗 of 东镇) and 四村
    at.run()
    m = metrics(at)
    assert m["红榜"] == "2 条"
    assert m["▲ 红旗"] == "1 个"  # was 2: the card counted the whole list


def test_quarter_tables_name_each_branch_data_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2024Q3: 丁村 reported only in July, the others in August too
    rows = [*BOTH, {"period": "2024-07", "township": "西镇", "branch": "丁村", "stars": 2}]
    db = build_store(tmp_path / "q.duckdb", rows)
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    for page in ("pages/battle_map.py", "pages/ranking.py"):
        at = open_page(page)
        at.radio(key="f_kind").set_value("quarter")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        table = frame(at, "数据月份")
        months = dict(zip(table["村（社区）"], table["数据月份"], strict=True))
        assert months == {"甲村": "2024年8月", "乙村": "2024年8月", "丙村": "2024年8月", "丁村": "2024年7月"}, page
        assert any("数据月份" in c.value for c in at.caption), page
        # a month's view needs no such column
        at.radio(key="f_kind").set_value("month")
        at.run()
        with pytest.raises(AssertionError):
            frame(at, "数据月份")


def test_compare_excel_matrix_runs_like_the_screen(seeded_db: Path, downloads: dict[str, bytes]) -> None:
    at = open_page("pages/compare.py")
    assert not at.exception
    [data] = [d for n, d in downloads.items() if n.startswith("对比")]
    ws = openpyxl.load_workbook(io.BytesIO(data))["星级变化矩阵"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] and "＼" in str(r[0]))
    assert list(header[1:]) == ["无星", "一星", "二星", "三星", "四星", "五星"]
    rows = [r[0] for r in ws.iter_rows(values_only=True)]
    start = rows.index(header[0]) + 1
    assert rows[start:start + 6] == ["无星", "一星", "二星", "三星", "四星", "五星"]
