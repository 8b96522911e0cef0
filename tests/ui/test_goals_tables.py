"""Declared goals per unit on 总览 and 简报 (register.md §2): own goals at each scope, the 840 % case."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.flags import ListHead
from analytics.periods import Period
from analytics.rankings import RankingEnds
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.register_rows import add_goals
from tests.ui.test_briefing_exports import BLACK, RANKING, RED, _kpis
from tests.ui.test_pages import open_page, signed_in_app
from ui import briefing


class _Cells(HTMLParser):
    """The cell texts of an HTML table (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def goal_table(at: AppTest) -> pd.DataFrame | None:
    """The goals table the page drew (st.html with a 单位 header) as text cells; None when there is none."""
    for element in at.get("html"):
        body = element.proto.body
        if ">单位</th>" in body:
            cells = _Cells()
            cells.feed(body)
            return pd.DataFrame(cells.rows[1:], columns=cells.rows[0])
    return None


def headings(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _at(**query: str) -> AppTest:
    at = signed_in_app()
    at.query_params.update({"period": "2024-08", **query})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def goals_db(seeded_db: Path) -> Path:
    with store.open_store(seeded_db, settings=Settings({"lock_timeout_s": 5})) as con:
        # 甲县 declares per township only; 乙县 has its own row.
        add_goals(con, "甲县", [("东镇", 0, 1, 1, "2024-12-31", "2024年底"), ("西镇", 0, 0, 2, "2024-12-31", "2024年底")])
        add_goals(con, "乙县", [(None, 1, 0, 0, "2024-12-31", "2024年底")])
    return seeded_db


def test_overview_shows_each_units_own_goals(goals_db: Path) -> None:
    at = _at()
    assert "创建目标进度 · 2024年8月 · 全部" in headings(at)
    table = goal_table(at)
    assert table is not None
    assert [u for u in table["单位"] if u] == ["全部（县区合计）", "乙县", "甲县（乡镇合计）"]
    # 甲县: 0/1/3 declared (东镇 0/1/1 + 西镇 0/0/2); in 2024-08 一村 is at 4★ and no branch at 3★.
    start = list(table["单位"]).index("甲县（乡镇合计）")
    jia = table.iloc[start:start + 3]
    assert list(jia["星级"]) == ["五星", "四星", "三星"]
    assert list(jia["目标"]) == ["0", "1", "3"] and list(jia["现有"]) == ["0", "1", "0"]
    assert list(jia["及以上（现有/目标）"]) == ["0/0", "1/1", "1/4"] and list(jia["差距"]) == ["0", "0", "3"]


def test_a_township_is_judged_by_its_own_goal(goals_db: Path) -> None:
    at = _at(county="甲县", township="西镇")
    table = goal_table(at)
    assert table is not None and list(table["单位"]) == ["西镇", "", ""] and list(table["目标"]) == ["0", "0", "2"]


def test_the_840_percent_case_on_the_overview(seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The retired setting at 2/7/5 and no goals sheet: the whole store shows it as its own goal of
    exact levels with a notice; a county shows no goal at all (it used to show 2/7/5 against ≥ counts)."""
    monkeypatch.setenv("FIVESTAR_DISTRICT_GOALS", '{"5": 2, "4": 7, "3": 5}')
    at = _at()
    table = goal_table(at)
    assert table is not None
    assert table.iloc[0]["单位"] == "全部（设置 district_goals）"
    three = table.iloc[2]
    # 2024-08: 四村 5★, 一村 4★, none at 3★: 三星 0 of 5 exactly; 2 of 14 at ≥ 三星.
    assert (three["星级"], three["目标"], three["现有"], three["及以上（现有/目标）"]) == ("三星", "5", "0", "2/14")
    assert any("district_goals" in i.value for i in at.info), [i.value for i in at.info] + [c.value for c in at.caption]
    county = _at(county="甲县")
    assert goal_table(county) is None
    assert any("尚未申报创建目标" in c.value for c in county.caption)


def test_briefing_page_carries_the_goals(goals_db: Path) -> None:
    at = open_page("pages/briefing.py")
    assert "创建目标进度（2024年8月 · 全部）" in headings(at)
    table = goal_table(at)
    assert table is not None and next(iter(table["单位"])) == "全部（县区合计）"
    assert any("创建目标：五星 1 个、四星 1 个、三星 3 个" in i.value for i in at.info), [i.value for i in at.info]


def test_briefing_summary_html_and_excel_have_the_goals() -> None:
    goals = pd.DataFrame({
        "unit_level": ["county"] * 3, "county": ["甲县"] * 3, "township": [None] * 3, "level": [5, 4, 3],
        "goal_source": ["own"] * 3, "branches": [5] * 3, "declared": [1, 1, 1], "declared_at_least": [1, 2, 3],
        "reached": [1, 1, 0], "reached_at_least": [1, 2, 2], "gap": [0, 0, 1],
        "due": [date(2024, 12, 31)] * 3, "due_text": ["2024年底"] * 3,
    })
    dist = pd.DataFrame({"unit": ["全部"] * 6, "level": [5, 4, 3, 2, 1, 0],
                         "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                         "count": [1, 1, 0, 1, 1, 1], "share": [0.2, 0.2, 0, 0.2, 0.2, 0.2]})
    inputs = {"kpis": _kpis(), "distribution": dist,
              "ranking": RankingEnds(top=RANKING, bottom=RANKING.tail(1).reset_index(drop=True)),
              "red": ListHead(rows=RED, total=1), "black": ListHead(rows=BLACK, total=1), "today": date(2024, 9, 3)}
    period, scope = Period.parse("2024-08"), Scope(county="甲县")
    b = briefing.make_briefing(period, scope, **inputs, goals=goals)
    assert ("创建目标：五星 1 个、四星 1 个、三星 1 个（完成时限 2024年底），现有五星 1 个、四星 1 个、三星 0 个，"
            "三星及以上尚差 1 个。") in b.summary
    assert "创建目标进度（2024年8月 · 甲县）" in briefing.to_html(b)
    wb = openpyxl.load_workbook(io.BytesIO(briefing.to_xlsx(b, {})))
    assert "创建目标" in wb.sheetnames
    header = [c.value for c in next(wb["创建目标"].iter_rows(min_row=4, max_row=4))]  # title, note, blank, headers
    assert header == ["单位", "星级", "目标", "现有", "及以上（现有/目标）", "差距", "完成时限"]
    without = briefing.make_briefing(period, scope, **inputs)
    assert without.goals is None and "创建目标" not in openpyxl.load_workbook(
        io.BytesIO(briefing.to_xlsx(without, {}))).sheetnames
