"""Browser: 排名 and 红黑榜 with assessment scores counting (score_weight_assessment > 0), the flag
calendar and the year's acceptance (cadence.md §3–§5), at desktop and phone width, on a copy
of the demo store served with its own settings file. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DemoStore, serve_app
from tests.e2e.helpers import DESKTOP, PHONE, SCREENSHOTS, full_page_screenshot, goto, main_area

COUNTY = "望川区"


@pytest.fixture(scope="module")
def scored_url(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("cadence")
    db = work / "fivestar.duckdb"
    shutil.copy(demo_store.path, db)
    # serve_app reads its settings from <workdir>/no-settings.toml: here a district that adds the
    # quarterly assessment to the score (weights 40 + 20 + 40 = 100).
    (work / "no-settings.toml").write_text(
        "score_weight_stars = 40\nscore_weight_tasks = 20\nscore_weight_assessment = 40\n", encoding="utf-8")
    with serve_app(db, work, log_name="streamlit-cadence.log") as url:
        yield url


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_ranking_with_assessment_scores_unscored_and_the_years_acceptance(browser: Any, scored_url: str,
                                                                          size: dict[str, int]) -> None:
    context = browser.new_context(viewport=size, locale="zh-CN", has_touch=size == PHONE)
    page = context.new_page()
    try:
        goto(page, f"{scored_url}/ranking?period=2024Q3&county={quote(COUNTY)}")
        main = main_area(page)
        expect(main.get_by_text("40 × 考核评分 / 100", exact=False).filter(visible=True).first).to_be_visible()
        expect(main.get_by_text("B1 黑旗、B2 降星", exact=False).first).to_be_attached()
        # The year-end acceptance belongs to the year view (cadence.md §5).
        expect(main.get_by_text("2024年度验收授星", exact=False)).to_have_count(0)
        full_page_screenshot(page, SCREENSHOTS / f"ranking-assessment-{size['width']}.png")
        goto(page, f"{scored_url}/ranking?period=2024&county={quote(COUNTY)}")
        expect(main.get_by_text("2024年度验收授星（评定星级与自报星级对照）")).to_be_visible()
        expect(main.get_by_text("评定星级低于自报星级的 2 个", exact=False)).to_be_visible()
        full_page_screenshot(page, SCREENSHOTS / f"ranking-year-acceptance-{size['width']}.png")
    finally:
        context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_red_black_on_a_quarter_and_on_a_month(browser: Any, scored_url: str, size: dict[str, int]) -> None:
    context = browser.new_context(viewport=size, locale="zh-CN", has_touch=size == PHONE)
    page = context.new_page()
    try:
        goto(page, f"{scored_url}/red_black?period=2024Q3&county={quote(COUNTY)}")
        main = main_area(page)
        expect(main.get_by_text("本季度评定：红榜 R1 红旗", exact=False)).to_be_visible()
        # 马蹄湾村 has no 2024Q3 score: last of 栗园乡, marked 未评分 in its reason.
        expect(main.get_by_text("未评分，考核评分按 0 分计", exact=False).first).to_be_attached()
        full_page_screenshot(page, SCREENSHOTS / f"red-black-quarter-{size['width']}.png")
        goto(page, f"{scored_url}/red_black?period=2024-09&county={quote(COUNTY)}")
        expect(main.get_by_text("不评：B1 黑旗（只在季度评定）", exact=False)).to_be_visible()
        expect(main.get_by_text("不评", exact=True).first).to_be_visible()  # the 黑旗 card
        full_page_screenshot(page, SCREENSHOTS / f"red-black-month-{size['width']}.png")
    finally:
        context.close()
