"""The sidebar with weekly data (cadence.md §1): 周 is offered only when weekly reports exist, a
week, a half-year and a year round-trip through the URL, and switching kinds keeps the period
the pick covers.

Store: 东镇 reports weekly 2024-W31..W35 (W35 = 8.26–9.1, Sunday in September); 西镇 monthly
2024-07 and 2024-08.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import build_store
from tests.ui.test_selection import app, quarters_db, run, shown, sidebar  # noqa: F401 (fixture)

WEEKS = ("2024-W31", "2024-W32", "2024-W33", "2024-W34", "2024-W35")


@pytest.fixture
def weeks_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rows = [{"period": week, "township": "东镇", "branch": "一村", "stars": 1 + i % 4} for i, week in enumerate(WEEKS)]
    rows += [{"period": week, "township": "东镇", "branch": "二村", "stars": 2} for week in WEEKS]
    rows += [{"period": month, "township": "西镇", "branch": "三社区", "stars": 3} for month in ("2024-07", "2024-08")]
    db = build_store(tmp_path / "w.duckdb", rows)
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


def test_week_is_offered_only_with_weekly_data(quarters_db: Path) -> None:  # noqa: F811
    at = app()
    assert at.radio(key="f_kind").options == ["按月", "按季度", "按半年", "按年"]


def test_the_sidebar_offers_weeks_and_a_week_round_trips_through_the_url(weeks_db: Path) -> None:
    at = app()
    assert at.radio(key="f_kind").options == ["按周", "按月", "按季度", "按半年", "按年"]
    assert sidebar(at)[:3] == ("month", "月份", "2024-09")  # W35's Sunday makes September a month with data
    at.radio(key="f_kind").set_value("week")
    run(at)
    # From September: the latest week whose Sunday falls in it.
    assert sidebar(at)[:3] == ("week", "周", "2024-W35")
    assert at.selectbox(key="f_period").options == [
        "2024年第35周（8.26–9.1）", "2024年第34周（8.19–8.25）", "2024年第33周（8.12–8.18）",
        "2024年第32周（8.5–8.11）", "2024年第31周（7.29–8.4）"]
    at.selectbox(key="f_period").set_value("2024-W33")
    run(at)
    assert at.query_params == {"period": "2024-W33"}
    assert shown(at) == "2024年第33周（8.12–8.18） · 范围：全部"
    at.radio(key="f_kind").set_value("month")
    run(at)
    assert sidebar(at)[2] == "2024-08"  # the month of W33's Sunday
    at = app({"period": "2024-W34"})
    assert sidebar(at)[:3] == ("week", "周", "2024-W34")
    assert shown(at) == "2024年第34周（8.19–8.25） · 范围：全部"


@pytest.mark.parametrize(("query", "kind", "word", "shown_as"), [
    ("2024H2", "half", "半年", "2024年下半年"),
    ("2024", "year", "年度", "2024年"),
])
def test_half_years_and_years_round_trip(weeks_db: Path, query: str, kind: str, word: str, shown_as: str) -> None:
    at = app({"period": query})
    assert sidebar(at)[:3] == (kind, word, query)
    assert shown(at) == f"{shown_as} · 范围：全部"
    assert at.query_params == {"period": query}


def test_an_unknown_week_falls_back_to_the_default(weeks_db: Path) -> None:
    at: AppTest = app({"period": "2024-W50"})
    assert sidebar(at)[:3] == ("month", "月份", "2024-09")


@pytest.mark.parametrize("period", ["2024-W34", "2024H2", "2024"])
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/ranking.py", "pages/red_black.py", "pages/battle_map.py",
                                  "pages/briefing.py", "pages/compare.py"])
def test_every_page_opens_at_a_week_a_half_year_and_a_year(weeks_db: Path, page: str, period: str) -> None:
    at = app({"period": period})
    at.switch_page(page)
    run(at)
    assert at.query_params["period"] == period
    text = " ".join(str(getattr(e, "value", "")) for e in [*at.caption, *at.markdown, *at.title, *at.subheader])
    if page != "pages/compare.py":  # 季度对比 picks its own two periods
        assert {"2024-W34": "2024年第34周", "2024H2": "2024年下半年", "2024": "2024年"}[period] in text


def test_submissions_page_at_a_week_shows_the_weeks_status(weeks_db: Path) -> None:
    """报送情况 with the sidebar at a week: the week's weekly ledgers, due the Monday after it."""
    from tests.ui.conftest import with_account
    from tests.ui.test_pages import frame, open_page

    with_account(weeks_db)
    at = open_page()
    at.radio(key="f_kind").set_value("week")
    run(at)
    at.switch_page("pages/submissions.py")
    run(at)
    assert at.selectbox(key="sub_week").value.isoformat() == "2024-08-26"  # W35, the sidebar's week
    assert "2024年第35周（8.26–9.1）台账" in at.caption[0].value and "报送截止 2024年9月2日" in at.caption[0].value
    table = frame(at, "报送支部数")
    assert dict(zip(table["乡镇（街道）"], table["状态"], strict=True)) == {"东镇": "已报送"}
