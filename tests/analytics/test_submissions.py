"""Submission status (报送情况, register.md §3): the five statuses, late by N days, expected townships."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analytics import store, submissions
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.analytics.conftest import row
from tests.analytics.register_rows import add_register, add_submission
from tests.factories import build_store

AUG = Period.parse("2024-08")
TODAY = date(2024, 9, 10)  # five days after the default due date 2024-09-05


def _store(tmp_path: Path) -> Path:
    path = build_store(tmp_path / "s.duckdb", [
        row("2024-07", "甲镇", "a1", 3),
        # 乙县 has no register: 子镇 was present two months before (expected), 丑镇 three (not).
        row("2024-06", "子镇", "z1", 2, county="乙县"),
        row("2024-05", "丑镇", "y1", 2, county="乙县"),
    ])
    with store.open_store(path) as con:
        add_register(con, "甲县", [
            ("甲镇", "a1"), ("甲镇", "a2"), ("甲镇", "a3"),
            ("乙镇", "b1"), ("乙镇", "b2"),
            ("丙镇", "c1"),
            ("丁镇", "d1", "撤并"),            # merged away: no longer expected
            ("戊镇", "e1"), ("戊镇", "e2", "新设"),  # never submitted anything
            ("己镇", "f1"),
        ])
        add_submission(con, "2024-08", "甲县", "甲镇", ["a1", "a2"], state="accepted",
                       uploaded_at=datetime(2024, 9, 3, 10, 0))
        add_submission(con, "2024-08", "甲县", "乙镇", ["b1", "b2"], state="accepted",
                       uploaded_at=datetime(2024, 9, 8, 16, 30))
        add_submission(con, "2024-08", "甲县", "丙镇", ["c1"], state="pending",
                       uploaded_at=datetime(2024, 9, 4, 9, 0))
        add_submission(con, "2024-08", "甲县", "己镇", ["f1"], state="returned",
                       uploaded_at=datetime(2024, 9, 2, 9, 0), reason="星级填写有误，请核对")
    return path


def _status(path: Path, scope: Scope | None = None, today: date = TODAY, settings: Settings | None = None):
    scope = scope or Scope()
    with store.open_store(path, read_only=True) as con:
        return submissions.status(con, AUG, scope, settings or Settings({}), today)


def _by_town(df) -> dict[str, dict[str, Any]]:
    return {r["township"]: r for r in df.to_dict("records")}


def test_due_date_is_the_monthly_due_day_of_the_next_month() -> None:
    assert submissions.due_date(AUG, Settings({})) == date(2024, 9, 5)
    assert submissions.due_date(Period.parse("2024-01"), Settings({"monthly_due_day": 31})) == date(2024, 2, 29)
    with pytest.raises(submissions.PeriodNotMonthError):
        submissions.due_date(Period.parse("2024Q3"), Settings({}))
    # A week (Mon 2024-08-19 … Sun 08-25) is due the Monday after it by default, or the weekday set.
    assert submissions.week_due_date(date(2024, 8, 19), Settings({})) == date(2024, 8, 26)
    assert submissions.week_due_date(date(2024, 8, 19), Settings({"weekly_due_weekday": 3})) == date(2024, 8, 28)


def test_each_of_the_five_statuses(tmp_path: Path) -> None:
    towns = _by_town(_status(_store(tmp_path)))
    assert {t: r["status"] for t, r in towns.items()} == {
        "甲镇": "已报送", "乙镇": "逾期报送", "丙镇": "待审核", "己镇": "已退回", "戊镇": "未报送",
        "子镇": "未报送",
    }
    # On time: received 09-03, before the due date 09-05.
    assert towns["甲镇"]["days_late"] == 0 and towns["甲镇"]["received_at"] == datetime(2024, 9, 3, 10, 0)
    # Late by 3 days: received 09-08.
    assert towns["乙镇"]["days_late"] == 3
    assert towns["己镇"]["reason"] == "星级填写有误，请核对" and towns["己镇"]["upload_id"] is not None
    # Never submitted, registered: overdue by 5 days on 09-10.
    assert towns["戊镇"]["overdue"] and towns["戊镇"]["days_late"] == 5 and towns["戊镇"]["upload_id"] is None
    assert towns["戊镇"]["branches_registered"] == 2 and pd.isna(towns["戊镇"]["branches_reported"])


def test_expected_townships(tmp_path: Path) -> None:
    towns = _by_town(_status(_store(tmp_path)))
    assert "丁镇" not in towns  # registered only as 撤并
    assert "丑镇" not in towns  # no register in 乙县 and absent from both previous months
    assert pd.isna(towns["子镇"]["branches_registered"])  # no register


def test_branches_reported_registered_and_missing(tmp_path: Path) -> None:
    towns = _by_town(_status(_store(tmp_path)))
    assert (towns["甲镇"]["branches_reported"], towns["甲镇"]["branches_registered"]) == (2, 3)
    assert list(towns["甲镇"]["missing_branches"]) == ["a3"]
    assert list(towns["乙镇"]["missing_branches"]) == []
    assert (towns["丙镇"]["branches_reported"], list(towns["丙镇"]["missing_branches"])) == (1, [])


def test_before_the_due_date_nothing_is_overdue(tmp_path: Path) -> None:
    towns = _by_town(_status(_store(tmp_path), today=date(2024, 9, 4)))
    assert towns["戊镇"]["status"] == "未报送" and not towns["戊镇"]["overdue"] and towns["戊镇"]["days_late"] == 0
    # A later due day moves 乙镇 back on time.
    late_due = _by_town(_status(_store(tmp_path / "b"), settings=Settings({"monthly_due_day": 10})))
    assert late_due["乙镇"]["status"] == "已报送" and late_due["戊镇"]["days_late"] == 0


def test_an_accepted_upload_wins_over_a_later_pending_one(tmp_path: Path) -> None:
    path = _store(tmp_path)
    with store.open_store(path) as con:
        add_submission(con, "2024-08", "甲县", "甲镇", ["a1", "a2", "a3"], state="pending",
                       uploaded_at=datetime(2024, 9, 9))
    town = _by_town(_status(path))["甲镇"]
    assert town["status"] == "已报送" and town["branches_reported"] == 2


def test_scope_county_and_township(tmp_path: Path) -> None:
    path = _store(tmp_path)
    assert set(_status(path, Scope("乙县"))["township"]) == {"子镇"}
    assert list(_status(path, Scope("甲县", "乙镇"))["status"]) == ["逾期报送"]


def test_owing_townships_first_and_counts(tmp_path: Path) -> None:
    df = _status(_store(tmp_path))
    assert list(df["status"]) == ["未报送", "未报送", "已退回", "待审核", "逾期报送", "已报送"]
    assert submissions.status_counts(df) == {"已报送": 1, "逾期报送": 1, "待审核": 1, "已退回": 1, "未报送": 2}


def test_reminder_text_names_the_townships_and_the_due_date(tmp_path: Path) -> None:
    df = _status(_store(tmp_path))
    text = submissions.reminder_text(df, AUG, date(2024, 9, 5), Scope(), today=TODAY)
    assert "甲县戊镇" in text and "乙县子镇" in text and "己镇（星级填写有误，请核对）" in text
    assert "2024年9月5日" in text and "甲镇" not in text.replace("甲县", "")
    assert submissions.reminder_text(df[df["status"] == "已报送"], AUG, date(2024, 9, 5), Scope()) == ""


def test_json_shape(tmp_path: Path) -> None:
    df = _status(_store(tmp_path))
    out = submissions.to_json(df, AUG, date(2024, 9, 5))
    assert list(out) == ["period", "due", "townships"] and out["period"] == "2024-08" and out["due"] == "2024-09-05"
    first = out["townships"][0]
    assert list(first) == ["county", "township", "status", "received_at", "days_late", "upload_id",
                           "branches_reported", "branches_registered", "missing_branches"]
    jia = next(t for t in out["townships"] if t["township"] == "甲镇")
    assert jia["received_at"] == "2024-09-03T10:00:00" and jia["missing_branches"] == ["a3"]


def test_demo_uploads_get_receipt_times_around_their_due_date(tmp_path: Path) -> None:
    path = build_store(tmp_path / "d.duckdb", [row(f"2024-{m:02d}", t, "x1", 3) for m in range(1, 9)
                                                for t in ("甲镇", "乙镇", "丙镇")], is_demo=True)
    with store.open_store(path) as con:
        assert submissions.backdate_demo_uploads(con, Settings({}), now=datetime(2026, 1, 1)) == 24
        df = submissions.status(con, AUG, Scope(), Settings({}), TODAY)
        again = con.execute("SELECT uploaded_at FROM uploads ORDER BY seq").fetchall()
        submissions.backdate_demo_uploads(con, Settings({}), now=datetime(2026, 1, 1))
        assert con.execute("SELECT uploaded_at FROM uploads ORDER BY seq").fetchall() == again  # deterministic
        spread = [r[0] for r in again]
    assert set(df["status"]) <= {"已报送", "逾期报送"}
    # Within a few days of each month's due date (the 5th of the next month).
    assert all(date(2024, 1, 31) <= t.date() <= date(2024, 9, 8) for t in spread)
