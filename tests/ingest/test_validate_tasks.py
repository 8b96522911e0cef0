"""parse_workbook with a task sheet (任务台账 / 作战图)."""

from __future__ import annotations

from datetime import date

from tests.ingest.test_parse_helpers import sheet
from tests.ingest.test_validate import ALL, H, codes, failed, ledger, ok, parse, rows

TH = ["乡镇", "村(社区)", "所属星", "重点任务", "具体举措", "责任人", "完成时限", "是否完成", "完成时间"]


def tasks(*task_rows: list[object], header: list[object] | None = None, name: str = "任务台账"):  # type: ignore[no-untyped-def]
    return sheet([header or TH, *task_rows], name=name)


def test_task_rows_typed_with_merged_branch_and_star() -> None:
    result = ok(parse(
        ledger(["甲镇", "一村", *ALL], ["甲镇", "樱桃沟社区", *ALL]),
        tasks(
            ["甲镇", "一村党支部", "产业兴旺", " 建设 大棚 ", "争取资金", "张 三", "45535", "√", "2024-08-20 00:00:00"],
            [None, None, None, "修路", None, None, "8月31日", "否", None],  # branch and star carried down
            [None, "樱桃沟社区", "共建共享星", "建驿站", None, None, "2024.9.30", None, None],  # blank done = not done
            [None, None, "幸福和谐", "办活动", None, None, "2024年9月", "已完成", "9月1日"],
        ),
    ))
    # (the battle-map.md §1 columns are tested in test_validate_battle_map.py)
    old_columns = result.tasks.drop_columns(["team", "star_owner", "department", "accepted", "accepted_date"])
    assert old_columns.to_pylist() == [
        {"county": "二七区", "township": "甲镇", "branch": "一村", "star_slot": 2, "task": "建设 大棚",
         "measure": "争取资金", "owner": "张三", "deadline": date(2024, 8, 31), "done": True,
         "done_date": date(2024, 8, 20), "source_sheet": "任务台账", "source_row": 2},
        {"county": "二七区", "township": "甲镇", "branch": "一村", "star_slot": 2, "task": "修路",
         "measure": None, "owner": None, "deadline": date(2024, 8, 31), "done": False,
         "done_date": None, "source_sheet": "任务台账", "source_row": 3},
        {"county": "二七区", "township": "甲镇", "branch": "樱桃沟社区", "star_slot": 2, "task": "建驿站",
         "measure": None, "owner": None, "deadline": date(2024, 9, 30), "done": False,
         "done_date": None, "source_sheet": "任务台账", "source_row": 4},
        {"county": "二七区", "township": "甲镇", "branch": "樱桃沟社区", "star_slot": 5, "task": "办活动",
         "measure": None, "owner": None, "deadline": date(2024, 9, 30), "done": True,
         "done_date": date(2024, 9, 1), "source_sheet": "任务台账", "source_row": 5},
    ]
    # Counts come from the task sheet: 一村 1 of 2, 樱桃沟社区 1 of 2.
    assert rows(result, "branch", "tasks_done", "tasks_total") == [("一村", 1, 2), ("樱桃沟社区", 1, 2)]


def test_ledger_counts_win_each_on_its_own() -> None:
    header = [*H, "已完成任务数", "任务总数"]
    result = ok(parse(
        ledger(["甲镇", "一村", *ALL, None, "29"], ["甲镇", "二村", *ALL, "0", None], ["甲镇", "三村", *ALL, None, None],
               ["甲镇", "四村", *ALL, None, None], header=header),
        tasks(["甲镇", "一村", "产业兴旺星", "a", None, None, None, "是"],
              [None, "一村", "产业兴旺星", "b", None, None, None, "否"],
              [None, "二村", "产业兴旺星", "c", None, None, None, "是"],
              [None, "三村", "产业兴旺星", "d", None, None, None, "是"]),
    ))
    # 一村: total 29 from the ledger, done 1 from tasks; 二村: done 0 from the ledger, total 1 from tasks;
    # 三村: both from tasks; 四村: no tasks and no counts -> NULL.
    assert rows(result, "branch", "tasks_done", "tasks_total") == [
        ("一村", 1, 29), ("二村", 0, 1), ("三村", 1, 1), ("四村", None, None)]


def test_task_of_unknown_branch_is_an_error() -> None:
    result = failed(parse(
        ledger(["甲镇", "一村", *ALL]),
        tasks(["甲镇", "一 村", "产业兴旺星", "a", None, None, None, "是"],
              ["甲镇", "二村", "产业兴旺星", "b", None, None, None, "是"],
              ["乙镇", "一村", "产业兴旺星", "c", None, None, None, "是"]),
    ))
    assert codes(result.errors) == ["E_VALUE 任务台账!B3", "E_VALUE 任务台账!B4"]
    assert "星级台账中没有" in result.errors[0].message


def test_task_value_errors() -> None:
    result = failed(parse(
        ledger(["甲镇", "一村", *ALL]),
        tasks(["甲镇", "一村", "致富星", "a", None, None, "下个月", "差不多", "2024-02-30"],
              ["甲镇", "一村", "产业兴旺星", None, None, None, None, "是"]),
    ))
    assert codes(result.errors) == [
        "E_VALUE 任务台账!C2", "E_VALUE 任务台账!G2", "E_VALUE 任务台账!H2", "E_VALUE 任务台账!I2",
        "E_VALUE 任务台账!D3"]
    assert result.errors[0].message.startswith("所属星：无法识别的星名")
    assert result.errors[4].message.startswith("缺少重点任务")


def test_task_county_from_ledger_column() -> None:
    header = ["县(区)", *H]
    result = ok(parse(
        ledger(["中原区", "甲镇", "一村", *ALL], ["金水区", "乙镇", "二村", *ALL], header=header),
        tasks(["乙镇", "二村", "产业兴旺星", "a", None, None, None, "是"]),
        county=None,
    ))
    assert [(t["county"], t["branch"]) for t in result.tasks.to_pylist()] == [("金水区", "二村")]
    assert rows(result, "county", "tasks_done", "tasks_total") == [("中原区", None, None), ("金水区", 1, 1)]


def test_task_county_when_the_same_branch_name_is_in_two_counties() -> None:
    """A task sheet without a county column takes the county from the star ledger; when the same
    (township, branch) is in two counties there, the first of them in code point order (中 U+4E2D
    before 二 U+4E8C). Rows in ledger order, so the smallest is not simply the first row."""
    header = ["县(区)", *H]
    result = ok(parse(
        ledger(["二七区", "甲镇", "一村", *ALL], ["中原区", "甲镇", "一村", *ALL], ["二七区", "乙镇", "二村", *ALL],
               header=header),
        tasks(["甲镇", "一村", "产业兴旺星", "a", None, None, None, "是"],
              ["乙镇", "二村", "产业兴旺星", "b", None, None, None, "否"]),
        county=None,
    ))
    assert [(t["county"], t["branch"]) for t in result.tasks.to_pylist()] == [("中原区", "一村"), ("二七区", "二村")]
    assert rows(result, "county", "branch", "tasks_done", "tasks_total") == [
        ("二七区", "一村", None, None), ("中原区", "一村", 1, 1), ("二七区", "二村", 0, 1)]


def test_task_sheet_without_township_is_missing_column() -> None:
    result = failed(parse(
        ledger(["甲镇", "一村", *ALL]),
        tasks(["一村", "产业兴旺星", "a", "是"], header=["村(社区)", "所属星", "重点任务", "是否完成"]),
    ))
    assert codes(result.errors) == ["E_MISSING_COLUMN 任务台账 第1行"]


def test_task_sheet_alone_is_no_ledger() -> None:
    result = failed(parse(tasks(["甲镇", "一村", "产业兴旺星", "a", None, None, None, "是"])))
    assert codes(result.errors) == ["E_NO_LEDGER "]
