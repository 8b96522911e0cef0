"""作战图 branch detail (battle-map.md §4): tasks by star with team / star owner / department /
acceptance, the problem list with overdue marked, the weak-branch record, and the Excel
download's 任务 and 问题清单 sheets, 分星推进, and the weak / problem figures of 总览 and 简报 — on a tiny literal store."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analytics.flags import ListHead
from analytics.periods import Period
from analytics.rankings import RankingEnds
from analytics.scope import Scope
from tests.factories import build_store
from tests.ui.conftest import BRANCHES, with_account
from tests.ui.test_briefing_exports import BLACK, RANKING, RED, _brief, _kpis
from tests.ui.test_pages import frame, open_page
from ui import briefing

TASKS = [
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 2, "task": "发展特色种植",
     "measure": "建大棚20座", "team": "产业专班", "star_owner": "周领", "department": "农业办",
     "owner": "李乙", "deadline": "2024-08-10", "done": False},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 2, "task": "成立合作社",
     "owner": "李乙", "deadline": "2024-08-05", "done": True, "done_date": "2024-08-03",
     "accepted": True, "accepted_date": date(2024, 8, 6)},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": None, "task": "建村史馆",
     "owner": "钱丁", "deadline": "2024-12-31", "done": False},
]
PROBLEMS = [
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 2, "problem": "产业规模小",
     "measure": "引进企业", "owner": "孙戊", "deadline": "2024-08-15", "closed": False},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 4, "problem": "矛盾排查不及时",
     "owner": "吴己", "deadline": "2024-10-31", "closed": False},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": None, "problem": "活动室破旧",
     "owner": "郑庚", "deadline": "2024-07-31", "closed": True, "closed_date": "2024-07-20"},
]
WEAK = [
    {"period": "2024-08", "township": "东镇", "branch": "一村", "situations": "班子不团结",
     "plan": "调整班子", "liaison": "冯副书记", "identified": "2024-03-01", "state": "整顿中"},
]


@pytest.fixture
def detail_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    branches = [dict(b) for b in BRANCHES]
    for b in branches:
        # 一村 weak in 2024-08; 二村 weak in 2024-07 and cleared in 2024-08
        if (b["period"], b["branch"]) in (("2024-08", "一村"), ("2024-07", "二村")):
            b["weak"] = True
        if (b["period"], b["branch"]) == ("2024-08", "一村"):
            b["open_problems"] = 2  # set at import from the problem list's open rows
    db = with_account(build_store(tmp_path / "detail.duckdb", branches, TASKS, problems=PROBLEMS, weak=WEAK))
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


def test_branch_detail_tasks_by_star_problems_and_weak_record(detail_db: Path) -> None:
    at = open_page("pages/battle_map.py")
    assert at.selectbox(key="bm_branch").value == "甲县|东镇|一村"
    # tasks grouped by star: 产业兴旺星 (slot 2) first, 未分星 last
    star2 = frame(at, "具体举措", 0)
    unstarred = frame(at, "具体举措", 1)
    assert "所属星" not in star2.columns  # the heading names the star
    # optional columns nobody filled are left out (未分星's task has no team / star owner / department)
    assert list(unstarred.columns) == ["重点任务", "具体举措", "负责人", "完成时限", "状态", "逾期"]
    assert list(star2["重点任务"]) == ["成立合作社", "发展特色种植"]  # by deadline
    first = star2.iloc[1]
    assert (first["专班人员"], first["领星人"], first["责任单位"], first["负责人"]) == ("产业专班", "周领", "农业办", "李乙")
    assert list(star2["状态"]) == ["已验收", "未完成"]
    assert list(star2["逾期"]) == ["", "逾期"]
    assert list(unstarred["重点任务"]) == ["建村史馆"]
    markdown = [m.value for m in at.markdown]
    assert any("产业兴旺" in v and "2 项，已完成 1 项" in v for v in markdown)
    assert any("未分星" in v for v in markdown)
    assert any("重点任务 3 项：已完成 1 项，已验收 1 项，逾期 1 项" in c.value for c in at.caption)
    # phones: the task and its state without the wide columns
    # phones: the task, its deadline and its state (逾期 when overdue) fit 390 px
    phone = _frames_with(at, ["重点任务", "完成时限", "状态", "逾期"])
    assert [list(f["状态"]) for f in phone] == [["已验收", "逾期"], ["未完成"]]
    phone_tables = [d for d in at.dataframe if list(d.proto.column_order) == ["重点任务", "完成时限", "状态"]]
    assert len(phone_tables) == 2
    # the problem list: open first, the overdue one marked
    problems = frame(at, "存在问题")
    assert list(problems["存在问题"]) == ["产业规模小", "矛盾排查不及时", "活动室破旧"]
    assert list(problems["销号"]) == ["未销号", "未销号", "已销号"]
    assert list(problems["逾期"]) == ["逾期", "", ""]
    assert list(problems["所属星"]) == ["产业兴旺星", "平安法治星", "未分星"]
    assert any("问题 3 个：未销号 2 个（逾期 1 个，红色），已销号 1 个" in c.value for c in at.caption)
    # the weak record, the secretary and the liaison
    assert any("整顿状态" in v and "整顿中" in v and "班子不团结" in v and "冯副书记" in v and "2024-03-01" in v
               for v in markdown)
    assert any("书记 王甲" in v and "包联领导 冯副书记" in v and "软弱涣散" in v for v in markdown)


def test_branch_without_problems_or_weak_record(detail_db: Path) -> None:
    at = open_page("pages/battle_map.py")
    at.selectbox(key="bm_branch").set_value("甲县|东镇|二村")
    at.run()
    assert not at.exception
    assert any("该支部本期没有报送任务台账" in i.value for i in at.info)
    assert any("该支部本期没有报送问题清单" in c.value for c in at.caption)
    assert not any("整顿状态" in m.value for m in at.markdown)


def test_battle_map_excel_has_task_and_problem_sheets(detail_db: Path, downloads: dict[str, bytes]) -> None:
    open_page("pages/battle_map.py")
    name = next(n for n in downloads if n.startswith("作战图"))
    wb = openpyxl.load_workbook(io.BytesIO(downloads[name]))
    assert wb.sheetnames[:3] == ["作战图", "任务", "问题清单"]
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r), ws.title
    tasks = _sheet(wb["任务"], "重点任务")
    assert list(tasks["重点任务"]) == ["成立合作社", "发展特色种植", "建村史馆"]
    assert list(tasks["村（社区）"]) == ["一村"] * 3
    assert list(tasks["状态"]) == ["已验收", "未完成", "未完成"]
    assert list(tasks["领星人"])[1] == "周领"
    problems = _sheet(wb["问题清单"], "存在问题")
    assert list(problems["存在问题"]) == ["产业规模小", "矛盾排查不及时", "活动室破旧"]
    assert list(problems["逾期"].fillna("")) == ["逾期", "", ""]


def _sheet(ws: openpyxl.worksheet.worksheet.Worksheet, first_col: str) -> pd.DataFrame:
    """The table of a download sheet: its header row is the one naming ``first_col``."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if first_col in r)
    return pd.DataFrame(rows[head + 1:], columns=rows[head]).dropna(how="all")


def test_overview_cards_weak_problems_and_acceptance(detail_db: Path) -> None:
    at = open_page("pages/overview.py")
    m = {x.label: x for x in at.metric}
    # 2024-08, whole store: 一村 weak (2024-07: 二村 weak, cleared now) -> 1, change 0, 1 cleared
    assert m["软弱涣散支部"].value == "1 个" and m["软弱涣散支部"].delta == "0"
    assert m["软弱涣散已转化"].value == "1 个" and m["软弱涣散已转化"].delta == "上月 1 个"
    # 一村's problems: 2 open, 产业规模小 (deadline 2024-08-15) overdue
    assert m["未销号问题"].value == "2 个" and m["未销号问题"].delta == "逾期 1 个"
    # tasks done from the ledgers (15 + 6 + 29 + 0 + 0), accepted from the task rows (成立合作社)
    assert m["已验收任务"].value == "1 项" and m["已验收任务"].delta == "已完成 50 项"


def test_briefing_headlines_weak_problems_and_acceptance(detail_db: Path) -> None:
    at = open_page("pages/briefing.py")
    m = {x.label: x.value for x in at.metric}
    assert m["软弱涣散"] == "1" and m["未销号问题"] == "2" and m["任务完成 / 验收"] == "50 / 1"
    assert any("软弱涣散支部 1 个（上月 1 个，已转化 1 个）；问题清单未销号 2 个，其中逾期 1 个；"
               "重点任务已完成 50 项、已验收 1 项。" in i.value for i in at.info)


def test_star_view_one_star_across_branches(detail_db: Path) -> None:
    at = open_page("pages/battle_map.py")
    at.segmented_control(key="bm_star").set_value(2)
    at.run()
    assert not at.exception
    table = frame(at, "相关人员")
    assert len(table) == 5  # every branch of 2024-08
    one = table[table["村（社区）"] == "一村"].iloc[0]
    assert one["状态"] == "已达标"  # 4★: slots 1–4 achieved
    assert (one["任务"], one["已完成"], one["已验收"], one["逾期任务"]) == (2, 1, 1, 1)
    assert (one["未销号问题"], one["逾期问题"]) == (1, 1)
    assert set(str(one["相关人员"]).split("、")) == {"产业专班", "周领", "李乙", "孙戊"}
    two = table[table["村（社区）"] == "二村"].iloc[0]
    assert two["状态"] == "已达标" and two["任务"] == 0
    assert any("产业兴旺/共建共享：5 个支部" in c.value and "该星重点任务 2 项（已完成 1 项，已验收 1 项，逾期 1 项）" in c.value
               and "未销号问题 1 个（逾期 1 个）" in c.value for c in at.caption)
    # The star's lists are read only while their expander is open: closed, the first 存在问题 table is
    # the branch detail's problem list (3 problems of the selected branch).
    assert list(frame(at, "存在问题")["存在问题"]) == ["产业规模小", "矛盾排查不及时", "活动室破旧"]
    at.session_state["bm_star_problems_box"] = True  # the user opens 未销号问题
    at.run()
    assert not at.exception
    problems = frame(at, "存在问题")  # the star's open problems (the expander), before the branch detail
    assert list(problems["存在问题"]) == ["产业规模小"] and list(problems["逾期"]) == ["逾期"]
    # phones: the branch, its status and the counts
    phone = _frames_with(at, ["村（社区）", "状态", "已完成", "任务", "未销号问题"])
    assert len(phone) == 1 and len(phone[0]) == 5


def _frames_with(at: object, columns: list[str]) -> list[pd.DataFrame]:
    """The page's tables with exactly these columns (the phone containers' tables)."""
    out = []
    for element in at.dataframe:  # type: ignore[attr-defined]
        value = element.value
        data = value.data if hasattr(value, "data") else value
        if list(data.columns) == columns:
            out.append(data)
    return out


def test_offline_briefing_carries_the_weak_and_problem_headlines() -> None:
    base = _brief()
    counts = {"weak": 3, "weak_prev": 4, "weak_cleared": 2, "open_problems": 7, "overdue_problems": 5,
              "tasks_done": 40, "tasks_accepted": 12, "tasks_total": 60}
    dist = pd.DataFrame({"unit": ["全部"] * 6, "level": [5, 4, 3, 2, 1, 0],
                         "level_label": ["五星", "四星", "三星", "二星", "一星", "无星"],
                         "count": [1, 1, 0, 1, 1, 1], "share": [0.2, 0.2, 0, 0.2, 0.2, 0.2]})
    b = briefing.make_briefing(
        Period.parse("2024-08"), Scope(county="甲县"), kpis=_kpis(), distribution=dist,
        ranking=RankingEnds(top=RANKING, bottom=RANKING.tail(1).reset_index(drop=True)),
        red=ListHead(rows=RED, total=1), black=ListHead(rows=BLACK, total=1), uploads=6,
        today=date(2024, 9, 3), problem_counts=counts)
    assert len(b.headlines) == len(base.headlines) + 3
    extra = {h.label: (h.value, h.note) for h in b.headlines[-3:]}
    assert extra == {"软弱涣散": ("3", "上月 4 个，已转化 2 个"), "未销号问题": ("7", "其中逾期 5 个"),
                     "任务完成 / 验收": ("40 / 12", "共 60 项")}
    assert b.summary.endswith("软弱涣散支部 3 个（上月 4 个，已转化 2 个）；问题清单未销号 7 个，其中逾期 5 个；"
                              "重点任务已完成 40 项、已验收 12 项。")
    page = briefing.to_html(b)
    assert "<div class='l'>未销号问题</div><div class='v'>7</div><div class='n'>其中逾期 5 个</div>" in page


def test_scope_tasks_and_problems_follow_the_snapshot_rule_and_scope(detail_db: Path) -> None:
    from analytics import problems, store
    from analytics.settings import Settings

    s = Settings({})
    with store.open_store(detail_db, settings=s) as con:
        # a quarter takes each branch's latest month (一村: 2024-08, whose rows are the task sheet)
        q3 = problems.scope_tasks(con, Period.parse("2024Q3"), Scope(), s)
        assert list(q3["task"]) == ["成立合作社", "发展特色种植", "建村史馆"]
        assert list(q3["star_slot"].fillna(0).astype(int)) == [2, 2, 0]  # 未分星 last
        assert list(q3["overdue"]) == [False, True, False]
        # July has no task or problem rows; another county sees none of 甲县's
        assert problems.scope_tasks(con, Period.parse("2024-07"), Scope(), s).empty
        assert problems.scope_problems(con, Period.parse("2024-08"), Scope(county="乙县"), s).empty
        p = problems.scope_problems(con, Period.parse("2024-08"), Scope(county="甲县"), s)
        assert list(p["problem"]) == ["产业规模小", "矛盾排查不及时", "活动室破旧"]
        assert list(p["closed"]) == [False, False, True] and list(p["overdue"]) == [True, False, False]
