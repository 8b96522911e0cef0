from datetime import date

import pytest

from analytics.periods import Period, available_months, available_quarters, latest_period
from analytics.scope import Scope, scope_options
from tests.analytics.conftest import row


def test_parse_month_and_quarter():
    m = Period.parse("2024-08")
    assert (m.kind, m.start, m.end, m.label, m.months) == ("month", date(2024, 8, 1), date(2024, 8, 31), "2024-08",
                                                           (date(2024, 8, 1),))
    q = Period.parse("2024Q3")
    assert (q.kind, q.start, q.end, q.label) == ("quarter", date(2024, 7, 1), date(2024, 9, 30), "2024Q3")
    assert q.months == (date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1))
    assert Period.parse("2024-2").end == date(2024, 2, 29)
    assert Period.parse("2024q1") == Period.parse("2024-Q1") == Period.quarter(2024, 1)


def test_previous_and_display():
    assert Period.parse("2024-01").previous().label == "2023-12"
    assert Period.parse("2024Q1").previous().label == "2023Q4"
    assert Period.parse("2024Q3").previous().label == "2024Q2"
    assert Period.parse("2024-08").display == "2024年8月"
    assert Period.parse("2024Q3").display == "2024年第3季度"


@pytest.mark.parametrize("bad", ["2024-13", "2024Q5", "August", "", "2024-00", "24-08"])
def test_bad_period_has_chinese_message(bad):
    with pytest.raises(ValueError, match="无法识别的期间"):
        Period.parse(bad)


def test_available_periods_and_scope_options(make_con):
    con = make_con([
        row("2024-06", "甲镇", "一村", 1), row("2024-08", "甲镇", "一村", 2),
        row("2024-08", "乙街道", "二社区", 2, county="乙区"),
    ])
    assert available_months(con) == [date(2024, 6, 1), date(2024, 8, 1)]
    assert [q.label for q in available_quarters(con)] == ["2024Q2", "2024Q3"]
    assert latest_period(con).label == "2024-08"
    assert latest_period(con, kind="quarter").label == "2024Q3"
    opts = scope_options(con)
    assert list(opts.itertuples(index=False, name=None)) == [("乙区", "乙街道", "社区"), ("甲县", "甲镇", "村")]


def test_latest_period_empty_store(make_con):
    assert latest_period(make_con([])) is None


def test_scope_label():
    assert Scope().label == "全部"
    assert Scope("二七区", "樱桃镇", "村").label == "二七区 / 樱桃镇 / 村"


# --- weeks, half-years, years (cadence.md §1) ------------------------------------------


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2024-W01", date(2024, 1, 1), date(2024, 1, 7)),      # 2024 starts on a Monday
    ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),    # 2020 has 53 ISO weeks
    ("2025-W01", date(2024, 12, 30), date(2025, 1, 5)),    # week 1 of 2025 starts in 2024
    ("2024-W35", date(2024, 8, 26), date(2024, 9, 1)),     # across a month end
    ("2024W5", date(2024, 1, 29), date(2024, 2, 4)),
])
def test_iso_weeks_across_month_and_year_boundaries(label: str, start: date, end: date) -> None:
    week = Period.parse(label)
    assert (week.kind, week.start, week.end) == ("week", start, end)
    assert week.start.weekday() == 0 and Period.of_week(end) == week
    assert Period.parse(week.label) == week
    assert week.months == (end.replace(day=1),)  # the month holding its Sunday


def test_chinese_week_forms() -> None:
    assert Period.parse("2024年第35周").label == "2024-W35"
    # 8月第4周: the 4th ISO week whose Thursday falls in August (Thursdays 8.1, 8.8, 8.15, 8.22).
    assert Period.parse("2024年8月第4周").start == date(2024, 8, 19)
    # September 2024 starts on a Sunday: its first Thursday is 9.5, so 9月第1周 starts 9.2.
    assert Period.parse("2024年9月第1周").start == date(2024, 9, 2)
    assert Period.parse("2024年8月19日至25日").label == "2024-W34"
    assert Period.parse("2024.8.26-2024.9.1").label == "2024-W35"
    with pytest.raises(ValueError, match="不是完整的一周"):
        Period.parse("2024年8月19日至26日")
    with pytest.raises(ValueError, match="没有第53周"):
        Period.parse("2024-W53")


def test_half_years_and_years() -> None:
    h1 = Period.parse("2024H1")
    assert (h1.kind, h1.start, h1.end, len(h1.months)) == ("half", date(2024, 1, 1), date(2024, 6, 30), 6)
    assert Period.parse("2024年下半年") == Period.parse("2024-H2") == Period.half_year(2024, 2)
    year = Period.parse("2024")
    assert (year.kind, year.start, year.end, len(year.months)) == ("year", date(2024, 1, 1), date(2024, 12, 31), 12)
    assert Period.parse("2024年") == year
    assert (h1.display, Period.parse("2024H2").display, year.display) == ("2024年上半年", "2024年下半年", "2024年")


def test_previous_of_each_kind() -> None:
    assert Period.parse("2024-W01").previous().label == "2023-W52"
    assert Period.parse("2021-W01").previous().label == "2020-W53"
    assert Period.parse("2025-W01").previous().label == "2024-W52"
    assert Period.parse("2024-03").previous().label == "2024-02"
    assert Period.parse("2024Q1").previous().label == "2023Q4"
    assert Period.parse("2024H1").previous().label == "2023H2"
    assert Period.parse("2024H2").previous().label == "2024H1"
    assert Period.parse("2024").previous().label == "2023"
    assert [Period.parse(x).previous_word for x in ("2024-W35", "2024-08", "2024Q3", "2024H1", "2024")] == [
        "上周", "上月", "上季度", "上个半年", "上年度"]
    assert Period.parse("2024-W52").next().label == "2025-W01"
