"""作战图, branch tasks (overdue) and branch history."""

from datetime import date

from analytics.battle_map import BATTLE_COLUMNS, HISTORY_COLUMNS, TASK_COLUMNS, battle_map, branch_history, branch_tasks
from analytics.periods import Period
from analytics.scope import Scope
from tests.analytics.conftest import records, row, task

AUG, JUL = "2024-08", "2024-07"
DATA = [
    row(AUG, "甲镇", "一村", 2, 10, 29, target=4, secretary="张某"),   # 24 + 400/29 = 37.79 -> rank 2
    row(AUG, "甲镇", "二社区", 5, target=3),                           # 60 -> rank 1
    row(AUG, "甲镇", "三村", 1),                                       # 12 -> rank 3
    row(JUL, "甲镇", "一村", 1, 5, 29, target=4),
]
TASKS = [
    task(AUG, "甲镇", "一村", "2024-08-31", False, slot=2, name="修路"),     # overdue
    task(AUG, "甲镇", "一村", "2024-08-10", False, slot=2, name="建厂"),     # overdue
    task(AUG, "甲镇", "一村", "2024-09-30", False, slot=1, name="培训", owner="李某", measure="每月一次"),
    task(AUG, "甲镇", "一村", "2024-08-01", True, slot=1, name="整改", done_date="2024-08-02"),
    task(AUG, "甲镇", "二社区", None, False, slot=2, name="共建"),
    task(JUL, "甲镇", "一村", "2024-07-01", False, slot=3, name="旧任务"),
]


def test_battle_map(make_con, settings):
    df = battle_map(make_con(DATA, TASKS), Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == BATTLE_COLUMNS
    assert records(df, ["branch", "branch_type", "target_stars", "stars", "gap", "tasks_done", "tasks_total",
                        "overdue", "weak", "secretary", "rank"]) == [
        ("一村", "村", 4, 2, 2, 10, 29, 2, False, "张某", 2),
        ("三村", "村", None, 1, None, None, None, 0, False, None, 3),
        ("二社区", "社区", 3, 5, 0, None, None, 0, False, None, 1),
    ]
    first = df.iloc[0]
    assert (first.star_1, first.star_2, first.star_3) == ("achieved", "achieved", "in_progress")
    assert abs(first.score - (24 + 400 / 29)) < 1e-9


def test_branch_tasks(make_con):
    con = make_con(DATA, TASKS)
    df = branch_tasks(con, Period.parse(AUG), "甲县", "甲镇", "一村")
    assert list(df.columns) == TASK_COLUMNS
    assert records(df, ["star_slot", "star_name", "task", "owner", "deadline", "done", "done_date", "overdue"]) == [
        (1, "支部过硬星", "整改", None, date(2024, 8, 1), True, date(2024, 8, 2), False),
        (1, "支部过硬星", "培训", "李某", date(2024, 9, 30), False, None, False),
        (2, "产业兴旺星", "建厂", None, date(2024, 8, 10), False, None, True),
        (2, "产业兴旺星", "修路", None, date(2024, 8, 31), False, None, True),
    ]
    community = branch_tasks(con, Period.parse("2024Q3"), "甲县", "甲镇", "二社区")
    assert records(community, ["star_name", "task", "overdue"]) == [("共建共享星", "共建", False)]
    assert len(branch_tasks(con, Period.parse(AUG), "甲县", "甲镇", "不存在村")) == 0


def test_branch_history(make_con, settings):
    df = branch_history(make_con(DATA, TASKS), "甲县", "甲镇", "一村", settings)
    assert list(df.columns) == HISTORY_COLUMNS
    assert records(df, ["period", "stars", "target_stars", "tasks_done", "tasks_total"]) == [
        (date(2024, 7, 1), 1, 4, 5, 29), (date(2024, 8, 1), 2, 4, 10, 29),
    ]
    assert abs(df["score"].iloc[0] - (12 + 200 / 29)) < 1e-9


def test_battle_map_quarter_overdue_counts_only_the_snapshot_month(make_con, settings):
    # Q3: 一村's snapshot month is August (its July task is not counted); 四村 has only a
    # July row, so its July tasks count. 乙县 is outside the county scope.
    data = [
        *DATA,
        row(JUL, "甲镇", "四村", 1),
        row(AUG, "乙镇", "五村", 1, county="乙县"),
    ]
    tasks = [
        *TASKS,
        task(JUL, "甲镇", "四村", "2024-07-15", False, name="七月任务"),   # overdue in July
        task(JUL, "甲镇", "四村", "2024-07-31", True, name="已完成"),      # done: not overdue
        task(AUG, "乙镇", "五村", "2024-08-01", False, name="外县", county="乙县"),
    ]
    con = make_con(data, tasks)
    df = battle_map(con, Period.parse("2024Q3"), Scope(county="甲县"), settings)
    assert records(df, ["branch", "stars", "overdue", "rank"]) == [
        ("一村", 2, 2, 2), ("三村", 1, 0, 3), ("二社区", 5, 0, 1), ("四村", 1, 1, 3),
    ]
    other = battle_map(con, Period.parse("2024Q3"), Scope(county="乙县"), settings)
    assert records(other, ["branch", "overdue", "rank"]) == [("五村", 1, 1)]
