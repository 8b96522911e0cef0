"""One AppTest per page on the tiny store of conftest.py (hand-computed numbers)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.template import build_template
from tests.factories import build_store
from tests.ui.conftest import TEST_LOGIN, with_account
from ui import auth

ROOT = Path(__file__).resolve().parents[2]


def _ensure_test_admin() -> None:
    import os

    from analytics import accounts, store
    from analytics.settings import Settings

    db = Path(os.environ["FIVESTAR_DB_PATH"])
    try:
        with store.open_store(db, read_only=True, settings=Settings({"lock_timeout_s": 5})) as con:
            present = accounts.get_account(con, TEST_LOGIN) is not None
    except store.StoreError:  # a damaged store (the store-error tests): the page itself must say so
        return
    if not present:
        with_account(db)


def signed_in_app(login: str = TEST_LOGIN) -> AppTest:
    """An AppTest of app.py whose session is signed in as ``login`` (default: the store's test
    administrator, added when it is not there yet); not run yet."""
    if login == TEST_LOGIN:
        _ensure_test_admin()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[auth.SESSION_KEY] = auth.Session(login, time.time())
    return at


def open_page(page: str | None = None, login: str = TEST_LOGIN) -> AppTest:
    """app.py (and a page) as a signed-in account of the store (default: conftest's administrator,
    added to the store of FIVESTAR_DB_PATH when it is not there yet)."""
    at = signed_in_app(login)
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def set_county(at: AppTest, county: str) -> AppTest:
    at.selectbox(key="f_county").set_value(county)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_of(element: object) -> pd.DataFrame:
    value = element.value  # type: ignore[attr-defined]
    return value.data if hasattr(value, "data") else value


def frame(at: AppTest, column: str, nth: int = 0) -> pd.DataFrame:
    """The nth st.dataframe on the page that has ``column`` (Styler tables give their data)."""
    found = []
    for element in at.dataframe:
        value = element.value
        data = value.data if hasattr(value, "data") else value
        if column in data.columns:
            found.append(data)
    if len(found) <= nth:
        raise AssertionError(f"no table with column {column!r}")
    return found[nth]


def test_overview_kpis_and_filter(seeded_db: Path) -> None:
    at = open_page()
    assert [t.value for t in at.title] == ["总览"]
    m = metrics(at)
    assert m["支部总数"] == "5 个"
    assert m["三星及以上"] == "2 个"
    assert m["三星及以上占比"] == "40.0%"
    assert m["五星支部 · 目标0个"] == "1 个"
    assert m["四星支部 · 目标2个"] == "1 个"
    # task rate: (15 + 6 + 29) / (29 + 29 + 29) = 50 / 87
    assert m["任务完成率"] == "57.5%"
    assert any("数据截至 2024年8月" in c.value for c in at.sidebar.caption)
    set_county(at, "甲县")
    m = metrics(at)
    assert m["支部总数"] == "4 个"
    assert m["三星及以上"] == "1 个"


def test_battle_map_grid_tasks_and_filter(seeded_db: Path) -> None:
    at = open_page("pages/battle_map.py")
    assert [t.value for t in at.title] == ["作战图"]
    grid = frame(at, "差距")
    assert len(grid) == 5
    assert list(grid.columns[:5]) == ["村（社区）", "乡镇（街道）", "星级", "创建目标", "差距"]
    # mixed types: the star headers name both (slot 2: 产业兴旺/共建共享)
    assert "产业兴旺/共建共享" in grid.columns
    one = grid[grid["村（社区）"] == "一村"].iloc[0]
    assert one["星级"] == "四星" and one["支部过硬星"] == "已达标" and one["文明幸福/幸福和谐"] == "创建中"
    # no target -> no gap: the cell is empty and the grid shows it as "—" (not "None")
    assert grid[grid["村（社区）"] == "三社区"]["差距"].isna().all()
    assert all(d.proto.placeholder == "—" for d in at.dataframe if "差距" in frame_of(d).columns)
    # the grid starts with 乙县/南镇/四村 (no task sheet); the detail opens on the first branch with tasks
    assert grid["村（社区）"].iloc[0] == "四村"
    assert at.selectbox(key="bm_branch").value == "甲县|东镇|一村"
    # one table per star (desktop tables have 具体举措; the phone's do not)
    tasks = pd.concat([frame(at, "具体举措", 0), frame(at, "具体举措", 1)])
    assert list(tasks["重点任务"]) == ["发展特色种植", "整治村容村貌"]
    assert list(tasks["逾期"]) == ["逾期", ""]
    assert any("逾期 1 项" in c.value for c in at.caption)
    set_county(at, "甲县")
    assert len(frame(at, "差距")) == 4


def test_ranking_order_arrows_peer_and_filter(seeded_db: Path) -> None:
    at = open_page("pages/ranking.py")
    assert [t.value for t in at.title] == ["排名"]
    table = frame(at, "综合得分")
    assert list(table["村（社区）"]) == ["四村", "一村", "二村", "三社区", "五社区"]
    assert list(table["变化"]) == ["—", "—", "—", "—", "新"]
    assert table["综合得分"].iloc[0] == 100.0
    at.radio(key="rank_peer").set_value("township")
    at.run()
    by_town = frame(at, "综合得分")
    assert dict(zip(by_town["村（社区）"], by_town["名次"], strict=True)) == {
        "一村": 1, "二村": 2, "四村": 1, "三社区": 1, "五社区": 2}
    # The chart shows the chosen township only; its title and PNG file name name it.
    town = at.selectbox(key="rank_chart_township").value
    chart = at.get("plotly_chart")[0].proto
    assert json.loads(chart.spec)["layout"]["title"]["text"].startswith(f"{town}村（社区）综合得分排名")
    assert json.loads(chart.config)["toImageButtonOptions"]["filename"].startswith(f"{town}村（社区）排名")
    at.radio(key="rank_peer").set_value("scope")
    set_county(at, "甲县")
    assert list(frame(at, "综合得分")["村（社区）"])[:1] == ["一村"]


def test_same_township_name_in_two_counties(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 城关镇 is a township of 甲县 and of 乙县: two units on every chart and picker.
    rows = [{"period": "2024-08", "county": c, "township": "城关镇", "branch": b, "stars": n}
            for c, b, n in (("甲县", "一村", 5), ("甲县", "二村", 3), ("乙县", "一村", 4))]
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(with_account(build_store(tmp_path / "twins.duckdb", rows))))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    at = open_page()
    at.session_state["overview_by"] = "township"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    dist = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert dist["data"][0]["y"] == ["城关镇（乙县）", "城关镇（甲县）"] and dist["data"][0]["x"] == [0, 1]
    at.switch_page("pages/ranking.py")
    at.run()
    at.radio(key="rank_peer").set_value("township")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="rank_chart_township")
    assert picker.options == ["城关镇（乙县）", "城关镇（甲县）"]
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert bars == ["1. 一村"]  # 乙县's 城关镇 only
    picker.set_value("城关镇（甲县）").run()
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"] == ["1. 一村", "2. 二村"]
    table = frame(at, "综合得分")
    assert list(zip(table["县（市、区）"], table["村（社区）"], table["名次"], strict=True)) == [
        ("乙县", "一村", 1), ("甲县", "一村", 1), ("甲县", "二村", 2)]
    # Ranked across the scope, the two 一村 are named with their county and township.
    at.radio(key="rank_peer").set_value("scope").run()
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"] == [
        "1. 一村（甲县城关镇）", "2. 一村（乙县城关镇）", "3. 二村"]


def test_overview_many_townships_as_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 41 townships: more than a bar chart shows legibly, so every one is listed in a table.
    rows = [{"period": "2024-08", "township": f"镇{i:02d}", "branch": "一村", "stars": i % 6,
             "tasks_done": i, "tasks_total": 40} for i in range(41)]
    # July: the same stars, no task done: 镇NN's score rose by 40 × NN / 40 = NN.
    rows += [{**r, "period": "2024-07", "tasks_done": 0} for r in rows]
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(with_account(build_store(tmp_path / "many.duckdb", rows))))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    at = open_page()
    assert any("共 41 个乡镇（街道）" in c.value for c in at.caption)
    table = frame(at, "三星及以上占比")
    assert len(table) == 41 and list(table["乡镇（街道）"][:2]) == ["镇00", "镇01"]
    assert table["支部数"].sum() == 41 and table["五星"].sum() == 6  # 镇05, 镇11, … 镇35
    assert not at.toggle  # the 按占比显示 toggle belongs to the chart
    # (a title's first line is the chart's own; the second names period and scope)
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0] for c in at.get("plotly_chart")]
    assert "各乡镇（街道）星级分布" not in charts and "星级分布（合计）" in charts
    # 季度对比 (months here): the chart shows the 15 largest and the 15 smallest score changes.
    at.switch_page("pages/compare.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert "共 41 个" in spec["layout"]["title"]["text"]
    shown = spec["data"][1]["y"]
    assert shown[:2] == ["镇40", "镇39"] and shown[14:16] == ["镇26", "镇14"] and shown[-1] == "镇00"
    assert len(shown) == 30


def test_red_black_lists_and_filter(seeded_db: Path) -> None:
    at = open_page("pages/red_black.py")
    assert [t.value for t in at.title] == ["红黑榜"]
    m = metrics(at)
    # R2 前十 takes all five branches; R1 红旗 goes to 一村 (东镇) and 三社区 (西镇)
    assert m["红榜"] == "5 条"
    assert m["▲ 红旗"] == "2 个"
    assert m["黑榜"] == "0 条"
    red = frame(at, "上榜原因")
    one = red[red["村（社区）"] == "一村"].iloc[0]
    assert one["旗"] == "▲ 红旗"
    assert "晋星" in one["上榜原因"] or "增加" in one["上榜原因"]
    at.toggle(key="rb_print").set_value(True)
    at.run()
    assert len(at.table) == 1  # printable layout: the red list as a static table (black list is empty)
    set_county(at, "甲县")
    assert metrics(at)["红榜"] == "4 条"


def test_compare_months_and_filter(seeded_db: Path) -> None:
    at = open_page("pages/compare.py")
    assert [t.value for t in at.title] == ["季度对比"]
    m = metrics(at)  # only one quarter in the store -> months 2024-07 vs 2024-08
    assert m["两期都有的支部"] == "4 个"
    assert m["晋星"] == "2 个"
    assert m["降星"] == "0 个"
    assert m["新增 / 缺报"] == "1 / 0"
    set_county(at, "甲县")
    m = metrics(at)
    assert m["两期都有的支部"] == "3 个"
    assert m["晋星"] == "1 个"


def test_compare_page_owns_its_periods(seeded_db: Path) -> None:
    at = open_page()
    at.selectbox(key="f_period").set_value("2024-07")
    at.run()
    at.switch_page("pages/compare.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sidebar_keys = {w.key for w in at.sidebar.selectbox} | {w.key for w in at.sidebar.radio}
    assert "f_period" not in sidebar_keys and "f_kind" not in sidebar_keys
    assert "f_county" in sidebar_keys  # the scope filters stay
    assert any("在本页选择要对比的两期" in c.value for c in at.sidebar.caption)
    assert (at.selectbox(key="cmp_a").value, at.selectbox(key="cmp_b").value) == ("2024-07", "2024-08")
    at.switch_page("pages/overview.py")
    at.run()
    assert at.selectbox(key="f_period").value == "2024-07"  # the sidebar period survived the visit


def test_briefing_headlines_downloads_and_filter(seeded_db: Path) -> None:
    at = open_page("pages/briefing.py")
    m = metrics(at)
    assert m["支部总数"] == "5"
    assert m["三星及以上"] == "2"
    assert m["红榜 / 黑榜"] == "5 / 0"
    assert any("“五星”支部创建工作简报" in md.value for md in at.markdown)
    assert len(at.download_button) == 2
    set_county(at, "甲县")
    assert metrics(at)["支部总数"] == "4"
    assert any("甲县“五星”支部创建工作简报" in md.value for md in at.markdown)


def test_upload_history_and_rollback(seeded_db: Path) -> None:
    at = open_page("pages/upload.py")
    assert [t.value for t in at.title] == ["数据上传"]
    history = frame(at, "上传编号")
    assert len(history) == 6
    assert list(history["上传编号"])[:1] == ["U00006"]
    at.selectbox(key="rb_choice").set_value("U00006")
    at.run()
    assert at.button(key="rb_do").disabled
    at.checkbox(key="rb_confirm_U00006").check()
    at.run()
    at.button(key="rb_do").click()  # an account's rollback needs a reason (access.md §3)
    at.run()
    assert any("须写明原因" in e.value for e in at.error)
    at.text_input(key="rb_reason").input("南镇报错了月份")
    at.checkbox(key="rb_confirm_U00006").check()
    at.run()
    at.button(key="rb_do").click()
    at.run()
    assert not at.exception
    assert any("已回滚 U00006" in s.value for s in at.success)
    history = frame(at, "上传编号")
    assert history.loc[history["上传编号"] == "U00006", "状态"].iloc[0] == "已回滚"
    # the rollback changed the store version: the overview recomputes (南镇 2024-08 is gone)
    at.switch_page("pages/overview.py")
    at.run()
    assert metrics(at)["支部总数"] == "4 个"


def _filled_template() -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(build_template()))
    ws = wb["星级台账"]
    header = [c.value for c in ws[1]]
    rows = [
        {"县（市、区）": "甲县", "乡镇（街道）": "北镇", "村（社区）": "六村", "创建目标": "四星",
         "支部过硬星": "已达标", "产业兴旺/共建共享": "已达标", "生态宜居/宜业兴业": "已达标",
         "平安法治星": "创建中", "文明幸福/幸福和谐": "未启动", "报送月份": "2024-09"},
        {"县（市、区）": "甲县", "乡镇（街道）": "北镇", "村（社区）": "七社区",
         "支部过硬星": "创建中", "产业兴旺/共建共享": "已达标", "生态宜居/宜业兴业": "未启动",
         "平安法治星": "未启动", "文明幸福/幸福和谐": "未启动", "报送月份": "2024-09"},
    ]
    for i, row in enumerate(rows, start=2):
        for field, value in row.items():
            ws.cell(row=i, column=header.index(field) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_upload_check_confirm_and_refusal(seeded_db: Path) -> None:
    at = open_page("pages/upload.py")
    uploader = at.file_uploader[0]
    uploader.set_value([
        ("北镇2024-09.xlsx", _filled_template(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("坏文件.csv", ("县区,乡镇,村名,支部过硬星,产业兴旺星,生态宜居星,平安法治星,文明幸福星,报送月份\n"
                     "甲县,北镇,八村,半达标,已达标,已达标,未启动,未启动,2024-09\n").encode(), "text/csv"),
    ])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(md.value for md in at.markdown)
    assert "北镇2024-09.xlsx" in texts and "检查通过" in texts
    assert "坏文件.csv" in texts and "未通过检查" in texts
    # the accepted file's warnings come first (填表说明 skipped), then the refused file's errors
    warnings = frame(at, "问题说明及修改方法", 0)
    assert list(warnings["代码"]) == ["W_SKIPPED_SHEET"] and list(warnings["工作表"]) == ["填表说明"]
    errors = frame(at, "问题说明及修改方法", 1)
    assert list(errors["类型"]) == ["错误"]
    assert list(errors["单元格"]) == ["坏文件!D2"]
    assert list(errors["单元格内容"]) == ["半达标"]
    assert len(at.download_button) >= 2  # blank template + the error list
    confirm = at.button(key="up_confirm")
    assert "确认导入 1 个文件" in confirm.label
    confirm.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已导入为 U00007" in s.value for s in at.success)
    assert len(frame(at, "上传编号")) == 7


def test_empty_store_points_to_upload(empty_db: Path) -> None:
    at = open_page()
    assert any("还没有台账数据" in i.value for i in at.info)
    assert len(at.get("page_link")) >= 1
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["数据上传"]


def test_demo_notice(demo_db: Path) -> None:
    at = open_page()
    notice = [i.value for i in at.info if "当前为示例数据" in i.value]
    assert notice and "make clear-demo" in notice[0]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/briefing.py"])
def test_quarter_selection(seeded_db: Path, page: str) -> None:
    at = open_page(page if page != "pages/overview.py" else None)
    at.radio(key="f_kind").set_value("quarter")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # 2024Q3 takes each branch's latest month: the same five branches as 2024-08
    value = metrics(at)["支部总数"]
    assert value in ("5 个", "5")
