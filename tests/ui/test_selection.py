"""The sidebar selection: one state that survives every page, mirrored in the URL query.

Store: two quarters (2024Q3: 2024-07..09, 2024Q4: 2024-10), two counties:
    甲县 / 东镇: 一村, 二村 · 甲县 / 西镇: 三社区 · 乙县 / 东镇: 四村 (a second 东镇)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import build_store
from tests.ui.test_pages import signed_in_app

ROOT = Path(__file__).resolve().parents[2]
MONTHS = ("2024-07", "2024-08", "2024-09", "2024-10")


@pytest.fixture
def quarters_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rows = []
    for month in MONTHS:
        rows += [
            {"period": month, "township": "东镇", "branch": "一村", "stars": 3},
            {"period": month, "township": "东镇", "branch": "二村", "stars": 2},
            {"period": month, "township": "西镇", "branch": "三社区", "stars": 1},
            {"period": month, "county": "乙县", "township": "东镇", "branch": "四村", "stars": 4},
        ]
    db = build_store(tmp_path / "q.duckdb", rows)
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def app(query: dict[str, str] | None = None) -> AppTest:
    at = signed_in_app()
    if query:
        at.query_params.update(query)
    return run(at)


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return run(at)


def shown(at: AppTest) -> str:
    """The period and scope the page states under its title."""
    return at.caption[0].value


def sidebar(at: AppTest) -> tuple[str, str, str, str]:
    return (at.radio(key="f_kind").value, at.selectbox(key="f_period").label, at.selectbox(key="f_period").value,
            at.selectbox(key="f_county").value)


def pick_quarter_3_in_jia(at: AppTest) -> AppTest:
    at.radio(key="f_kind").set_value("quarter")
    run(at)
    at.selectbox(key="f_period").set_value("2024Q3")
    run(at)
    at.selectbox(key="f_county").set_value("甲县")
    return run(at)


def drop_undrawn_widget_state(at: AppTest) -> None:
    """What the Streamlit server does and AppTest does not: a widget not drawn in a run
    loses its state (季度对比 draws no period widgets)."""
    for key in ("f_kind", "f_period"):
        if key in at.session_state:
            del at.session_state[key]


def test_selection_survives_a_page_without_period_widgets(quarters_db: Path) -> None:
    at = pick_quarter_3_in_jia(app())
    assert shown(at) == "2024年第3季度 · 范围：甲县"
    go(at, "pages/compare.py")
    drop_undrawn_widget_state(at)
    go(at, "pages/overview.py")
    assert sidebar(at) == ("quarter", "季度", "2024Q3", "甲县")
    assert shown(at) == "2024年第3季度 · 范围：甲县"
    go(at, "pages/battle_map.py")
    assert sidebar(at) == ("quarter", "季度", "2024Q3", "甲县")
    assert shown(at) == "2024年第3季度 · 范围：甲县"


def test_selection_is_mirrored_in_the_url(quarters_db: Path) -> None:
    at = pick_quarter_3_in_jia(app())
    assert at.query_params == {"period": "2024Q3", "county": "甲县"}
    at.selectbox(key="f_township").set_value("甲县|东镇")
    run(at)
    at.radio(key="f_type").set_value("村")
    run(at)
    assert at.query_params == {"period": "2024Q3", "county": "甲县", "township": "东镇", "type": "村"}
    assert shown(at) == "2024年第3季度 · 范围：甲县 / 东镇 / 村"


def test_kind_switch_keeps_the_period_it_covers(quarters_db: Path) -> None:
    at = app()
    at.selectbox(key="f_period").set_value("2024-08")
    run(at)
    at.radio(key="f_kind").set_value("quarter")
    run(at)
    assert at.selectbox(key="f_period").value == "2024Q3"  # not the newest quarter
    at.radio(key="f_kind").set_value("month")
    run(at)
    assert at.selectbox(key="f_period").value == "2024-09"  # the quarter's latest month


def test_a_url_with_the_query_opens_that_view(quarters_db: Path) -> None:
    at = app({"period": "2024Q3", "county": "乙县", "township": "东镇", "type": "村"})
    assert sidebar(at) == ("quarter", "季度", "2024Q3", "乙县")
    assert at.selectbox(key="f_township").value == "乙县|东镇"
    assert shown(at) == "2024年第3季度 · 范围：乙县 / 东镇 / 村"
    at = app({"period": "2024-08", "township": "西镇"})  # a unique township name finds its county
    assert sidebar(at) == ("month", "月份", "2024-08", "甲县")
    assert shown(at) == "2024年8月 · 范围：甲县 / 西镇"


@pytest.mark.parametrize("query", [
    {"period": "2031Q1"}, {"period": "garbage"}, {"period": "2024-13"}, {"county": "不存在县"},
    {"township": "东镇"},  # in two counties: which one is not said
    {"type": "工厂"}, {"period": "2024Q3", "county": "甲县", "township": "南镇"},
])
def test_an_unknown_query_value_falls_back_to_the_default(quarters_db: Path, query: dict[str, str]) -> None:
    at = app(query)
    expected_period = "2024Q3" if query.get("period") == "2024Q3" else "2024-10"
    assert at.selectbox(key="f_period").value == expected_period
    assert at.selectbox(key="f_township").value == "全部"
    assert at.radio(key="f_type").value == "全部"
    assert at.selectbox(key="f_county").value == ("甲县" if query.get("county") == "甲县" else "全部")
