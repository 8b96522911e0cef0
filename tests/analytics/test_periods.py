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
