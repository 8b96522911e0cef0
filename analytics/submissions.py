"""Who has submitted a month's ledger and who still owes one (报送情况, shared/spec/register.md §3).

    due_date(period, settings)                  -> the month's due date (monthly_due_day of the next month)
    status(con, period, scope, settings, today) -> one row per expected township (STATUS_COLUMNS)
    status_counts(frame)                        -> {status: count} for the five statuses, zeros included
    reminder_text(frame, period, due, scope)    -> a reminder to paste into a work group
    to_json(frame, period, due)                 -> the command line's JSON object

Expected townships: in a county with a register, its registered townships (with a
branch that is not 撤并); in a county without one, the townships with data in force in
either of the two previous months. A township that sent something for the month is
listed as well, expected or not.

One status per township, the first that applies:
- 已报送 / 逾期报送: an accepted upload in force covers it; received on / before the due
  date or after it (days late shown). "Received" is the submission time (uploaded_at) of
  the first accepted upload still in force, not the time of the review.
- 待审核: a submission waits for review.
- 已退回: the latest submission was returned (the reason is shown).
- 未报送: nothing received; after the due date it is overdue (days past the due date).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import MONTH, WEEK, Period, add_months
from analytics.scope import Scope
from analytics.settings import Settings

STATUSES = ("已报送", "逾期报送", "待审核", "已退回", "未报送")
STATUS_COLUMNS = [
    "county", "township", "status", "received_at", "days_late", "overdue", "upload_id", "reason",
    "branches_reported", "branches_registered", "missing_branches",
]
JSON_KEYS = ("county", "township", "status", "received_at", "days_late", "upload_id", "branches_reported",
             "branches_registered", "missing_branches")


class PeriodNotMonthError(ValueError):
    """Submission status is kept per month (monthly ledgers) and per week (weekly ledgers)."""


def due_date(period: Period, settings: Settings) -> date:
    """A month's ledger is due on day ``monthly_due_day`` of the next month (the last day of
    that month when it is shorter); a week's on ``weekly_due_weekday`` after it (cadence.md)."""
    if period.kind == WEEK:
        return week_due_date(period.start, settings)
    if period.kind != MONTH:
        raise PeriodNotMonthError(f"报送情况按月或按周统计：请选择一个月份（如 {period.start:%Y-%m}）或一周，"
                                  f"而不是{period.display}。")
    nxt = add_months(period.start, 1)
    day = min(max(int(settings.monthly_due_day), 1), calendar.monthrange(nxt.year, nxt.month)[1])
    return nxt.replace(day=day)


def week_due_date(monday: date, settings: Settings) -> date:
    """A weekly ledger (cadence.md) of the week starting ``monday`` is due on the first day
    after the week whose ISO weekday is ``weekly_due_weekday`` (1 = the Monday after it)."""
    sunday = monday + timedelta(days=6 - monday.weekday())
    weekday = min(max(int(settings.weekly_due_weekday), 1), 7)
    return sunday + timedelta(days=weekday)


def backdate_demo_uploads(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime | None = None) -> int:
    """Demo data only: give each demo ledger upload a receipt time around its month's due date.

    The sample ledgers of a whole year are loaded at once, so they would all look received
    today, years late. A deterministic spread (most one to five days before the due date, about
    one in eight — and every third of the latest month — a few days after it; never after ``now``) lets the 报送情况 page show on the
    demo what it shows on real data. Returns how many uploads were changed.
    """
    import random

    now = now or datetime.now()
    rows = con.execute(
        "SELECT upload_id, period, coalesce(period_kind, 'month') FROM uploads"
        " WHERE is_demo AND coalesce(kind, 'ledger') = 'ledger' ORDER BY seq"
    ).fetchall()
    changes = []
    latest = max((p for _, p, k in rows if k == MONTH), default=None)
    in_latest = 0
    for upload_id, period, kind in rows:
        rng = random.Random(f"demo-receipt-{upload_id}")
        due = due_date(Period.of(kind, period), settings)  # a weekly ledger: its week's due date
        late = rng.random() < 0.125
        if kind == MONTH and period == latest:  # the month a new user opens first: a few late ones to see
            in_latest += 1
            late = in_latest % 3 == 2
        days = rng.randint(1, 3) if late else -rng.randint(0, 5)
        when = datetime(due.year, due.month, due.day, rng.randint(8, 17), rng.randint(0, 59)) + timedelta(days=days)
        changes.append((min(when, now), upload_id))
    if changes:
        con.executemany("UPDATE uploads SET uploaded_at = ? WHERE upload_id = ?", changes)
    return len(changes)


def status(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings, today: date | None = None,
) -> pd.DataFrame:
    """Per expected township of the scope: its submission status for the month (STATUS_COLUMNS),
    those owing something first (未报送, 已退回, 待审核, 逾期报送, 已报送), then by name."""
    due = due_date(period, settings)
    before = period.previous()
    params = {
        "kind": period.kind, "period": period.start, "prev_1": before.start, "prev_2": before.previous().start,
        "county": scope.county or None, "township": scope.township or None,
        "due": due, "today": today or date.today(),
    }
    table = sql.run_arrow(con, "submission_status.sql", params)
    missing = pd.Series(table.column("missing_branches").to_pylist(), dtype=object)
    df = sql.to_pandas(table.drop_columns(["missing_branches"]))
    df["missing_branches"] = missing
    for col in ("upload_id", "reason"):  # text or None (not NaN)
        df[col] = pd.Series(table.column(col).to_pylist(), dtype=object)
    return df[STATUS_COLUMNS]


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many townships have each status (all five, zeros included)."""
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype="int64")
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def _day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _town_list(frame: pd.DataFrame, several_counties: bool) -> str:
    return "、".join(f"{r['county']}{r['township']}" if several_counties else str(r["township"])
                    for r in frame.to_dict("records"))


def reminder_text(frame: pd.DataFrame, period: Period, due: date, scope: Scope, today: date | None = None) -> str:
    """A reminder naming the townships that owe the month's ledger (未报送, 已退回) and the due
    date, ready to paste into a work group; "" when nobody owes one."""
    today = today or date.today()
    owing = frame[frame["status"].isin(["未报送", "已退回"])]
    if owing.empty:
        return ""
    several = owing["county"].nunique() > 1
    where = scope.county or (str(owing["county"].iloc[0]) if not several else "")
    month = f"{period.start.year}年{period.start.month}月" if period.kind == MONTH else period.display
    lines = [f"【提醒】{where}{month}“五星”支部创建台账报送情况（截至{today.year}年{_day_text(today)}）："]
    missing = owing[owing["status"] == "未报送"]
    returned = owing[owing["status"] == "已退回"]
    when = "已过" if today > due else "截止时间为"
    if len(missing):
        lines.append(f"以下 {len(missing)} 个乡镇（街道）尚未报送：{_town_list(missing, several)}。")
    if len(returned):
        reasons = "；".join(
            f"{r['county'] if several else ''}{r['township']}（{r['reason'] or '见报送审核页'}）"
            for r in returned.to_dict("records"))
        lines.append(f"以下 {len(returned)} 个乡镇（街道）的台账已退回，请修改后重新报送：{reasons}。")
    lines.append(f"报送{when}{due.year}年{_day_text(due)}，请抓紧在五星看板“数据上传”页报送。")
    return "\n".join(lines)


def to_json(frame: pd.DataFrame, period: Period, due: date) -> dict[str, Any]:
    """The command line's JSON: {period, due, townships: [{county, township, status, received_at,
    days_late, upload_id, branches_reported, branches_registered, missing_branches}]}."""

    def plain(value: Any) -> Any:
        if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
            return None
        if isinstance(value, (datetime, pd.Timestamp)):
            return pd.Timestamp(value).isoformat(timespec="seconds")
        return value.item() if hasattr(value, "item") else value

    towns = []
    for rec in frame.to_dict("records"):
        item = {key: plain(rec[key]) for key in JSON_KEYS if key != "missing_branches"}
        item["missing_branches"] = [str(b) for b in (rec["missing_branches"] or [])]
        towns.append({key: item[key] for key in JSON_KEYS})
    return {"period": period.label, "due": due.isoformat(), "townships": towns}


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, list)) and bool(pd.isna(value)))


def status_table(frame: pd.DataFrame, *, several_counties: bool = True) -> pd.DataFrame:
    """The status table with Chinese headers (the page, the Excel and the command line)."""
    rows = []
    for r in frame.to_dict("records"):
        state, days = str(r["status"]), int(r["days_late"])
        note = ""
        if state == "逾期报送":
            note = f"逾期 {days} 天"
        elif state == "未报送":
            note = f"已逾期 {days} 天" if bool(r["overdue"]) else "未到截止日期"
        elif state == "已退回":
            note = f"退回原因：{r['reason']}" if isinstance(r["reason"], str) and r["reason"] else "已退回"
        elif state == "待审核":
            note = "等待县区审核" + (f"（提交时已逾期 {days} 天）" if days > 0 else "")
        received = r["received_at"]
        rows.append({
            "县（市、区）": r["county"], "乡镇（街道）": r["township"], "状态": state, "说明": note,
            "报送时间": "" if _missing(received) else f"{pd.Timestamp(received):%Y-%m-%d %H:%M}",
            "上传编号": r["upload_id"] if isinstance(r["upload_id"], str) else "",
            "报送支部数": None if _missing(r["branches_reported"]) else int(r["branches_reported"]),
            "名册支部数": None if _missing(r["branches_registered"]) else int(r["branches_registered"]),
            "缺报支部": "、".join(str(b) for b in (r["missing_branches"] or [])),
        })
    columns = ["县（市、区）", "乡镇（街道）", "状态", "说明", "报送时间", "上传编号", "报送支部数", "名册支部数", "缺报支部"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("报送支部数", "名册支部数"):
        out[col] = out[col].astype("Int64")
    if not several_counties:
        out = out.drop(columns=["县（市、区）"])
    return out
