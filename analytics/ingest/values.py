"""Reading single cell values, and the vectorized helpers that apply them to columns.

Every ``parse_*`` function takes one *normalized*, non-empty cell text (see
``normalize_array``) and returns the typed value, or raises ``ValueError`` whose
message is the Chinese fix-it text shown to the user. They are never called per
row: ``map_distinct`` calls them once per distinct value of a column and maps the
results back with ``take`` (ledger-format.md §3.3 item 5, §2).
"""

from __future__ import annotations

import calendar
import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from analytics import spec
from analytics.periods import MONTH, WEEK, PartialPeriod, find_week_in_text

# Removed from names in one pass (RE2): all whitespace (ASCII \s, Unicode separators incl.
# U+3000 and U+00A0) and every control and format character — Cc (NUL, ESC, BEL, \v,
# \x1c-\x1f, \x85 …) and Cf (zero-width U+200B-U+200D, U+2060, BOM U+FEFF, bidi controls
# U+200E/U+200F, U+202A-U+202E, U+2066-U+2069 …), so look-alike names collide (issue 14).
_WS_RE2 = r"[\s\p{Z}\p{Cc}\p{Cf}]+"
# Free text keeps its line breaks: any Cc or Cf character except \n (checked first: the
# usual cell has none, and a match scan is cheaper than a rewrite).
_TEXT_CONTROL_RE2 = r"[\x{00}-\x{09}\x{0B}-\x{1F}\x{7F}-\x{9F}\p{Cf}]"
# In free text: a line break of another kind (CR LF, CR, VT, FF, NEL, U+2028/U+2029) -> \n, a tab -> space.
_TEXT_BREAK_RE2 = r"\r\n|[\r\x{0B}\x{0C}\x{85}\x{2028}\x{2029}]"

# ---------------------------------------------------------------------------
# Vectorized helpers
# ---------------------------------------------------------------------------


_LOCAL = threading.local()


@contextlib.contextmanager
def encoding_cache() -> Iterator[None]:
    """Within the block, ``dictionary_encode`` of the same array object is computed once.

    Validation encodes an identity column (county, township, branch …) several times:
    to normalize it, to match totals words, to parse it. Per thread, so concurrent
    validations (several users of the app) do not share anything. The cache holds the
    arrays it has seen until the block ends.
    """
    previous = getattr(_LOCAL, "cache", None)
    _LOCAL.cache = {}
    try:
        yield
    finally:
        _LOCAL.cache = previous


def dictionary_encode(values: pa.Array) -> pa.DictionaryArray:
    """``pc.dictionary_encode``, remembered inside ``encoding_cache()``."""
    cache: dict[int, tuple[pa.Array, pa.DictionaryArray]] | None = getattr(_LOCAL, "cache", None)
    if cache is None:
        return pc.dictionary_encode(values)
    hit = cache.get(id(values))
    if hit is not None and hit[0] is values:
        return hit[1]
    encoded = pc.dictionary_encode(values)
    cache[id(values)] = (values, encoded)
    return encoded


# A column longer than this is worked on once per distinct value when it repeats few of them.
_ENCODE_MIN_ROWS = 2048


def repeated_values(values: pa.Array) -> pa.DictionaryArray | None:
    """The dictionary encoding of a long column that repeats few values (fewer distinct values
    than a quarter of its cells: county, township, branch on every task row, marks, dates), so
    a caller can work once per distinct value; None for a short column or a mostly distinct one
    (序号, free text), which the caller takes cell by cell.

    A column whose first 2,048 cells are (nearly) all different is taken cell by cell without
    encoding it: encoding a 序号 column of 142,885 distinct cells cost ~27 ms of a city ledger's
    validation only to find it distinct. (Names and dates repeat within a sample: 1,300 names
    over 142,885 task rows show ~1,050 in the first 2,048.) A column that starts distinct and
    repeats later is taken cell by cell: the same result.
    """
    if len(values) <= _ENCODE_MIN_ROWS:
        return None
    cache: dict[int, tuple[pa.Array, pa.DictionaryArray]] | None = getattr(_LOCAL, "cache", None)
    hit = cache.get(id(values)) if cache is not None else None
    if hit is None or hit[0] is not values:
        sample = pc.count_distinct(values.slice(0, _ENCODE_MIN_ROWS), mode="all").as_py()
        if sample * 10 >= _ENCODE_MIN_ROWS * 9:
            return None
    encoded = dictionary_encode(values)
    return encoded if len(encoded.dictionary) * 4 < len(values) else None


def as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A single contiguous string array (chunked arrays are combined)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if values.type != pa.string():
        values = values.cast(pa.string())
    return values


def _empty_to_null(values: pa.Array) -> pa.Array:
    empty = pc.equal(values, "")
    if not pc.any(empty).as_py():  # the usual case: no copy of the strings
        return values
    return pc.if_else(empty, pa.scalar(None, pa.string()), values)


def normalize_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """§3.3 item 4 for a whole column: NFKC, every whitespace removed, blank -> null.

    A long column with few distinct values (township, marks, dates) is normalized
    once per distinct value and mapped back.
    """
    arr = as_array(values)
    encoded = repeated_values(arr)
    if encoded is not None:
        normalized = _normalize(encoded.dictionary)
        if normalized.null_count == 0 and pc.all(pc.equal(normalized, encoded.dictionary)).as_py():
            return arr  # already normalized (the usual case): no copy of the column
        return normalized.take(encoded.indices)
    return _normalize(arr)


def _normalize(arr: pa.Array) -> pa.Array:
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, pattern=_WS_RE2, replacement="")
    return _empty_to_null(arr)


def trim_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Free text (tasks, problems, notes): control and format characters dropped, leading/trailing
    whitespace trimmed, blank -> null.

    Inner spaces, line breaks and full-width punctuation are kept — this text is shown as
    written. Other line breaks (CR LF, CR, VT, FF, U+2028 …) become \n, a tab a space, and every
    other Cc/Cf character (NUL, ESC, BEL, zero-width, bidi controls) is removed (issue 14).
    """
    arr = as_array(values)
    if _has_text_controls(arr):  # rare: rewrite only then
        arr = pc.replace_substring_regex(arr, pattern=_TEXT_BREAK_RE2, replacement="\n")
        arr = pc.replace_substring(arr, pattern="\t", replacement=" ")
        arr = pc.replace_substring_regex(arr, pattern=_TEXT_CONTROL_RE2, replacement="")
    arr = pc.utf8_trim_whitespace(arr)
    return _empty_to_null(arr)


def _has_text_controls(arr: pa.Array) -> bool:
    """Whether any cell holds a character ``trim_array`` rewrites, cheaply: a long column with few
    distinct values is checked once per value, and only cells that are not all printable (a
    line break, a full-width space … or a control) go through the regular expression."""
    encoded = repeated_values(arr)
    if encoded is not None:
        arr = encoded.dictionary
    printable = pc.utf8_is_printable(arr)
    if pc.all(printable).as_py() is not False:
        return False
    suspects = arr.filter(pc.invert(printable))
    return bool(pc.any(pc.match_substring_regex(suspects, _TEXT_CONTROL_RE2)).as_py())


def map_distinct(
    values: pa.Array, parse: Callable[[str], Any], out_type: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    """Apply ``parse`` to each distinct non-null value; return (typed values, error messages).

    The message array is null where the cell is fine (or blank); a cell whose
    value ``parse`` rejects gets a null value and the ``ValueError`` text.
    """
    encoded = dictionary_encode(as_array(values))
    parsed: list[Any] = []
    messages: list[str | None] = []
    for text in encoded.dictionary.to_pylist():
        try:
            parsed.append(parse(text))
            messages.append(None)
        except ValueError as exc:
            parsed.append(None)
            messages.append(str(exc))
    out = pa.array(parsed, type=out_type).take(encoded.indices)
    if all(m is None for m in messages):  # the usual case: no column-long copy of nothing
        return out, pa.nulls(len(out), pa.string())
    errors = pa.array(messages, type=pa.string()).take(encoded.indices)
    return out, errors


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

_WS_PY = re.compile(r"\s+")


def normalize(text: str | None) -> str | None:
    """Python twin of ``normalize_array`` (same as ``spec.normalize_text``)."""
    return spec.normalize_text(text)


def branch_identity(name: str) -> str:
    """樱桃沟社区党总支 -> 樱桃沟社区 (§3.3 item 4): one trailing organisation suffix dropped."""
    for suffix in spec.BRANCH_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def infer_branch_type(name: str) -> str | None:
    """§1: …村 -> 村, …社区/…居委会 -> 社区, else None."""
    if name.endswith(spec.COMMUNITY_NAME_ENDINGS):
        return spec.COMMUNITY
    if name.endswith(spec.VILLAGE_NAME_ENDINGS):
        return spec.VILLAGE
    return None


def parse_branch_type(text: str) -> str:
    """A 类型 cell: 村/农村/行政村 or 社区/城市社区/居委会 (an organisation suffix is ignored)."""
    word = branch_identity(text)
    for branch_type, words in spec.BRANCH_TYPE_WORDS.items():
        if word in words:
            return branch_type
    raise ValueError("无法识别的类型，应为 村 或 社区")


# ---------------------------------------------------------------------------
# Marks
# ---------------------------------------------------------------------------

_INTEGRAL_FLOAT = re.compile(r"^(-?\d+)\.0+$")


def _plain(text: str) -> str:
    """'1.0' -> '1' (a numeric cell rendered as float)."""
    match = _INTEGRAL_FLOAT.match(text)
    return match.group(1) if match else text


_BOOL_WORDS = {"true": "是", "false": "否"}  # an Excel TRUE/FALSE cell as the reader renders it


def _mark(text: str) -> str:
    return _BOOL_WORDS.get(text.lower(), _plain(text))


_STATUS_HELP = "无法识别的星级状态，应为 已达标/创建中/未启动（也可填 √/△/× 或 1/2/0）"


def parse_status(text: str) -> str:
    code = spec.STATUS_BY_MARK.get(_mark(text))
    if code is None:
        raise ValueError(_STATUS_HELP)
    return code


_WEAK_BY_MARK = spec.marks_index(spec.WEAK_MARKS)
_DONE_BY_MARK = spec.marks_index(spec.TASK_DONE_MARKS)


def parse_weak(text: str) -> bool:
    flag = _WEAK_BY_MARK.get(_mark(text))
    if flag is None:
        raise ValueError("无法识别的软弱涣散标记，应为 是/否（或 √，不是则留空）")
    return flag


def parse_done(text: str) -> bool:
    flag = _DONE_BY_MARK.get(_mark(text))
    if flag is None:
        raise ValueError("无法识别的完成情况，应为 是/否、√/× 或 已完成/未完成/推进中")
    return flag


_ACCEPTED_BY_MARK = spec.marks_index(spec.TASK_ACCEPTED_MARKS)
_DONE_ACCEPTED = frozenset(spec.normalize_text(m) for m in spec.TASK_DONE_ACCEPTED_MARKS)
_CLOSED_BY_MARK = spec.marks_index(spec.PROBLEM_CLOSED_MARKS)
_WEAK_STATES = {spec.normalize_text(s): s for s in spec.WEAK_STATES}


def done_accepted(text: str) -> bool:
    """Whether a task's done mark also says accepted (已验收, battle-map.md §1); never raises."""
    return text in _DONE_ACCEPTED


def parse_accepted(text: str) -> bool:
    """A task's 是否验收 cell (battle-map.md §1): 已验收/通过/√ -> true; 未验收/× -> false."""
    flag = _ACCEPTED_BY_MARK.get(_mark(text))
    if flag is None:
        raise ValueError("无法识别的验收情况，应为 已验收/未验收（或 √/×）")
    return flag


def parse_closed(text: str) -> bool:
    """A problem's 是否销号 cell (battle-map.md §2): 已销号/已整改/√ -> true; 未整改/整改中/× -> false."""
    flag = _CLOSED_BY_MARK.get(_mark(text))
    if flag is None:
        raise ValueError("无法识别的销号情况，应为 已销号/已整改 或 未整改/整改中/未销号（或 √/×）")
    return flag


def parse_weak_state(text: str) -> str:
    """A rectification 整顿状态 cell (battle-map.md §3): 整顿中 / 已销号 / 已摘帽 / 巩固提升."""
    state = _WEAK_STATES.get(text)
    if state is None:
        raise ValueError("无法识别的整顿状态，应为 整顿中、已销号、已摘帽 或 巩固提升")
    return state


def star_heading_slot(text: str) -> int | None:
    """The star a heading row inside a task table names (battle-map.md §1), or None.

    The heading is a star name, optionally numbered (一、 / 1. / (一)) and with a
    parenthesised remark after it (支部过硬星（5项）).
    """
    stripped = _HEADING_NUMBER.sub("", text)
    stripped = _HEADING_TAIL.sub("", stripped)
    return star_slot_of(stripped) if stripped else None


_HEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|\([一二三四五六七八九十\d]+\))")
_HEADING_TAIL = re.compile(r"(?:\([^()]*\)|[:：])$")


def star_slot_of(text: str) -> int | None:
    """A star name of either type, with or without 星, or 'A/B' naming one slot by both names."""
    slot = spec.STAR_NAME_TO_SLOT.get(text)
    if slot is not None:
        return slot
    parts = [p for p in re.split(r"[/、|]", text) if p]
    if len(parts) < 2:
        return None
    slots = {spec.STAR_NAME_TO_SLOT.get(p) for p in parts}
    if len(slots) == 1 and None not in slots:
        return slots.pop()
    return None


def parse_star(text: str) -> int:
    """A task's 所属星 cell -> slot 1–5."""
    slot = star_slot_of(text)
    if slot is None:
        raise ValueError("无法识别的星名，应为五星之一，如 支部过硬星、产业兴旺星（共建共享星）、平安法治星")
    return slot


# ---------------------------------------------------------------------------
# Numbers and levels
# ---------------------------------------------------------------------------

_LEVEL_RE = re.compile(r"^([0-5零无一二两三四五])(?:星级?|颗星)?(?:党?支部)?$")
_STARS_RE = re.compile(r"^(★*)☆*$")


def _level(text: str) -> int | None:
    text = _plain(text)
    match = _LEVEL_RE.match(text)
    if match:
        word = match.group(1)
        return int(word) if word.isdigit() else spec.LEVEL_NUMERALS[word]
    match = _STARS_RE.match(text)
    if match and len(text) <= 5:
        return len(match.group(1))
    return None


_NO_TARGET = frozenset({"无", "暂无", "未申报", "未定", "不申报"})


def parse_target(text: str) -> int | None:
    """创建目标: 三星 3星 3 ★★★ 三星级 三星支部 (also 四/五); 无/未申报 -> not declared."""
    if text in _NO_TARGET:
        return None
    level = _level(text)
    if level is None or not 3 <= level <= 5:
        raise ValueError("无法识别的创建目标，应为 三星/四星/五星（或 3/4/5、★★★）")
    return level


def parse_stars_reported(text: str) -> int:
    """当前星级: 0–5 in the same forms as the target (无星 = 0)."""
    level = _level(text)
    if level is None:
        raise ValueError("无法识别的星级，应为 0–5 星，如 三星、3星、3、★★★")
    return level


_COUNT_RE = re.compile(r"^(\d+)(?:\.0+)?(?:项|个|件|条|次)?$")
_FRACTION_RE = re.compile(r"^(\d+)(?:\.0+)?/(\d+)(?:\.0+)?$")


# Counts (tasks, problems) above this are typing errors, not data; it also keeps them in INTEGER range.
MAX_COUNT = 99_999


def _bounded(value: int) -> int:
    if value > MAX_COUNT:
        raise ValueError(f"数值过大，应为不超过 {MAX_COUNT} 的整数")
    return value


def parse_count(text: str) -> int:
    """A non-negative whole number, possibly stored as text ('29', '29.0', '29项')."""
    match = _COUNT_RE.match(text)
    if not match:
        raise ValueError("应为不小于 0 的整数")
    return _bounded(int(match.group(1)))


def parse_fraction(text: str) -> tuple[int, int | None]:
    """A task-count cell: '18' -> (18, None); '18/29' -> (18, 29)."""
    match = _FRACTION_RE.match(text)
    if match:
        done, total = _bounded(int(match.group(1))), _bounded(int(match.group(2)))
        if done > total:
            raise ValueError("已完成数大于任务总数，应写成 已完成/总数，如 18/29")
        return done, total
    try:
        return parse_count(text), None
    except ValueError:
        raise ValueError("应为不小于 0 的整数，或 已完成/总数 形式，如 18/29") from None


def fraction_head(text: str) -> int:
    return parse_fraction(text)[0]


def fraction_tail(text: str) -> int | None:
    return parse_fraction(text)[1]


RATE_SCALE = 1_000_000_000  # task rates are carried as integers: rate × 1e9


def parse_rate(text: str) -> int:
    """任务完成率 -> rate × 1e9 (an exact integer, so round-half-up is exact later).

    '62%' and '62' are percentages; a value ≤ 1 without % ('0.62', '1') is a
    fraction (what Excel stores for a cell formatted as %); above 100 is refused.
    """
    percent = text.endswith("%")
    number = text[:-1] if percent else text
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError("无法识别的完成率，应为百分数或小数，如 62% 或 0.62") from None
    if not value.is_finite() or value < 0:
        raise ValueError("无法识别的完成率，应为百分数或小数，如 62% 或 0.62")
    if percent or value > 1:
        value = value / 100
    if value > 1:
        raise ValueError("完成率不能超过 100%")
    return int((value * RATE_SCALE).to_integral_value())


# ---------------------------------------------------------------------------
# Dates and months
# ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 25_569, 73_050  # 1970-01-01 .. 2099-12-31
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
_YMD_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YMD8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD_RE = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")
_YM_RE = re.compile(r"^(?:(\d{4})[年.\-/])?(\d{1,2})(?:月(?:底|末|份)?|月份)$|^(\d{4})[.\-/](\d{1,2})$")
_YEAR_END_RE = re.compile(r"^(?:(\d{4})年)?(?:年底|年末|底)$")
# Deadlines that are no date at all: kept as NULL (no deadline), not refused.
NO_DATE_WORDS: frozenset[str] = frozenset({"长期", "长期坚持", "持续", "持续推进", "常态化", "常态化推进"})


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("不是有效的日期") from None


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError("不是有效的日期")
    return date(year, month, calendar.monthrange(year, month)[1])


_DATE_HELP = "无法识别的日期，应为 2024-08-31、2024/8/31、2024.8.31、2024年8月31日 或 8月31日"


def parse_date(text: str, year: int | None) -> date | None:
    """A deadline / done date (§3.3 item 5). ``year`` fills dates written without one.

    Month-only dates (2024年8月, 8月底) mean the month's last day; 年底 means
    December 31; 长期/持续推进/常态化 mean no date (NULL).
    """
    if text in NO_DATE_WORDS:
        return None
    if _NUMBER_RE.match(text):
        match8 = _YMD8_RE.match(text)
        if match8:
            return _make_date(int(match8.group(1)), int(match8.group(2)), int(match8.group(3)))
        serial = float(text)
        if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
            raise ValueError(_DATE_HELP)
        return _EXCEL_EPOCH + timedelta(days=int(serial))
    match = _YMD_RE.match(text)
    if match:
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _MD_RE.match(text)
    if match:
        if year is None:
            raise ValueError("日期没有年份，且无法确定报送月份，请写成 2024年8月31日")
        return _make_date(year, int(match.group(1)), int(match.group(2)))
    match = _YM_RE.match(text)
    if match:
        y = match.group(1) or match.group(3)
        m = match.group(2) or match.group(4)
        if y is None and year is None:
            raise ValueError("日期没有年份，且无法确定报送月份，请写成 2024年8月31日")
        return _month_end(int(y) if y else year, int(m))  # type: ignore[arg-type]
    match = _YEAR_END_RE.match(text)
    if match:
        y_end = int(match.group(1)) if match.group(1) else year
        if y_end is None:
            raise ValueError("日期没有年份，且无法确定报送月份，请写成 2024年12月31日")
        return date(y_end, 12, 31)
    raise ValueError(_DATE_HELP)


_MONTH_FORMS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月份?)?(?:[-/.](\d{1,2})日?|(\d{1,2})日)?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(?:\d{2})?$"),
)
_MONTH_ONLY_RE = re.compile(r"^(\d{1,2})月份?$")


def parse_month(text: str) -> tuple[int | None, int]:
    """A 报送月份 cell -> (year or None, month): 2024-08, 2024年8月, 2024.08, 202408,
    a date (2024-08-01 00:00:00, an Excel serial) or 8月 (year taken from elsewhere)."""
    text = _plain(text)
    for pattern in _MONTH_FORMS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return year, month
    match = _MONTH_ONLY_RE.match(text)
    if match and 1 <= int(match.group(1)) <= 12:
        return None, int(match.group(1))
    if _NUMBER_RE.match(text) and _SERIAL_MIN <= float(text) <= _SERIAL_MAX:
        day = _EXCEL_EPOCH + timedelta(days=int(float(text)))
        return day.year, day.month
    raise ValueError("无法识别的月份，应为 2024-08 或 2024年8月")


# A year-month inside free text (title rows, file names).
_TEXT_MONTH_RE = re.compile(r"(20\d{2})\s*(?:年\s*(\d{1,2})\s*月|[.\-/_](\d{1,2})(?!\d))")
_COMPACT_MONTH_RE = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?:[0-3]\d)?(?!\d)")


def find_month_in_text(text: str, *, compact: bool = False) -> tuple[int, int] | None:
    """First year-month in a title (2024年8月, 2024年08月, 2024.08, 2024-08); with
    ``compact`` also 202408 (file names)."""
    for match in _TEXT_MONTH_RE.finditer(text):
        month = int(match.group(2) or match.group(3))
        if 1 <= month <= 12:
            return int(match.group(1)), month
    if compact:
        compact_match = _COMPACT_MONTH_RE.search(text)
        if compact_match:
            return int(compact_match.group(1)), int(compact_match.group(2))
    return None


def month_partial(year: int | None, month: int, text: str) -> PartialPeriod:
    """A year-month (year perhaps unknown) as a PartialPeriod."""
    return PartialPeriod(MONTH, year, f"month|{year or ''}|{month}", text)


def parse_period_cell(text: str) -> PartialPeriod:
    """A 报送月份 cell: a month (``parse_month``) or a week (cadence.md §1: 2024-W35, 2024年第35周,
    第35周, 8月第4周, a range 8.19-8.25 / 2024年8月19日至25日)."""
    try:
        year, month = parse_month(text)
        return month_partial(year, month, text)
    except ValueError:
        week = find_week_in_text(normalize(text) or "")
        if week is not None:
            return week
        raise ValueError("无法识别的月份，应为 2024-08 或 2024年8月（周报：2024-W35 或 2024年第35周）") from None


def parse_period_arg_partial(text: str) -> PartialPeriod:
    """The uploader's --period: a month (YYYY-MM; 2024-8 and 2024年8月 also accepted) or a week
    (2024-W35, 2024年第35周, 2024年8月第4周, 2024年8月19日至25日)."""
    clean = normalize(text) or ""
    try:
        year, month = parse_month(clean)
        if year is not None:
            return month_partial(year, month, text)
    except ValueError:
        pass
    iso = _ISO_ARG_RE.match(clean)
    if iso:
        return PartialPeriod(WEEK, int(iso.group(1)), f"iso|{iso.group(1)}|{int(iso.group(2))}", text)
    week = find_week_in_text(clean)
    if week is not None and week.year is not None:
        return week
    raise ValueError("上传时选择的期间应写成 YYYY-MM（如 2024-08），周报写成 2024-W35")


_ISO_ARG_RE = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


def parse_period_arg(text: str) -> tuple[int, int]:
    """The uploader's --period (YYYY-MM; 2024-8 and 2024年8月 also accepted)."""
    found = parse_month(normalize(text) or "")
    if found[0] is None:
        raise ValueError("上传时选择的月份应写成 YYYY-MM，例如 2024-08")
    return found[0], found[1]


_PLACEHOLDER = "×xX*某“”\"'‘’()"
_COUNTY_RE = re.compile(
    rf"^(?:[^市区县{_PLACEHOLDER}]{{1,6}}市)?([^市区县{_PLACEHOLDER}]{{1,10}}[区县])"
)
_COUNTY_CITY_RE = re.compile(rf"^[^市区县{_PLACEHOLDER}]{{1,6}}市([^市区县{_PLACEHOLDER}]{{1,6}}市)")


def county_from_title(text: str) -> str | None:
    """“二七区……台账” / “郑州市二七区……台账” -> 二七区; “郑州市新郑市……” -> 新郑市.

    A title that starts with a city alone (“郑州市……”) names no county.
    """
    match = _COUNTY_RE.match(text) or _COUNTY_CITY_RE.match(text)
    return match.group(1) if match else None


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


# Value parsers by the names the sheet kinds declare (spec.SheetKind.parsers):
# name -> (parse, Arrow type, takes the period's year).
# ---------------------------------------------------------------------------
# The register and declared goals (register.md)
# ---------------------------------------------------------------------------

_REGISTER_STATUS_BY_WORD = {w: status for status, words in spec.REGISTER_STATUS_WORDS.items() for w in words}


def parse_register_status(text: str) -> str:
    """A register 状态 cell: 在册 / 撤并 / 新设 (and their usual spellings)."""
    found = _REGISTER_STATUS_BY_WORD.get(text)
    if found is None:
        raise ValueError("无法识别的状态，应为 在册、撤并 或 新设（空白按在册）")
    return found


_LEVEL_WORD = r"(五|四|三|5|4|3)星(?:级)?(?:支部)?"
_GOAL_PART_RE = re.compile(_LEVEL_WORD + r"[:：]?(\d+)个?")
_GOAL_LEVELS = {"五": 5, "四": 4, "三": 3, "5": 5, "4": 4, "3": 3}


def parse_goal_text(text: str) -> tuple[int | None, int | None, int | None]:
    """"五星2个、四星7个、三星5个" -> (2, 7, 5) (goal_5, goal_4, goal_3); a level not named is None."""
    found: dict[int, int] = {}
    rest = text
    for match in _GOAL_PART_RE.finditer(text):
        level = _GOAL_LEVELS[match.group(1)]
        if level in found:
            raise ValueError(f"{match.group(1)}星写了两次")
        found[level] = _bounded(int(match.group(2)))
        rest = rest.replace(match.group(0), "", 1)
    if not found or re.sub(r"[、,，;；/和及]", "", rest):
        raise ValueError("无法识别的创建目标，应写成 五星2个、四星7个、三星5个，或分别填在 五星、四星、三星 列")
    return found.get(5), found.get(4), found.get(3)


_DUE_YEAR_RE = re.compile(r"^(\d{4})(?:年)?(?:年?底|年末|年度|全年)?$")
_MIDNIGHT_RE = re.compile(r"(?<=\d)\s*00:00:00(?:\.0+)?$")
_DUE_HELP = "无法识别的完成时限，应为 2024、2024年底、2024-12 或 2024-12-31"


def parse_due(text: str) -> date:
    """A goal's 完成时限 -> the last day of the deadline: 2024 / 2024年 / 2024年底 -> 2024-12-31;
    2024-12 / 2024年12月 -> 2024-12-31; a full date is itself (a date cell's 00:00:00 dropped)."""
    text = _MIDNIGHT_RE.sub("", text)
    match = _DUE_YEAR_RE.match(_plain(text))
    if match:
        return date(int(match.group(1)), 12, 31)
    try:
        year, month = parse_month(text)
    except ValueError:
        year, month = None, 0
    if year is not None and 1 <= month <= 12 and not re.search(r"\d+(?:日|号)$|[-/.]\d{1,2}[-/.]\d{1,2}", text):
        return _month_end(year, month)
    try:
        found = parse_date(text, None)
    except ValueError:
        found = None
    if found is None:
        raise ValueError(_DUE_HELP)
    return found


PARSERS: dict[str, tuple[Callable[..., Any], pa.DataType, bool]] = {
    "star": (parse_star, pa.int32(), False),
    "done": (parse_done, pa.bool_(), False),
    "accepted": (parse_accepted, pa.bool_(), False),
    "closed": (parse_closed, pa.bool_(), False),
    "weak_state": (parse_weak_state, pa.string(), False),
    "date": (parse_date, pa.date32(), True),
    "target": (parse_target, pa.int32(), False),
    "stars_reported": (parse_stars_reported, pa.int32(), False),
    "count": (parse_count, pa.int32(), False),
    "weak": (parse_weak, pa.bool_(), False),
    "branch_type": (parse_branch_type, pa.string(), False),
    "register_status": (parse_register_status, pa.string(), False),
    "goal_text": (parse_goal_text, pa.list_(pa.int32()), False),
    "due": (parse_due, pa.date32(), False),
}


__all__ = [
    "NO_DATE_WORDS",
    "PARSERS",
    "RATE_SCALE",
    "as_array",
    "branch_identity",
    "county_from_title",
    "find_month_in_text",
    "fraction_head",
    "fraction_tail",
    "infer_branch_type",
    "map_distinct",
    "month_label",
    "normalize",
    "normalize_array",
    "parse_branch_type",
    "parse_count",
    "parse_date",
    "parse_done",
    "parse_fraction",
    "parse_month",
    "parse_period_arg",
    "parse_rate",
    "parse_star",
    "parse_stars_reported",
    "parse_status",
    "parse_target",
    "parse_weak",
    "star_slot_of",
    "trim_array",
]
