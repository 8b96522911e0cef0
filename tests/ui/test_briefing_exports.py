"""The offline briefing HTML, the Excel downloads and the table formatting helpers."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pandas as pd

from analytics.exports import frames_to_xlsx, problems_to_xlsx
from analytics.flags import ListHead
from analytics.ingest.model import Problem
from analytics.periods import Period
from analytics.rankings import RankingEnds
from analytics.scope import Scope
from ui import briefing, format


def _kpis() -> dict:
    def k(value, previous=None):
        return {"value": value, "previous": previous, "delta": None if previous is None else value - previous}
    return {"branches": k(5, 4), "at_least_three": k(2, 2), "at_least_three_share": k(0.4, 0.5),
            "five": k(1, 0), "four": k(1, 2), "three": k(0, 0), "avg_score": k(42.59, 41.6),
            "task_rate": k(50 / 87, None), "attained": k(2), "weak": k(0), "targets": {5: 0, 4: 2, 3: 1},
            "data_as_of": date(2024, 8, 1)}


RANKING = pd.DataFrame({"county": ["乙县", "甲县"], "township": ["南镇", "东镇"], "branch": ["四村", "一村"],
                        "branch_type": ["村", "村"], "stars": [5, 4], "target_stars": [4, 4],
                        "task_rate": [1.0, 15 / 29], "score": [100.0, 68.69], "rank": [1, 2],
                        "prev_rank": [1, 2], "rank_change": [0, 0]})
RED = pd.DataFrame({"county": ["甲县"], "township": ["东镇"], "branch": ["一村"], "reasons": [["R1", "R3"]],
                    "reason_text": ["本月乡镇排名第一；较上月增加1星"], "rank": [2], "stars": [4], "score": [68.69]})
BLACK = pd.DataFrame({"county": ["甲县"], "township": ["西镇"], "branch": [None], "reasons": [["B4"]],
                      "reason_text": ["上月报送、本月未报送"], "rank": [None], "stars": [None], "score": [None]})


def _brief() -> briefing.Briefing:
    dist = pd.DataFrame({"unit": ["全部"] * 6, "level": [5, 4, 3, 2, 1, 0],
                         "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                         "count": [1, 1, 0, 1, 1, 1], "share": [0.2, 0.2, 0, 0.2, 0.2, 0.2]})
    # What the page passes: the ends of the ranking and the first entries of each list with their totals.
    return briefing.make_briefing(Period.parse("2024-08"), Scope(county="甲县"), kpis=_kpis(), distribution=dist,
                                  ranking=RankingEnds(top=RANKING, bottom=RANKING.tail(1).reset_index(drop=True)),
                                  red=ListHead(rows=RED, total=1), black=ListHead(rows=BLACK, total=1), uploads=6,
                                  today=date(2024, 9, 3))


def test_briefing_content() -> None:
    b = _brief()
    assert b.title == "甲县“五星”支部创建工作简报"
    assert b.subtitle.startswith("2024年8月 · 范围：甲县 · 数据截至 2024年8月")
    assert "三星及以上 2 个，占 40.0%，与上月持平" in b.summary
    assert "五星 1 个、四星 1 个、三星 0 个" in b.summary
    assert [h.label for h in b.headlines][:2] == ["支部总数", "三星及以上"]
    assert b.file_stem == "五星支部创建简报_2024-08_甲县"
    black = dict((t[0], t[1]) for t in b.tables)["黑榜"]
    assert list(black["村（社区）"]) == ["（全乡镇未报送）"]
    assert list(dict((t[0], t[1]) for t in b.tables)["红榜"]["旗"]) == ["▲ 红旗"]


def test_briefing_html_is_offline_and_self_contained() -> None:
    html = briefing.to_html(_brief())
    assert html.startswith("<!DOCTYPE html>")
    assert "甲县“五星”支部创建工作简报" in html
    # no script or stylesheet fetched from the network
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"@import\s+url\(\s*[\"']?(https?:)?//", html, re.I)
    assert "cdn.plot.ly" not in html.split("</head>")[0]
    # plotly.js itself is embedded (several MB), once
    assert len(html) > 1_000_000
    assert html.count("Plotly.newPlot") == len(_brief().figures)
    assert "四村" in html and "100.0" in html


def test_briefing_tables_render_as_one_line_cells() -> None:
    b = _brief()
    tables = dict((t[0], t[1]) for t in b.tables)
    top = tables["综合得分前 2 名"]
    # several counties -> the county column; rate and score formatted, arrows coloured
    assert list(top.columns) == ["名次", "变化", "县（市、区）", "乡镇（街道）", "村（社区）", "星级", "任务完成率", "综合得分"]
    html = briefing.table_html(top)
    assert "<th class='num'>名次</th>" in html and "<td class=''>四村</td>" in html
    assert "<td class='num'>51.7%</td>" in html and "<td class='num'>68.7</td>" in html
    black = briefing.table_html(tables["黑榜"])
    # the township-level entry: empty flag cell, "（全乡镇未报送）", the reason in the one wrapping column
    assert "<td class=''></td>" in black and "（全乡镇未报送）" in black
    assert "<td class='wrap'>上月报送、本月未报送</td>" in black
    moved = pd.DataFrame({"名次": pd.array([3, None], dtype="Int64"), "变化": ["↑2", "↓1"], "综合得分": [70.0, None]})
    cells = briefing.table_html(moved)
    assert "<td class='up'>↑2</td>" in cells and "<td class='down'>↓1</td>" in cells
    assert cells.count("<td class='num'>—</td>") == 2  # missing rank and score
    # the CSS keeps every cell but the reason on one line; the offline page carries it
    assert "white-space: nowrap" in briefing.TABLE_CSS and "td.wrap" in briefing.TABLE_CSS
    assert briefing.TABLE_CSS in briefing.to_html(b) and "class='bt'" in briefing.to_html(b)


def test_briefing_xlsx_has_headlines_and_full_lists() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(briefing.to_xlsx(_brief(), briefing.complete_tables(RANKING, RED, BLACK))))
    assert wb.sheetnames == ["简报要点", "排名", "红榜", "黑榜"]
    assert wb["简报要点"]["A4"].value == "指标"  # title, note, blank row, header


def test_frames_to_xlsx_formats() -> None:
    df = pd.DataFrame({"村（社区）": ["一村", "二村"], "任务完成率": [0.5172, None], "综合得分": [68.69, 32.28],
                       "理由": [["R1", "R3"], []]})
    wb = openpyxl.load_workbook(io.BytesIO(frames_to_xlsx({"排名/前十": df}, title="排名")))
    ws = wb["排名_前十"]
    assert ws["A1"].value == "排名"
    assert [c.value for c in ws[3]] == ["村（社区）", "任务完成率", "综合得分", "理由"]
    assert ws["B4"].value == 0.5172 and ws["B4"].number_format == "0.0%"
    assert ws["B5"].value is None
    assert ws["C4"].number_format == "0.0"
    assert ws["D4"].value == "R1、R3"
    assert ws.freeze_panes == "A4"


def test_problems_to_xlsx() -> None:
    problems = [Problem("E_VALUE", "无法识别的星级状态", sheet="星级台账", row=12, column="H", value="半达标"),
                Problem("W_SKIPPED_SHEET", "已跳过", sheet="填表说明")]
    ws = openpyxl.load_workbook(io.BytesIO(problems_to_xlsx(problems, file_name="东镇.xlsx")))["问题清单"]
    assert ws["A1"].value == "台账检查结果：东镇.xlsx"
    assert [c.value for c in ws[4]] == ["类型", "代码", "工作表", "单元格", "行", "列", "单元格内容", "问题说明及修改方法"]
    assert [c.value for c in ws[5]] == ["错误", "E_VALUE", "星级台账", "星级台账!H12", 12, "H", "半达标", "无法识别的星级状态"]
    assert [c.value for c in ws[6]][:4] == ["提示", "W_SKIPPED_SHEET", "填表说明", None]


def test_format_helpers() -> None:
    assert [format.rank_change_text(v) for v in (2, -1, 0, None, float("nan"))] == ["↑2", "↓1", "—", "新", "新"]
    assert format.pct(50 / 87) == "57.5%" and format.pct(None) == "—"
    assert format.pp_delta(-0.1) == "-10.0 个百分点"
    assert format.target(None) == "未申报" and format.level(3) == "三星"
    mixed = pd.DataFrame({"branch_type": ["村", "社区"]})
    assert format.star_headers(mixed) == ["支部过硬星", "产业兴旺/共建共享", "生态宜居/宜业兴业", "平安法治星", "文明幸福/幸福和谐"]
    assert format.star_headers(pd.DataFrame({"branch_type": ["社区"]}))[1] == "共建共享星"
