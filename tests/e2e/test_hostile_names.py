"""Hostile names from a ledger stay text on every page, at 1440 and 390 px (issue 14).

A second Streamlit server runs on a store built here (tests/factories.build_store, nothing
checked in) whose county, township, branches, secretary, task texts, uploader and file
names are the security probe's: HTML with and without spaces, an iframe srcdoc that
would retitle the page, a <style> that would blur it, a password form, Markdown bold,
image, link, KaTeX and Streamlit colour. The test picks the hostile county and township
in the sidebar, opens every page and checks that

- no element from user text exists (iframe srcdoc, form, password field, img/a pointing
  at the probe's address, a style that blurs, KaTeX, coloured or bold text from a name),
- no dialog fires, the document title is unchanged,
- no request leaves 127.0.0.1 (every request is routed and recorded; outside ones abort),
- the names are on the page as the characters typed.

Screenshots: test-artifacts/screenshots/hostile-<page>-<desktop|phone>.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import pytest
from playwright.sync_api import expect

from analytics import accounts, store
from analytics.audit import cli_actor
from analytics.settings import Settings
from tests.e2e.conftest import serve_app
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
    open_sidebar,
    pick_in_sidebar,
    sign_in,
    wait_for_app,
)
from tests.factories import build_store

pytestmark = pytest.mark.browser

OUTSIDE = "198.51.100.1"  # TEST-NET-2: never routed; a request to it is the failure
COUNTY = "<iframe srcdoc='<script>parent.document.title=\"PWNED\"</script>'>县"
TOWNSHIP = "<style>*{filter:blur(5px)}</style>镇"
BRANCHES = (
    "<img src=x onerror=alert(1)>村",
    "<img/src=x/onerror=alert(2)>村",
    "<form><input placeholder=请输入密码></form>村",
    "**粗体**村",
    "$$\\LaTeX$$村",
    ":red[红色]村",
    f"![img](http://{OUTSIDE}/x.png)村",
    f"[链接](http://{OUTSIDE})村",
    f"<a href=http://{OUTSIDE}>点</a>村",
    ":material/home:村",
)
SECRETARY = "<b onmouseover=alert(4)>书记</b>"
FILE_NAME = f"![台账](http://{OUTSIDE}/f.png)"
UPLOADER = "<img src=x onerror=alert(3)>"


def build_hostile_store(path: Path) -> Path:
    """Two months (2024-07, 2024-08): the hostile township's branches (stars 0..5, moving
    up or down a level so that both lists have entries) and a plain township of 乙县."""
    rows: list[dict[str, Any]] = []
    for month, shift in (("2024-07", 0), ("2024-08", 1)):
        for i, name in enumerate(BRANCHES):
            stars = (i + shift * (1 if i % 2 else -1)) % 6
            rows.append({"period": month, "county": COUNTY, "township": TOWNSHIP, "branch": name, "stars": stars,
                         "target_stars": 4, "tasks_done": i, "tasks_total": 10, "secretary": SECRETARY})
        for i in range(3):
            rows.append({"period": month, "county": "乙县", "township": "南镇", "branch": f"南{i}村", "stars": 3,
                         "target_stars": 4, "tasks_done": 5, "tasks_total": 10})
    tasks = [{"period": "2024-08", "county": COUNTY, "township": TOWNSHIP, "branch": BRANCHES[4], "star_slot": 1,
              "task": f"![任务](http://{OUTSIDE}/t.png)<b>任务</b>", "owner": SECRETARY, "deadline": "2024-08-10",
              "done": False}]
    build_store(path, rows, tasks)
    # The account the test signs in with carries a hostile display name too (shown in the sidebar).
    with store.open_store(path, settings=Settings({"lock_timeout_s": 5})) as scon:
        accounts.add_account(scon, HOSTILE_LOGIN, role="admin", name=ACCOUNT_NAME, by=cli_actor(),
                             password=HOSTILE_PASSWORD, must_change=False)
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE uploads SET file_name = ? || upload_id || '.xlsx', uploader = ?", [FILE_NAME, UPLOADER])
    finally:
        con.close()
    return path


HOSTILE_LOGIN = "hostile"
HOSTILE_PASSWORD = "hostile-pass-1"
ACCOUNT_NAME = "<img src=x onerror=alert(2)>**管理员**"


@pytest.fixture(scope="module")
def hostile_url(e2e_workdir: Path) -> Iterator[str]:
    db = build_hostile_store(e2e_workdir / "hostile.duckdb")
    with serve_app(db, e2e_workdir, "streamlit-hostile.log") as url:
        yield url


class Guard:
    """Records dialogs and requests to anywhere but the test server (and aborts those)."""

    def __init__(self, context: Any, page: Any) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        context.route("**/*", self._route)
        page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


# Elements that only markup from a name could have made (Streamlit's own never match).
INJECTED_JS = f"""() => {{
  const found = [];
  const add = (what, el) => found.push(what + ': ' + el.outerHTML.slice(0, 160));
  document.querySelectorAll('iframe').forEach(el => {{
    if (el.hasAttribute('srcdoc') || !(el.src || '').startsWith(location.origin)) add('iframe', el); }});
  // plotly turns <a href>, <b> in a label into SVG elements: none of ours has a link or bold text
  document.querySelectorAll('form, input[placeholder="请输入密码"], [onerror], [onmouseover], .katex, svg a')
    .forEach(el => add('element', el));
  document.querySelectorAll('img, a, link, source, video, audio, object, embed').forEach(el => {{
    const ref = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('data') || '';
    if (ref === 'x' || ref.includes('{OUTSIDE}')) add('reference', el); }});
  document.querySelectorAll('style').forEach(el => {{ if (el.textContent.includes('blur(')) add('style', el); }});
  document.querySelectorAll('strong, b, .stMarkdownColoredText').forEach(el => {{
    if (['粗体', '红色', '书记', '任务'].includes(el.textContent.trim())) add('markup', el); }});
  for (const el of [document.documentElement, document.body, document.querySelector('[data-testid="stMain"]')]) {{
    if (el && getComputedStyle(el).filter !== 'none') add('filter', el); }}
  return found;
}}"""

# Visible text of the page (plotly's SVG labels included), word joiners removed.
PAGE_TEXT_JS = """() => (document.body.innerText + ' ' + [...document.querySelectorAll('svg text')]
    .map(t => t.textContent).join(' ')).replaceAll('\\u2060', '')"""


def _goto_page(page: Any, title: str) -> None:
    open_sidebar(page)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.wait_for_function(
        """(t) => [...document.querySelectorAll('[data-testid="stMain"] h1')].some(h => h.innerText.includes(t))""",
        arg=title, timeout=APP_TIMEOUT_MS)
    wait_for_app(page)


# (navigation title, screenshot slug, texts that must be on the page as typed)
PAGES = (
    ("总览", "overview", (COUNTY, TOWNSHIP)),
    ("作战图", "battle_map", (COUNTY, TOWNSHIP, BRANCHES[4], SECRETARY)),  # the detail opens on BRANCHES[4]
    ("排名", "ranking", (COUNTY, TOWNSHIP)),
    ("红黑榜", "red_black", (COUNTY, TOWNSHIP)),
    ("季度对比", "compare", (COUNTY, TOWNSHIP)),
    ("简报", "briefing", (COUNTY, TOWNSHIP)),
    ("数据上传", "upload", (FILE_NAME,)),
)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_hostile_names_stay_text_on_every_page(browser: Any, hostile_url: str, size: str) -> None:
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    guard = Guard(context, page)
    try:
        goto(page, hostile_url, account=None)  # a store without demo data: the sign-in form
        sign_in(page, HOSTILE_LOGIN, HOSTILE_PASSWORD)
        assert ACCOUNT_NAME in page.evaluate(PAGE_TEXT_JS)  # the account's name, as text
        title = page.title()
        pick_in_sidebar(page, "县（市、区）", COUNTY)
        pick_in_sidebar(page, "乡镇（街道）", TOWNSHIP)
        for nav_title, slug, texts in PAGES:
            _goto_page(page, nav_title)
            try:
                assert_no_exception(page)
                expect(main_area(page).locator("h1").first).to_contain_text(nav_title)
                text = page.evaluate(PAGE_TEXT_JS)
                missing = [t for t in texts if t not in text]
                if size == "phone" and nav_title == "作战图":  # the phone grid lists every branch
                    missing += [b for b in BRANCHES if b not in text]
                if nav_title == "排名":  # the chart's labels are the names as typed
                    missing += [b for b in BRANCHES if b not in text]
                assert missing == [], f"{nav_title}: not shown as text: {missing}"
                assert page.evaluate(INJECTED_JS) == [], nav_title
                assert page.title() == title == "五星看板"  # the iframe's script would have set PWNED
                assert guard.dialogs == [] and guard.outside == [], (nav_title, guard.dialogs, guard.outside)
            except AssertionError:
                FAILURES.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(FAILURES / f"hostile-{slug}-{size}.png"))
                raise
            full_page_screenshot(page, SCREENSHOTS / f"hostile-{slug}-{size}.png")
        # The sidebar still holds the hostile county and township after visiting every page.
        open_sidebar(page)
        values = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').evaluate_all(
            "els => els.map(e => e.value)")
        assert COUNTY in values and TOWNSHIP in values
        assert guard.dialogs == [] and guard.outside == []
    finally:
        context.close()
