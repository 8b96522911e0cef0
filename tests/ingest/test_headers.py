"""Header detection and column matching (analytics.ingest.headers)."""

from __future__ import annotations

from typing import Any

from analytics.ingest.headers import LEDGER, TASK, detect_layout, title_cells
from tests.ingest.test_parse_helpers import STARS_V, sheet

BASIC = ["乡镇", "村(社区)", *STARS_V]


def _fields(layout) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: col.letter for name, col in layout.fields.items()}


def _stars(layout) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[str]] = {}
    for s in layout.stars:
        out.setdefault(s.slot, []).append(s.column.letter)
    return out


def test_plain_header_on_first_row() -> None:
    layout = detect_layout(sheet([BASIC, ["甲镇", "一村", "√", "√", "√", "√", "√"]]))
    assert layout.kind == LEDGER
    assert layout.header_rows == (0,)
    assert layout.data_start == 1
    assert _fields(layout) == {"township": "A", "branch": "B"}
    assert _stars(layout) == {1: ["C"], 2: ["D"], 3: ["E"], 4: ["F"], 5: ["G"]}


def test_header_below_title_and_meta_rows() -> None:
    rows: list[list[Any]] = [
        ["××区“五星”支部创建工作台账（2024年8月）"],
        ["填报单位：甲镇", None, "填报人：张三", None, "审核人：李四", "填报时间：2024年9月5日"],
        [],
        ["序号", *BASIC],
        [1, "甲镇", "一村", "√", "√", "√", "√", "√"],
    ]
    layout = detect_layout(sheet(rows, start="B2"))
    assert layout.kind == LEDGER
    assert layout.header_rows == (3,)
    assert _fields(layout) == {"seq": "B", "township": "C", "branch": "D"}
    # The title row counts; the 填报… row does not (§4).
    assert [(r, text) for r, _i, text in title_cells(sheet(rows, start="B2"), layout)] == [
        (0, "××区“五星”支部创建工作台账(2024年8月)")]


def test_two_level_merged_header() -> None:
    rows: list[list[Any]] = [
        ["序号", "乡镇（街道）", "村（社区）名称", "星级创建情况", None, None, None, None, "备注"],
        [None, None, None, "支部过硬", "产业兴旺", "生态宜居", "平安法治", "文明幸福", None],
        [1, "甲镇", "一村", "√", "√", "√", "√", "√", None],
    ]
    layout = detect_layout(sheet(rows))
    assert layout.header_rows == (0, 1)
    assert layout.data_start == 2
    assert _fields(layout) == {"seq": "A", "township": "B", "branch": "C", "notes": "I"}
    assert _stars(layout) == {1: ["D"], 2: ["E"], 3: ["F"], 4: ["G"], 5: ["H"]}
    assert layout.unknown == []


def test_header_beyond_search_window_is_not_found() -> None:
    rows: list[list[Any]] = [[f"说明{i}"] for i in range(15)] + [BASIC]
    assert detect_layout(sheet(rows)).kind is None
    rows = [[f"说明{i}"] for i in range(14)] + [list(BASIC)]
    assert detect_layout(sheet(rows)).header_rows == (14,)


def test_exact_alias_beats_shortened() -> None:
    header = [*BASIC, "重点任务数", "存在问题", "存在问题数", "完成任务"]
    layout = detect_layout(sheet([header]))
    fields = _fields(layout)
    assert fields["tasks_total"] == "H"
    assert fields["problems"] == "I"
    assert fields["open_problems"] == "J"
    assert fields["tasks_done"] == "K"  # 完成任务 = 完成任务数 without 数


def test_trailing_shu_and_mingcheng_ignored() -> None:
    header = ["乡镇名称", "村社区名称", *STARS_V, "问题", "任务总"]
    layout = detect_layout(sheet([header]))
    fields = _fields(layout)
    assert fields["township"] == "A"
    assert fields["branch"] == "B"
    assert fields["open_problems"] == "H"  # 问题 = 问题数 without 数
    assert fields["tasks_total"] == "I"  # 任务总 = 任务总数 without 数
    assert layout.unknown == []


def test_star_columns_by_name_in_any_order_and_form() -> None:
    header = ["乡镇", "党组织名称", "幸福和谐星", "平安法治", "宜业兴业/生态宜居", "共建共享", "支部过硬星创建情况"]
    layout = detect_layout(sheet([header]))
    assert _stars(layout) == {5: ["C"], 4: ["D"], 3: ["E"], 2: ["F"], 1: ["G"]}
    named = {s.column.letter: s.named_type for s in layout.stars}
    assert named == {"C": "社区", "D": None, "E": None, "F": "社区", "G": None}


def test_both_types_columns_for_one_slot() -> None:
    header = ["乡镇", "村(社区)", "支部过硬星", "产业兴旺星", "共建共享星", "生态宜居星", "平安法治星", "文明幸福星"]
    layout = detect_layout(sheet([header]))
    assert _stars(layout)[2] == ["D", "E"]
    assert layout.star_slots == {1, 2, 3, 4, 5}


def test_unknown_and_seq_columns() -> None:
    layout = detect_layout(sheet([["序号", *BASIC, "联系人电话", "备 注"]]))
    assert [c.label for c in layout.unknown] == ["联系人电话"]
    assert _fields(layout)["notes"] == "J"
    assert _fields(layout)["seq"] == "A"


def test_stars_reported_only_is_a_ledger() -> None:
    layout = detect_layout(sheet([["街道", "社区名称", "当前星级", "目标星级"]]))
    assert layout.kind == LEDGER
    assert _fields(layout) == {"township": "A", "branch": "B", "stars_reported": "C", "target_stars": "D"}


def test_task_ledger_recognised() -> None:
    header = ["乡镇", "村(社区)", "所属星", "重点任务", "具体举措", "责任人", "完成时限", "是否完成", "完成时间"]
    layout = detect_layout(sheet([header]))
    assert layout.kind == TASK
    assert _fields(layout) == {
        "township": "A", "branch": "B", "star": "C", "task": "D", "measure": "E", "owner": "F",
        "deadline": "G", "done": "H", "done_date": "I"}


def test_sheets_without_tables_are_not_recognised() -> None:
    assert detect_layout(sheet([["填表说明"], ["1. 达标填√"]])).kind is None
    assert detect_layout(sheet([])).kind is None
    # A branch column alone (no stars, no 当前星级) is not a star ledger.
    assert detect_layout(sheet([["乡镇", "村(社区)", "书记"]])).kind is None


def test_repeated_field_column_is_reported() -> None:
    layout = detect_layout(sheet([["乡镇", "街道", "村(社区)", *STARS_V]]))
    assert _fields(layout)["township"] == "A"
    assert [(a.letter, b.letter) for a, b in layout.repeated] == [("B", "A")]


def test_byte_order_mark_in_first_header_cell() -> None:
    layout = detect_layout(sheet([["\ufeff乡镇", "村(社区)", *STARS_V]]))
    assert layout.fields["township"].letter == "A"
