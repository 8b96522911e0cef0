"""Issue 14: a period after the current month is refused (E_PERIOD naming its source) unless
allow_future_periods; the default period is the latest month that is not in the future."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analytics import store
from analytics.periods import MONTH, QUARTER, Period, default_period_label, latest_not_future, latest_period
from analytics.settings import Settings
from tests.factories import build_store
from tests.ingest.test_validate import ALL, H, codes, failed, ledger, ok, parse
from tests.ingest.test_validate_period import PH


def _month(offset: int) -> str:
    today = date.today()
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_far_future_period_column_is_refused_naming_the_cell() -> None:
    result = failed(parse(ledger(["甲镇", "一村", *ALL, "2100-12"], header=PH), file_name="台账.xlsx"))
    assert codes(result.errors) == ["E_PERIOD 星级台账!H2"]
    assert result.errors[0].value == "2100-12"
    assert "报送月份 2100-12（来自报送月份列）晚于本月" in result.errors[0].message


def test_future_period_from_uploader_and_file_name_is_refused() -> None:
    by_uploader = failed(parse(ledger(["甲镇", "一村", *ALL]), period="2100-12", file_name="台账.xlsx"))
    assert [(p.code, p.value) for p in by_uploader.errors] == [("E_PERIOD", "2100-12")]
    assert "上传时选择的月份" in by_uploader.errors[0].message
    by_name = failed(parse(ledger(["甲镇", "一村", *ALL]), file_name="甲镇2099年12月台账.xlsx"))
    assert [(p.code, p.value) for p in by_name.errors] == [("E_PERIOD", "甲镇2099年12月台账.xlsx")]
    assert "文件名" in by_name.errors[0].message


def test_current_month_accepted_next_month_refused_unless_allowed() -> None:
    this_month, next_month = _month(0), _month(1)
    assert ok(parse(ledger(["甲镇", "一村", *ALL]), period=this_month)).period.strftime("%Y-%m") == this_month
    assert codes(failed(parse(ledger(["甲镇", "一村", *ALL]), period=next_month)).errors) == ["E_PERIOD "]
    allowed = Settings({"allow_future_periods": True})
    assert ok(parse(ledger(["甲镇", "一村", *ALL]), period="2100-12", settings=allowed)).period == date(2100, 12, 1)


def test_default_period_is_the_latest_not_in_the_future() -> None:
    months = [date(2024, 7, 1), date(2024, 8, 1), date(2100, 12, 1)]
    assert latest_not_future(months, today=date(2024, 9, 15)) == date(2024, 8, 1)
    assert latest_not_future(months, today=date(2024, 8, 31)) == date(2024, 8, 1)
    assert latest_not_future([date(2100, 12, 1), date(2100, 11, 1)], today=date(2024, 9, 1)) == date(2100, 11, 1)
    labels = ["2100-12", "2024-08", "2024-07"]  # newest first, as the sidebar lists them
    assert default_period_label(labels, today=date(2024, 9, 1)) == "2024-08"
    assert default_period_label(["2100Q4", "2024Q3"], today=date(2024, 9, 1)) == "2024Q3"
    assert default_period_label(["2024Q3"], today=date(2024, 7, 1)) == "2024Q3"


def test_latest_period_of_a_store_skips_a_future_month(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 3},
        {"period": "2100-12", "township": "乙镇", "branch": "二村", "stars": 1},
    ])
    with store.open_store(db, read_only=True) as con:
        assert latest_period(con, MONTH) == Period.month(2024, 8)
        assert latest_period(con, QUARTER) == Period.quarter(2024, 3)


def test_plain_header_still_parses() -> None:
    assert ok(parse(ledger(["甲镇", "一村", *ALL], header=H))).period == date(2024, 8, 1)
