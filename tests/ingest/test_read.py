"""analytics.ingest.read: bytes -> RawWorkbook in a sandboxed child process.

Workbooks are written in code with xlsxwriter (it stores a formula's cached
value, openpyxl does not); legacy .xls content comes from the shared corpus and
is checked cell by cell against xlrd, an independent reader.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import signal
import threading
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
import xlrd
import xlsxwriter

from analytics.ingest._worker import column_letter, sniff_delimiter
from analytics.ingest.model import FileRefused, RawWorkbook
from analytics.ingest.read import MESSAGES, read_workbook
from analytics.settings import Settings

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wild"
SETTINGS = Settings()


def corpus_file(relative: str) -> bytes:
    path = CORPUS / relative
    assert path.is_file(), f"corpus file missing: {path} (the shared corpus must sit beside the repository)"
    return path.read_bytes()


def refusal(data: bytes, name: str, settings: Settings = SETTINGS) -> str:
    """The E_FILE message read_workbook gives for ``data`` (fails the test if it reads the file)."""
    with pytest.raises(FileRefused) as info:
        read_workbook(data, name, settings)
    problem = info.value.problem
    assert (problem.code, problem.value, problem.sheet, problem.row, problem.column) == ("E_FILE", name, None, None, None)
    return problem.message


def cells(workbook: RawWorkbook, sheet: int = 0) -> dict[str, list[str | None]]:
    return workbook.sheets[sheet].table.to_pydict()


def titled_ledger_xlsx() -> bytes:
    """Title in C3, header in row 5, data in rows 6–7 starting at column C; plus a hidden sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("星级台账")
    ws.write("C3", "二七区五星支部创建台账")
    ws.write_row("C5", ["乡镇(街道)", "村(社区)", "已完成任务", "任务完成率", "任务总数", "完成时间"])
    ws.write_row("C6", ["甲镇", "一村", 29, 0.62])
    ws.write_formula("G6", "=E6*2", None, 58)  # cached value 58, as Excel would have saved it
    ws.write_datetime("H6", dt.datetime(2024, 8, 31), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write("C7", "   ")  # whitespace only: an empty cell for the validator
    ws.write("D7", "二村")
    ws.write_formula("E7", '=""', None, "")  # a formula that shows nothing
    hidden = wb.add_worksheet("填表说明")
    hidden.write("A1", "说明")
    hidden.hide()
    wb.close()
    return buf.getvalue()


# --- workbooks -------------------------------------------------------------------------


def test_xlsx_columns_are_excel_letters_and_rows_start_at_excel_row_1() -> None:
    wb = read_workbook(titled_ledger_xlsx(), "台账.xlsx", SETTINGS)
    assert (wb.file_name, wb.kind, [s.name for s in wb.sheets]) == ("台账.xlsx", "xlsx", ["星级台账", "填表说明"])
    ledger = wb.sheets[0]
    assert (ledger.first_row, ledger.hit_row_limit, ledger.visible) == (1, False, True)
    assert ledger.table.schema == pa.schema([(c, pa.string()) for c in "CDEFGH"])
    # Table row i is Excel row 1 + i: the title typed in C3 is row index 2.
    assert cells(wb) == {
        "C": [None, None, "二七区五星支部创建台账", None, "乡镇(街道)", "甲镇", None],
        "D": [None, None, None, None, "村(社区)", "一村", "二村"],
        "E": [None, None, None, None, "已完成任务", "29", None],
        "F": [None, None, None, None, "任务完成率", "0.62", None],
        "G": [None, None, None, None, "任务总数", "58", None],
        "H": [None, None, None, None, "完成时间", "2024-08-31 00:00:00", None],
    }


def test_hidden_sheets_are_included_and_marked() -> None:
    wb = read_workbook(titled_ledger_xlsx(), "台账.xlsx", SETTINGS)
    hidden = wb.sheets[1]
    assert (hidden.name, hidden.visible, cells(wb, 1)) == ("填表说明", False, {"A": ["说明"]})


def test_xlsm_name_gives_kind_xlsm() -> None:
    assert read_workbook(titled_ledger_xlsx(), "台账.xlsm", SETTINGS).kind == "xlsm"


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD",
    ]


def test_xls_cells_match_xlrd_at_the_same_row_and_column() -> None:
    """Sheet "Table22" starts at F3; every text cell xlrd sees must sit at the same Excel address."""
    data = corpus_file("ExcelDataReader/StringContinuationAfterCharacterData.xls")
    wb = read_workbook(data, "统计表.xls", SETTINGS)
    assert wb.kind == "xls"
    sheet = next(s for s in wb.sheets if s.name == "Table22")
    ours = sheet.table.to_pydict()
    assert sheet.table.column_names[0] == "F" and sheet.first_row == 1
    assert ours["F"][2] == "第22表\u3000卸売業、小売業別期末商品手持額及び前年同期末比増減率"  # F3
    book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
    ref = book.sheet_by_name("Table22")
    checked = 0
    for r in range(ref.nrows):
        for c in range(ref.ncols):
            cell = ref.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_TEXT and cell.value.strip():
                assert ours[column_letter(c)][r] == cell.value, (r, c)
                checked += 1
    assert checked == 69  # as many as xlrd reports: the loop really compared cells


def test_xls_dates_numbers_and_1904_system() -> None:
    wb = read_workbook(corpus_file("calamine/date_1904.xls"), "d.xls", SETTINGS)
    assert cells(wb) == {
        "A": ["2021-01-01 00:00:00", "2021-01-02 00:00:00", "1904-01-11 15:10:10"],
        "B": ["15", "16", "17"],
    }


def test_xls_ending_at_row_65536_hits_the_row_limit() -> None:
    wb = read_workbook(corpus_file("readxl/65536-rows-xls.xls"), "满表.xls", SETTINGS)
    sheet = wb.sheets[0]
    assert (sheet.table.num_rows, sheet.hit_row_limit) == (65536, True)
    assert sheet.table.column("A")[65534:].to_pylist() == ["HELLO", "WORLD"]


@pytest.mark.parametrize(("last_row", "hit"), [(1_048_576, True), (1_048_575, False)])
def test_xlsx_ending_at_row_1048576_hits_the_row_limit(last_row: int, hit: bool) -> None:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write(0, 0, "乡镇")
    ws.write(last_row - 1, 0, "末行")
    wb.close()
    sheet = read_workbook(buf.getvalue(), "t.xlsx", SETTINGS).sheets[0]
    assert (sheet.table.num_rows, sheet.hit_row_limit) == (last_row, hit)
    assert sheet.table.column("A")[last_row - 1].as_py() == "末行"


def test_empty_sheet_has_no_columns() -> None:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("空表")
    wb.close()
    sheet = read_workbook(buf.getvalue(), "e.xlsx", SETTINGS).sheets[0]
    assert (sheet.name, sheet.table.num_columns, sheet.table.num_rows) == ("空表", 0, 0)


# --- CSV ---------------------------------------------------------------------------------

CSV_TEXT = "乡镇(街道),村(社区),当前星级\r\n甲镇,一村,3\r\n乙镇,\"二村\",\r\n"
CSV_CELLS = {"A": ["乡镇(街道)", "甲镇", "乙镇"], "B": ["村(社区)", "一村", "二村"], "C": ["当前星级", "3", None]}


@pytest.mark.parametrize(
    "data",
    [
        CSV_TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("gbk"),
        CSV_TEXT.encode("gb18030"),
        CSV_TEXT.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + CSV_TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16le-bom", "utf16be-bom"],
)
def test_csv_encodings(data: bytes) -> None:
    wb = read_workbook(data, "二七区台账.csv", SETTINGS)
    assert (wb.kind, [s.name for s in wb.sheets], wb.sheets[0].first_row) == ("csv", ["二七区台账"], 1)
    assert cells(wb) == CSV_CELLS


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_is_sniffed(delimiter: str) -> None:
    text = CSV_TEXT.replace(",", delimiter)
    assert cells(read_workbook(text.encode("utf-8"), "a.csv", SETTINGS)) == CSV_CELLS


def test_sniff_delimiter_prefers_the_one_that_splits_records() -> None:
    assert sniff_delimiter("标题\na;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a\tb\tc, d\n1\t2\t3, 4\n") == "\t"
    assert sniff_delimiter("只有一列\n第二行\n") == ","


def test_csv_rows_are_record_numbers_and_ragged_rows_are_padded() -> None:
    # Record 2 spans two lines (quoted newline): Excel shows it as row 2, so row 3 is "丙".
    text = '标题\n"多行\n备注",x\n丙,y,z\n\n\u3000 ,末\n'  # full-width space = blank
    wb = read_workbook(text.encode("utf-8"), "r.csv", SETTINGS)
    assert cells(wb) == {
        "A": ["标题", "多行\n备注", "丙", None, None],
        "B": [None, "x", "y", None, "末"],
        "C": [None, None, "z", None, None],
    }


def test_csv_with_only_a_newline_is_an_empty_sheet() -> None:
    sheet = read_workbook(b"\n", "e.csv", SETTINGS).sheets[0]
    assert (sheet.name, sheet.table.num_rows, sheet.table.num_columns) == ("e", 0, 0)


# --- the real format wins over the name ----------------------------------------------


def test_workbook_named_csv_is_read_as_workbook() -> None:
    wb = read_workbook(titled_ledger_xlsx(), "导出.csv", SETTINGS)
    assert (wb.kind, wb.sheets[0].table.column("D")[5].as_py()) == ("xlsx", "一村")


def test_text_named_xlsx_is_refused_as_not_a_workbook() -> None:
    # issue 13: a text file renamed .xlsx got "没有找到星级台账"; CSV is read only when named .csv
    for name in ("台账.xlsx", "台账.xls", "台账"):
        assert refusal(CSV_TEXT.encode("gbk"), name) == MESSAGES["not_workbook"]
    assert MESSAGES["not_workbook"].startswith("这不是 Excel 工作簿")
    wb = read_workbook(CSV_TEXT.encode("gbk"), "台账.csv", SETTINGS)
    assert (wb.kind, cells(wb)) == ("csv", CSV_CELLS)


def test_xls_named_xlsx_is_read_as_xls() -> None:
    wb = read_workbook(corpus_file("calamine/date_1904.xls"), "d.xlsx", SETTINGS)
    assert (wb.kind, cells(wb)["B"]) == ("xls", ["15", "16", "17"])


# --- refusals ----------------------------------------------------------------------------


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_empty_file() -> None:
    assert refusal(b"", "空.xlsx") == MESSAGES["empty"]


def test_file_over_the_size_limit() -> None:
    data = b"a,b\n" * 300_000  # 1.14 MB
    message = refusal(data, "大.csv", SETTINGS.replace(max_upload_mb=1))
    assert message == MESSAGES["too_large"].format(size_mb=1.144, max_mb=1)
    assert "1.1 MB" in message and "1 MB" in message


def test_truncated_xlsx() -> None:
    data = titled_ledger_xlsx()
    assert refusal(data[: len(data) // 2], "断.xlsx") == MESSAGES["truncated"]


def test_zip_bomb_by_declared_size() -> None:
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                      "xl/media/big.bin": b"\0" * (3 * 1024 * 1024)})
    assert len(data) < 20_000
    message = refusal(data, "炸弹.xlsx", SETTINGS.replace(max_expanded_mb=2))
    assert message == MESSAGES["bomb"].format(max_mb=2)


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("excelize/encryptAES.xlsx", "encrypted"),  # OOXML with an opening password (OLE2 EncryptedPackage)
        ("poi/protected_passtika.xlsx", "encrypted"),
        ("poi/password.xls", "encrypted"),  # .xls with a FILEPASS record
        ("python-calamine/password.xls", "encrypted"),
        ("fastexcel/dates.ods", "ods"),
        ("calamine/pass_protected.ods", "ods"),
        ("poi/Simple.xlsb", "xlsb"),
        ("ExcelDataReader/as3xls_BIFF2.xls", "old_xls"),
        ("ExcelDataReader/Test_git_issue_466_biff3.xls", "old_xls"),
        ("ExcelDataReader/EmptyZipFile.xlsx", "not_spreadsheet"),
        ("frictionless-py/implicit-gz.csv", "not_spreadsheet"),
        ("csvkit/test_latin1.csv", "encoding"),
        ("calamine/ptgexp-truncated-operand.xls", "corrupt"),  # calamine panics (PanicException)
        ("poi/sample-beta.xlsx", "sheet_corrupt"),
        ("ExcelDataReader/Test_git_issue_382_oom.xls", "memory"),  # asks for a huge allocation
    ],
)
def test_corpus_refusals(relative: str, reason: str) -> None:
    name = relative.rsplit("/", 1)[1]
    message = refusal(corpus_file(relative), name)
    expected = MESSAGES[reason].format(sheet="Sheet1", memory_mb=2048)
    assert message == expected


def test_refusal_messages_are_distinct_and_say_what_to_do() -> None:
    texts = list(MESSAGES.values())
    assert len(set(texts)) == len(texts)
    for reason, text in MESSAGES.items():
        assert any(hint in text for hint in ("请", "另存为")), reason


def test_html_disguised_as_xls() -> None:
    page = "<html><body><table><tr><td>乡镇</td></tr></table></body></html>".encode()
    assert refusal(page, "导出.xls") == MESSAGES["html"]


def test_binary_that_is_no_spreadsheet() -> None:
    assert refusal(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "截图.xlsx") == MESSAGES["not_spreadsheet"]


def test_tiny_file_declaring_a_huge_sheet_is_refused_for_memory_not_a_crash(capfd: pytest.CaptureFixture[str]) -> None:
    """Cells at A1 and XFD1048576: calamine asks for a 512 GiB block; the child aborts, we refuse."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write(0, 0, "a")
    ws.write(1_048_575, 16_383, "z")
    wb.close()
    assert refusal(buf.getvalue(), "角.xlsx") == MESSAGES["memory"].format(memory_mb=2048)
    assert capfd.readouterr() == ("", "")
    # The sandbox survives: the next file reads normally.
    assert read_workbook(b"a,b\n", "ok.csv", SETTINGS).sheets[0].table.num_columns == 2


def test_memory_limit_applies_to_python_code_too() -> None:
    """RLIMIT_AS counts address space, ~0.3–0.4 GB of which are the libraries the reader
    process has loaded: allow 60 MB beyond that, then feed a 40 MB CSV (its bytes plus
    the decoded text already need 80 MB) — a MemoryError in Python code, reported as such."""
    from analytics.ingest import read

    read_workbook(b"a,b\n", "warm.csv", SETTINGS)  # the reader process has imported all it will
    proc = read._sandbox()._proc
    assert proc is not None
    with open(f"/proc/{proc.pid}/status") as fh:
        vm_kib = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
    limit_mb = vm_kib // 1024 + 60
    data = b"x" * 40_000_000
    message = refusal(data, "大单元格.csv", SETTINGS.replace(parse_memory_mb=limit_mb))
    assert message == MESSAGES["memory"].format(memory_mb=limit_mb)


def test_timeout_kills_the_reader() -> None:
    data = b"abc,def,ghi\n" * 3_000_000  # 36 MB: many seconds of CSV parsing on any machine
    message = refusal(data, "慢.csv", SETTINGS.replace(parse_timeout_s=1))
    assert message == MESSAGES["timeout"].format(timeout_s=1)


# --- sandbox behaviour -------------------------------------------------------------------


def test_nothing_reaches_stdout_or_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    for relative in ("calamine/ptgexp-truncated-operand.xls", "poi/sample-beta.xlsx", "xlrd/ragged.xls"):
        try:
            read_workbook(corpus_file(relative), "x.xls", SETTINGS)
        except FileRefused:
            pass
    assert capfd.readouterr() == ("", "")


def test_reader_process_is_restarted_when_it_was_killed() -> None:
    from analytics.ingest import read

    read.warm_up()
    proc = read._sandbox()._proc
    assert proc is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert cells(read_workbook(CSV_TEXT.encode("gbk"), "a.csv", SETTINGS)) == CSV_CELLS
    assert read._sandbox()._proc is not proc


def test_works_from_several_threads_at_once() -> None:
    data = titled_ledger_xlsx()
    results: list[object] = []

    def work(i: int) -> None:
        try:
            if i % 2:
                results.append(cells(read_workbook(data, f"{i}.xlsx", SETTINGS))["D"][5])
            else:
                results.append(cells(read_workbook(CSV_TEXT.encode("gbk"), f"{i}.csv", SETTINGS))["B"][1])
        except BaseException as exc:  # pragma: no cover - reported below
            results.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(map(str, results)) == ["一村"] * 6


def test_the_largest_sheet_is_taken_first_and_sheets_keep_their_order(tmp_path: Path) -> None:
    """Two readers: the largest worksheet part (the middle sheet here) is parsed first; the
    result still lists the sheets in workbook order, each with its own cells and visibility."""
    from analytics.ingest._worker import _largest_first, _worksheet_part_sizes

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    small = wb.add_worksheet("台账")
    small.write("A1", "小")
    big = wb.add_worksheet("作战图")
    for row in range(3000):
        big.write_row(row, 0, [f"任务{row}", f"具体举措{row}" * 5])
    last = wb.add_worksheet("说明")
    last.write("B2", "尾")
    last.hide()
    wb.close()
    path = tmp_path / "three.xlsx"
    path.write_bytes(buf.getvalue())

    sizes = _worksheet_part_sizes(str(path))
    assert len(sizes) == 3 and sizes[1] > sizes[0] and sizes[1] > sizes[2]
    assert _largest_first(3, sizes) == [1, 0, 2]
    assert _largest_first(3, []) == [0, 1, 2]  # parts not matching the sheets: workbook order
    assert _largest_first(3, sizes[:2]) == [0, 1, 2]

    book = read_workbook(buf.getvalue(), "three.xlsx", SETTINGS)
    assert [(s.name, s.visible, s.table.num_rows) for s in book.sheets] == [
        ("台账", True, 1), ("作战图", True, 3000), ("说明", False, 2)]
    assert cells(book, 0) == {"A": ["小"]}
    assert cells(book, 2) == {"B": [None, "尾"]}
    assert cells(book, 1)["A"][2999] == "任务2999"
