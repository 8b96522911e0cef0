"""报送情况 in a real browser at 1440 and 390 px on the demo store: counts, the table (cards on a
phone), the reminder with its copy button; full-page screenshots of both."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    APP_TIMEOUT_MS,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    assert_no_exception,
    full_page_screenshot,
    goto,
    main_area,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_submission_status_page(browser: Any, app_url: str, size: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    try:
        # August of the demo: 栗园乡 sent nothing (the latest month, December, has late ones only).
        goto(page, f"{app_url}/submissions?period=2024-08")
        main = main_area(page)
        expect(main.locator("h1").first).to_contain_text("报送情况")
        expect(main.get_by_text("报送截止", exact=False).first).to_be_visible()
        for label in ("已报送", "逾期报送", "待审核", "已退回", "未报送"):
            expect(main.locator('[data-testid="stMetricLabel"]').filter(has_text=label).first).to_be_visible()
        # 栗园乡 sent nothing in August, 槐树岭乡 (东篱县's register) never does: the reminder names both.
        code = main.locator('[data-testid="stCode"]')
        expect(code).to_contain_text("尚未报送：")
        expect(code).to_contain_text("栗园乡")
        expect(code).to_contain_text("槐树岭乡")
        table = main.locator('[data-testid="stDataFrame"]')
        cards = main.locator('[data-testid="fsSubmissionCards"]')
        if size == "desktop":
            expect(table.first).to_be_visible()
            expect(cards).to_be_hidden()
        else:
            expect(cards).to_be_visible()
            expect(table.first).to_be_hidden()
            # Owing townships first: 槐树岭乡 and 栗园乡 (by county), each on a card.
            expect(cards.locator(".fs-card").nth(0)).to_contain_text("槐树岭乡")
            expect(cards.locator(".fs-card").nth(1)).to_contain_text("栗园乡")
            # Nothing wider than the phone: no sideways scrolling of the page.
            width = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
            assert width <= viewport["width"], width
        assert_no_exception(page)
        full_page_screenshot(page, SCREENSHOTS / f"submissions-status-{size}.png")
    finally:
        context.close()
