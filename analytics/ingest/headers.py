"""Finding the header row of a sheet and what each column means (ledger-format.md §3).

``detect_layout(sheet)`` looks at the first rows of a ``RawSheet`` (a handful of
cells, so plain Python is fine here) and returns a ``SheetLayout``: which kind of
table the sheet holds (star ledger, task ledger or neither), where its header
and data start, and which column holds which field. Matching follows §3.1–§3.2:

- a header cell is normalized (NFKC, no whitespace, （）==());
- an exact alias wins over a shortened one (trailing 数/名称 dropped on both
  sides, accepted only when exactly one field is left); across columns, exact
  matches are assigned first, so 重点任务数 is tasks_total and 存在问题数 is
  open_problems even next to 存在问题;
- star columns are matched by name (either type's name, with or without 星,
  or both names like 产业兴旺/共建共享);
- a one- or two-level header (merged group cells above, 序号/乡镇 spanning two
  rows) is found by content within the first ``HEADER_SEARCH_ROWS`` rows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from analytics import spec
from analytics.ingest.model import RawSheet
from analytics.ingest.values import normalize, star_slot_of

HEADER_SEARCH_ROWS = 15  # the (upper) header row must be among the first 15 rows

LEDGER = spec.LEDGER_KIND.key
TASK = spec.TASK_KIND.key
PROBLEM = spec.PROBLEM_KIND.key
WEAK = spec.WEAK_KIND.key
SCORE = spec.SCORE_KIND.key
ACCEPTANCE = spec.ACCEPTANCE_KIND.key
# Field-name prefix of a score-item column in SheetLayout.fields ("item:随机抽查").
ITEM_PREFIX = "item:"
# How many data rows below a header are looked at to tell a numeric (score item) column.
ITEM_SAMPLE_ROWS = 200

_SUFFIXES = ("名称", "数")
# Words that may follow a star name in a header: 支部过硬星创建情况, 产业兴旺星(达标情况).
_STAR_HEADER_TAILS = ("创建情况", "创建进度", "完成情况", "情况", "状态", "进度", "进展")
_TRAILING_PAREN = re.compile(r"\([^()]*\)$")


def _shorten(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


@dataclass(frozen=True)
class _AliasIndex:
    exact: dict[str, str]
    short: dict[str, frozenset[str]]

    @classmethod
    def build(cls, aliases: dict[str, tuple[str, ...]]) -> _AliasIndex:
        exact: dict[str, str] = {}
        short: dict[str, set[str]] = {}
        for name, words in aliases.items():
            for word in words:
                key = normalize(word)
                assert key is not None
                exact[key] = name
                short.setdefault(_shorten(key), set()).add(name)
        return cls(exact, {k: frozenset(v) for k, v in short.items()})

    def shortened(self, label: str) -> str | None:
        names = self.short.get(_shorten(label))
        if names is not None and len(names) == 1:
            return next(iter(names))
        return None


# Each declared sheet kind with its alias index.
_KINDS: tuple[tuple[spec.SheetKind, _AliasIndex], ...] = tuple(
    (kind, _AliasIndex.build(dict(kind.aliases))) for kind in spec.SHEET_KINDS
)


_TYPE_STAR_NAMES: dict[str, frozenset[str]] = {
    t: frozenset(names) | frozenset(n.removesuffix("星") for n in names) for t, names in spec.STAR_NAMES.items()
}


def _star_header(label: str) -> tuple[int, str | None] | None:
    """(slot, the branch type whose name the header uses, None = both/shared) or None."""
    candidates = [label]
    for tail in _STAR_HEADER_TAILS:
        if label.endswith(tail) and len(label) > len(tail):
            candidates.append(label[: -len(tail)])
    for text in candidates:
        slot = star_slot_of(text)
        if slot is None:
            continue
        parts = [p for p in re.split(r"[/、|]", text) if p]
        in_v = all(p in _TYPE_STAR_NAMES[spec.VILLAGE] for p in parts)
        in_c = all(p in _TYPE_STAR_NAMES[spec.COMMUNITY] for p in parts)
        named = spec.VILLAGE if in_v and not in_c else spec.COMMUNITY if in_c and not in_v else None
        return slot, named
    return None


@dataclass(frozen=True)
class HeaderColumn:
    """One labelled column of a header."""

    letter: str  # Excel column letter(s)
    index: int  # position in the sheet (sort order of problems)
    label: str  # normalized header text (the lower row's, else the upper row's)
    labels: frozenset[str]  # every header text of the column (both rows): repeated-header detection
    row: int = 0  # table row index the label was read from


@dataclass(frozen=True)
class StarColumn:
    column: HeaderColumn
    slot: int
    named_type: str | None  # 村 / 社区 when the header uses only that type's name


@dataclass
class SheetLayout:
    kind: str | None  # a declared kind's key (LEDGER, TASK, …) or None (not a table this importer reads)
    header_rows: tuple[int, ...] = ()  # table row indices of the header (1 or 2 rows)
    fields: dict[str, HeaderColumn] = field(default_factory=dict)
    stars: list[StarColumn] = field(default_factory=list)
    unknown: list[HeaderColumn] = field(default_factory=list)  # W_UNKNOWN_COLUMN
    repeated: list[tuple[HeaderColumn, HeaderColumn]] = field(default_factory=list)  # (ignored, kept)
    columns: list[HeaderColumn] = field(default_factory=list)  # every labelled column

    @property
    def data_start(self) -> int:
        """Table row index of the first row below the header."""
        return (self.header_rows[-1] + 1) if self.header_rows else 0

    @property
    def header_excel_row(self) -> int:
        """Table row index of the (upper) header row."""
        return self.header_rows[0] if self.header_rows else 0

    @property
    def star_slots(self) -> set[int]:
        return {s.slot for s in self.stars}

    def headers_found(self) -> str:
        return "、".join(c.label for c in self.columns) or "（无）"


def _match(labels: list[HeaderColumn], index: _AliasIndex, with_stars: bool) -> SheetLayout:
    """Assign fields to labelled columns: exact aliases first, then stars, then shortened."""
    layout = SheetLayout(kind=None, columns=list(labels))
    taken: dict[str, HeaderColumn] = {}
    pending: list[HeaderColumn] = []
    for col in labels:
        name = index.exact.get(col.label)
        if name is None:
            pending.append(col)
        elif name in taken:
            layout.repeated.append((col, taken[name]))
        else:
            taken[name] = col
    unmatched: list[HeaderColumn] = []
    for col in pending:
        star = _star_header(col.label) if with_stars else None
        if star is None:
            stripped = _TRAILING_PAREN.sub("", col.label)
            if stripped != col.label and stripped and with_stars:
                star = _star_header(stripped)
        if star is not None:
            layout.stars.append(StarColumn(col, star[0], star[1]))
        else:
            unmatched.append(col)
    for col in unmatched:
        name = index.shortened(col.label)
        if name is None:
            stripped = _TRAILING_PAREN.sub("", col.label)
            if stripped and stripped != col.label:
                name = index.exact.get(stripped) or index.shortened(stripped)
        if name is None:
            layout.unknown.append(col)
        elif name in taken:
            layout.repeated.append((col, taken[name]))
        else:
            taken[name] = col
    layout.fields = taken
    return layout


_BY_KEY = {kind.key: (kind, index) for kind, index in _KINDS}
# Fields every recognition rule of a kind needs (the branch column, for every kind so far).
_NEEDED: dict[str, frozenset[str]] = {
    kind.key: frozenset.intersection(*(frozenset(r.fields) for r in kind.recognition)) for kind, _ in _KINDS
}


@functools.lru_cache(maxsize=4096)
def _possible_fields(key: str, label: str) -> frozenset[str]:
    """The fields of kind ``key`` that ``_match`` could assign a column labelled ``label``
    (exact, shortened or without a trailing parenthesis)."""
    index = _BY_KEY[key][1]
    out: set[str] = set()
    for text in (label, _TRAILING_PAREN.sub("", label)):
        if text:
            out.update(f for f in (index.exact.get(text), index.shortened(text)) if f is not None)
    return frozenset(out)


def _could_match(key: str, labels: list[HeaderColumn], name: str) -> bool:
    """Whether some label could be assigned field ``name``: a cheap necessary condition checked
    before matching."""
    return any(name in _possible_fields(key, col.label) for col in labels)


def _holds(rule: spec.Recognition, layout: SheetLayout, matched: Callable[[str], SheetLayout]) -> bool:
    """Whether one declared recognition rule holds for a header matched as one kind."""
    labels = {c.label for c in layout.columns}
    return (
        all(f in layout.fields for f in rule.fields)
        and all(text in labels for text in rule.labels)
        and (not rule.any_labels or any(text in labels for text in rule.any_labels))
        and len(layout.star_slots) >= rule.min_star_slots
        and (rule.max_star_slots is None
             or len({s[0] for c in layout.columns if (s := _star_header(c.label)) is not None}) <= rule.max_star_slots)
        and sum(1 for f in layout.fields if f.startswith(ITEM_PREFIX)) >= rule.min_items
        and not any(f in matched(k).fields for k, f in rule.absent)
    )


_ITEM_NAMES = frozenset(normalize(t) for t in spec.ASSESSMENT_ITEMS)


def _other_kinds_field(key: str, label: str) -> bool:
    """Whether a header is a field of some other kind (任务总数 is a ledger's, not a score item)."""
    return any(k.key != key and _possible_fields(k.key, label) for k, _ in _KINDS)


def _take_items(kind: spec.SheetKind, layout: SheetLayout, numeric: Callable[[HeaderColumn], bool]) -> None:
    """cadence.md §2: the columns no field matches are score items when named as one (随机抽查 …)
    or when their cells are numbers; they become fields ``item:<header>``."""
    rest: list[HeaderColumn] = []
    for col in layout.unknown:
        named = col.label in _ITEM_NAMES or col.label in kind.items
        if named or (not _other_kinds_field(kind.key, col.label) and _star_header(col.label) is None and numeric(col)):
            layout.fields[ITEM_PREFIX + col.label] = col
        else:
            rest.append(col)
    layout.unknown = rest


def _no_numeric(_col: HeaderColumn) -> bool:
    return False


def _classify(labels: list[HeaderColumn], numeric: Callable[[HeaderColumn], bool] = _no_numeric) -> SheetLayout:
    """§3.2 'Recognising sheets' and battle-map.md §1–§3, as the kinds declare them
    (spec.SHEET_KINDS): the kind whose holding rule has the lowest priority wins.

    A kind whose needed fields no label can match is not matched at all (most rows
    searched for a header are titles or data: this keeps the search cheap)."""
    cache: dict[str, SheetLayout] = {}

    def matched(key: str) -> SheetLayout:
        if key not in cache:
            kind, index = _BY_KEY[key]
            cache[key] = _match(labels, index, kind.star_columns)
            if kind.item_columns:
                _take_items(kind, cache[key], numeric)
        return cache[key]

    best: tuple[int, str] | None = None
    for kind, _index in _KINDS:
        if not all(_could_match(kind.key, labels, f) for f in _NEEDED[kind.key]):
            continue
        for rule in kind.recognition:
            if (best is None or rule.priority < best[0]) and _holds(rule, matched(kind.key), matched):
                best = (rule.priority, kind.key)
    if best is None:
        return SheetLayout(kind=None, columns=list(labels))
    layout = cache[best[1]]
    layout.kind = best[1]
    return layout


def _score(layout: SheetLayout) -> int:
    return len(layout.fields) + len(layout.stars)


def _header_text(value: str | None) -> str | None:
    """A header cell normalized; a stray byte-order mark (CSV) is dropped too."""
    return normalize(value.replace("\ufeff", "")) if value else None


def detect_layout(sheet: RawSheet) -> SheetLayout:
    """Find the header (one row, or two rows for merged group headers) and classify the sheet."""
    table = sheet.table
    n = min(table.num_rows, HEADER_SEARCH_ROWS + 1)
    letters = list(table.column_names)
    cells = [[_header_text(v) for v in table.column(c).slice(0, n).to_pylist()] for c in letters]
    best: SheetLayout | None = None
    best_key: tuple[int, int, int] | None = None
    for r in range(min(n, HEADER_SEARCH_ROWS)):
        for two_rows in (False, True):
            if two_rows and r + 1 >= n:
                continue
            labels: list[HeaderColumn] = []
            for i, letter in enumerate(letters):
                upper = cells[i][r]
                lower = cells[i][r + 1] if two_rows else None
                label = lower or upper
                if label is None:
                    continue
                texts = frozenset(t for t in (upper, lower) if t)
                labels.append(HeaderColumn(letter, i, label, texts, r + 1 if lower else r))
            if not labels:
                continue
            if two_rows and not any(
                cells[i][r] and not cells[i][r + 1] for i in range(len(letters))
            ):
                continue  # the upper row adds nothing: not a two-level header
            layout = _classify(labels, functools.partial(_numeric_column, sheet, r + 2 if two_rows else r + 1))
            if layout.kind is None:
                continue
            layout.header_rows = (r, r + 1) if two_rows else (r,)
            # More matched columns wins; on a tie the single row, then the earliest.
            key = (_score(layout), 0 if two_rows else 1, -r)
            if best_key is None or key > best_key:
                best, best_key = layout, key
    if best is None:
        return SheetLayout(kind=None)
    return best


def _numeric_column(sheet: RawSheet, start: int, col: HeaderColumn) -> bool:
    """Whether the cells below a header (the first ``ITEM_SAMPLE_ROWS``) are mostly numbers:
    at least one, and no fewer than the other non-blank cells (a 合计 row or a typo aside)."""
    from analytics.ingest.cadence import is_number

    cells = sheet.table.column(col.letter).slice(start, ITEM_SAMPLE_ROWS).to_pylist()
    texts = [t for t in (normalize(c) if c else None for c in cells) if t]
    numbers = sum(1 for t in texts if is_number(t))
    return numbers > 0 and numbers * 2 >= len(texts)


def title_cells(sheet: RawSheet, layout: SheetLayout) -> list[tuple[int, int, str]]:
    """(table row, column index, normalized text) of title text above the header (§4).

    A row whose first non-empty cell starts with 填报/填表/审核/制表 is not a title
    row; neither is any single cell starting with those words (a 填报时间 cell).
    """
    out: list[tuple[int, int, str]] = []
    if not layout.header_rows or layout.header_rows[0] == 0:
        return out
    top = layout.header_rows[0]
    rows = [[normalize(v) for v in sheet.table.column(c).slice(0, top).to_pylist()] for c in sheet.table.column_names]
    for r in range(top):
        texts = [(i, rows[i][r]) for i in range(len(rows)) if rows[i][r]]
        if not texts or texts[0][1].startswith(spec.NON_TITLE_PREFIXES):  # type: ignore[union-attr]
            continue
        for i, text in texts:
            if text and not text.startswith(spec.NON_TITLE_PREFIXES):
                out.append((r, i, text))
    return out


__all__ = [
    "ACCEPTANCE",
    "HEADER_SEARCH_ROWS",
    "ITEM_PREFIX",
    "LEDGER",
    "PROBLEM",
    "SCORE",
    "TASK",
    "WEAK",
    "HeaderColumn",
    "SheetLayout",
    "StarColumn",
    "detect_layout",
    "title_cells",
]
