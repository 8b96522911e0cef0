"""Every page opens in a real browser, at desktop and phone size, without an exception.

Each page must show its Chinese title and the content that proves its main
call worked (KPI labels, list headings, charts); a full-page screenshot of each
goes to test-artifacts/screenshots/<page>-desktop.png and <page>-phone.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    APP_TIMEOUT_MS,
    DESKTOP,
    FAILURES,
    PHONE,
    SCREENSHOTS,
    assert_no_exception,
    full_page_screenshot,
    goto,
    main_area,
    nav_links,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class PageSpec:
    title: str  # the navigation label and the page's <h1>
    slug: str  # screenshot file stem
    texts: tuple[str, ...]  # visible text that only appears once the page's data rendered
    charts: int = 0  # at least this many plotly charts
    tables: int = 0  # at least this many st.dataframe grids


PAGES = (
    PageSpec("总览", "overview", ("支部总数", "三星及以上", "平均综合得分", "星级分布", "数据截至"), charts=4),
    PageSpec("作战图", "battle_map", ("查找村（社区）", "支部详情", "下载作战图（Excel）"), charts=1, tables=1),
    PageSpec("排名", "ranking", ("排名对象", "按综合得分从高到低排名"), charts=1, tables=1),
    PageSpec("红黑榜", "red_black", ("按原因筛选", "红旗", "黑旗", "下载红黑榜（Excel）"), tables=1),
    PageSpec("季度对比", "compare", ("两期都有的支部", "晋星", "降星", "新增 / 缺报"), charts=2),
    PageSpec("简报", "briefing", ("下载离线简报（HTML）", "下载简报表格（Excel）", "数据来源"), charts=1),
    PageSpec("报送情况", "submissions", ("已报送", "未报送", "催报提醒", "下载报送情况（Excel）"), tables=1),
    PageSpec("数据上传", "upload", ("上传台账", "上传历史", "回滚一次上传"), tables=1),
    PageSpec("报送审核", "review", ("待审核", "报送记录"), tables=1),
    PageSpec("操作记录", "audit_log", ("时间范围", "下载操作记录（Excel）"), tables=1),
    PageSpec("账号管理", "accounts", ("新建账号", "停用账号 / 重置密码", "示例数据"), tables=1),
)


def _open_context(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    return context


@pytest.fixture(scope="module")
def desktop(browser: Any, app_url: str) -> Iterator[Any]:
    context = _open_context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def phone(browser: Any, app_url: str) -> Iterator[Any]:
    context = _open_context(browser, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def page_urls(desktop: Any, app_url: str) -> dict[str, str]:
    goto(desktop, app_url)
    return nav_links(desktop)


def test_navigation_lists_every_page_in_chinese(page_urls: dict[str, str]) -> None:
    assert sorted(page_urls) == sorted(p.title for p in PAGES)


def _check_page(pg: Any, spec: PageSpec) -> None:
    main = main_area(pg)
    expect(main.locator("h1").first).to_contain_text(spec.title)
    for text in spec.texts:
        expect(main.get_by_text(text, exact=False).filter(visible=True).first).to_be_visible()
    if spec.charts:
        charts = main.locator('[data-testid="stPlotlyChart"]')
        expect(charts.nth(spec.charts - 1)).to_be_attached()
        # plotly drew something: an SVG with at least one trace group
        expect(charts.first.locator("svg.main-svg").first).to_be_attached()
    if spec.tables:
        expect(main.locator('[data-testid="stDataFrame"]').nth(spec.tables - 1)).to_be_attached()
    assert_no_exception(pg)


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_page_renders_at_desktop_and_phone_size(spec: PageSpec, page_urls: dict[str, str], desktop: Any,
                                                phone: Any) -> None:
    url = page_urls[spec.title]
    for pg, size in ((desktop, "desktop"), (phone, "phone")):
        goto(pg, url)
        try:
            _check_page(pg, spec)
        except AssertionError:
            FAILURES.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(FAILURES / f"{spec.slug}-{size}.png"))
            raise
        full_page_screenshot(pg, SCREENSHOTS / f"{spec.slug}-{size}.png")
