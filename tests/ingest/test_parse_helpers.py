"""Build RawWorkbooks literally for the parse/validate tests (and test that helper)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from analytics.ingest.model import RawSheet, RawWorkbook

STARS_V = ["支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"]


def col_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet(rows: Sequence[Sequence[Any]], start: str = "A1", name: str = "星级台账", *,
          visible: bool = True, hit_row_limit: bool = False) -> RawSheet:
    """A RawSheet whose cell ``start`` holds rows[0][0]; columns left of it are empty.

    Values are rendered with ``str`` (None stays empty), as a reader would give text.
    """
    match = re.fullmatch(r"([A-Z]+)(\d+)", start)
    assert match
    col0, row0 = col_index(match.group(1)), int(match.group(2))
    width = col0 + max((len(r) for r in rows), default=0)
    columns: dict[str, list[str | None]] = {col_letter(i): [] for i in range(width)}
    for r in rows:
        for i in range(width):
            j = i - col0
            value = r[j] if 0 <= j < len(r) else None
            columns[col_letter(i)].append(None if value is None else str(value))
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    return RawSheet(name=name, table=table, first_row=row0, hit_row_limit=hit_row_limit, visible=visible)


def book(*sheets: RawSheet, file_name: str = "台账.xlsx") -> RawWorkbook:
    return RawWorkbook(file_name=file_name, kind=file_name.rsplit(".", 1)[-1], sheets=list(sheets))


def test_col_letters_round_trip() -> None:
    assert [col_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    assert col_index("AB") == 27


def test_sheet_places_rows_at_start_cell() -> None:
    s = sheet([["x", 1], [None, "y"]], start="B3")
    assert s.first_row == 3
    assert s.table.column_names == ["A", "B", "C"]
    assert s.table.column("A").to_pylist() == [None, None]
    assert s.table.column("B").to_pylist() == ["x", None]
    assert s.table.column("C").to_pylist() == ["1", "y"]
