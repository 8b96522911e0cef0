"""parse_workbook on the sheets of battle-map.md: the 作战图 as offices draw it (§1),
the problem list (§2) and the weak-branch rectification sheet (§3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics.ingest.headers import PROBLEM, TASK, WEAK, detect_layout
from tests.ingest.test_parse_helpers import sheet
from tests.ingest.test_validate import ALL, H, codes, failed, ledger, ok, parse, rows

# The seed's 作战图 columns, no star column (battle-map.md §1).
SEED = ["乡镇", "村(社区)", "专班人员", "创建目标", "重点任务", "具体举措", "负责人", "完成时限", "是否完成"]


def two_branches(*extra: Any, header: list[Any] | None = None) -> Any:
    return ledger(["甲镇", "一村", *ALL, *extra], ["甲镇", "樱桃沟社区", *ALL, *extra], header=header)


def task_dicts(result: Any, *cols: str) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in cols) for r in result.tasks.to_pylist()]


# --- §1 the task sheet -------------------------------------------------------------------


def test_a_sheet_with_exactly_the_seed_columns_is_a_task_sheet_with_heading_rows() -> None:
    raw = sheet([
        SEED,
        ["一、支部过硬星", None, None, None, None, None, None, None, None],  # heading in the first column
        ["甲镇", "一村", "王五、赵六", "五星", "建强班子", "换届", "李四", "时间节点写在后面", "已验收"],
        [None, None, None, None, "规范三会一课", None, "李四", None, "否"],
        [None, None, None, None, None, None, None, None, "平安法治星"],  # heading in the last column
        [None, None, None, None, "调解矛盾", None, None, None, "已销号"],
    ], name="作战图")
    assert detect_layout(raw).kind == TASK
    # The 完成时限 cell holds text that is not a date: refused, naming the cell.
    bad = failed(parse(two_branches(), raw))
    assert codes(bad.errors) == ["E_VALUE 作战图!H3"]
    raw = sheet([
        SEED,
        ["一、支部过硬星", None, None, None, None, None, None, None, None],
        ["甲镇", "一村", "王五、赵六", "五星", "建强班子", "换届", "李四", "2024-08-31", "已验收"],
        [None, None, None, None, "规范三会一课", None, "李四", None, "否"],
        [None, None, None, None, None, None, None, None, "平安法治星"],
        [None, None, None, None, "调解矛盾", None, None, None, "已销号"],
    ], name="作战图")
    result = ok(parse(two_branches(), raw))
    assert task_dicts(result, "branch", "star_slot", "task", "team", "owner", "deadline", "done", "accepted",
                      "source_row") == [
        ("一村", 1, "建强班子", "王五、赵六", "李四", date(2024, 8, 31), True, True, 3),
        ("一村", 1, "规范三会一课", None, "李四", None, False, False, 4),
        ("一村", 4, "调解矛盾", None, None, None, True, False, 6),
    ]
    # The task counts come from the sheet (heading rows are not tasks).
    assert rows(result, "branch", "tasks_done", "tasks_total") == [("一村", 2, 3), ("樱桃沟社区", None, None)]
    # 创建目标 is not a task field: listed as unknown, nothing else.
    assert [w.code for w in result.warnings] == ["W_UNKNOWN_COLUMN"]


def test_a_task_without_a_star_has_star_slot_null() -> None:
    raw = sheet([["乡镇", "村(社区)", "重点任务", "是否完成"], ["甲镇", "一村", "修路", "是"]], name="作战图")
    result = ok(parse(two_branches(), raw))
    assert task_dicts(result, "star_slot", "task", "done") == [(None, "修路", True)]


def test_new_task_fields_and_aliases() -> None:
    header = ["乡镇", "村(社区)", "所属星", "重点任务", "专班成员", "领星人", "责任单位", "完成时间节点", "进度",
              "是否验收", "验收日期"]
    raw = sheet([
        header,
        ["甲镇", "一村", "产业兴旺星", "建大棚", "张三", "王书记", "农业办", "2024年9月", "完成", "通过", "2024/9/2"],
        ["甲镇", "一村", "产业兴旺星", "修渠", None, None, None, None, "完成", "未验收", None],
        ["甲镇", "一村", "产业兴旺星", "种树", None, None, None, None, "完成", None, "9月3日"],
    ], name="任务台账")
    result = ok(parse(two_branches(), raw))
    assert task_dicts(result, "task", "team", "star_owner", "department", "deadline", "accepted",
                      "accepted_date") == [
        ("建大棚", "张三", "王书记", "农业办", date(2024, 9, 30), True, date(2024, 9, 2)),
        ("修渠", None, None, None, None, False, None),
        # An 验收日期 with a blank 是否验收: accepted.
        ("种树", None, None, None, None, True, date(2024, 9, 3)),
    ]


def test_accepted_but_not_done_and_bad_marks_name_their_cells() -> None:
    header = ["乡镇", "村(社区)", "重点任务", "是否完成", "是否验收", "验收时间", "时间节点"]
    raw = sheet([
        header,
        ["甲镇", "一村", "修路", "否", "已验收", None, None],  # accepted but not done
        ["甲镇", "一村", "建站", "是", "差不多", None, None],  # unreadable acceptance mark
        ["甲镇", "一村", "种树", "是", "√", "下个月", None],  # unreadable acceptance date
        ["甲镇", "一村", "修渠", "是", "√", None, "尽快"],  # unreadable 时间节点
    ], name="任务台账")
    result = failed(parse(two_branches(), raw))
    assert codes(result.errors) == [
        "E_VALUE 任务台账!E2", "E_VALUE 任务台账!E3", "E_VALUE 任务台账!F4", "E_VALUE 任务台账!G5",
    ]
    assert "已验收但未完成" in result.errors[0].message


# --- §2 the problem list -----------------------------------------------------------------

PH = ["乡镇", "村(社区)", "所属星", "问题", "整改措施", "责任人", "整改时限", "是否销号", "销号时间"]


def test_problem_list_rows_and_open_problems_from_it() -> None:
    raw = sheet([
        PH,
        ["甲镇", "一村党支部", "平安法治星", "矛盾纠纷多", "建调解室", "张三", "2024-08-31", "未销号", None],
        [None, None, None, "路灯不亮", None, None, "2024-12-31", "已整改", "8月20日"],
        [None, "樱桃沟社区", None, "活动少", None, None, None, "整改中", None],
    ], name="问题清单")
    assert detect_layout(raw).kind == PROBLEM
    result = ok(parse(two_branches(), raw))
    assert [(r["branch"], r["star_slot"], r["problem"], r["owner"], r["deadline"], r["closed"], r["closed_date"])
            for r in result.problems.to_pylist()] == [
        ("一村", 4, "矛盾纠纷多", "张三", date(2024, 8, 31), False, None),
        ("一村", None, "路灯不亮", None, date(2024, 12, 31), True, date(2024, 8, 20)),  # a star is not carried
        ("樱桃沟社区", None, "活动少", None, None, False, None),
    ]
    assert rows(result, "branch", "open_problems") == [("一村", 1), ("樱桃沟社区", 1)]


def test_the_ledger_problem_count_wins_and_a_different_count_is_warned() -> None:
    led = ledger(["甲镇", "一村", *ALL, "1"], ["甲镇", "樱桃沟社区", *ALL, "3"], ["甲镇", "二村", *ALL, None],
                 header=[*H, "问题数"])
    raw = sheet([PH, ["甲镇", "一村", None, "甲", None, None, None, "否", None],
                 ["甲镇", "樱桃沟社区", None, "乙", None, None, None, "否", None]], name="问题清单")
    result = ok(parse(led, raw))
    assert rows(result, "branch", "open_problems") == [("一村", 1), ("樱桃沟社区", 3), ("二村", 0)]
    assert codes(result.warnings) == ["W_PROBLEMS_MISMATCH 星级台账!H3"]
    assert "未销号的问题有 1 个" in result.warnings[0].message


def test_problem_rows_of_unknown_branches_and_bad_marks_are_refused() -> None:
    raw = sheet([PH, ["甲镇", "三村", None, "甲", None, None, None, "否", None],
                 ["甲镇", "一村", None, "乙", None, None, "不知道", "也许", None]], name="问题清单")
    result = failed(parse(two_branches(), raw))
    assert codes(result.errors) == ["E_VALUE 问题清单!B2", "E_VALUE 问题清单!G3", "E_VALUE 问题清单!H3"]
    assert result.errors[0].message.startswith("问题清单中的这个支部在星级台账中没有")


def test_a_sheet_with_branch_problem_and_a_task_done_column_is_not_a_problem_list() -> None:
    raw = sheet([["乡镇", "村(社区)", "问题", "是否完成"], ["甲镇", "一村", "甲", "是"]], name="x")
    assert detect_layout(raw).kind is None


# --- §3 the rectification sheet ----------------------------------------------------------

WH = ["乡镇", "村(社区)", "认定情形", "整顿措施", "包联领导", "认定时间", "整顿状态", "销号时间"]


def test_rectification_sheet_decides_weak_and_a_disagreeing_ledger_is_warned() -> None:
    led = ledger(["甲镇", "一村", *ALL, "否"], ["甲镇", "樱桃沟社区", *ALL, "是"], ["甲镇", "二村", *ALL, "是"],
                 header=[*H, "软弱涣散"])
    raw = sheet([
        WH,
        ["甲镇", "一村", "班子不团结", "调整班子", "李镇长", "2024-03-01", "整顿中", None],
        ["甲镇", "樱桃沟社区", "制度不落实", None, None, "2024-03-01", "已摘帽", "2024-07-15"],
    ], name="软弱涣散整顿")
    assert detect_layout(raw).kind == WEAK
    result = ok(parse(led, raw))
    assert rows(result, "branch", "weak") == [("一村", True), ("樱桃沟社区", False), ("二村", False)]
    assert codes(result.warnings) == [
        "W_WEAK_CONFLICT 星级台账!H2", "W_WEAK_CONFLICT 星级台账!H3", "W_WEAK_CONFLICT 星级台账!H4",
    ]
    assert [(r["branch"], r["situations"], r["liaison"], r["identified"], r["state"], r["cleared"])
            for r in result.weak.to_pylist()] == [
        ("一村", "班子不团结", "李镇长", date(2024, 3, 1), "整顿中", None),
        ("樱桃沟社区", "制度不落实", None, date(2024, 3, 1), "已摘帽", date(2024, 7, 15)),
    ]


def test_rectification_recognised_by_status_with_situations_and_refuses_bad_state() -> None:
    header = ["乡镇", "村(社区)", "认定情形", "状态"]
    raw = sheet([header, ["甲镇", "一村", "班子弱", "差不多了"], ["甲镇", "樱桃沟社区", "x", None]], name="整顿")
    assert detect_layout(raw).kind == WEAK
    result = failed(parse(two_branches(), raw))
    assert codes(result.errors) == ["E_VALUE 整顿!D2", "E_VALUE 整顿!D3"]
    # 状态 alone (no 认定情形 / 整顿措施) is not a rectification sheet.
    assert detect_layout(sheet([["乡镇", "村(社区)", "状态"], ["甲镇", "一村", "整顿中"]])).kind is None


def test_a_branch_twice_in_the_rectification_sheet_is_a_duplicate() -> None:
    raw = sheet([WH, ["甲镇", "一村", None, None, None, None, "整顿中", None],
                 ["甲镇", "一村", None, None, None, None, "已销号", None]], name="整顿")
    assert codes(failed(parse(two_branches(), raw)).errors) == ["E_DUPLICATE 整顿!B3"]


# --- a village's own 作战图: no township / branch column ----------------------------------

EXACT_SEED = ["专班人员", "创建目标", "重点任务", "具体举措", "负责人", "完成时限", "是否完成"]


def test_a_sheet_with_exactly_the_seed_columns_belongs_to_the_ledgers_only_branch() -> None:
    raw = sheet([EXACT_SEED, ["支部过硬星"], ["王五", "五星", "建强班子", "换届", "李四", "2024-08-31", "已验收"],
                 ["产业兴旺星"], [None, None, "建大棚", "争取资金", "张三", "2024-12-31", "否"]], name="作战图")
    assert detect_layout(raw).kind == TASK
    result = ok(parse(ledger(["甲镇", "一村党支部", *ALL]), raw))
    assert task_dicts(result, "township", "branch", "star_slot", "task", "team", "owner", "done", "accepted") == [
        ("甲镇", "一村", 1, "建强班子", "王五", "李四", True, True),
        ("甲镇", "一村", 2, "建大棚", None, "张三", False, False),
    ]
    assert rows(result, "branch", "tasks_done", "tasks_total") == [("一村", 1, 2)]


def test_the_title_or_sheet_name_names_the_branch_of_a_branchless_battle_map() -> None:
    body = [["王五", "五星", "修路", "筹资", "李四", "2024-08-31", "是"]]
    titled = sheet([["樱桃沟社区“五星”支部创建作战图（2024年8月）"], EXACT_SEED, *body], name="Sheet2")
    result = ok(parse(two_branches(), titled))
    assert task_dicts(result, "branch", "task") == [("樱桃沟社区", "修路")]
    named = sheet([EXACT_SEED, *body], name="一村作战图")
    assert task_dicts(ok(parse(two_branches(), named)), "branch", "task") == [("一村", "修路")]
    # Two branches in the ledger and nothing naming one: refused, saying how to fix it.
    unnamed = sheet([EXACT_SEED, *body], name="作战图")
    refused = failed(parse(two_branches(), unnamed))
    assert codes(refused.errors) == ["E_MISSING_COLUMN 作战图 第1行"]
    assert "标题中写明村（社区）名称" in refused.errors[0].message


def test_a_heading_row_may_keep_its_seq_number() -> None:
    raw = sheet([["序号", "乡镇", "村(社区)", "重点任务", "是否完成"],
                 ["一", None, None, "生态宜居星", None],  # 序号 beside the star name
                 [1, "甲镇", "一村", "治污水", "是"]], name="作战图")
    result = ok(parse(two_branches(), raw))
    assert task_dicts(result, "star_slot", "task") == [(3, "治污水")]


def test_a_heading_merged_over_the_row_sits_in_the_seq_cell() -> None:
    raw = sheet([["序号", "乡镇", "村(社区)", "重点任务", "是否完成"],
                 ["四、平安法治星"],  # a merged heading: its text in the 序号 cell
                 [1, "甲镇", "一村", "调解", "是"]], name="作战图")
    assert task_dicts(ok(parse(two_branches(), raw)), "star_slot", "task") == [(4, "调解")]
