"""Acceptance, problems and weak branches (battle-map.md §4–§5), hand-computed."""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics.periods import Period
from analytics.problems import (
    BRANCH_METRIC_COLUMNS,
    UNIT_COLUMNS,
    branch_metrics,
    branch_problems,
    branch_task_detail,
    branch_weak_record,
    star_view,
    unit_problem_weak_counts,
)
from analytics.scope import Scope
from tests.analytics.conftest import records, row, task

JUN, JUL, AUG = "2024-06", "2024-07", "2024-08"


def problem(period: str, township: str, branch: str, text: str, closed: bool, deadline: str | None = None,
            slot: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"period": period, "township": township, "branch": branch, "problem": text, "closed": closed,
            "deadline": deadline, "star_slot": slot, **extra}


def weak(period: str, township: str, branch: str, state: str, **extra: Any) -> dict[str, Any]:
    return {"period": period, "township": township, "branch": branch, "state": state, **extra}


BRANCHES = [
    row(JUL, "甲镇", "一村", 2, 1, 4, weak=True, open_problems=2),
    row(JUL, "甲镇", "二村", 3, 2, 4, weak=True, open_problems=0),
    row(JUL, "乙镇", "三村", 1, weak=True),
    row(AUG, "甲镇", "一村", 2, 2, 4, weak=True, open_problems=2, secretary="张书记", problems="路灯不亮"),
    row(AUG, "甲镇", "二村", 3, 3, 4, weak=False, open_problems=0),
    row(AUG, "乙镇", "四村", 1, None, None, weak=False),  # no task information at all
    row(AUG, "乙镇", "五社区", 1, 0, 0, weak=False),  # tasks_total 0
]
TASKS = [
    # 一村, August: 4 task rows, 2 done, 1 of them accepted; one overdue.
    task(AUG, "甲镇", "一村", "2024-08-31", True, slot=4, name="调解", accepted=True, team="王五、赵六",
         star_owner="李镇长", owner="张三"),
    task(AUG, "甲镇", "一村", "2024-08-15", True, slot=4, name="巡逻", owner="张三"),
    task(AUG, "甲镇", "一村", "2024-08-20", False, slot=4, name="普法", owner="孙七"),  # overdue
    task(AUG, "甲镇", "一村", None, False, slot=None, name="未分星的任务"),
    # 二村, August: 3 tasks, all done, all accepted.
    task(AUG, "甲镇", "二村", "2024-08-31", True, slot=1, name="a", accepted=True),
    task(AUG, "甲镇", "二村", "2024-08-31", True, slot=1, name="b", accepted=True),
    task(AUG, "甲镇", "二村", "2024-08-31", True, slot=4, name="c", accepted=True, star_owner="周星长"),
    task(JUL, "甲镇", "一村", "2024-07-31", True, slot=4, name="七月的任务", accepted=True),
]
PROBLEMS = [
    problem(AUG, "甲镇", "一村", "矛盾多", False, "2024-08-31", slot=4, owner="孙七"),  # open, overdue
    problem(AUG, "甲镇", "一村", "路灯", False, "2024-09-30", slot=4, owner="钱八"),  # open, not yet due
    problem(AUG, "甲镇", "一村", "台账乱", True, "2024-08-01", slot=1, closed_date="2024-08-02"),  # closed
    problem(AUG, "甲镇", "一村", "无期限", False, None),  # open, no deadline: never overdue
    problem(JUL, "甲镇", "一村", "七月的问题", False, "2024-07-01"),
]
WEAK = [
    weak(JUN, "甲镇", "一村", "整顿中", situations="班子弱", liaison="刘部长", identified="2024-03-01"),
    weak(JUL, "甲镇", "二村", "已摘帽", situations="制度不落实", cleared="2024-07-20"),
    weak(AUG, "甲镇", "一村", "整顿中", situations="班子弱", plan="调整班子", liaison="刘部长",
         identified="2024-03-01"),
]
JUN_ROWS = [row(JUN, "甲镇", "一村", 1, weak=True)]


def _con(make_con):  # type: ignore[no-untyped-def]
    return make_con(JUN_ROWS + BRANCHES, TASKS, problems=PROBLEMS, weak=WEAK)


def test_branch_metrics(make_con, settings):
    df = branch_metrics(_con(make_con), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == BRANCH_METRIC_COLUMNS
    assert records(df, ["branch", "weak", "prev_weak", "weak_cleared", "open_problems", "overdue_problems",
                        "tasks_done", "tasks_total", "overdue_tasks", "tasks_accepted", "accept_rate"]) == [
        # accept_rate = 1 accepted / 4 total; overdue problems: 矛盾多 only (路灯 due 9/30,
        # 台账乱 closed, 无期限 has no deadline).
        ("五社区", False, None, False, None, 0, 0, 0, 0, None, None),  # no task rows: acceptance unknown
        ("四村", False, None, False, None, 0, None, None, 0, None, None),
        ("一村", True, True, False, 2, 1, 2, 4, 1, 1, 0.25),
        ("二村", False, True, True, 0, 0, 3, 4, 0, 3, 0.75),
    ]


def test_a_quarter_takes_each_branchs_latest_month(make_con, settings):
    # Q3: 一村/二村 from August; 三村 only in July (its latest month), weak there.
    df = branch_metrics(_con(make_con), Period.parse("2024Q3"), Scope(), settings)
    assert records(df, ["branch", "period", "weak", "prev_weak", "overdue_problems", "tasks_accepted"]) == [
        ("三村", date(2024, 7, 1), True, None, 0, None),
        ("五社区", date(2024, 8, 1), False, None, 0, None),
        ("四村", date(2024, 8, 1), False, None, 0, None),
        ("一村", date(2024, 8, 1), True, True, 1, 1),  # Q2's 一村 (June) was weak
        ("二村", date(2024, 8, 1), False, None, 0, 3),
    ]


def test_unit_counts(make_con, settings):
    df = unit_problem_weak_counts(_con(make_con), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == UNIT_COLUMNS
    assert records(df, UNIT_COLUMNS) == [
        # July had 3 weak (一村, 二村, 三村); 三村 is absent in August, 二村 was cleared.
        ("total", None, None, 4, 1, 3, 1, 2, 1, 5, 4, 8),
        ("county", "甲县", None, 4, 1, 3, 1, 2, 1, 5, 4, 8),
        ("township", "甲县", "乙镇", 2, 0, 1, 0, 0, 0, 0, 0, 0),
        ("township", "甲县", "甲镇", 2, 1, 2, 1, 2, 1, 5, 4, 8),
    ]
    # 总览 and 简报 ask for the total row only: the same row.
    assert records(unit_problem_weak_counts(_con(make_con), Period.parse(AUG), Scope(), settings, by_unit=False),
                   UNIT_COLUMNS) == [("total", None, None, 4, 1, 3, 1, 2, 1, 5, 4, 8)]
    scoped = unit_problem_weak_counts(_con(make_con), Period.parse(AUG), Scope(township="乙镇"), settings)
    assert records(scoped, ["level", "township", "branches", "weak", "weak_prev"]) == [
        ("total", None, 2, 0, 1), ("county", None, 2, 0, 1), ("township", "乙镇", 2, 0, 1),
    ]


def test_branch_problems(make_con):
    df = branch_problems(_con(make_con), Period.parse(AUG), "甲县", "甲镇", "一村")
    assert records(df, ["star_name", "problem", "owner", "deadline", "closed", "closed_date", "overdue"]) == [
        ("平安法治星", "矛盾多", "孙七", date(2024, 8, 31), False, None, True),
        ("平安法治星", "路灯", "钱八", date(2024, 9, 30), False, None, False),
        (None, "无期限", None, None, False, None, False),
        ("支部过硬星", "台账乱", None, date(2024, 8, 1), True, date(2024, 8, 2), False),
    ]


def test_branch_weak_record(make_con):
    con = _con(make_con)
    rec = branch_weak_record(con, Period.parse(AUG), "甲县", "甲镇", "一村")
    assert rec is not None
    assert {k: rec[k] for k in ("period", "weak", "ledger_problems", "secretary", "record_period", "situations",
                                "plan", "liaison", "identified", "state", "cleared")} == {
        "period": date(2024, 8, 1), "weak": True, "ledger_problems": "路灯不亮", "secretary": "张书记",
        "record_period": date(2024, 8, 1), "situations": "班子弱", "plan": "调整班子", "liaison": "刘部长",
        "identified": date(2024, 3, 1), "state": "整顿中", "cleared": None,
    }
    # 二村 has no record in August: its latest one (July, cleared) is shown.
    rec2 = branch_weak_record(con, Period.parse(AUG), "甲县", "甲镇", "二村")
    assert rec2 is not None
    assert (rec2["weak"], rec2["record_period"], rec2["state"], rec2["cleared"]) == (
        False, date(2024, 7, 1), "已摘帽", date(2024, 7, 20))
    none = branch_weak_record(con, Period.parse(AUG), "甲县", "乙镇", "四村")
    assert none is not None and none["state"] is None
    assert branch_weak_record(con, Period.parse(AUG), "甲县", "乙镇", "三村") is None


def test_star_view(make_con, settings):
    view = star_view(_con(make_con), Period.parse(AUG), Scope(township="甲镇"), 4, settings)
    assert records(view["branches"], ["branch", "star_name", "status", "tasks", "tasks_done", "tasks_accepted",
                                      "tasks_overdue", "open_problems", "overdue_problems", "people"]) == [
        # 一村: stars=2 -> slots 1–2 achieved, 4 in progress (factory); 3 tasks of star 4.
        ("一村", "平安法治星", "in_progress", 3, 2, 1, 1, 2, 1, "孙七、张三、李镇长、王五、赵六、钱八"),
        ("二村", "平安法治星", "in_progress", 1, 1, 1, 0, 0, 0, "周星长"),
    ]
    assert records(view["tasks"], ["branch", "task", "done", "accepted", "overdue"]) == [
        ("一村", "巡逻", True, False, False),
        ("一村", "普法", False, False, True),
        ("一村", "调解", True, True, False),
        ("二村", "c", True, True, False),
    ]
    assert records(view["problems"], ["branch", "problem", "owner", "overdue"]) == [
        ("一村", "矛盾多", "孙七", True), ("一村", "路灯", "钱八", False),
    ]


def test_star_view_limit_cuts_the_lists_not_the_branches(make_con, settings):
    full = star_view(_con(make_con), Period.parse(AUG), Scope(township="甲镇"), 4, settings)
    cut = star_view(_con(make_con), Period.parse(AUG), Scope(township="甲镇"), 4, settings, limit=2)
    assert cut["branches"].equals(full["branches"])  # the counts still cover every task and problem
    assert records(cut["tasks"], ["branch", "task"]) == [("一村", "巡逻"), ("一村", "普法")]
    assert records(cut["problems"], ["branch", "problem"]) == [("一村", "矛盾多"), ("一村", "路灯")]
    one = star_view(_con(make_con), Period.parse(AUG), Scope(township="甲镇"), 4, settings, limit=1)
    assert records(one["problems"], ["problem"]) == [("矛盾多",)]


def test_star_view_of_a_quarter_counts_each_branchs_latest_month(make_con, settings):
    # Q3: 一村 and 二村 at August (their latest month): July's 七月的任务 of 一村 does not count; 三村
    # (July only) is in 乙镇.
    view = star_view(_con(make_con), Period.parse("2024Q3"), Scope(township="甲镇"), 4, settings)
    assert records(view["branches"], ["branch", "tasks", "tasks_done", "tasks_accepted", "open_problems"]) == [
        ("一村", 3, 2, 1, 2), ("二村", 1, 1, 1, 0)]
    assert "七月的任务" not in set(view["tasks"]["task"])


def test_star_view_townships_and_pages(make_con, settings):
    con = _con(make_con)
    view = star_view(con, Period.parse(AUG), Scope(), 4, settings)
    # 乙镇 (U+4E59) before 甲镇 (U+7532); star 4 is 创建中 everywhere (no branch has 4 stars); 甲镇's
    # star-4 tasks: 一村 3 (2 done, 1 accepted, 1 overdue) + 二村 1 (done, accepted); open problems of
    # star 4: 一村's 矛盾多 (overdue) and 路灯 — 无期限 names no star, 台账乱 is closed.
    assert records(view["townships"], ["township", "branches", "achieved", "in_progress", "not_started", "unknown",
                                       "tasks", "tasks_done", "tasks_accepted", "tasks_overdue", "open_problems",
                                       "overdue_problems", "page"]) == [
        ("乙镇", 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        ("甲镇", 2, 0, 2, 0, 0, 4, 3, 2, 1, 2, 1, 1),
    ]
    assert records(view["branches"], ["branch"]) == [("五社区",), ("四村",), ("一村",), ("二村",)]
    # Pages of whole townships: with 3 a page, 甲镇 (2) would take page 1 past 3 branches.
    paged = star_view(con, Period.parse(AUG), Scope(), 4, settings, limit=2, page_rows=3, page=2)
    assert records(paged["townships"], ["township", "page"]) == [("乙镇", 1), ("甲镇", 2)]
    assert records(paged["branches"], ["branch", "tasks"]) == [("一村", 3), ("二村", 1)]
    # The lists: the first 2 rows of the page's branches (一村's tasks by deadline).
    assert records(paged["tasks"], ["branch", "task"]) == [("一村", "巡逻"), ("一村", "普法")]
    assert records(paged["problems"], ["branch", "problem"]) == [("一村", "矛盾多"), ("一村", "路灯")]
    first = star_view(con, Period.parse(AUG), Scope(), 4, settings, limit=2, page_rows=3, page=1)
    assert records(first["branches"], ["branch", "tasks"]) == [("五社区", 0), ("四村", 0)]
    assert first["tasks"].empty and first["problems"].empty  # no star-4 rows on that page
    # A township larger than a page is a page of its own; past the last page there is nothing.
    single = star_view(con, Period.parse(AUG), Scope(), 4, settings, page_rows=1, page=3)
    assert records(single["townships"], ["page"]) == [(1,), (2,)]
    assert single["branches"].empty and single["tasks"].empty
    # Without the lists (the page's expanders closed): the same counts, no rows read.
    closed = star_view(con, Period.parse(AUG), Scope(), 4, settings, limit=2, page_rows=3, page=2, lists=False)
    assert closed["branches"].equals(paged["branches"]) and closed["townships"].equals(paged["townships"])
    assert closed["tasks"].empty and closed["problems"].empty
    assert list(closed["tasks"].columns) == list(paged["tasks"].columns)
    # Everything on one page: the same branches as without pages.
    assert star_view(con, Period.parse(AUG), Scope(), 4, settings, page_rows=4)["branches"].equals(view["branches"])


def test_report_json_has_weak_and_problem_counts_per_unit(tmp_path, capsys):
    import json

    from analytics.__main__ import main
    from tests.factories import build_store

    db = build_store(tmp_path / "r.duckdb", JUN_ROWS + BRANCHES, TASKS, problems=PROBLEMS, weak=WEAK)
    assert main(["report", "--period", AUG, "--db", str(db), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["weak_and_problems"]
    keys = ["branches", "weak", "weak_prev", "weak_cleared", "open_problems", "overdue_problems",
            "tasks_done", "tasks_accepted", "tasks_total"]
    assert counts["total"] == dict(zip(keys, [4, 1, 3, 1, 2, 1, 5, 4, 8], strict=True))
    assert counts["counties"] == [{"county": "甲县", **counts["total"]}]
    assert counts["townships"] == [
        {"county": "甲县", "township": "乙镇", **dict(zip(keys, [2, 0, 1, 0, 0, 0, 0, 0, 0], strict=True))},
        {"county": "甲县", "township": "甲镇", **dict(zip(keys, [2, 1, 2, 1, 2, 1, 5, 4, 8], strict=True))},
    ]


def test_branch_task_detail(make_con):
    df = branch_task_detail(_con(make_con), Period.parse(AUG), "甲县", "甲镇", "一村")
    assert records(df, ["star_name", "task", "team", "star_owner", "owner", "done", "accepted", "overdue"]) == [
        ("平安法治星", "巡逻", None, None, "张三", True, False, False),
        ("平安法治星", "普法", None, None, "孙七", False, False, True),
        ("平安法治星", "调解", "王五、赵六", "李镇长", "张三", True, True, False),
        (None, "未分星的任务", None, None, None, False, False, False),  # no star: last
    ]
