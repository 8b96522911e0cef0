"""Values and periods of the uploads that are not ledgers (shared/spec/cadence.md §2, §5).

An assessment-score sheet (考核评分) is for one week, month or quarter; an acceptance sheet
(验收结果) for one year. Their period is read like a ledger's (ledger-format.md §4: the
table's column, then the uploader, then the title, then the file name), with quarter and
year forms besides the month ones:

- quarter: 2024Q3, 2024-Q3, 2024年第三季度, 2024年3季度, 第三季度 / 三季度 (year from elsewhere);
- month: as for ledgers (``values.parse_month`` / ``values.find_month_in_text``);
- year (acceptance): 2024, 2024年, 2024年度; any month or quarter of it also names it.

``PERIOD_READERS`` lists the kinds tried, in order, for a score sheet; weeks (cadence.md §1)
are read with the ledgers' week forms (``analytics.periods``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from analytics.ingest import values as V
from analytics.periods import PartialPeriod, find_week_in_text, partial_period

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:分)?$")
# Points above this are typing errors (a phone number in a score column), not scores.
MAX_POINTS = 100_000.0


def is_number(text: str) -> bool:
    """Whether a normalized cell reads as a number (85, 85.5, 85分, -3)."""
    return bool(_NUMBER_RE.match(text))


def parse_points(text: str) -> float:
    """A score cell: a number ≥ 0 (85, 85.5, 85分). Negative, not a number or absurdly large: ValueError."""
    if not _NUMBER_RE.match(text):
        raise ValueError("应为不小于 0 的数字分值，如 85 或 85.5")
    value = float(text.removesuffix("分"))
    if not math.isfinite(value) or value < 0:
        raise ValueError("分值不能为负数，应为不小于 0 的数字")
    if value > MAX_POINTS:
        raise ValueError(f"分值过大（超过 {MAX_POINTS:,.0f}），请核对")
    return value


# --- periods -------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_CELL_RE = re.compile(r"^(?:(20\d{2})(?:年度?|[-./_])?)?(?:第)?([一二三四1-4])季度?$")
_QUARTER_Q_RE = re.compile(r"^(20\d{2})[-./_年]?[Qq]([1-4])$")
_QUARTER_TEXT_RE = re.compile(r"(?:(20\d{2})\s*年度?\s*)?第?\s*([一二三四1-4])\s*季度")
_QUARTER_TEXT_Q_RE = re.compile(r"(?<!\d)(20\d{2})\s*[-_.]?\s*[Qq]\s*([1-4])(?!\d)")
_YEAR_CELL_RE = re.compile(r"^(20\d{2})(?:年度?|\.0)?$")
_YEAR_TEXT_RE = re.compile(r"(?<!\d)(20\d{2})\s*(?:年度|年)(?!\s*\d{1,2}\s*月)")
_YEAR_FILE_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def parse_quarter(text: str) -> tuple[int | None, int]:
    """A period cell or the uploader's choice as a quarter -> (year or None, quarter 1–4)."""
    text = (V.normalize(text) or "").upper()
    m = _QUARTER_Q_RE.match(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _QUARTER_CELL_RE.match(text)
    if m and ("季" in text):
        return (int(m.group(1)) if m.group(1) else None), _CN_DIGITS[m.group(2)]
    raise ValueError("无法识别的季度，应为 2024Q3 或 2024年第三季度")


def find_quarter_in_text(text: str, *, compact: bool = False) -> tuple[int, int] | None:
    """First year-quarter in a title or a file name (2024年第三季度, 2024Q3); a quarter
    without a year in the same text is not taken (the year would be a guess)."""
    for pattern in (_QUARTER_TEXT_Q_RE, _QUARTER_TEXT_RE):
        for m in pattern.finditer(text):
            if m.group(1):
                return int(m.group(1)), _CN_DIGITS[m.group(2)]
    return None


def parse_year(text: str) -> int:
    """A 年度 cell or the uploader's choice as a year: 2024, 2024年, 2024年度, or any month or
    quarter of it (2024-12, 2024Q4)."""
    norm = V.normalize(text) or ""
    m = _YEAR_CELL_RE.match(norm)
    if m:
        return int(m.group(1))
    for parse in (parse_quarter, V.parse_month):
        try:
            year = parse(norm)[0]
        except ValueError:
            continue
        if year is not None:
            return year
    raise ValueError("无法识别的年度，应为 2024 或 2024年度")


def find_year_in_text(text: str, *, compact: bool = False) -> int | None:
    """First year in a title (2024年度…验收结果, 2024年…) or a file name (…2024…)."""
    m = _YEAR_TEXT_RE.search(text)
    if m:
        return int(m.group(1))
    for find in (find_quarter_in_text, V.find_month_in_text):
        found = find(text, compact=compact) if find is V.find_month_in_text else find(text)
        if found:
            return found[0]
    if compact:
        m = _YEAR_FILE_RE.search(text)
        if m:
            return int(m.group(1))
    return None


@dataclass(frozen=True)
class Found:
    """A period read from one source: its kind, year (None: to be taken from another source)
    and number (month 1–12, quarter 1–4, week 1–53; 1 for a year)."""

    kind: str  # 'month' | 'quarter' | 'week' | 'year'
    year: int | None
    number: int

    def start(self) -> date:
        """The first day of the period (a week: its Monday)."""
        assert self.year is not None
        if self.kind == "quarter":
            return date(self.year, 3 * self.number - 2, 1)
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "week":
            return date.fromisocalendar(self.year, self.number, 1)
        return date(self.year, 1, 1)

    def with_year(self, year: int) -> Found:
        return Found(self.kind, year, self.number)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.start()) if self.year is not None else (
            f"第{self.number}季度" if self.kind == "quarter" else f"{self.number}月")


@dataclass(frozen=True)
class PeriodReader:
    """How one period kind is read from a cell (raises ValueError) and found in text (or None)."""

    kind: str
    parse_cell: Callable[[str], Found]
    find_in_text: Callable[[str, bool], Found | None]


def _quarter_cell(text: str) -> Found:
    year, quarter = parse_quarter(text)
    return Found("quarter", year, quarter)


def _quarter_text(text: str, compact: bool) -> Found | None:
    found = find_quarter_in_text(text)
    return Found("quarter", found[0], found[1]) if found else None


def _month_cell(text: str) -> Found:
    year, month = V.parse_month(V.normalize(text) or "")
    return Found("month", year, month)


def _month_text(text: str, compact: bool) -> Found | None:
    found = V.find_month_in_text(text, compact=compact)
    return Found("month", found[0], found[1]) if found else None


def _year_cell(text: str) -> Found:
    return Found("year", parse_year(text), 1)


def _year_text(text: str, compact: bool) -> Found | None:
    found = find_year_in_text(text, compact=compact)
    return Found("year", found, 1) if found else None


def _week_found(partial: PartialPeriod | None) -> Found | None:
    """A week written in a cell or text (cadence.md §1 forms) once its year is known there; a whole
    calendar month written as a day range is that month. None: no week, or no year with it."""
    if partial is None or partial.year is None:
        return None
    period = partial.resolve(partial.year)  # ValueError: a range that is not one Monday–Sunday week
    if period.kind == "month":
        return Found("month", period.start.year, period.start.month)
    iso = period.start.isocalendar()
    return Found("week", iso[0], iso[1])


def _week_cell(text: str) -> Found:
    found = _week_found(partial_period(V.normalize(text) or ""))
    if found is None:
        raise ValueError("无法识别的周，应为 2024-W35 或 2024年第35周")
    return found


def _week_text(text: str, compact: bool) -> Found | None:
    try:
        return _week_found(find_week_in_text(text))
    except ValueError:
        return None


# The period kinds of a score sheet, tried in this order on each source (a week first: a day
# range 8月19日至25日 would otherwise read as August; a quarter before a month: 2024年第三季度
# holds no month, 2024年8月 no quarter).
PERIOD_READERS: tuple[PeriodReader, ...] = (
    PeriodReader("week", _week_cell, _week_text),
    PeriodReader("quarter", _quarter_cell, _quarter_text),
    PeriodReader("month", _month_cell, _month_text),
)
# The year of an acceptance sheet.
YEAR_READERS: tuple[PeriodReader, ...] = (PeriodReader("year", _year_cell, _year_text),)


def read_cell(readers: tuple[PeriodReader, ...], text: str) -> Found:
    """The first reader that reads the cell; ValueError naming the accepted forms otherwise."""
    specific: ValueError | None = None  # e.g. a day range that is not one Monday–Sunday week
    for reader in readers:
        try:
            return reader.parse_cell(text)
        except ValueError as exc:
            if specific is None and not str(exc).startswith("无法识别"):
                specific = exc
            continue
    if specific is not None:
        raise specific
    if readers is YEAR_READERS:
        raise ValueError("无法识别的年度，应为 2024 或 2024年度")
    raise ValueError("无法识别的考核期间，应为 周（2024-W35、2024年第35周）、月份（2024-08、2024年8月）"
                     "或 季度（2024Q3、2024年第三季度）")


def find_in_text(readers: tuple[PeriodReader, ...], text: str, *, compact: bool = False) -> Found | None:
    for reader in readers:
        found = reader.find_in_text(text, compact)
        if found is not None:
            return found
    return None


def period_arg(text: str) -> str | None:
    """The uploader's period (--period, the upload page) when it is a quarter (2024Q3, for
    assessment scores) or a year (2024, for acceptance): passed on as written (the validator
    reads it); None when it is neither."""
    for readers in (PERIOD_READERS, YEAR_READERS):
        try:
            found = read_cell(readers, text)
        except ValueError:
            continue
        if found.year is not None:
            return text.strip()
    return None


def period_label(kind: str, start: date) -> str:
    """2024-08, 2024Q3, 2024-W35, 2024 (the label the command line and history show)."""
    if kind == "quarter":
        return f"{start.year:04d}Q{(start.month - 1) // 3 + 1}"
    if kind == "week":
        iso = start.isocalendar()
        return f"{iso[0]:04d}-W{iso[1]:02d}"
    if kind == "year":
        return f"{start.year:04d}"
    return f"{start.year:04d}-{start.month:02d}"


def period_display(kind: str, start: date) -> str:
    """2024年8月, 2024年第3季度, 2024年第35周, 2024年度 (what pages show)."""
    if kind == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if kind == "week":
        iso = start.isocalendar()
        return f"{iso[0]}年第{iso[1]}周"
    if kind == "year":
        return f"{start.year}年度"
    return f"{start.year}年{start.month}月"


def period_last_day(kind: str, start: date) -> date:
    if kind == "week":
        return start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


__all__ = [
    "MAX_POINTS",
    "PERIOD_READERS",
    "YEAR_READERS",
    "Found",
    "PeriodReader",
    "find_in_text",
    "find_quarter_in_text",
    "find_year_in_text",
    "is_number",
    "parse_points",
    "parse_quarter",
    "parse_year",
    "period_arg",
    "period_display",
    "period_label",
    "period_last_day",
    "read_cell",
]
