"""Browser: issue 17's battle map on the demo store — a branch's detail (tasks by star with
acceptance, the problem list, the weak-branch rectification record), 分星推进, and the weak /
problem / acceptance cards on 总览. Every number shown is worked out here from the store with
SQL, independently of analytics/; screenshots at 1440 and 390 px.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
from playwright.sync_api import expect

from analytics.spec import STAR_NAMES, STATUS_LABELS
from tests.e2e.conftest import DemoStore
from tests.e2e.helpers import (
    APP_TIMEOUT_MS,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    await_run,
    dataframe_records,
    full_page_screenshot,
    goto,
    main_area,
    wait_for_app,
)

pytestmark = pytest.mark.browser

COUNTY = "望川区"
MONTH = date(2024, 12, 1)
QUERY = f"period=2024-12&county={quote(COUNTY)}"
# 纸坊社区: a problem list and a rectification record that was cleared (已摘帽);
# 杨家洼村: accepted tasks and a rectification under way (整顿中).
BRANCHES = (("砚池街道", "纸坊社区"), ("青石镇", "杨家洼村"))
SLOT = 4  # 平安法治星: the same name for 村 and 社区


class Store:
    """Read-only SQL on the demo store, one short connection per query: a connection held open
    would lock the server out of its writes (the sign-in records each attempt)."""

    def __init__(self, path: Any) -> None:
        self.path = str(path)

    def all(self, query: str, params: list[Any]) -> list[tuple[Any, ...]]:
        c = duckdb.connect(self.path, read_only=True)
        try:
            return [tuple(r) for r in c.execute(query, params).fetchall()]
        finally:
            c.close()

    def one(self, query: str, params: list[Any]) -> tuple[Any, ...]:
        rows = self.all(query, params)
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture(scope="module")
def con(demo_store: DemoStore) -> Store:
    return Store(demo_store.path)


def frame_with(page: Any, header: str) -> Any:
    """The one visible st.dataframe of the main area with a column ``header``."""
    frame = main_area(page).locator('[data-testid="stDataFrame"]:visible').filter(
        has=page.locator('[role="columnheader"]', has_text=header))
    expect(frame).to_have_count(1)
    return frame


def pick_branch(page: Any, township: str, branch: str) -> None:
    """Choose "township / branch" in 支部详情's 选择支部 and wait for the detail to show it."""
    box = main_area(page).locator('[data-testid="stSelectbox"]').filter(has_text="选择支部")
    box.locator("input").scroll_into_view_if_needed()
    box.locator("input").click()
    page.keyboard.type(branch)
    page.get_by_role("option", name=f"{township} / {branch}", exact=True).click()
    await_run(page, main_area(page).get_by_text(re.compile(rf"^{re.escape(branch)}（{re.escape(township)}，")))


def _branch_facts(con: Store, township: str, branch: str) -> dict[str, Any]:
    args = [MONTH, COUNTY, township, branch]
    where = "period = ? AND county = ? AND township = ? AND branch = ?"
    branch_type = con.one(f"SELECT branch_type FROM v_branch_month WHERE {where}", args)[0]
    per_star = con.all(
        f"SELECT star_slot, count(*), count(*) FILTER (WHERE done) FROM v_task WHERE {where} "
        "GROUP BY star_slot ORDER BY star_slot", args)
    tasks = con.one(f"""SELECT count(*), count(*) FILTER (WHERE done), count(*) FILTER (WHERE accepted),
                                 count(*) FILTER (WHERE NOT done AND deadline <= last_day(period))
                          FROM v_task WHERE {where}""", args)
    problems = con.one(f"""SELECT count(*), count(*) FILTER (WHERE NOT closed),
                                    count(*) FILTER (WHERE NOT closed AND deadline <= last_day(period)),
                                    count(*) FILTER (WHERE closed), list(problem ORDER BY problem)
                             FROM v_problem WHERE {where}""", args)
    weak = con.one(f"SELECT state, situations, liaison, cleared FROM v_weak WHERE {where}", args)
    return {"type": branch_type, "per_star": per_star, "tasks": tasks, "problems": problems, "weak": weak}


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_branch_detail_shows_tasks_by_star_problems_and_the_weak_record(
        browser: Any, app_url: str, con: Store, size: dict[str, int]) -> None:
    context = browser.new_context(viewport=size, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    try:
        goto(page, f"{app_url}/battle_map?{QUERY}")
        main = main_area(page)
        for township, branch in BRANCHES:
            facts = _branch_facts(con, township, branch)
            pick_branch(page, township, branch)
            n, done, accepted, overdue = facts["tasks"]
            assert n > 0 and done > 0
            expect(main.get_by_text(f"重点任务 {n} 项：已完成 {done} 项，已验收 {accepted} 项，逾期 {overdue} 项（红色）",
                                    exact=False)).to_be_visible()
            # one heading per star: its name for the branch's type, its tasks and how many are done
            for slot, count, n_done in facts["per_star"]:
                name = STAR_NAMES[facts["type"]][slot - 1]
                expect(main.get_by_text(f"{name}　{count} 项，已完成 {n_done} 项", exact=True)).to_be_visible()
            total, open_, overdue_p, closed, texts = facts["problems"]
            if total:
                expect(main.get_by_text(f"问题 {total} 个：未销号 {open_} 个（逾期 {overdue_p} 个，红色），"
                                        f"已销号 {closed} 个。", exact=True)).to_be_visible()
                # The grid redraws after the pick: read it until it shows this branch (at most ~20 s).
                for _ in range(100):
                    shown = dataframe_records(frame_with(page, "存在问题"))
                    if sorted(r.get("存在问题", "") for r in shown) == sorted(texts):
                        break
                    page.wait_for_timeout(200)
                assert sorted(r["存在问题"] for r in shown) == sorted(texts)
                if size == DESKTOP:  # (the grid's mirror holds only the columns in view: not on a phone)
                    assert sorted(r["销号"] for r in shown) == sorted(["已销号"] * closed + ["未销号"] * open_)
            else:
                expect(main.get_by_text("该支部本期没有报送问题清单。")).to_be_visible()
            state, situations, liaison, cleared = facts["weak"]
            expect(main.get_by_role("heading", name="软弱涣散整顿")).to_be_visible()
            record = main.locator('[data-testid="stMarkdownContainer"]').filter(has_text="整顿状态").last
            expect(record).to_contain_text(f"整顿状态：{state}")
            expect(record).to_contain_text(f"认定情形：{situations}")
            expect(record).to_contain_text(f"包联领导：{liaison}")
            if cleared is not None:
                expect(record).to_contain_text(f"销号时间：{cleared:%Y-%m-%d}")
            else:
                expect(record).not_to_contain_text("销号时间")
            shot = f"battle-map-detail-{branch}-{size['width']}.png"
            full_page_screenshot(page, SCREENSHOTS / shot)
        # the two branches between them show a problem list, a cleared and an ongoing rectification,
        # and accepted tasks: every part of the detail carried a real value above
        assert {_branch_facts(con, t, b)["weak"][0] for t, b in BRANCHES} == {"已摘帽", "整顿中"}
        assert sum(_branch_facts(con, t, b)["tasks"][2] for t, b in BRANCHES) > 0
        assert sum(_branch_facts(con, t, b)["problems"][0] for t, b in BRANCHES) > 0
    finally:
        context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_star_view_counts_one_star_across_the_county(
        browser: Any, app_url: str, con: Store, size: dict[str, int]) -> None:
    statuses = dict(con.all(
        f"SELECT coalesce(star_{SLOT}, 'unknown'), count(*) FROM v_branch_month WHERE period = ? AND county = ? "
        "GROUP BY ALL", [MONTH, COUNTY]))
    n_branches = sum(statuses.values())
    tasks = con.one("""SELECT count(*), count(*) FILTER (WHERE done), count(*) FILTER (WHERE accepted),
                                count(*) FILTER (WHERE NOT done AND deadline <= last_day(period))
                         FROM v_task WHERE period = ? AND county = ? AND star_slot = ?""", [MONTH, COUNTY, SLOT])
    problems = con.one("""SELECT count(*), count(*) FILTER (WHERE deadline <= last_day(period))
                            FROM v_problem WHERE period = ? AND county = ? AND star_slot = ? AND NOT closed""",
                    [MONTH, COUNTY, SLOT])
    assert tasks[0] > 0 and tasks[2] > 0 and problems[0] > 0  # the demo store draws this star
    name = STAR_NAMES["村"][SLOT - 1]
    labels = {"achieved": STATUS_LABELS["achieved"], "in_progress": STATUS_LABELS["in_progress"],
              "not_started": STATUS_LABELS["not_started"], "unknown": STATUS_LABELS[None]}
    caption = (f"{name}：{n_branches} 个支部，"
               + "、".join(f"{labels[k]} {statuses.get(k, 0)} 个" for k in labels)
               + f"；该星重点任务 {tasks[0]} 项（已完成 {tasks[1]} 项，已验收 {tasks[2]} 项，逾期 {tasks[3]} 项）；"
               f"未销号问题 {problems[0]} 个（逾期 {problems[1]} 个）。")

    context = browser.new_context(viewport=size, locale="zh-CN")
    context.set_default_timeout(APP_TIMEOUT_MS)
    page = context.new_page()
    try:
        goto(page, f"{app_url}/battle_map?{QUERY}")
        main = main_area(page)
        stars = main.locator('[data-testid="stButtonGroup"]').filter(has_text="选择一颗星")
        stars.get_by_text(name, exact=True).click()
        await_run(page, main.get_by_text(caption, exact=True))
        table = main.locator(".st-key-phone_bm_star" if size == PHONE else ".st-key-desk_bm_star")
        expect(table).to_be_visible()
        rows = dataframe_records(table)
        assert len(rows) == min(n_branches, 20) or len(rows) == n_branches  # (the mirror: rows in view)
        assert {r["状态"] for r in rows} <= set(labels.values())
        expander = main.locator('[data-testid="stExpander"]').filter(has_text=f"{name}的未销号问题（{problems[0]} 个）")
        expander.get_by_text(f"{name}的未销号问题").click()
        wait_for_app(page)
        problem_rows = dataframe_records(expander.locator('[data-testid="stDataFrame"]'))
        texts = {r[0] for r in con.all("""SELECT problem FROM v_problem WHERE period = ? AND county = ?
                                             AND star_slot = ? AND NOT closed""", [MONTH, COUNTY, SLOT])}
        assert problem_rows and {r["存在问题"] for r in problem_rows} <= texts
        full_page_screenshot(page, SCREENSHOTS / f"battle-map-star-{size['width']}.png")
    finally:
        context.close()


def test_overview_cards_show_weak_problems_and_acceptance(page: Any, app_url: str,
                                                          con: Store) -> None:
    month, prev = date(2024, 7, 1), date(2024, 6, 1)  # a month in which a weak branch was cleared
    weak = con.one("SELECT count(*) FILTER (WHERE weak) FROM v_branch_month WHERE period = ?", [month])[0]
    weak_prev = con.one("SELECT count(*) FILTER (WHERE weak) FROM v_branch_month WHERE period = ?", [prev])[0]
    cleared = con.one("""SELECT count(*) FROM v_branch_month p JOIN v_branch_month c
                           USING (county, township, branch)
                           WHERE p.period = ? AND c.period = ? AND p.weak AND NOT c.weak""", [prev, month])[0]
    open_problems = con.one("SELECT sum(open_problems) FROM v_branch_month WHERE period = ?", [month])[0]
    overdue = con.one("""SELECT count(*) FROM v_problem WHERE period = ? AND NOT closed
                           AND deadline <= last_day(period)""", [month])[0]
    accepted = con.one("SELECT count(*) FILTER (WHERE accepted) FROM v_task WHERE period = ?", [month])[0]
    done = con.one("SELECT sum(tasks_done) FROM v_branch_month WHERE period = ?", [month])[0]
    assert cleared >= 1 and accepted > 0 and open_problems > 0  # every card has something to show

    goto(page, f"{app_url}/?period=2024-07")
    main = main_area(page)

    def card(label: str) -> tuple[str, str]:
        metric = main.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{label}\s*$")))
        expect(metric).to_have_count(1)
        value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        delta = metric.locator('[data-testid="stMetricDelta"]').inner_text().strip()
        return value, delta

    assert card("软弱涣散支部") == (f"{weak} 个", str(weak - weak_prev))
    assert card("软弱涣散已转化") == (f"{cleared} 个", f"上月 {weak_prev} 个")
    assert card("未销号问题") == (f"{open_problems} 个", f"逾期 {overdue} 个")
    assert card("已验收任务") == (f"{accepted} 项", f"已完成 {done} 项")
    full_page_screenshot(page, SCREENSHOTS / "overview-weak-problems-1440.png")
