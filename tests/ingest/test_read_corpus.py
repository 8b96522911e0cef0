"""Every file of the wild corpus (shared/corpus/wild, 243 real-world spreadsheets written by
other projects) ends in a RawWorkbook or a clean E_FILE refusal: no other exception, no
crash of this process, no hang, nothing printed."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from analytics.ingest._worker import column_letter
from analytics.ingest.model import FileRefused, RawWorkbook
from analytics.ingest.read import read_workbook
from analytics.settings import Settings

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wild"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file()) if CORPUS.is_dir() else []
# A per-call time limit well under pytest's own: a hanging parse ends as a refusal.
SETTINGS = Settings({"parse_timeout_s": 30})
LETTERS = re.compile(r"^[A-Z]{1,3}$")


def test_corpus_is_present() -> None:
    assert CORPUS.is_dir(), f"the wild corpus must sit beside the repository: {CORPUS}"
    assert len(FILES) == 243


def check_workbook(wb: RawWorkbook, name: str) -> None:
    assert wb.file_name == name
    assert wb.kind in {"xlsx", "xlsm", "xls", "csv"}
    for sheet in wb.sheets:
        assert sheet.first_row >= 1
        names = sheet.table.column_names
        assert all(LETTERS.match(n) for n in names), names[:5]
        assert all(t == pa.string() for t in sheet.table.schema.types)
        if names:  # contiguous Excel columns from the first used one
            first = next(i for i in range(16384) if column_letter(i) == names[0])
            assert names == [column_letter(first + k) for k in range(len(names))]


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_is_read_or_refused(path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    data = path.read_bytes()
    try:
        wb = read_workbook(data, path.name, SETTINGS)
    except FileRefused as exc:
        assert exc.problem.code == "E_FILE"
        assert exc.problem.value == path.name
        assert exc.problem.message
    else:
        check_workbook(wb, path.name)
    assert capfd.readouterr() == ("", "")
