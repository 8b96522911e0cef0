"""Pages never send a result that cannot be drawn: the 作战图 of a scope larger than
components.BATTLE_PAGE_ROWS shows its township summary and pages through the branches
(the Excel download still holds all); phone charts space their month labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.factories import build_store
from tests.ui.test_pages import frame, open_page
from ui import charts, components, format


def _branches() -> list[dict[str, Any]]:
    """12 branches in 2024-08: 东镇 7 (stars 0..6 mod 6), 西镇 5 (all 3★, target 4)."""
    rows: list[dict[str, Any]] = []
    for i in range(7):
        rows.append({"period": "2024-08", "township": "东镇", "branch": f"东{i:02d}村", "stars": i % 6,
                     "target_stars": 5, "tasks_done": i, "tasks_total": 10})
    for i in range(5):
        rows.append({"period": "2024-08", "township": "西镇", "branch": f"西{i:02d}村", "stars": 3,
                     "target_stars": 4, "tasks_done": 5, "tasks_total": 10})
    return rows


@pytest.fixture
def paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    """A 12-branch store, a page size of 5 and the frames handed to the Excel download."""
    db = build_store(tmp_path / "big.duckdb", _branches())
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.setattr(components, "BATTLE_PAGE_ROWS", 5)
    downloads: dict[str, pd.DataFrame] = {}

    def capture(label: str, frames: Any, file_name: str, **_: Any) -> None:
        downloads.update(frames() if callable(frames) else frames)  # the battle map's sheets come on click

    monkeypatch.setattr(components, "xlsx_download", capture)
    return downloads


def test_battle_map_pages_a_large_scope(paged: dict[str, pd.DataFrame]) -> None:
    at = open_page("pages/battle_map.py")
    grid = frame(at, "差距")
    assert len(grid) == 5  # one page, not all 12
    # by rank in 东镇: score 60×stars/5 + 40×rate — 东05 80, 东04 64, 东03 48, 东02 32, 东06 24 (0★, 6/10)
    assert list(grid["村（社区）"]) == ["东05村", "东04村", "东03村", "东02村", "东06村"]
    summary = frame(at, "未达目标")
    assert list(summary["乡镇（街道）"]) == ["东镇", "西镇"]
    assert list(summary["支部数"]) == [7, 5]
    assert list(summary["三星及以上"]) == [3 + 0, 5]  # 东 stars 3,4,5 (and 0,1,2,0)
    assert len(paged["作战图"]) == 12  # the download is complete
    number = at.number_input(key="bm_page")
    assert number.max == 3
    number.set_value(3).run()
    assert not at.exception
    assert list(frame(at, "差距")["村（社区）"]) == ["西03村", "西04村"]
    # The branch picker offers the branches of the page shown.
    assert at.selectbox(key="bm_branch").options == ["西镇 / 西03村", "西镇 / 西04村"]


def test_battle_map_small_scope_is_one_table(paged: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(components, "BATTLE_PAGE_ROWS", 12)
    at = open_page("pages/battle_map.py")
    assert len(frame(at, "差距")) == 12
    assert not at.number_input
    with pytest.raises(AssertionError):
        frame(at, "未达目标")


def test_township_summary_values() -> None:
    bm = pd.DataFrame({
        "county": ["甲县", "甲县", "甲县"], "township": ["东镇", "东镇", "西镇"], "stars": [3, 1, 5],
        "gap": [1, None, 0], "weak": [True, False, None], "overdue": [2, None, 1], "score": [70.0, 40.0, 100.0],
    })
    out = format.township_summary(bm)
    assert out.to_dict("records") == [
        {"县（市、区）": "甲县", "乡镇（街道）": "东镇", "支部数": 2, "三星及以上": 1, "未达目标": 1, "软弱涣散": 1,
         "逾期任务": 2, "平均综合得分": 55.0},
        {"县（市、区）": "甲县", "乡镇（街道）": "西镇", "支部数": 1, "三星及以上": 1, "未达目标": 0, "软弱涣散": 0,
         "逾期任务": 1, "平均综合得分": 100.0},
    ]


def test_phone_charts_space_month_labels() -> None:
    months = [date(2024, m, 1) for m in range(1, 13)]
    trend = pd.DataFrame({"period": months, "branches": 10, "three": 1, "four": 1, "five": 1, "at_least_three": 3,
                          "avg_score": 50.0})
    assert charts.trend_chart(trend).layout.xaxis.dtick == "M1"
    assert charts.trend_chart(trend, compact=True).layout.xaxis.dtick == "M3"  # 4 labels on 390 px
    assert charts.trend_chart(trend.head(4), compact=True).layout.xaxis.dtick == "M1"
    # one chart for any width (总览): plotly spaces a year's labels by the drawn width, a grid line
    # every month; up to 6 months the phone's spacing
    assert charts.trend_chart(trend, any_width=True).layout.xaxis.dtick is None
    assert charts.trend_chart(trend, any_width=True).layout.xaxis.minor.dtick == "M1"
    assert charts.trend_chart(trend.head(6), any_width=True).layout.xaxis.dtick == "M2"
    assert charts.trend_chart(trend.head(5), any_width=True).layout.xaxis.dtick == "M1"
    history = pd.DataFrame({"period": months, "stars": 3, "target_stars": 4, "task_rate": 0.5, "score": 60.0})
    assert charts.branch_history_chart(history, compact=True).layout.xaxis.dtick == "M3"
