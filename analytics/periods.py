"""Periods (metrics.md, cadence.md §1): a week or a month (uploaded), a quarter, a
half-year or a year (derived, each branch at its latest month inside).

``Period`` is the one period type of the analytics: ``Period.parse`` reads every
label the CLI, the URL and the pages use (2024-W35, 2024-08, 2024Q3, 2024H1, 2024)
and the Chinese forms of a weekly ledger (2024年第35周, 2024年8月第4周, a Monday–Sunday
range 2024年8月19日至25日). Weeks are ISO 8601 weeks (Monday–Sunday, week 1 is the
week holding the year's first Thursday): 2024-W01 starts on 2024-01-01, 2025-W01 on
2024-12-30, 2020 has a week 53. A week counts in the month holding its Sunday
(the month view falls back to it, cadence.md §1).

``partial_period`` / ``find_period_in_text`` read a period that may lack its year
(第35周, 8月第4周, 8.19-8.25) for the importer, which takes the year from elsewhere.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the importer reads periods too and must stay cheap to import (no DuckDB)
    import duckdb

WEEK: str = "week"
MONTH: str = "month"
QUARTER: str = "quarter"
HALF: str = "half"
YEAR: str = "year"
# Every kind, shortest first (the order the period picker offers them).
KINDS: tuple[str, ...] = (WEEK, MONTH, QUARTER, HALF, YEAR)
# Kinds taken from each branch's latest month inside (metrics.md, cadence.md §1).
DERIVED_KINDS: tuple[str, ...] = (QUARTER, HALF, YEAR)
# Months per derived kind.
SPAN_MONTHS: dict[str, int] = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
KIND_NAMES: dict[str, str] = {WEEK: "周", MONTH: "月", QUARTER: "季度", HALF: "半年", YEAR: "年度"}

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*)?[Qq]\s*([1-4])\s*$")
_HALF_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*)?(?:[Hh]\s*([12])|年?\s*([上下])半年)\s*$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:年度?)?\s*$")
# ISO week labels: 2024-W35, 2024W35, 2024-w5, 2024-W35-1 is not a week label.
_ISO_WEEK_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def add_months(first: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``first``."""
    return _add_months(first.replace(day=1), n)


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is the year's last."""
    return date(year, 12, 28).isocalendar()[1]


def week_monday(year: int, week: int) -> date:
    """The Monday of ISO week ``week`` of ``year`` (ValueError with a Chinese message if none)."""
    if not 1 <= week <= iso_weeks_in_year(year):
        raise ValueError(f"{year}年没有第{week}周（ISO 周次应为 1–{iso_weeks_in_year(year)}）。")
    return date.fromisocalendar(year, week, 1)


def month_week_monday(year: int, month: int, n: int) -> date:
    """The Monday of “M月第n周”: the n-th ISO week whose Thursday falls in the month."""
    if not 1 <= month <= 12:
        raise ValueError(f"月份“{month}”不存在，应为 1–12。")
    first = date(year, month, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    monday = first_thursday - timedelta(days=3) + timedelta(weeks=n - 1)
    thursday = monday + timedelta(days=3)
    if n < 1 or thursday.month != month:
        weeks = sum(1 for k in range(6) if (first_thursday + timedelta(weeks=k)).month == month)
        raise ValueError(f"{year}年{month}月没有第{n}周（该月按周四所在月份计有 {weeks} 周）。")
    return monday


def week_of_month(monday: date) -> tuple[int, int, int]:
    """(year, month, n) of the week starting ``monday`` read as “M月第n周” (the month of its Thursday)."""
    thursday = monday + timedelta(days=3)
    return thursday.year, thursday.month, (thursday.day - 1) // 7 + 1


@dataclass(frozen=True)
class Period:
    """A week ("2024-W35"), month ("2024-08"), quarter ("2024Q3"), half-year ("2024H1") or year ("2024").

    ``months``: the first days of the months the period covers; for a week, the one
    month it counts in (the month of its Sunday).
    """

    kind: str
    start: date
    end: date
    label: str
    months: tuple[date, ...]

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        """ISO week ``week`` of ISO year ``year`` (Monday to Sunday)."""
        return cls.of_week(week_monday(year, week))

    @classmethod
    def of_week(cls, day: date) -> Period:
        """The ISO week holding ``day``."""
        monday = day - timedelta(days=day.weekday())
        sunday = monday + timedelta(days=6)
        iso_year, iso_week, _ = monday.isocalendar()
        return cls(WEEK, monday, sunday, f"{iso_year:04d}-W{iso_week:02d}", (sunday.replace(day=1),))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ValueError(f"月份“{month}”不存在，应为 1–12。")
        first = date(year, month, 1)
        return cls(MONTH, first, month_end(first), f"{year:04d}-{month:02d}", (first,))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"季度“{quarter}”不存在，应为 1–4。")
        first = date(year, 3 * quarter - 2, 1)
        months = tuple(_add_months(first, i) for i in range(3))
        return cls(QUARTER, first, month_end(months[-1]), f"{year:04d}Q{quarter}", months)

    @classmethod
    def half_year(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise ValueError(f"半年“{half}”不存在，应为 H1（上半年）或 H2（下半年）。")
        first = date(year, 6 * half - 5, 1)
        months = tuple(_add_months(first, i) for i in range(6))
        return cls(HALF, first, month_end(months[-1]), f"{year:04d}H{half}", months)

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        first = date(year, 1, 1)
        months = tuple(_add_months(first, i) for i in range(12))
        return cls(YEAR, first, date(year, 12, 31), f"{year:04d}", months)

    @classmethod
    def of_month(cls, day: date) -> Period:
        return cls.month(day.year, day.month)

    @classmethod
    def of_quarter(cls, day: date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def of_half_year(cls, day: date) -> Period:
        return cls.half_year(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def of_year(cls, day: date) -> Period:
        return cls.calendar_year(day.year)

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` holding ``day`` (a week: the ISO week of ``day``)."""
        makers = {WEEK: cls.of_week, MONTH: cls.of_month, QUARTER: cls.of_quarter,
                  HALF: cls.of_half_year, YEAR: cls.of_year}
        if kind not in makers:
            raise ValueError(f"未知的期间类型 {kind!r}")
        return makers[kind](day)

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Every label: ``2024-W35`` (also 2024W35, 2024年第35周, 2024年8月第4周, a Monday–Sunday
        range 2024年8月19日至25日), ``2024-08`` (also 2024-8, 2024.08, 2024年8月), ``2024Q3``
        (also 2024q3, 2024-Q3), ``2024H1`` (also 2024年上半年), ``2024`` (also 2024年)."""
        if isinstance(text, Period):
            return text
        raw = str(text)
        m = _MONTH_RE.match(raw)
        if m:
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls.month(int(m.group(1)), month)
        q = _QUARTER_RE.match(raw)
        if q:
            return cls.quarter(int(q.group(1)), int(q.group(2)))
        h = _HALF_RE.match(raw)
        if h:
            half = int(h.group(2)) if h.group(2) else (1 if h.group(3) == "上" else 2)
            return cls.half_year(int(h.group(1)), half)
        y = _YEAR_RE.match(raw)
        if y and 1900 <= int(y.group(1)) <= 2999:
            return cls.calendar_year(int(y.group(1)))
        w = _ISO_WEEK_RE.match(raw)
        if w:
            return cls.week(int(w.group(1)), int(w.group(2)))
        partial = partial_period(raw)
        if partial is not None and partial.kind == WEEK and partial.year is not None:
            return partial.resolve(partial.year)
        raise ValueError(
            f"无法识别的期间“{raw}”：周请写成 2024-W35，月份请写成 2024-08，季度请写成 2024Q3，"
            "半年请写成 2024H1，年度请写成 2024。"
        )

    def previous(self) -> Period:
        """The previous week / month / quarter / half-year / year."""
        if self.kind == WEEK:
            return Period.of_week(self.start - timedelta(days=7))
        return Period.of(self.kind, _add_months(self.start, -SPAN_MONTHS[self.kind]))

    def next(self) -> Period:
        """The following period of the same kind."""
        if self.kind == WEEK:
            return Period.of_week(self.start + timedelta(days=7))
        return Period.of(self.kind, _add_months(self.start, SPAN_MONTHS[self.kind]))

    @property
    def week_number(self) -> int:
        """The ISO week number of a week (ValueError for other kinds)."""
        if self.kind != WEEK:
            raise ValueError(f"{self.label} 不是周")
        return self.start.isocalendar()[1]

    @property
    def display(self) -> str:
        if self.kind == WEEK:
            return (f"{self.start.isocalendar()[0]}年第{self.week_number}周"
                    f"（{self.start.month}.{self.start.day}–{self.end.month}.{self.end.day}）")
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == HALF:
            return f"{self.start.year}年{'上' if self.start.month == 1 else '下'}半年"
        return f"{self.start.year}年"

    @property
    def word(self) -> str:
        """How the period calls itself in reason texts: 本周 / 本月 / 本季度 / 本半年 / 本年度."""
        return {WEEK: "本周", MONTH: "本月", QUARTER: "本季度", HALF: "本半年", YEAR: "本年度"}[self.kind]

    @property
    def previous_word(self) -> str:
        """How the period calls its previous period: 上周 / 上月 / 上季度 / 上个半年 / 上年度."""
        return {WEEK: "上周", MONTH: "上月", QUARTER: "上季度", HALF: "上个半年", YEAR: "上年度"}[self.kind]

    def __str__(self) -> str:
        return self.label


def label_of(kind: str, start: date) -> str:
    """The label of the period of ``kind`` starting at ``start`` (a stored period: DATE + kind)."""
    return Period.of(kind, start).label


# --- periods written in ledgers (the importer) ------------------------------------


@dataclass(frozen=True)
class PartialPeriod:
    """A period read from a cell, a title or a file name, perhaps without its year.

    ``key``: a stable text key (two readings with equal keys are the same period).
    ``resolve(year)`` gives the Period (ValueError with a Chinese message when none,
    e.g. a range that is not one Monday–Sunday week).
    """

    kind: str  # WEEK | MONTH
    year: int | None
    key: str
    text: str

    def resolve(self, year: int) -> Period:
        form, *parts = self.key.split("|")
        nums = [int(p) for p in parts[1:]]
        if form == "month":
            return Period.month(year, nums[0])
        if form == "iso":
            return Period.week(year, nums[0])
        if form == "mweek":
            return Period.of_week(month_week_monday(year, nums[0], nums[1]))
        # form == "range": month, day, end month (0 = the same), end year (0 = the same), end day
        start_month, start_day, end_month, end_year, end_day = nums
        try:
            first = date(year, start_month, start_day)
            last = date(end_year or year, end_month or start_month, end_day)
        except ValueError as exc:
            raise ValueError(f"“{self.text}”不是有效的日期范围。") from exc
        if first.weekday() == 0 and last - first == timedelta(days=6):
            return Period.of_week(first)
        if first.day == 1 and last == month_end(first):
            return Period.of_month(first)  # a whole calendar month (8月1日至31日) is that month
        raise ValueError(
            f"“{self.text}”（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）不是完整的一周：周报的期间应为"
            "周一至周日的 7 天（如 8.19-8.25），或写成 2024-W35、2024年第35周、8月第4周"
        )

    @property
    def label(self) -> str:
        """A label for messages (the year included when known)."""
        if self.year is not None:
            try:
                return self.resolve(self.year).label
            except ValueError:
                return self.text
        return self.text


_RANGE_SEP = r"\s*(?:-|–|—|~|～|至|到)\s*"
# 2024年8月19日至25日, 2024年8月19日至9月1日, 8月19日-8月25日, 2024.8.19-2024.8.25, 8.19-8.25, 2024-08-19至2024-08-25
_RANGE_RES = (
    re.compile(r"(?:(?<!\d)(20\d{2})\s*年\s*|(?<!\d))(\d{1,2})\s*月\s*(\d{1,2})\s*日?" + _RANGE_SEP
               + r"(?:(20\d{2})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日"),
    re.compile(r"(?:(?<!\d)(20\d{2})\s*[./-]\s*|(?<![\d.]))(\d{1,2})\s*[./]\s*(\d{1,2})" + _RANGE_SEP
               + r"(?:(20\d{2})\s*[./-]\s*)?(?:(\d{1,2})\s*[./]\s*)?(\d{1,2})(?![\d.])"),
    re.compile(r"(?<!\d)(20\d{2})-(\d{1,2})-(\d{1,2})" + _RANGE_SEP
               + r"(?:(20\d{2})-)?(?:(\d{1,2})-)?(\d{1,2})(?!\d)"),
)
_ISO_WEEK_TEXT_RE = re.compile(r"(?<!\d)(20\d{2})\s*-?\s*[Ww]\s*(\d{1,2})(?!\d)")
_YEAR_WEEK_RE = re.compile(r"(?:(?<!\d)(20\d{2})\s*年(?:度)?\s*)?第\s*(\d{1,2})\s*周")
_MONTH_WEEK_RE = re.compile(r"(?:(?<!\d)(20\d{2})\s*年\s*|(?<!\d))(\d{1,2})\s*月(?:份)?\s*第\s*([1-6一二三四五六])\s*周")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def find_week_in_text(text: str) -> PartialPeriod | None:
    """The first week written in ``text``: a day range (checked before anything else, so
    2024年8月19日至25日 is not read as August), 2024-W35, 2024年第35周 / 第35周, 8月第4周.
    A day range that is not one Monday–Sunday week is returned too (its ``resolve`` raises)."""
    if not text:
        return None
    for pattern in _RANGE_RES:
        m = pattern.search(text)
        if m:
            year, month, day, end_year, end_month, end_day = (_int(g) for g in m.groups())
            assert month is not None and day is not None and end_day is not None
            if not (1 <= month <= 12 and 1 <= day <= 31 and 1 <= end_day <= 31):
                continue
            if end_year is None and ((end_month or month), end_day) <= (month, day):
                continue  # 2024-08-31-1 (a file name's counter), not a range of days
            key = f"range|{year or ''}|{month}|{day}|{end_month or 0}|{end_year or 0}|{end_day}"
            return PartialPeriod(WEEK, year, key, m.group(0).strip())
    m = _MONTH_WEEK_RE.search(text)
    if m:
        n = _CN_DIGITS.get(m.group(3)) or int(m.group(3))
        month = int(m.group(2))
        if 1 <= month <= 12:
            return PartialPeriod(WEEK, _int(m.group(1)), f"mweek|{m.group(1) or ''}|{month}|{n}", m.group(0))
    m = _ISO_WEEK_TEXT_RE.search(text) or _YEAR_WEEK_RE.search(text)
    if m:
        return PartialPeriod(WEEK, _int(m.group(1)), f"iso|{m.group(1) or ''}|{int(m.group(2))}", m.group(0))
    return None


def partial_period(text: str) -> PartialPeriod | None:
    """A whole cell or argument read as a week (see ``find_week_in_text``); None otherwise."""
    return find_week_in_text(text)


# --- what the store holds ----------------------------------------------------------


def available_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Distinct months present in v_branch_month (monthly reports, or weekly ones whose
    Sunday falls in the month), ascending."""
    rows = con.execute("SELECT DISTINCT period FROM v_branch_month ORDER BY period").fetchall()
    return [r[0] for r in rows]


def available_weeks(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Mondays of the weeks present in v_branch_week (weekly reports), ascending."""
    rows = con.execute("SELECT DISTINCT period FROM v_branch_week ORDER BY period").fetchall()
    return [r[0] for r in rows]


def available_quarters(con: duckdb.DuckDBPyConnection) -> list[Period]:
    """Quarters holding at least one month of data, ascending."""
    return available_derived(available_months(con), QUARTER)


def available_derived(months: list[date], kind: str) -> list[Period]:
    """The periods of ``kind`` (quarter, half, year) holding at least one of ``months``, ascending."""
    seen: dict[str, Period] = {}
    for month in sorted(months):
        period = Period.of(kind, month)
        seen.setdefault(period.label, period)
    return list(seen.values())


def latest_period(con: duckdb.DuckDBPyConnection, kind: str = MONTH, *, today: date | None = None) -> Period | None:
    """The latest month (or the week / quarter / half-year / year holding it) with data that is
    not after the current month (a store holding only later months: the earliest of them); None
    for an empty store. For weeks: the latest week with weekly data not after the current week."""
    if kind == WEEK:
        weeks = available_weeks(con)
        if not weeks:
            return None
        current = (today or date.today())
        past = [w for w in weeks if w <= current]
        return Period.of_week(max(past) if past else min(weeks))
    months = available_months(con)
    if not months:
        return None
    month = latest_not_future(months, today)
    return Period.of(kind, month)


def latest_not_future(months: list[date], today: date | None = None) -> date:
    """The latest of ``months`` (first days, ascending or not) not after the current month.

    A month in the future (allowed only with the setting allow_future_periods) must
    not become everyone's default and hide the real data (issue 14). When every
    month is in the future, the earliest one. ``months`` must not be empty.
    """
    current = (today or date.today()).replace(day=1)
    past = [m for m in months if m <= current]
    return max(past) if past else min(months)


def default_period_label(labels: list[str], today: date | None = None) -> str:
    """The period a page shows by default among ``labels`` ('2024-W35' / '2024-08' / '2024Q3' / …):
    the latest one that does not start after the current month (a week: after today).
    ``labels`` must not be empty."""
    periods = [Period.parse(label) for label in labels]
    day = today or date.today()
    limit = day if periods and periods[0].kind == WEEK else day.replace(day=1)
    starts = {p.start: p.label for p in periods}
    past = [s for s in starts if s <= limit]
    return starts[max(past) if past else min(starts)]
