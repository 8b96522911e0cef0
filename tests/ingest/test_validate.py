"""parse_workbook on the star ledger: sheets, rows to skip, identity, stars, tasks, problems."""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics.ingest.model import BRANCH_SCHEMA, TASK_SCHEMA, ParsedLedger, ParseFailure, Problem, RawSheet
from analytics.ingest.validate import parse_workbook
from analytics.settings import Settings
from tests.ingest.test_parse_helpers import STARS_V, book, sheet

H = ["乡镇", "村(社区)", *STARS_V]
ALL = ["√"] * 5


def ledger(*rows: list[Any], header: list[Any] | None = None, **kw: Any) -> RawSheet:
    return sheet([header or H, *rows], **kw)


def parse(*sheets: RawSheet, file_name: str = "甲镇2024年8月台账.xlsx", county: str | None = "二七区",
          period: str | None = None, settings: Settings | None = None) -> ParsedLedger | ParseFailure:
    return parse_workbook(book(*sheets, file_name=file_name), period=period, county=county, settings=settings)


def ok(result: ParsedLedger | ParseFailure) -> ParsedLedger:
    assert isinstance(result, ParsedLedger), [str(p) for p in result.errors]
    return result


def failed(result: ParsedLedger | ParseFailure) -> ParseFailure:
    assert isinstance(result, ParseFailure), "expected a refusal"
    return result


def rows(result: ParsedLedger, *cols: str) -> list[tuple[Any, ...]]:
    data = result.branches.to_pylist()
    return [tuple(r[c] for c in cols) for r in data]


def codes(problems: list[Any]) -> list[str]:
    return [f"{p.code} {p.cell}" for p in problems]


# --- the happy path ----------------------------------------------------------------------


def test_minimal_ledger_typed_rows() -> None:
    result = ok(parse(ledger(
        ["甲镇", "一村党支部", "√", "已达标", "△", "×", "1"],
        ["甲镇", "樱桃沟社区党总支", "创建中", "未启动", "0", "2", "★"],
    )))
    assert result.period == date(2024, 8, 1)
    assert result.branches.schema == BRANCH_SCHEMA
    assert result.tasks.schema == TASK_SCHEMA
    assert result.tasks.num_rows == 0
    assert result.branches.to_pylist()[0] == {
        "county": "二七区", "township": "甲镇", "branch": "一村", "branch_type": "村", "target_stars": None,
        "star_1": "achieved", "star_2": "achieved", "star_3": "in_progress", "star_4": "not_started",
        "star_5": "achieved", "stars": 3, "stars_reported": None, "tasks_done": None, "tasks_total": None,
        "open_problems": None, "problems": None, "weak": False, "secretary": None, "notes": None,
        "source_sheet": "星级台账", "source_row": 2,
    }
    assert rows(result, "branch", "branch_type", "stars") == [("一村", "村", 3), ("樱桃沟社区", "社区", 1)]
    assert result.warnings == []
    assert result.scope == [("二七区", "甲镇")]


def test_other_fields() -> None:
    header = [*H, "软弱涣散", "问题数", "存在问题", "支部书记", "备注", "类型"]
    result = ok(parse(ledger(
        ["甲镇", "一村", *ALL, "是", "3", "  道路 破损 ", "张 三", "备注：无", None],
        ["甲镇", "二村", *ALL, None, "０", None, None, None, None],
        ["甲镇", "果园", *ALL, "否", None, None, None, None, "社区"],
        header=header,
    )))
    assert rows(result, "branch", "weak", "open_problems", "problems", "secretary", "notes", "branch_type") == [
        ("一村", True, 3, "道路 破损", "张三", "备注：无", "村"),
        ("二村", False, 0, None, None, None, "村"),
        ("果园", False, None, None, None, None, "社区"),
    ]


# --- sheets ------------------------------------------------------------------------------


def test_no_star_ledger_refused_and_skipped_sheets_listed() -> None:
    result = failed(parse(sheet([["填表说明"], ["达标填√"]], name="填表说明"), sheet([], name="Sheet3")))
    assert codes(result.errors) == ["E_NO_LEDGER "]
    assert codes(result.warnings) == ["W_SKIPPED_SHEET 填表说明", "W_SKIPPED_SHEET Sheet3"]
    assert result.skipped_sheets == ["填表说明", "Sheet3"]
    assert result.warnings[1].message.startswith("空工作表")


def test_empty_workbook_refused() -> None:
    assert codes(failed(parse()).errors) == ["E_NO_LEDGER "]


def test_ledger_without_township_lists_headers_found() -> None:
    result = failed(parse(ledger(["一村", *ALL], header=["村(社区)", *STARS_V, "备注"])))
    assert codes(result.errors) == ["E_MISSING_COLUMN 星级台账 第1行"]
    message = result.errors[0].message
    assert "乡镇（街道）" in message
    assert "找到的表头：村(社区)、支部过硬星、产业兴旺星、生态宜居星、平安法治星、文明幸福星、备注" in message


def test_four_star_columns_is_missing_column() -> None:
    result = failed(parse(ledger(["甲镇", "一村", "√", "√", "√", "√"], header=H[:-1])))
    assert codes(result.errors) == ["E_MISSING_COLUMN 星级台账 第1行"]
    assert "文明幸福星" in result.errors[0].message


def test_hidden_sheet_skipped() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL]), ledger(["甲镇", "一村", *ALL], name="旧", visible=False)))
    assert result.skipped_sheets == ["旧"]
    assert codes(result.warnings) == ["W_SKIPPED_SHEET 旧"]


def test_two_ledger_sheets_are_combined_and_duplicates_across_them_refused() -> None:
    good = ok(parse(ledger(["甲镇", "一村", *ALL]), ledger(["乙镇", "一村", *ALL], name="乙镇")))
    assert rows(good, "township", "branch", "source_sheet") == [("甲镇", "一村", "星级台账"), ("乙镇", "一村", "乙镇")]
    bad = failed(parse(ledger(["甲镇", "一村", *ALL]), ledger(["甲镇", "一村党支部", *ALL], name="乙")))
    assert codes(bad.errors) == ["E_DUPLICATE 乙!B2"]
    assert "星级台账!B2" in bad.errors[0].message
    assert bad.errors[0].value == "一村党支部"


def test_duplicate_within_sheet_names_both_rows() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL], ["甲镇", "二村", *ALL], ["甲 镇", " 一村党支部", *ALL])))
    assert codes(result.errors) == ["E_DUPLICATE 星级台账!B4"]
    assert "星级台账!B2" in result.errors[0].message


def test_same_name_in_two_townships_is_not_duplicate() -> None:
    assert len(ok(parse(ledger(["甲镇", "一村", *ALL], ["乙镇", "一村", *ALL]))).branches) == 2


# --- rows to skip, carry-down ---------------------------------------------------------------


def test_skip_rules_and_carry_down_across_skipped_rows() -> None:
    header = ["序号", *H]
    result = ok(parse(ledger(
        [1, "甲镇", "一村", *ALL],
        [2, None, "二村", *ALL],  # merged township: carried down
        [None, None, None, None, None, None, None, None],  # blank row
        [" ", "\u3000", None, None, None, None, None, None],  # whitespace only = blank
        ["小计", None, None, "2", "2", "2", "2", "2"],  # totals (合计 in 序号, merged over identity)
        [3, None, "三村", *ALL],  # township still carried across the skipped rows
        [None, "乙镇", "合 计", "1", None, None, None, None],  # totals word in an identity cell
        ["序号", "乡镇", "村(社区)", *STARS_V],  # repeated header (table pasted twice)
        [4, "乙镇", "四村", *ALL],
        [5, None, "五村", *ALL],
        ["填表人：张三", None, None, None, "审核人：李四"],  # footer
        ["注：达标填√"],  # footer
        ["备注：", "无"],  # footer (first cell starts with 备注：)
        header=header,
    )))
    assert rows(result, "township", "branch", "source_row") == [
        ("甲镇", "一村", 2), ("甲镇", "二村", 3), ("甲镇", "三村", 7), ("乙镇", "四村", 10), ("乙镇", "五村", 11)]
    assert result.warnings == []


def test_section_label_row_feeds_carry_down() -> None:
    result = ok(parse(ledger(["甲镇"], [None, "一村", *ALL], ["乙镇"], [None, "二村", *ALL])))
    assert rows(result, "township", "branch") == [("甲镇", "一村"), ("乙镇", "二村")]


def test_row_with_only_seq_is_blank() -> None:
    result = ok(parse(ledger([1, "甲镇", "一村", *ALL], [2], [3], header=["序号", *H])))
    assert len(result.branches) == 1


def test_missing_branch_and_township_are_errors() -> None:
    result = failed(parse(ledger([None, "一村", *ALL], ["甲镇", None, *ALL])))
    assert codes(result.errors) == ["E_VALUE 星级台账!A2", "E_VALUE 星级台账!B3"]
    assert result.errors[0].message.startswith("缺少乡镇（街道）")
    assert result.errors[1].message.startswith("缺少村（社区）名称")


# --- identity and type -----------------------------------------------------------------------


def test_normalization_of_identity() -> None:
    header = ["乡镇（街道）", "村（社区）", *STARS_V]
    result = ok(parse(ledger(["　甲 镇", "樱桃沟 社区\u3000党总支", *ALL], ["甲镇", "ＡＢ村", *ALL], header=header)))
    assert rows(result, "township", "branch", "branch_type") == [("甲镇", "樱桃沟社区", "社区"), ("甲镇", "AB村", "村")]


def test_type_column_wins_then_inference_then_error() -> None:
    header = [*H, "类型"]
    result = ok(parse(ledger(["甲镇", "东街居委会", *ALL, None], ["甲镇", "果园", *ALL, "农村"], header=header)))
    assert rows(result, "branch", "branch_type") == [("东街居委会", "社区"), ("果园", "村")]
    bad = failed(parse(ledger(["甲镇", "果园", *ALL, None], ["甲镇", "一村", *ALL, "乡"], header=header)))
    assert codes(bad.errors) == ["E_VALUE 星级台账!H2", "E_VALUE 星级台账!H3"]
    assert "村 或 社区" in bad.errors[0].message
    assert bad.errors[1].value == "乡"
    # Without a type column the error points at the name.
    bad = failed(parse(ledger(["甲镇", "果园", *ALL])))
    assert codes(bad.errors) == ["E_VALUE 星级台账!B2"]
    assert bad.errors[0].value == "果园"


# --- stars -------------------------------------------------------------------------------------


def test_unknown_star_mark_names_the_cell() -> None:
    result = failed(parse(ledger(["甲镇", "一村", "√", "√", "√", "√", "半达标"])))
    assert codes(result.errors) == ["E_VALUE 星级台账!G2"]
    error = result.errors[0]
    assert error.value == "半达标"
    assert str(error).startswith("E_VALUE 星级台账!G2 “半达标”：无法识别的星级状态，应为 已达标/创建中/未启动")


def test_blank_star_is_null_with_one_warning_per_blank_cell() -> None:
    result = ok(parse(ledger(["甲镇", "一村", "√", None, "√", None, "√"], ["甲镇", "二社区", None, *ALL[:4]])))
    assert rows(result, "star_2", "star_4", "stars") == [(None, None, 3), ("achieved", "achieved", 4)]
    assert rows(result, "star_1") == [("achieved",), (None,)]
    # both blank cells of row 2 are named (issue 13: only the first one was)
    assert codes(result.warnings) == ["W_BLANK_STAR 星级台账!D2", "W_BLANK_STAR 星级台账!F2",
                                      "W_BLANK_STAR 星级台账!C3"]
    assert result.warnings[0].message.startswith("产业兴旺星 未填写")
    assert result.warnings[1].message.startswith("平安法治星 未填写")
    assert result.warnings[2].message.startswith("支部过硬星 未填写")
    assert [w.to_dict()["column"] for w in result.warnings] == ["D", "F", "C"]


def test_community_names_shown_for_blank_star_in_shared_column() -> None:
    header = ["乡镇", "村(社区)", "支部过硬", "产业兴旺/共建共享", "生态宜居/宜业兴业", "平安法治", "文明幸福/幸福和谐"]
    result = ok(parse(ledger(["甲镇", "一社区", "√", None, "√", "√", "√"], header=header)))
    assert result.warnings[0].message.startswith("共建共享星 未填写")


def test_separate_village_and_community_columns_for_one_slot() -> None:
    header = ["乡镇", "村(社区)", "支部过硬星", "产业兴旺星", "共建共享星", "生态宜居星", "平安法治星", "文明幸福星"]
    result = ok(parse(ledger(
        ["甲镇", "一村", "√", "√", None, "√", "√", "√"],
        ["甲镇", "二社区", "√", None, "△", "√", "√", "√"],
        ["甲镇", "三社区", "√", "×", None, "√", "√", "√"],  # own column blank: the other one is read
        header=header,
    )))
    assert rows(result, "star_2") == [("achieved",), ("in_progress",), ("not_started",)]
    assert result.warnings == []


def test_stars_reported_mismatch_warns_and_derived_wins() -> None:
    header = [*H, "当前星级"]
    result = ok(parse(ledger(["甲镇", "一村", *ALL, "五星"], ["甲镇", "二村", "√", "√", "×", "×", "×", "三星"],
                             header=header)))
    assert rows(result, "stars", "stars_reported") == [(5, 5), (2, 3)]
    assert codes(result.warnings) == ["W_STARS_MISMATCH 星级台账!H3"]
    assert "2 星" in result.warnings[0].message


def test_only_stars_reported() -> None:
    header = ["乡镇", "村(社区)", "现有星级"]
    result = ok(parse(ledger(["甲镇", "一村", "３星"], ["甲镇", "二村", "★★"], header=header)))
    assert rows(result, "star_1", "star_5", "stars", "stars_reported") == [(None, None, 3, 3), (None, None, 2, 2)]
    bad = failed(parse(ledger(["甲镇", "一村", None], ["甲镇", "二村", "七星"], header=header)))
    assert codes(bad.errors) == ["E_VALUE 星级台账!C2", "E_VALUE 星级台账!C3"]


def test_target_stars_forms_and_error() -> None:
    header = [*H, "创建目标"]
    result = ok(parse(ledger(
        ["甲镇", "一村", *ALL, "三星"], ["甲镇", "二村", *ALL, "４星"], ["甲镇", "三村", *ALL, "★★★★★"],
        ["甲镇", "四村", *ALL, "三星支部"], ["甲镇", "五村", *ALL, None], header=header,
    )))
    assert rows(result, "target_stars") == [(3,), (4,), (5,), (3,), (None,)]
    bad = failed(parse(ledger(["甲镇", "一村", *ALL, "二星"], header=header)))
    assert codes(bad.errors) == ["E_VALUE 星级台账!H2"]
    assert bad.errors[0].message.startswith("创建目标：")


# --- task counts in the ledger ---------------------------------------------------------------


def test_task_counts_numbers_text_and_fractions() -> None:
    header = [*H, "已完成任务数", "任务总数"]
    result = ok(parse(ledger(
        ["甲镇", "一村", *ALL, "18", "29"],
        ["甲镇", "二村", *ALL, "18/29", None],
        ["甲镇", "三村", *ALL, None, "20/25"],
        ["甲镇", "四村", *ALL, "10", None],  # only done: default total 29 for a village
        ["甲镇", "五社区", *ALL, "10项", None],  # …27 for a community
        ["甲镇", "六村", *ALL, None, "30"],  # only a total
        ["甲镇", "七村", *ALL, None, None],  # nothing
        header=header,
    )))
    assert rows(result, "tasks_done", "tasks_total") == [
        (18, 29), (18, 29), (20, 25), (10, 29), (10, 27), (None, 30), (None, None)]


def test_task_count_errors() -> None:
    header = [*H, "已完成任务数", "任务总数"]
    result = failed(parse(ledger(
        ["甲镇", "一村", *ALL, "十八", "29"],
        ["甲镇", "二村", *ALL, "30", "29"],
        ["甲镇", "三村", *ALL, "18/29", "27"],
        ["甲镇", "四村", *ALL, "30", None],  # above the default 29
        header=header,
    )))
    assert codes(result.errors) == [
        "E_VALUE 星级台账!H2", "E_VALUE 星级台账!H3", "E_VALUE 星级台账!I4", "E_VALUE 星级台账!H5"]
    assert result.errors[0].message.startswith("已完成任务数：")
    assert "大于任务总数" in result.errors[1].message


def test_task_rate() -> None:
    header = [*H, "任务完成率", "任务总数", "已完成任务"]
    result = ok(parse(ledger(
        ["甲镇", "一村", *ALL, "62%", None, None],  # 0.62 × 29 = 17.98 -> 18
        ["甲镇", "二社区", *ALL, "0.5", None, None],  # 0.5 × 27 = 13.5 -> 14 (half up)
        ["甲镇", "三村", *ALL, "50", "9", None],  # 50 (%) × 9 = 4.5 -> 5
        ["甲镇", "四村", *ALL, "0.35", "10", None],  # 3.5 exactly -> 4 (no float error)
        ["甲镇", "五村", *ALL, "90%", "10", "2"],  # done given: it wins
        ["甲镇", "六村", *ALL, "1", "20", None],  # 1 = 100%
        header=header,
    )))
    assert rows(result, "tasks_done", "tasks_total") == [(18, 29), (14, 27), (5, 9), (4, 10), (2, 10), (20, 20)]
    bad = failed(parse(ledger(["甲镇", "一村", *ALL, "120", None, None], header=header)))
    assert codes(bad.errors) == ["E_VALUE 星级台账!H2"]


def test_bad_weak_and_open_problems() -> None:
    header = [*H, "是否软弱涣散", "未销号问题数"]
    result = failed(parse(ledger(["甲镇", "一村", *ALL, "有点", "两个"], header=header)))
    assert codes(result.errors) == ["E_VALUE 星级台账!H2", "E_VALUE 星级台账!I2"]


# --- problem listing --------------------------------------------------------------------------


def test_every_problem_collected_sorted_and_capped() -> None:
    first = ledger(["甲镇", "一村", "x", "√", "√", "√", "y"], ["甲镇", "二村", *ALL], ["甲镇", "三村", "z", *ALL[:4]])
    second = ledger(["甲镇", "果园", *ALL], name="第二张")
    result = failed(parse(first, second, settings=Settings({"max_listed_problems": 3})))
    assert result.errors_total == 4
    assert codes(result.errors) == ["E_VALUE 星级台账!C2", "E_VALUE 星级台账!G2", "E_VALUE 星级台账!C4"]
    full = failed(parse(first, second))
    assert codes(full.errors)[-1] == "E_VALUE 第二张!B2"
    assert all(p.message for p in full.errors)


def test_unknown_columns_warned_seq_silent() -> None:
    result = ok(parse(ledger([1, "甲镇", "一村", *ALL, "x"], header=["序号", *H, "联系电话号"])))
    assert codes(result.warnings) == ["W_UNKNOWN_COLUMN 星级台账!I1"]
    assert result.warnings[0].value == "联系电话号"


def test_truncated_sheet_warns() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL], hit_row_limit=True)))
    assert codes(result.warnings) == ["W_TRUNCATED 星级台账"]


def test_two_level_header_unknown_column_row_and_data_start() -> None:
    result = ok(parse(sheet([
        ["县区重点工作台账（2024年8月）"],
        ["序号", "乡镇", "村(社区)", "星级创建情况", None, None, None, None, "其他"],
        [None, None, None, *STARS_V, "联络员"],
        [1, "甲镇", "一村", *ALL, "王五"],
    ], name="台账")))
    assert rows(result, "branch", "stars", "source_row") == [("一村", 5, 4)]
    assert codes(result.warnings) == ["W_UNKNOWN_COLUMN 台账!I3"]
    assert result.warnings[0].value == "联络员"


def test_problem_names_a_row_as_a_row_not_as_a_cell() -> None:
    # issue 13: a sheet-level problem with only a row read "星级台账!2"
    from analytics.exports import problems_frame

    row_only = Problem("E_MISSING_COLUMN", "缺少必需列", sheet="星级台账", row=2)
    assert row_only.cell == "星级台账 第2行"
    assert str(row_only) == "E_MISSING_COLUMN 星级台账 第2行：缺少必需列"
    assert Problem("W_UNKNOWN_COLUMN", "x", sheet="星级台账", column="H").cell == "星级台账 H列"
    assert Problem("E_VALUE", "x", sheet="星级台账", row=12, column="H").cell == "星级台账!H12"
    assert Problem("E_NO_LEDGER", "x", sheet="填表说明").cell == "填表说明"
    assert list(problems_frame([row_only])["单元格"]) == ["星级台账 第2行"]
