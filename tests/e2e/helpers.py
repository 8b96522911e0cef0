"""Helpers for the browser tests: wait on Streamlit, navigate, build a tiny ledger.

Waiting uses Streamlit's own state attributes on the app root
(``data-test-connection-state`` / ``data-test-script-state``) and the status
widget, never fixed sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOWNLOADS = ARTIFACTS / "downloads"
FAILURES = ARTIFACTS / "failures"  # what the browser showed when a test failed
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Streamlit reruns the whole page script on every interaction; on two shared
# cores a cold first run (imports, DuckDB queries, plotly) can take a while.
APP_TIMEOUT_MS = 60_000
EXPECT_TIMEOUT_MS = 20_000
APP_IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'


def wait_for_app(page: Any, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected, its script run has finished and nothing says 'Running'."""
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const w = document.querySelector('[data-testid="stStatusWidget"]');
            return !w || !/Running|运行/.test(w.innerText || '');
        }""",
        timeout=timeout_ms,
    )
    # Elements of the previous run fade out while stale; wait until none is left.
    page.wait_for_function(
        """() => !document.querySelector('[data-stale="true"]')""",
        timeout=timeout_ms,
    )


FIRST_SCREEN_JS = """() => !!(document.querySelector('input[aria-label="登录名"]')
    || document.querySelector('[data-testid="stSidebarNav"]') || document.querySelector('[data-testid="stCode"]'))"""

# The demo account a new browser session signs in as (the demo store's one-click accounts).
DEMO_ADMIN = "系统管理员（示例）（系统管理员）"


def sign_in_demo(page: Any, account: str = DEMO_ADMIN) -> None:
    """On the sign-in page, sign in with one of the demo store's one-click accounts."""
    page.get_by_role("button", name=account).click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', state="attached", timeout=APP_TIMEOUT_MS)
    wait_for_app(page)


def sign_in(page: Any, login: str, password: str) -> None:
    """Sign in on the sign-in page with a login name and password."""
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', state="attached", timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)


def goto(page: Any, url: str, *, account: str | None = DEMO_ADMIN) -> None:
    """Open ``url`` (a new Streamlit session) and wait for its first run; fail fast on an exception.

    A new session starts at the sign-in page (access.md §2): with ``account`` it signs in with
    that demo account and ends on the page ``url`` names; with None it stays there."""
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)
    # The first screen is drawn a moment after the run is reported done: wait for the sign-in form,
    # the app's page list, or the first-run notice (a store without accounts) before looking.
    page.wait_for_function(FIRST_SCREEN_JS, timeout=APP_TIMEOUT_MS)
    if account is not None and page.locator('input[aria-label="登录名"]').count():
        sign_in_demo(page, account)
    assert_no_exception(page)


def await_run(page: Any, result: Any, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """After an action that reruns the script: wait until ``result`` shows (or an exception does),
    the run has finished, and no exception is on the page."""
    from playwright.sync_api import expect

    expect(result.or_(page.locator('[data-testid="stException"]')).first).to_be_visible(timeout=timeout_ms)
    wait_for_app(page, timeout_ms)
    assert_no_exception(page)
    expect(result.first).to_be_visible()


def main_area(page: Any) -> Any:
    return page.locator('[data-testid="stMain"]')


def ledger_uploader(page: Any) -> Any:
    """The file input of 数据上传's ledger uploader (the page's first; the 支部名册 section has its own below)."""
    return page.locator('[data-testid="stFileUploader"] input[type="file"]').first


def assert_no_exception(page: Any) -> None:
    """No Streamlit exception block and no st.error alert on the page."""
    for testid, what in (("stException", "an exception"), ("stAlertContentError", "an error message")):
        blocks = page.locator(f'[data-testid="{testid}"]')
        if blocks.count():
            texts = "\n---\n".join(blocks.all_inner_texts())
            raise AssertionError(f"Streamlit shows {what} on {page.url}:\n{texts}")


def full_page_screenshot(page: Any, path: Path, max_height: int = 12_000) -> None:
    """Screenshot of the whole page.

    Streamlit scrolls inside ``<main data-testid="stMain">``, not the document,
    so Playwright's ``full_page`` would stop at the viewport: grow the viewport
    to the content height for the shot, then restore it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = size["height"]
    for _ in range(3):  # the layout may grow once more after the resize (charts re-measure)
        content = int(page.evaluate(
            """() => {
                const m = document.querySelector('[data-testid="stMain"]');
                return Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight);
            }"""
        ))
        target = min(max(content, size["height"]), max_height)
        if target == height:
            break
        height = target
        page.set_viewport_size({"width": size["width"], "height": height})
        wait_for_app(page)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


_RECORDS_JS = """(el) => {
    const headers = {};
    el.querySelectorAll('[role="columnheader"]').forEach(
        h => { headers[h.getAttribute('aria-colindex')] = (h.textContent || '').trim(); });
    const out = [];
    el.querySelectorAll('[role="row"]').forEach(r => {
        const cells = r.querySelectorAll('[role="gridcell"]');
        if (!cells.length) return;
        const rec = {};
        cells.forEach(c => {
            const k = c.getAttribute('aria-colindex');
            rec[k in headers ? headers[k] : String(k)] = (c.textContent || '').trim();
        });
        out.push(rec);
    });
    return out;
}"""


def dataframe_records(frame: Any) -> list[dict[str, str]]:
    """Rows of an ``st.dataframe`` as {column header: cell text}.

    The grid is drawn on a canvas; its ARIA mirror holds the rendered cells
    (virtualised: the first screenful of rows, and only the columns in view).
    Cells are matched to headers by ``aria-colindex``. The mirror is read in one
    step in the page: the grid may redraw it between element-by-element reads.
    """
    frame.locator('[role="gridcell"]').first.wait_for(state="attached")
    return list(frame.first.evaluate(_RECORDS_JS))


def nav_links(page: Any) -> dict[str, str]:
    """Navigation entries of st.navigation: visible Chinese label -> absolute URL.

    Material icons render as ligature text ("dashboard"), so ASCII is dropped
    from the label.
    """
    links: dict[str, str] = {}
    anchors = page.locator('[data-testid="stSidebarNav"] a, [data-testid="stTopNav"] a')
    anchors.first.wait_for(state="attached")
    for a in anchors.all():
        label = re.sub(r"[\sA-Za-z_]+", "", a.inner_text())
        href = a.get_attribute("href")
        if label and href:
            links[label] = href
    return links


def navigate(page: Any, title: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Click a navigation entry (same Streamlit session) and wait for that page's <h1>.

    Stops waiting as soon as an exception block shows, and fails with its text.
    """
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.wait_for_function(
        """(title) => !!document.querySelector('[data-testid="stException"]')
            || [...document.querySelectorAll('[data-testid="stMain"] h1')].some(h => h.innerText.includes(title))""",
        arg=title,
        timeout=timeout_ms,
    )
    wait_for_app(page)
    assert_no_exception(page)


def metric_value(page: Any, label: str) -> str:
    """The value of the st.metric labelled exactly ``label``."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    metric.first.wait_for()
    assert metric.count() == 1, f"{metric.count()} metrics labelled {label!r} on {page.url}"
    return str(metric.first.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def open_sidebar(page: Any) -> None:
    """Open the sidebar (on a phone it starts collapsed) and wait until it is in place."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    if box is None or box["x"] + box["width"] <= 1:
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function("""() => {
            const r = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
            return r.x >= 0 && r.width > 100; }""")


def pick_in_sidebar(page: Any, label: str, option: str) -> None:
    """Choose ``option`` (its exact text) in the sidebar selectbox labelled ``label``; on a
    phone, wait until the sidebar has closed again (components.SIDEBAR_AUTO_CLOSE_JS)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    open_sidebar(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):  # a click during the sidebar's slide-in may miss the box: try again
        box.locator("input").scroll_into_view_if_needed()
        box.locator("input").click()
        try:
            choice.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.click()
    wait_for_app(page)
    if page.viewport_size["width"] < 640:  # on a phone the sidebar closes after the pick
        page.wait_for_function(SIDEBAR_CLOSED_JS)


SIDEBAR_CLOSED_JS = """() => document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect().right <= 1"""


# --- a tiny ledger for the upload test ------------------------------------------

LEDGER_HEADER = (
    "县(市、区)", "乡镇(街道)", "村(社区)", "创建目标",
    "支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星",
    "已完成任务数", "任务总数", "报送月份",
)


def write_ledger(path: Path, title: str, rows: Sequence[Sequence[object]]) -> Path:
    """A one-sheet 星级台账 .xlsx: a title row, the header, then ``rows``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "星级台账"
    ws.append([title])
    ws.append(list(LEDGER_HEADER))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
