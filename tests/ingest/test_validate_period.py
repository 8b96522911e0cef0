"""parse_workbook: period (§4 order and conflicts) and county resolution."""

from __future__ import annotations

from datetime import date

from tests.ingest.test_parse_helpers import sheet
from tests.ingest.test_validate import ALL, H, codes, failed, ledger, ok, parse, rows

PH = [*H, "报送月份"]


def titled(title: str, *data: list[object], header: list[object] | None = None):  # type: ignore[no-untyped-def]
    return sheet([[title], ["填报单位：甲镇", None, "填报时间：2024年10月5日"], header or H, *data])


def test_period_from_column() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL, "2024年7月"], ["甲镇", "二村", *ALL, "2024-07"], header=PH),
                      file_name="台账.xlsx"))
    assert result.period == date(2024, 7, 1)
    assert result.warnings == []


def test_period_column_disagreeing_rows_refused() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL, "2024-07"], ["甲镇", "二村", *ALL, "2024-08"],
                                 ["甲镇", "三村", *ALL, "2024-08"], header=PH), file_name="台账.xlsx"))
    assert codes(result.errors) == ["E_PERIOD 星级台账!H3", "E_PERIOD 星级台账!H4"]
    assert "星级台账!H2 为 2024-07" in result.errors[0].message


def test_period_column_beats_uploader_with_warning_naming_both() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL, "2024-07"], header=PH), period="2024-08", file_name="台账.xlsx"))
    assert result.period == date(2024, 7, 1)
    assert codes(result.warnings) == ["W_PERIOD_CONFLICT 星级台账!H2"]
    assert "2024-07" in result.warnings[0].message
    assert "2024-08" in result.warnings[0].message


def test_uploader_then_title_then_file_name() -> None:
    sheet_ = titled("二七区“五星”支部创建工作台账（2024年8月）", ["甲镇", "一村", *ALL])
    # title only (the 填报时间 2024年10月 row is not a title row)
    assert ok(parse(sheet_, file_name="台账.xlsx")).period == date(2024, 8, 1)
    # uploader beats title, with a warning
    result = ok(parse(sheet_, period="2024-09", file_name="台账.xlsx"))
    assert result.period == date(2024, 9, 1)
    assert codes(result.warnings) == ["W_PERIOD_CONFLICT 星级台账!A1"]  # points at the title that lost
    assert "上传时选择的月份为 2024-09" in result.warnings[0].message
    assert "标题为 2024-08" in result.warnings[0].message
    # title beats file name
    result = ok(parse(sheet_, file_name="甲镇_202406.xlsx"))
    assert result.period == date(2024, 8, 1)
    assert codes(result.warnings) == ["W_PERIOD_CONFLICT 星级台账!A1"]
    # file name alone
    assert ok(parse(ledger(["甲镇", "一村", *ALL]), file_name="甲镇2024年5月.xlsx")).period == date(2024, 5, 1)
    assert ok(parse(ledger(["甲镇", "一村", *ALL]), file_name="ledger-2024-05.csv")).period == date(2024, 5, 1)


def test_no_period_refused() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL]), file_name="台账.xlsx"))
    assert codes(result.errors) == ["E_PERIOD "]


def test_month_only_period_column_takes_year_elsewhere() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL, "8月"], header=PH), file_name="2024年8月.xlsx"))
    assert result.period == date(2024, 8, 1)
    assert result.warnings == []
    assert codes(failed(parse(ledger(["甲镇", "一村", *ALL, "8月"], header=PH), file_name="a.xlsx")).errors) == [
        "E_PERIOD 星级台账!H2"]


def test_unreadable_period_cell() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL, "八月份吧"], header=PH)))
    assert codes(result.errors) == ["E_VALUE 星级台账!H2"]


def test_year_less_task_date_takes_period_year() -> None:
    task_sheet = sheet([["乡镇", "村(社区)", "所属星", "重点任务", "完成时限", "是否完成"],
                        ["甲镇", "一村", "产业兴旺星", "a", "12月31日", "否"]], name="任务")
    result = ok(parse(ledger(["甲镇", "一村", *ALL]), task_sheet, file_name="2023-11.xlsx"))
    assert result.tasks.column("deadline").to_pylist() == [date(2023, 12, 31)]


def test_county_column_then_uploader_then_title() -> None:
    header = ["县(市、区)", *H]
    result = ok(parse(ledger(["中原区", "甲镇", "一村", *ALL], [None, "甲镇", "二村", *ALL], header=header)))
    assert rows(result, "county") == [("中原区",), ("中原区",)]  # carried down; the column beats the uploader
    title = titled("郑州市金水区“五星”支部创建工作台账（2024年8月）", ["甲镇", "一村", *ALL])
    assert rows(ok(parse(title, county=None)), "county") == [("金水区",)]
    assert rows(ok(parse(title, county="惠济区")), "county") == [("惠济区",)]
    # A blank county cell at the top of the column takes the uploader's choice.
    result = ok(parse(ledger([None, "甲镇", "一村", *ALL], ["中原区", "乙镇", "二村", *ALL], header=header)))
    assert rows(result, "county") == [("二七区",), ("中原区",)]


def test_no_county_refused() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL]), county=None))
    assert codes(result.errors) == ["E_COUNTY 星级台账"]
    result = failed(parse(ledger([None, "甲镇", "一村", *ALL], header=["县区", *H]), county=None))
    assert codes(result.errors) == ["E_COUNTY 星级台账!A2"]
