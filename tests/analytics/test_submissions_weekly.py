"""报送情况 for a week (register.md §3 with cadence.md §1): weekly ledgers are judged per week
against weekly_due_weekday; the expected townships are those that reported either of the two
weeks before; weekly uploads never count as a month's ledger."""

from __future__ import annotations

from datetime import date

from analytics import submissions
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.conftest import row


def test_a_week_is_due_on_the_configured_weekday_after_it_and_expects_last_weeks_townships(make_con) -> None:
    con = make_con([
        row("2024-W34", "甲镇", "一村", 3), row("2024-W34", "乙镇", "二村", 2),
        row("2024-W35", "甲镇", "一村", 3), row("2024-W35", "乙镇", "二村", 2),
        row("2024-W36", "甲镇", "一村", 4),
    ])
    settings = Settings({"weekly_due_weekday": 2})
    w36 = Period.parse("2024-W36")  # Monday 2 September – Sunday 8 September
    assert submissions.due_date(w36, settings) == date(2024, 9, 10)  # the Tuesday after it
    frame = submissions.status(con, w36, Scope(), settings, today=date(2024, 9, 12))
    got = {r["township"]: (r["status"], r["branches_reported"], int(r["days_late"])) for r in frame.to_dict("records")}
    # 乙镇 reported the two weeks before and owes W36: overdue by 2 days on the 12th.
    assert got["甲镇"][:2] == ("已报送", 1)
    assert got["乙镇"][0] == "未报送" and got["乙镇"][2] == 2
    assert "2024年第36周" in submissions.reminder_text(frame, w36, date(2024, 9, 10), Scope(), date(2024, 9, 12))
    # Weekly ledgers are not the month's ledger: August has no expected township and no submission.
    assert submissions.status(con, Period.parse("2024-08"), Scope(), settings, today=date(2024, 9, 12)).empty
