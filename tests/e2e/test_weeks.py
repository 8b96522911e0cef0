"""Browser: a week in the demo store (cadence.md §1: 青石镇 reports weekly in 2024Q3).

The sidebar offers 按周; a link with ?period=2024-W35 opens 红黑榜 and 排名 at that week, the
page says so, and the screenshots at desktop and phone width hold the week's lists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, SCREENSHOTS, assert_no_exception, full_page_screenshot, goto, main_area

QUERY = f"period=2024-W35&township={quote('青石镇')}"
SHOWN = "2024年第35周（8.26–9.1）"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", ["red_black", "ranking", "overview"])
def test_a_week_opens_from_a_link_and_is_named_on_the_page(browser: Any, app_url: str, size: dict[str, int],
                                                            path: str) -> None:
    context = browser.new_context(viewport=size, locale="zh-CN", has_touch=size == PHONE)
    page = context.new_page()
    try:
        goto(page, f"{app_url}/{'' if path == 'overview' else path}?{QUERY}")
        assert_no_exception(page)
        main = main_area(page)
        main.get_by_text(SHOWN).first.wait_for()
        assert "period=2024-W35" in page.url
        if path == "red_black":
            assert main.get_by_text("本周").count() > 0  # the reasons name the week (本周青石镇排名第一 …)
        if path == "overview":  # the trend is drawn by week, up to the week shown
            page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMain"] .gtitle')]
                                        .some(t => t.textContent.includes('每周趋势'))""")
        full_page_screenshot(page, SCREENSHOTS / f"week-{path}-{size['width']}.png")
    finally:
        context.close()
