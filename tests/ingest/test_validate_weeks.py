"""parse_workbook: weekly ledgers (cadence.md §1) — every week form, from the period column,
the uploader, the title and the file name; a range of days that is not one week is E_PERIOD."""

from __future__ import annotations

from datetime import date

import pytest

from tests.ingest.test_parse_helpers import sheet
from tests.ingest.test_validate import ALL, H, codes, failed, ledger, ok, parse

PH = [*H, "报送月份"]


def titled(title: str, *data: list[object]):  # type: ignore[no-untyped-def]
    return sheet([[title], ["填报单位：青石镇", None, "填报时间：2024年8月26日"], H, *data])


@pytest.mark.parametrize(("title", "monday"), [
    ("青石镇2024年第35周工作进度台账", date(2024, 8, 26)),
    ("青石镇2024-W35工作进度台账", date(2024, 8, 26)),
    ("青石镇2024年8月第4周工作进度台账", date(2024, 8, 19)),      # the 4th week whose Thursday is in August
    ("青石镇2024年8月19日至25日工作进度台账", date(2024, 8, 19)),  # a Monday–Sunday range, not August
    ("青石镇工作进度台账（2024.8.26-2024.9.1）", date(2024, 8, 26)),  # across a month end
    ("青石镇2024年12月30日至2025年1月5日台账", date(2024, 12, 30)),  # 2025-W01, across a year end
])
def test_week_forms_in_the_title(title: str, monday: date) -> None:
    result = ok(parse(titled(title, ["青石镇", "一村", *ALL]), file_name="台账.xlsx"))
    assert (result.period, result.period_kind) == (monday, "week")
    assert result.warnings == []


def test_a_week_without_its_year_takes_the_year_from_the_file_name() -> None:
    # 第35周 in the title, the year in the file name; 8.19-8.25 in the period column, the year from --period.
    result = ok(parse(titled("青石镇第35周工作进度台账", ["青石镇", "一村", *ALL]), file_name="2024年周报.xlsx"))
    assert (result.period, result.period_kind, result.period_label) == (date(2024, 8, 26), "week", "2024-W35")
    column = ok(parse(ledger(["甲镇", "一村", *ALL, "8.19-8.25"], header=PH), period="2024-W34", file_name="台账.xlsx"))
    assert (column.period, column.period_kind) == (date(2024, 8, 19), "week")
    assert column.warnings == []


def test_the_uploader_may_give_a_week_and_a_title_month_holding_it_is_no_conflict() -> None:
    result = ok(parse(titled("二七区“五星”支部创建工作台账（2024年8月）", ["青石镇", "一村", *ALL]),
                      period="2024-W34", file_name="台账.xlsx"))
    assert (result.period, result.period_kind) == (date(2024, 8, 19), "week")
    assert result.warnings == []
    other = ok(parse(titled("二七区“五星”支部创建工作台账（2024年7月）", ["青石镇", "一村", *ALL]),
                     period="2024-W34", file_name="台账.xlsx"))
    assert codes(other.warnings) == ["W_PERIOD_CONFLICT 星级台账!A1"]


@pytest.mark.parametrize(("title", "shown"), [
    ("青石镇2024年8月20日至26日工作进度台账", "2024-08-20 至 2024-08-26"),  # Tuesday to Monday
    ("青石镇工作进度台账（8.19-8.24）", "2024-08-19 至 2024-08-24"),          # six days
    ("青石镇2024年8月12日至25日台账", "2024-08-12 至 2024-08-25"),            # two weeks
])
def test_a_range_that_is_not_one_monday_to_sunday_week_is_refused_naming_the_cell(title: str, shown: str) -> None:
    result = failed(parse(titled(title, ["青石镇", "一村", *ALL]), file_name="2024年台账.xlsx"))
    assert codes(result.errors) == ["E_PERIOD 星级台账!A1"]
    assert shown in result.errors[0].message and "不是完整的一周" in result.errors[0].message
    assert str(result.errors[0].value).startswith("青石镇")  # the title cell as written


def test_a_week_that_does_not_exist_is_refused() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL, "2024年第53周"], header=PH), file_name="台账.xlsx"))
    assert codes(result.errors) == ["E_PERIOD 星级台账!H2"] and "没有第53周" in result.errors[0].message
    # August 2024 has five Thursdays (8.1 … 8.29): 8月第5周 is 8.26–9.1, there is no 第6周.
    fifth = ok(parse(ledger(["甲镇", "一村", *ALL, "2024年8月第5周"], header=PH), file_name="台账.xlsx"))
    assert (fifth.period, fifth.period_label) == (date(2024, 8, 26), "2024-W35")
    sixth = failed(parse(ledger(["甲镇", "一村", *ALL, "2024年8月第6周"], header=PH), file_name="台账.xlsx"))
    assert codes(sixth.errors) == ["E_PERIOD 星级台账!H2"] and "没有第6周" in sixth.errors[0].message


def test_a_month_stays_a_month() -> None:
    result = ok(parse(titled("二七区“五星”支部创建工作台账（2024年8月）", ["青石镇", "一村", *ALL]),
                      file_name="台账.xlsx"))
    assert (result.period, result.period_kind) == (date(2024, 8, 1), "month")
    whole = ok(parse(titled("青石镇台账（2024年8月1日至31日）", ["青石镇", "一村", *ALL]), file_name="台账.xlsx"))
    assert (whole.period, whole.period_kind) == (date(2024, 8, 1), "month")  # a whole calendar month
