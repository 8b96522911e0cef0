"""Upload a ledger through the browser, see it in the history and on the overview, roll it back.

The ledger is written here: three invented villages of a township the demo
data does not have, in the demo's latest month, so the overview's 支部总数 for
that month grows by exactly 3 and falls back after the rollback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from analytics import sample_data
from tests.e2e.conftest import DemoStore
from tests.e2e.helpers import (
    ROOT,
    assert_no_exception,
    await_run,
    dataframe_records,
    goto,
    ledger_uploader,
    main_area,
    metric_value,
    navigate,
    wait_for_app,
    write_ledger,
)

SAMPLES = ROOT / "sample_uploads"

pytestmark = pytest.mark.browser

TOWNSHIP_CANDIDATES = ("云栖镇", "青禾镇", "鹿鸣乡")
UPLOADER = "测试员"


def _history(page: Any) -> list[dict[str, str]]:
    """The upload history table, newest first."""
    frame = main_area(page).locator('[data-testid="stDataFrame"]').filter(
        has=page.locator('[role="columnheader"]', has_text="上传编号")
    ).first
    expect(frame).to_be_attached()
    return dataframe_records(frame)


def _row_of(history: list[dict[str, str]], file_name: str) -> dict[str, str]:
    matches = [r for r in history if r.get("文件名") == file_name]
    assert len(matches) == 1, f"{file_name} not exactly once in the upload history: {history[:3]}"
    return matches[0]


def _branches_total(page: Any) -> str:
    navigate(page, "总览")
    assert_no_exception(page)
    return metric_value(page, "支部总数")


def _set_uploader(page: Any, name: str) -> None:
    box = main_area(page).get_by_label("上传人", exact=True)
    box.fill(name)
    box.press("Enter")
    wait_for_app(page)


def test_upload_confirm_history_overview_and_rollback(page: Any, app_url: str, demo_store: DemoStore,
                                                       tmp_path: Path) -> None:
    township = next(t for t in TOWNSHIP_CANDIDATES if t not in demo_store.townships)
    # A county without a branch register (register.md): a new township there loads without W_NOT_IN_REGISTER.
    county = next(c for c in demo_store.counties if c != sample_data.REGISTER_COUNTY)
    month = demo_store.latest_month
    label = f"{month:%Y-%m}"
    file_name = f"{township}星级台账_{month:%Y%m}.xlsx"
    ledger = write_ledger(
        tmp_path / file_name,
        f"{county}{township}“五星”支部创建工作台账（{month.year}年{month.month}月）",
        [
            # county, township, branch, target, five star statuses, tasks done, total, month
            [county, township, "云栖村", "四星", "已达标", "已达标", "已达标", "创建中", "未启动", 20, 29, label],
            [county, township, "石榴村", "三星", "已达标", "已达标", "创建中", "创建中", "未启动", 12, 29, label],
            [county, township, "柳泉村", "五星", "已达标", "已达标", "已达标", "已达标", "已达标", 29, 29, label],
        ],
    )

    # One browser session throughout: navigate with the sidebar like a user would.
    goto(page, app_url)
    before = _branches_total(page)
    assert before == f"{demo_store.branches_latest} 个"

    # --- choose the file: it is checked and previewed, nothing written yet ------------
    navigate(page, "数据上传")
    main = main_area(page)
    _set_uploader(page, UPLOADER)
    ledger_uploader(page).set_input_files(str(ledger))
    await_run(page, main.get_by_text(f"{file_name} — 检查通过，可以导入"))
    assert metric_value(page, "报送月份") == f"{month.year}年{month.month}月"
    assert metric_value(page, "支部") == "3 个"
    assert metric_value(page, "提示") == "0 条"
    main.get_by_text("预览将写入的数据").click()
    preview = main.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator('[role="columnheader"]', has_text="创建目标")
    ).first
    expect(preview).to_be_visible()
    rows = {r["村（社区）"]: r for r in dataframe_records(preview)}
    assert sorted(rows) == ["云栖村", "柳泉村", "石榴村"]
    assert rows["云栖村"] == {"县（市、区）": county, "乡镇（街道）": township, "村（社区）": "云栖村", "类型": "村",
                           "创建目标": "4", "星级": "3", "已完成任务": "20", "任务总数": "29"}
    assert (rows["柳泉村"]["创建目标"], rows["柳泉村"]["星级"], rows["柳泉村"]["已完成任务"]) == ("5", "5", "29")
    assert (rows["石榴村"]["创建目标"], rows["石榴村"]["星级"], rows["石榴村"]["已完成任务"]) == ("3", "2", "12")

    # --- confirm: loaded, listed first in the history as in force ------------------------
    main.get_by_role("button", name="确认导入 1 个文件").click()
    await_run(page, page.locator('[data-testid="stAlertContentSuccess"]'))
    history = _history(page)
    mine = _row_of(history, file_name)
    assert history[0] is mine  # newest first
    assert mine["上传人"] == UPLOADER
    assert mine["月份"] == label
    assert mine["范围"] == f"{county}：{township}"
    assert (mine["支部"], mine["任务"], mine["提示"]) == ("3", "0", "0")
    assert mine["状态"] == "生效中"
    upload_id = mine["上传编号"]
    assert re.fullmatch(r"U\d{5}", upload_id)
    assert int(upload_id[1:]) == demo_store.uploads + 1

    # --- the overview counts the three new branches ----------------------------------------
    assert _branches_total(page) == f"{demo_store.branches_latest + 3} 个"

    # --- roll it back: the history says so, the overview is as before ------------------------
    navigate(page, "数据上传")
    main = main_area(page)
    chooser = main.get_by_role("combobox", name="选择要回滚的上传")
    # the newest upload still in force is offered first: ours
    expect(chooser).to_have_value(f"{upload_id} · {file_name} · {label} · 生效中")
    rollback = main.get_by_role("button", name="回滚")
    expect(rollback).to_be_disabled()
    reason = main.get_by_label("回滚原因（必填，记入操作记录）")
    reason.fill("报错了月份，撤回")  # an account's rollback names its reason (access.md §3)
    reason.press("Enter")
    wait_for_app(page)
    main.get_by_text(f"我确认要回滚 {upload_id}").click()
    expect(rollback).to_be_enabled()
    rollback.click()
    await_run(page, main.get_by_text(f"已回滚 {upload_id}"))
    history = _history(page)
    mine = _row_of(history, file_name)
    assert history[0] is mine
    assert (mine["上传编号"], mine["上传人"], mine["状态"]) == (upload_id, UPLOADER, "已回滚")
    # the rolled-back upload can no longer be chosen for a rollback
    expect(chooser).not_to_have_value(re.compile(upload_id))

    assert _branches_total(page) == before


def _refused_sample() -> tuple[Path, list[str]]:
    """The first sample the manifest expects to be refused for unreadable cell values (E_VALUE)."""
    entries = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["expect"] == "refuse" and e["codes"] == ["E_VALUE"])
    return SAMPLES / entry["file"], entry["codes"]


def test_refused_ledger_lists_every_problem_and_cannot_be_confirmed(page: Any, app_url: str,
                                                                    demo_store: DemoStore) -> None:
    sample, codes = _refused_sample()
    goto(page, app_url)
    navigate(page, "数据上传")
    main = main_area(page)
    history_before = _history(page)[0]
    ledger_uploader(page).set_input_files(str(sample))
    verdict = main.get_by_text(re.compile(rf"{re.escape(sample.name)} — 未通过检查，不会导入（共 (\d+) 个问题）"))
    await_run(page, verdict)
    total = int(re.search(r"共 (\d+) 个问题", verdict.inner_text()).group(1))  # type: ignore[union-attr]

    problems = dataframe_records(main.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator('[role="columnheader"]', has_text="问题说明及修改方法")).first)
    errors = [p for p in problems if p["类型"] == "错误"]
    assert len(errors) == total >= 1
    assert sorted({p["代码"] for p in errors}) == codes
    for p in errors:  # each names sheet, Excel row and column letter, the value, and how to fix it
        assert p["工作表"] and p["单元格内容"] and p["问题说明及修改方法"], p
        assert re.fullmatch(r"\d+", p["行"]) and re.fullmatch(r"[A-Z]+", p["列"]), p
        assert p["单元格"] == f"{p['工作表']}!{p['列']}{p['行']}"
    expect(main.get_by_role("button", name="下载问题清单（Excel）")).to_be_visible()
    # nothing can be loaded: no confirm button, a notice instead, and the history is unchanged
    expect(main.get_by_role("button", name="确认导入")).to_have_count(0)
    expect(main.get_by_text("没有可导入的文件")).to_be_visible()
    assert _history(page)[0] == history_before
