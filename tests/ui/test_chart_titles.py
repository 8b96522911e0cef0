"""The chart-title rule: every chart a page draws (and so every PNG saved from it) names
the period and the scope; the modebar strip keeps the title clear of Plotly's toolbar."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.test_pages import signed_in_app
from ui import charts
from ui.components import fit_height

ROOT = Path(__file__).resolve().parents[2]


def test_title_names_period_and_scope_on_a_second_line() -> None:
    df = pd.DataFrame({"unit": ["全部"] * 6, "level": [5, 4, 3, 2, 1, 0],
                       "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                       "count": [1, 1, 0, 1, 1, 1], "share": [0.2, 0.2, 0, 0.2, 0.2, 0.2]})
    fig = charts.level_bar(df, title="星级分布（合计）")
    plot_height = fig.layout.height - fig.layout.margin.t
    charts.title_with_context(fig, "2024年第3季度 · 望川区")
    first, second = fig.layout.title.text.split("<br>")
    assert first == "星级分布（合计）"
    assert second.endswith(">2024年第3季度 · 望川区</span>")
    # below the modebar's strip, and the plot area keeps its height
    assert fig.layout.title.yanchor == "top" and fig.layout.title.yref == "container"
    assert (1 - fig.layout.title.y) * fig.layout.height >= charts.MODEBAR_STRIP
    assert fig.layout.margin.t >= charts.MODEBAR_STRIP + 24 + 22
    assert fig.layout.height - fig.layout.margin.t == plot_height


def test_title_keeps_a_charts_own_note_under_the_context() -> None:
    fig = charts.trend_chart(pd.DataFrame(), title="对比<br><sup>最大、最小的各 15 个</sup>")
    charts.title_with_context(fig, "2024年7月 → 2024年8月 · 甲县")
    assert fig.layout.title.text.split("<br>")[0] == "对比"
    assert "2024年7月 → 2024年8月 · 甲县" in fig.layout.title.text.split("<br>")[1]
    assert fig.layout.title.text.split("<br>")[2] == "<sup>最大、最小的各 15 个</sup>"


def test_untitled_chart_takes_its_name() -> None:
    fig = charts.level_bar(pd.DataFrame(), title=None)
    charts.title_with_context(fig, "2024年8月 · 全部", fallback="星级分布")
    assert fig.layout.title.text.startswith("星级分布<br>")


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in at.main.get("plotly_chart")]


PAGES = {
    "pages/overview.py": 4,  # distribution, total, per star, targets, trend (declared goals: a table)
    "pages/battle_map.py": 2,  # hierarchy, one branch's history
    "pages/ranking.py": 1,
    "pages/compare.py": 2,
    "pages/briefing.py": 1,
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_chart_title_names_period_and_scope(seeded_db: Path, page: str) -> None:
    at = signed_in_app()
    at.query_params.update({"period": "2024-08", "county": "甲县"})
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = chart_titles(at)
    assert len(titles) >= PAGES[page], titles
    for title in titles:
        assert "2024年8月" in title and "甲县" in title, title
    if page == "pages/compare.py":  # two periods compared: both named
        assert all("2024年7月 → 2024年8月 · 甲县" in t for t in titles), titles


def test_briefing_html_charts_name_period_and_scope() -> None:
    from tests.ui.test_briefing_exports import _brief
    from ui import briefing

    html = briefing.to_html(_brief())
    # every "text" string in the embedded figure JSON, decoded
    texts = {json.loads(f'"{m}"') for m in re.findall(r'"text":"((?:[^"\\]|\\.)*)"', html)}
    for name, _ in _brief().figures:
        assert f"{name}<br><span style='{charts.CONTEXT_STYLE}'>2024年8月 · 甲县</span>" in texts, name


def test_tables_fit_every_row_up_to_the_cap() -> None:
    assert fit_height(37) == 35 * 38 + 3
    assert fit_height(0) == fit_height(1)
    assert fit_height(500) == fit_height(100)



# --- the 简报's presentation view and demo marker ---------------------------------------


def test_briefing_presentation_view_shows_nothing_but_the_briefing(demo_db: Path) -> None:
    at = signed_in_app()
    at.run()
    at.switch_page("pages/briefing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.download_button) == 2 and any(b.label == "演示视图" for b in at.button)
    assert any("当前为示例数据" in i.value for i in at.info)  # the banner of the normal view
    next(b for b in at.button if b.label == "演示视图").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params.get("view") == "present"
    assert len(at.download_button) == 0
    assert [b.label for b in at.button] == ["退出演示视图"]
    assert len(at.sidebar.selectbox) == 0 and len(at.sidebar.radio) == 0 and len(at.sidebar.caption) == 0
    assert not any("当前为示例数据" in i.value for i in at.info)  # no banner above the title
    assert all(not m.help for m in at.metric)  # no help icons; notes stand under the numbers
    assert any("示例数据" in md.value for md in at.markdown if "生成于" in md.value)  # the briefing's own marker
    assert any("本简报由示例（演示）数据生成" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "退出演示视图").click()
    at.run()
    assert "view" not in at.query_params and len(at.download_button) == 2


def test_briefing_html_from_demo_data_says_so() -> None:
    from analytics.flags import ListHead
    from analytics.periods import Period
    from analytics.rankings import RankingEnds
    from analytics.scope import Scope
    from tests.ui.test_briefing_exports import BLACK, RANKING, RED, _brief, _kpis
    from ui import briefing

    b = _brief()
    assert not b.demo and "示例" not in briefing.to_html(b)
    demo = briefing.make_briefing(
        Period.parse("2024-08"), Scope(county="甲县"), kpis=_kpis(), distribution=_dist(),
        ranking=RankingEnds(top=RANKING, bottom=RANKING.tail(1)), red=ListHead(rows=RED, total=1),
        black=ListHead(rows=BLACK, total=1), demo=True)
    assert demo.subtitle.endswith(" · 示例数据")
    html = briefing.to_html(demo)
    head, body = html.split("<body>")
    assert "（示例数据）</title>" in head
    title_area = body.split("<p class='summary'>")[0]
    assert "<div class='demo'>示例数据 · 仅用于演示</div>" in title_area and "示例数据</div>" in title_area
    assert "本简报由示例（演示）数据生成" in body.split("<p class='source'>")[1]


def _dist() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["全部"] * 6, "level": [5, 4, 3, 2, 1, 0],
                         "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                         "count": [1, 1, 0, 1, 1, 1], "share": [0.2, 0.2, 0, 0.2, 0.2, 0.2]})


def test_title_rule_applied_twice_names_the_context_once() -> None:
    fig = charts.level_bar(_dist(), title="星级分布")
    charts.title_with_context(fig, "2024年8月 · 甲县")
    once = (fig.layout.title.text, fig.layout.margin.t, fig.layout.height)
    charts.title_with_context(fig, "2024年8月 · 甲县")  # the page drew it, the offline HTML draws it again
    assert (fig.layout.title.text, fig.layout.margin.t, fig.layout.height) == once
