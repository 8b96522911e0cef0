"""Periods: a month (the reporting grain) or a quarter (derived, metrics.md)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import duckdb

MONTH: str = "month"
QUARTER: str = "quarter"

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*)?[Qq]\s*([1-4])\s*$")


def _add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def add_months(first: date, n: int) -> date:
    """First day of the month ``n`` months after the month of ``first``."""
    return _add_months(first.replace(day=1), n)


@dataclass(frozen=True)
class Period:
    """A month ("2024-08") or a quarter ("2024Q3")."""

    kind: str
    start: date
    end: date
    label: str
    months: tuple[date, ...]

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
    def of_month(cls, day: date) -> Period:
        return cls.month(day.year, day.month)

    @classmethod
    def of_quarter(cls, day: date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """``2024-08`` (also 2024-8, 2024.08, 2024年8月) or ``2024Q3`` (also 2024q3, 2024-Q3)."""
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
        raise ValueError(f"无法识别的期间“{raw}”：月份请写成 2024-08，季度请写成 2024Q3。")

    def previous(self) -> Period:
        """The previous month for a month, the previous quarter for a quarter."""
        if self.kind == MONTH:
            return Period.of_month(_add_months(self.start, -1))
        return Period.of_quarter(_add_months(self.start, -3))

    @property
    def display(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"

    @property
    def word(self) -> str:
        """How the period calls itself in reason texts: 本月 / 本季度."""
        return "本月" if self.kind == MONTH else "本季度"

    @property
    def previous_word(self) -> str:
        """How the period calls its previous period: 上月 / 上季度."""
        return "上月" if self.kind == MONTH else "上季度"

    def __str__(self) -> str:
        return self.label


def available_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Distinct months present in v_branch_month, ascending."""
    rows = con.execute("SELECT DISTINCT period FROM v_branch_month ORDER BY period").fetchall()
    return [r[0] for r in rows]


def available_quarters(con: duckdb.DuckDBPyConnection) -> list[Period]:
    """Quarters holding at least one month of data, ascending."""
    seen: dict[str, Period] = {}
    for month in available_months(con):
        quarter = Period.of_quarter(month)
        seen.setdefault(quarter.label, quarter)
    return list(seen.values())


def latest_period(con: duckdb.DuckDBPyConnection, kind: str = MONTH, *, today: date | None = None) -> Period | None:
    """The latest month (or the quarter holding it) with data that is not after the current
    month (a store holding only later months: the earliest of them); None for an empty store."""
    months = available_months(con)
    if not months:
        return None
    month = latest_not_future(months, today)
    return Period.of_month(month) if kind == MONTH else Period.of_quarter(month)


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
    """The period a page shows by default among ``labels`` ('2024-08' / '2024Q3'): the
    latest one that does not start after the current month. ``labels`` must not be empty."""
    starts = {Period.parse(label).start: label for label in labels}
    return starts[latest_not_future(list(starts), today)]
