"""Browser: the sidebar selection survives every page and lives in the URL (demo store).

The walk 总览 → 季度对比 → 总览 → 作战图 once lost the period: 季度对比 draws no period
widgets, Streamlit dropped their state, and 总览 came back as "● 按月" with a
quarter in a box labelled 季度, the next page showing the newest month.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.helpers import goto, main_area, navigate, wait_for_app

PERIOD, COUNTY = "2024年第3季度", "望川区"
SHOWN = f"{PERIOD} · 范围：{COUNTY}"


def sidebar(page: Any) -> Any:
    return page.locator('section[data-testid="stSidebar"]')


def selectbox(page: Any, label: str) -> Any:
    return sidebar(page).locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))


def pick(page: Any, label: str, option: str) -> None:
    selectbox(page, label).locator("input").click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_for_app(page)


def eventually(read: Any, expected: Any, timeout_s: float = 20.0) -> None:
    """``read()`` equals ``expected`` once the rerun a pick started has finished (a pick's rerun may
    begin a moment after wait_for_app saw the previous run idle)."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = read()
        if got == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got == expected


def sidebar_state(page: Any) -> tuple[str, str, str]:
    """(checked period kind, the period box's label and value) as the user sees them."""
    kind = sidebar(page).locator('[data-testid="stRadio"]').first.locator("label:has(input:checked)").inner_text()
    box = sidebar(page).locator('[data-testid="stSelectbox"]').first
    label = box.locator('[data-testid="stWidgetLabel"]').inner_text().strip()
    return kind.strip(), label, box.locator("input").input_value()


def caption(page: Any) -> str:
    return str(main_area(page).locator('[data-testid="stCaptionContainer"]').first.inner_text()).strip()


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_selection_survives_a_walk_through_the_pages(page: Any, app_url: str) -> None:
    goto(page, app_url)
    sidebar(page).locator('[data-testid="stRadio"]').first.get_by_text("按季度").click()
    wait_for_app(page)
    pick(page, "季度", PERIOD)
    pick(page, "县（市、区）", COUNTY)
    eventually(lambda: caption(page), SHOWN)
    eventually(lambda: query(page), {"period": ["2024Q3"], "county": [COUNTY]})
    assert sidebar_state(page) == ("按季度", "季度", PERIOD)

    navigate(page, "季度对比")
    expect(sidebar(page).get_by_text("在本页选择要对比的两期")).to_be_visible()
    assert selectbox(page, "县（市、区）").locator("input").input_value() == COUNTY

    navigate(page, "总览")
    assert sidebar_state(page) == ("按季度", "季度", PERIOD)
    assert caption(page) == SHOWN

    navigate(page, "作战图")
    assert sidebar_state(page) == ("按季度", "季度", PERIOD)
    assert caption(page) == SHOWN
    assert query(page) == {"period": ["2024Q3"], "county": [COUNTY]}


def test_a_shared_link_opens_the_same_view(page: Any, app_url: str) -> None:
    goto(page, f"{app_url}/battle_map?period=2024Q3&county={COUNTY}&township=青石镇&type=村")
    expect(main_area(page).locator("h1")).to_contain_text("作战图")
    assert sidebar_state(page) == ("按季度", "季度", PERIOD)
    assert caption(page) == f"{PERIOD} · 范围：{COUNTY} / 青石镇 / 村"
    assert selectbox(page, "乡镇（街道）").locator("input").input_value() == "青石镇"


def test_a_link_with_unknown_values_opens_the_default_view(page: Any, app_url: str) -> None:
    goto(page, f"{app_url}/?period=2031Q9&county=不存在县&type=<b>x</b>")
    assert sidebar_state(page) == ("按月", "月份", "2024年12月")
    assert caption(page) == "2024年12月 · 范围：全部"
    assert query(page) == {"period": ["2024-12"]}
