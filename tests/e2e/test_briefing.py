"""The 简报 page's offline HTML download: self-contained, Chinese, and it renders without a network."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    APP_TIMEOUT_MS,
    DESKTOP,
    DOWNLOADS,
    SCREENSHOTS,
    assert_no_exception,
    goto,
    main_area,
    nav_links,
)

pytestmark = pytest.mark.browser

# Attributes through which a browser would fetch something when the page opens.
_FETCHING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
             ("embed", "src"), ("object", "data"), ("video", "src"), ("audio", "src")}


class _References(HTMLParser):
    """Collects every fetching reference and the text of <h1>/<title>."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.scripts_inline = 0
        self.h1: list[str] = []
        self.meta_charset: str | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in _FETCHING and value:
                self.fetches.append(f"<{tag} {name}={value!r}>")
            if tag == "meta" and name == "charset":
                self.meta_charset = (value or "").lower()
        if tag == "script" and not dict(attrs).get("src"):
            self.scripts_inline += 1
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data


def _download_briefing(page: Any, app_url: str) -> tuple[Path, str, str]:
    """Open 简报, download the HTML; return (saved path, suggested name, the page's headline)."""
    goto(page, app_url)
    goto(page, nav_links(page)["简报"])
    assert_no_exception(page)
    main = main_area(page)
    headline = main.locator("h1").filter(has_text="简报").first
    expect(headline).to_be_visible()
    button = main.get_by_role("button", name="下载离线简报（HTML）")
    with page.expect_download(timeout=APP_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    assert download.failure() is None, download.failure()
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    saved = DOWNLOADS / "briefing.html"
    download.save_as(saved)
    return saved, download.suggested_filename, headline.inner_text().strip()


def test_briefing_html_is_self_contained_and_chinese(page: Any, app_url: str) -> None:
    saved, name, page_headline = _download_briefing(page, app_url)
    assert name.endswith(".html") and "简报" in name, name
    html = saved.read_text(encoding="utf-8")

    refs = _References()
    refs.feed(html)
    # Nothing is fetched when the file opens: no <script src>, <link href>, <img src> …
    assert refs.fetches == [], f"the briefing references external files: {refs.fetches}"
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html), "CSS pulls in a remote resource"
    # plotly.js itself is embedded (a multi-megabyte inline script), not linked to a CDN.
    assert re.search(r"/\*\*?\s*\*?\s*plotly\.js v\d+\.\d+", html), "plotly.js bundle not embedded"
    assert "Plotly.newPlot" in html, "no chart is drawn"
    assert "cdn.plot.ly" not in re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert refs.scripts_inline >= 2  # the bundle + at least one chart
    assert len(html.encode("utf-8")) > 1_000_000
    assert refs.meta_charset == "utf-8"
    # The same Chinese headline as the page, and the key figures' labels.
    assert refs.h1 and refs.h1[0].strip() == page_headline
    assert "“五星”支部创建工作简报" in refs.h1[0]
    for label in ("支部总数", "三星及以上", "平均综合得分", "红榜", "黑榜", "数据来源"):
        assert label in html, f"{label} missing from the briefing"


def test_briefing_html_renders_offline(browser: Any, app_url: str, page: Any) -> None:
    """Open the downloaded file with every network request blocked: the charts still draw."""
    saved, _, _ = _download_briefing(page, app_url)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    blocked: list[str] = []

    def block(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(https?|wss?)://"), block)
    offline = context.new_page()
    errors: list[str] = []
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        offline.goto(saved.resolve().as_uri(), wait_until="load")
        expect(offline.locator("h1")).to_contain_text("简报")
        charts = offline.locator(".js-plotly-plot")
        expect(charts.first.locator("svg.main-svg").first).to_be_attached(timeout=APP_TIMEOUT_MS)
        # a bar was drawn (plotly renders bars as path.point elements)
        expect(charts.first.locator(".point path, path.point, .bars path").first).to_be_attached()
        # Each chart fits the place the page gives it (none spills over its neighbour).
        sizes = offline.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => [
                Math.round(p.querySelector('svg.main-svg').getBoundingClientRect().width),
                Math.round(p.getBoundingClientRect().width)])"""
        )
        assert len(sizes) >= 1
        too_wide = [(i, svg, box) for i, (svg, box) in enumerate(sizes) if svg > box + 1]
        # (checked before the screenshot: a full-page shot resizes the window, and plotly redraws on resize)
        offline.screenshot(path=str(SCREENSHOTS / "briefing-offline-html.png"), full_page=True)
        assert too_wide == [], f"charts drawn wider than their box (chart, svg px, box px): {too_wide}"
    finally:
        context.close()
    assert blocked == [], f"the offline briefing tried to load: {blocked}"
    assert errors == [], f"JavaScript errors in the offline briefing: {errors}"


def test_briefing_workbook_holds_the_complete_lists(page: Any, app_url: str) -> None:
    """The page shows the ranking's ends and the lists' first entries; the workbook (computed on
    click, outside the script run) holds every branch and every list entry."""
    import openpyxl

    goto(page, app_url)
    goto(page, nav_links(page)["简报"])
    assert_no_exception(page)
    main = main_area(page)
    expect(main.locator("h1").filter(has_text="简报").first).to_be_visible()
    text = main.inner_text()
    branches = int(re.search(r"共有 (\d+) 个村（社区）党支部", text).group(1))
    red_total, black_total = (int(n) for n in re.findall(r"共 (\d+) 条", text)[:2])
    assert re.search(rf"本期红榜 {red_total} 条、黑榜 {black_total} 条", text)
    with page.expect_download(timeout=APP_TIMEOUT_MS) as info:
        main.get_by_role("button", name="下载简报表格（Excel）").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".xlsx")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    saved = DOWNLOADS / "briefing.xlsx"
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames == ["简报要点", "创建目标", "排名", "红榜", "黑榜"]

    def data_rows(name: str) -> list[tuple[Any, ...]]:
        rows = list(workbook[name].iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r and r[0] in ("名次", "旗"))
        return [r for r in rows[header + 1:] if any(v is not None for v in r)]

    ranking = data_rows("排名")
    assert len(ranking) == branches > 15  # more than the page's 10 + 5 rows
    assert ranking[0][0] == 1 and ranking[-1][0] == max(r[0] for r in ranking)
    assert len(data_rows("红榜")) == red_total
    assert len(data_rows("黑榜")) == black_total
