"""The phone layout (390 px) on the demo store: what a leader must see without sideways scrolling.

- 作战图: the compact grid, the first branch's five status cells inside the screen; the
  desktop table hidden (and at 1440 px the other way round).
- 红黑榜: every card shows its 上榜原因 inside the screen.
- 总览: no plotly toolbar over the chart titles; the trend's month labels do not overlap.
- The sidebar overlay closes after a pick.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DemoStore
from tests.e2e.helpers import APP_TIMEOUT_MS, DESKTOP, PHONE, goto, main_area, nav_links, pick_in_sidebar

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def phone(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    goto(page, app_url)
    page.urls = nav_links(page)  # type: ignore[attr-defined]
    yield page
    context.close()


def _inside_screen(page: Any, locator: Any) -> None:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (box, width)


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]');
        return [document.documentElement.scrollWidth, m.scrollWidth, window.innerWidth]; }""")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths


def test_battle_map_grid_shows_the_five_status_cells(phone: Any) -> None:
    goto(phone, phone.urls["作战图"])
    grid = main_area(phone).locator('[data-testid="fsBattleGrid"]')
    expect(grid).to_be_visible()
    expect(main_area(phone).locator(".st-key-desk_bm_table")).to_be_hidden()
    first = grid.locator("tbody tr").first
    cells = first.locator("td.s")
    assert cells.count() == 5
    for i in range(5):
        expect(cells.nth(i)).to_be_visible()
        _inside_screen(phone, cells.nth(i))
    _inside_screen(phone, first.locator("td.n"))
    _inside_screen(phone, first.locator("td.l"))
    # the first row is the demo's first branch in grid order, with its level and target
    assert first.locator("td.l").inner_text().strip()[:2] in ("五星", "四星", "三星", "二星", "一星", "无星")
    assert grid.locator("tbody tr").count() >= 10
    _no_sideways_scroll(phone)


def test_battle_map_desktop_shows_the_table_not_the_grid(browser: Any, app_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(APP_TIMEOUT_MS)
        goto(page, app_url)
        goto(page, nav_links(page)["作战图"])
        expect(main_area(page).locator(".st-key-desk_bm_table [data-testid='stDataFrame']")).to_be_visible()
        expect(main_area(page).locator('[data-testid="fsBattleGrid"]')).to_be_hidden()
    finally:
        context.close()


def test_red_black_cards_show_reasons(phone: Any) -> None:
    goto(phone, phone.urls["红黑榜"])
    cards = main_area(phone).locator('[data-testid="fsFlagCards"] .fs-card')
    expect(cards.first).to_be_visible()
    assert cards.count() >= 5
    for i in range(min(cards.count(), 5)):
        reason = cards.nth(i).locator(".r")
        expect(reason).to_be_visible()
        assert "排名" in reason.inner_text() or "星" in reason.inner_text()
        _inside_screen(phone, reason)
    expect(main_area(phone).locator(".st-key-desk_rb_red")).to_be_hidden()
    _no_sideways_scroll(phone)


def test_charts_keep_their_titles_and_month_labels_apart(phone: Any) -> None:
    goto(phone, phone.urls["总览"])
    charts = main_area(phone).locator('[data-testid="stPlotlyChart"]').filter(visible=True)
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.hover()  # a hover shows plotly's toolbar on a desktop
        title = chart.locator(".gtitle")
        expect(title).to_be_visible()
        _inside_screen(phone, title)
        modebar = chart.locator(".modebar-container")
        if modebar.count():
            expect(modebar).to_be_hidden()
    # one chart for both widths (months); by week a phone-only twin (.st-key-phone_overview_trend)
    trend = main_area(phone).locator(".st-key-overview_trend [data-testid='stPlotlyChart'], "
                                     ".st-key-overview_trend_phone [data-testid='stPlotlyChart']").filter(visible=True)
    expect(trend).to_be_visible()
    boxes = [b for b in (t.bounding_box() for t in trend.locator(".xtick text").all()) if b and b["width"] > 0]
    assert len(boxes) >= 2
    boxes.sort(key=lambda b: b["x"])
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"], (left, right)


def test_sidebar_closes_after_a_pick(phone: Any, demo_store: DemoStore) -> None:
    goto(phone, phone.urls["总览"])
    county = demo_store.counties[0]
    pick_in_sidebar(phone, "县（市、区）", county)  # waits until the sidebar is off the screen
    box = phone.locator('[data-testid="stSidebar"]').bounding_box()
    assert box is None or box["x"] + box["width"] <= 1
    # the pick took effect: the page caption names the county
    expect(main_area(phone).get_by_text(f"范围：{county}", exact=False).first).to_be_visible()


def test_briefing_lists_show_reasons(phone: Any) -> None:
    goto(phone, phone.urls["简报"])
    reasons = main_area(phone).locator("table.bt.list td.wrap")
    expect(reasons.first).to_be_visible()
    assert reasons.count() >= 5
    for i in range(3):
        _inside_screen(phone, reasons.nth(i))
        assert "排名" in reasons.nth(i).inner_text() or "星" in reasons.nth(i).inner_text()
