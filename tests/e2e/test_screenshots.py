"""Browser: screenshots a leader pastes unchanged (demo store, 2024年第3季度 · 望川区).

- every chart title names the period and the scope, and Plotly's modebar (shown on
  hover or tap) does not cover it, at desktop and phone width;
- a full-page screenshot of 作战图 holds every branch of the county (no 10-row box);
- the 简报's presentation view shows nothing but the briefing and prints whole.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DemoStore
from tests.e2e.helpers import (
    APP_TIMEOUT_MS,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    dataframe_records,
    full_page_screenshot,
    goto,
    main_area,
)

COUNTY = "望川区"
QUERY = f"period=2024Q3&county={quote(COUNTY)}"
PERIOD_SHOWN = "2024年第3季度"

# The script has finished (no chart still to come) and every chart it sent is drawn.
DRAWN_JS = """() => { const c = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')];
    const idle = !!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]');
    return idle && c.length > 0 && c.every(e => { const p = e.querySelector('.js-plotly-plot');
                                          return !!(p && p._fullLayout && p.querySelector('svg.main-svg')); }); }"""


# At least n drawn charts with a box on screen (the other width's twins have none).
VISIBLE_CHARTS_JS = """(n) => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"] .js-plotly-plot')]
    .filter(p => p._fullLayout && p.getClientRects().length > 0 && p.getBoundingClientRect().height > 0).length >= n"""


def wait_for_charts(page: Any) -> None:
    page.wait_for_function(DRAWN_JS)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_chart_titles_name_period_and_scope_clear_of_the_modebar(browser: Any, app_url: str,
                                                                   size: dict[str, int]) -> None:
    context = browser.new_context(viewport=size, locale="zh-CN", has_touch=size == PHONE)
    page = context.new_page()
    try:
        goto(page, f"{app_url}/?{QUERY}")
        wait_for_charts(page)
        # Charts of the other screen width (desk_…/phone_… containers) are in the page but hidden.
        # 总览 has at least four charts of this width; wait until they are laid out (a chart drawn
        # into a container that is still being sized has no box yet and is not "visible").
        page.wait_for_function(VISIBLE_CHARTS_JS, arg=4, timeout=30_000)
        charts = main_area(page).locator('[data-testid="stPlotlyChart"] .js-plotly-plot:visible')
        assert charts.count() >= 4
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            title = chart.locator(".gtitle")
            text = title.text_content() or ""
            assert PERIOD_SHOWN in text and COUNTY in text, text
            chart.hover()  # shows the modebar on a desktop
            bar = chart.locator(".modebar")
            if size == PHONE:  # phones have no modebar at all: nothing can cover the title
                expect(bar).to_be_hidden()
            else:
                expect(bar).to_be_visible()
                t, m = title.bounding_box(), bar.bounding_box()
                assert t and m
                overlaps = not (m["y"] + m["height"] <= t["y"] or t["x"] + t["width"] <= m["x"])
                assert not overlaps, (text, t, m)
            t = title.bounding_box()
            assert t
            # the title fits the chart's width (two short lines, not one cut-off line)
            box = chart.bounding_box()
            assert box and t["x"] + t["width"] <= box["x"] + box["width"], (text, t, box)
        full_page_screenshot(page, SCREENSHOTS / f"chart-titles-{size['width']}.png")
    finally:
        context.close()


def test_battle_map_screenshot_holds_every_branch_of_the_county(page: Any, app_url: str,
                                                                 demo_store: DemoStore) -> None:
    con = duckdb.connect(str(demo_store.path), read_only=True)
    try:
        row = con.execute(
            "SELECT count(DISTINCT (township, branch)) FROM v_branch_month"
            " WHERE county = ? AND period BETWEEN DATE '2024-07-01' AND DATE '2024-09-01'", [COUNTY]).fetchone()
    finally:
        con.close()
    n_branches = int(row[0]) if row else 0
    assert n_branches > 20  # more than a 10-row box would show
    goto(page, f"{app_url}/battle_map?{QUERY}")
    grid = main_area(page).locator('[data-testid="stDataFrame"]').first
    # the grid's accessible mirror renders the rows in view: all of them when the box fits them
    records = dataframe_records(grid)
    assert len(records) == n_branches
    box = grid.bounding_box()
    assert box and box["height"] >= 35 * (n_branches + 1)
    full_page_screenshot(page, SCREENSHOTS / "battle-map-county-1440.png")


def _pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF Chromium wrote (its page tree's /Count)."""
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    assert counts, "no page tree in the PDF"
    return max(counts)


def test_briefing_presentation_view_prints_on_one_page_from_a_phone_too(browser: Any, app_url: str) -> None:
    """Printed from a phone the briefing is still one A4 page, its cards and tables side by side
    as on a desktop (the screen stacks them; components.PRESENT_FIT_JS measures the paper layout)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    try:
        goto(page, f"{app_url}/briefing?{QUERY}&view=present")
        wait_for_charts(page)
        full_page_screenshot(page, SCREENSHOTS / "briefing-present-390.png")
        assert _pdf_pages(page.pdf(format="A4", print_background=True)) == 1
        # the cards keep their order two a row: 支部总数 and 三星及以上 share the first row
        boxes = [main_area(page).locator('[data-testid="stMetric"]').nth(i).bounding_box() for i in range(3)]
        assert boxes[0] and boxes[1] and boxes[2]
        assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"], boxes
    finally:
        context.close()


def test_briefing_presentation_view_is_the_briefing_alone_and_prints_whole(page: Any, app_url: str) -> None:
    goto(page, f"{app_url}/briefing?{QUERY}&view=present")
    wait_for_charts(page)
    main = main_area(page)
    expect(main.locator("h1")).to_contain_text("望川区“五星”支部创建工作简报")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stHeader"]')).to_be_hidden()
    assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    assert page.locator('[data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"]').count() == 0
    assert main.get_by_text("当前为示例数据").count() == 0  # no banner above the title
    expect(main.get_by_text(re.compile(r"生成于.*示例数据"))).to_be_visible()  # the briefing's own marker
    expect(main.get_by_text("本简报由示例（演示）数据生成", exact=False)).to_be_visible()
    # every table whole: no scroll boxes, and the exit button shows only under the pointer
    assert main.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator(".st-key-present_exit").evaluate("e => getComputedStyle(e).opacity") == "0"
    full_page_screenshot(page, SCREENSHOTS / "briefing-present-1440.png")

    assert _pdf_pages(page.pdf(format="A4", print_background=True)) == 1  # the whole briefing on one A4 page
    page.emulate_media(media="print")
    try:
        flow = page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const last = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')].pop();
            const boxes = [];  // ancestors of the briefing that would clip it to one screenful
            for (let e = main; e; e = e.parentElement) {
                const cs = getComputedStyle(e);
                if (/(auto|scroll|hidden)/.test(cs.overflowY) || /^(fixed|absolute)$/.test(cs.position)) {
                    boxes.push(e.getAttribute('data-testid') || e.tagName); }
            }
            return {clipped: boxes,
                    exit: getComputedStyle(document.querySelector('.st-key-present_exit')).display,
                    last_bottom: last.getBoundingClientRect().bottom + window.scrollY,
                    doc: document.documentElement.scrollHeight};
        }""")
    finally:
        page.emulate_media(media="screen")
    assert flow["clipped"] == [], flow  # one flowing document, not a scroll box printing one screenful
    assert flow["exit"] == "none" and flow["last_bottom"] <= flow["doc"] + 1, flow
