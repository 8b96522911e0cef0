"""Issue 13 item 6: no English where a user looks — Plotly's toolbar tooltips, Streamlit's ⋮ menu,
"Select all" in multiselects, the uploader's refusal of a wrong file type."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import await_run, goto, ledger_uploader, main_area, nav_links, navigate, wait_for_app

pytestmark = pytest.mark.browser

ENGLISH = (
    "Download plot", "Zoom", "Pan", "Reset axes", "Autoscale", "Box Select", "Lasso Select",
    "Rerun", "Clear cache", "Record a screencast", "Settings", "Print", "Select all", "Deploy",
)
CJK = re.compile("[\u4e00-\u9fff]")


def test_plotly_toolbar_tooltips_are_chinese(page: Any, app_url: str) -> None:
    goto(page, app_url)
    chart = main_area(page).locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    buttons = chart.locator(".modebar-btn")
    expect(buttons.first).to_be_attached()
    # The tooltip is the button's ::after content (plotly draws it from data-title).
    titles = [buttons.nth(i).evaluate("b => getComputedStyle(b, '::after').content.replace(/^\"|\"$/g, '')")
              for i in range(buttons.count())]
    assert titles, "no modebar buttons"
    for title in titles:
        assert CJK.search(title), f"modebar tooltip not in Chinese: {title!r} (all: {titles})"
        assert not any(word in title for word in ENGLISH), title
    assert "下载图片（PNG）" in titles and "全屏" in titles


def test_no_streamlit_main_menu_in_english(page: Any, app_url: str) -> None:
    goto(page, app_url)
    assert page.locator('[data-testid="stMainMenu"]').count() == 0
    header = page.locator('[data-testid="stHeader"]').inner_text()
    assert not any(word in header for word in ENGLISH), header


def test_multiselect_offers_no_select_all(page: Any, app_url: str) -> None:
    goto(page, app_url)
    navigate(page, "红黑榜")
    box = main_area(page).locator('[data-testid="stMultiSelect"]').first
    box.click()
    options = page.locator('[role="option"]')
    expect(options.first).to_be_visible()
    texts = options.all_inner_texts()
    assert any("晋星" in t for t in texts), texts
    assert not any("Select" in t for t in texts), texts
    page.keyboard.press("Escape")


def test_wrong_file_type_is_refused_in_chinese(page: Any, app_url: str, tmp_path: Path) -> None:
    goto(page, app_url)
    nav_links(page)
    navigate(page, "数据上传")
    doc = tmp_path / "工作总结.docx"
    doc.write_bytes(b"PK\x03\x04 not really a word document")
    ledger_uploader(page).set_input_files(str(doc))
    main = main_area(page)
    await_run(page, main.get_by_text("工作总结.docx — 未通过检查"))
    wait_for_app(page)
    expect(main.get_by_text("只接受 Excel 工作簿（.xlsx、.xlsm、.xls）和 CSV 文件（.csv）").first).to_be_attached()
    # the widget took the file: no red icon with an English "… files are not allowed" tooltip
    assert "not allowed" not in page.content()


def test_no_english_ui_words_on_any_page(page: Any, app_url: str) -> None:
    goto(page, app_url)
    words = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
    for title, url in nav_links(page).items():
        goto(page, url)
        text = page.locator("body").inner_text()
        assert not words.search(text), f"{title}: {words.findall(text)}"


TOOLBAR_ENGLISH = ("Download as CSV", "Search", "Fullscreen", "Show/hide columns", "Page not found", "Close")


def test_dataframe_toolbar_tooltips_are_chinese(page: Any, app_url: str) -> None:
    goto(page, app_url)
    navigate(page, "排名")
    frame = main_area(page).locator('[data-testid="stDataFrame"]').first
    frame.hover()
    buttons = page.locator('[data-testid="stElementToolbar"]').first.locator("button")
    expect(buttons.first).to_be_visible()
    labels, tips = [], []
    for i in range(buttons.count()):
        frame.hover()  # the toolbar shows while the pointer is over the table; no tooltip yet
        expect(page.locator('[data-testid="stTooltipContent"]:visible')).to_have_count(0)
        button = buttons.nth(i)
        labels.append(button.get_attribute("aria-label") or "")
        button.hover()
        tip = page.locator('[data-testid="stTooltipContent"]:visible')
        expect(tip).to_have_count(1)
        tips.append(tip.inner_text().strip())
    assert {"下载 CSV 文件", "在表中查找", "全屏"} <= set(tips), tips
    for text in tips + labels:
        assert CJK.search(text) and not any(word in text for word in TOOLBAR_ENGLISH), (tips, labels)


def test_page_outside_the_role_menu_says_so_in_chinese(page: Any, app_url: str) -> None:
    """A 领导/查看 account opening the address of 数据上传 (a shared link): our Chinese page, not
    Streamlit's English "Page not found" dialog."""
    goto(page, f"{app_url}/upload", account="县委领导（示例）（领导/查看）")
    main = main_area(page)
    expect(main.locator("h1")).to_contain_text("数据上传")
    expect(main.get_by_text("不能使用“数据上传”页面", exact=False)).to_be_visible()
    assert page.locator('[role="dialog"]').count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # the page itself did not run
    assert "Page not found" not in page.locator("body").inner_text()


def test_unknown_address_dialog_is_chinese(page: Any, app_url: str) -> None:
    page.goto(f"{app_url}/no_such_page", wait_until="domcontentloaded")
    dialog = page.locator('[role="dialog"]')
    expect(dialog).to_be_visible(timeout=60_000)
    expect(dialog.locator("h2")).to_have_text("页面不存在")
    expect(dialog).to_contain_text("您打开的网址没有对应的页面，已为您打开首页。")
    assert dialog.locator("button").first.get_attribute("aria-label") == "关闭"
    text = dialog.inner_text()
    assert not any(word in text for word in TOOLBAR_ENGLISH), text
