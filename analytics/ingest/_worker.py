"""Child-process side of the sandboxed file reader (see ``analytics.ingest.read``).

This module runs in a separate Python process started by ``read.py`` (the
"zygote"). The zygote imports pyarrow and fastexcel once, then waits for
requests on its standard input. For every request it forks one short-lived
child that:

* sets its own limits (``RLIMIT_AS`` memory cap, ``alarm`` wall-clock cap,
  ``RLIMIT_CPU`` as a second line of defence) — the kernel enforces them even
  while native (Rust) code runs;
* has file descriptors 0/1/2 pointing at ``/dev/null`` / a log file, so nothing
  any library prints can reach the parent's standard output;
* sniffs the real format from the bytes, reads the workbook / CSV, writes one
  Arrow IPC file per sheet plus ``result.json`` into the request's directory,
  and exits.

The zygote waits for the child and answers with one JSON line describing how it
ended (exit code or signal). Anything unexpected — a PanicException, an abort, a
kill by the memory or time limit — ends up as a refusal in the parent.

Protocol (one JSON object per line, UTF-8):
  zygote -> parent, once at start:   {"ready": true}
  parent -> zygote:                  {"dir": ..., "input": ..., "file_name": ..., "memory_mb": ...,
                                      "timeout_s": ..., "max_expanded_mb": ...}
  zygote -> parent, per request:     {"exit": 0} as soon as the child has its result in place,
                                      else (when it ended without) {"exit": <code>} or
                                      {"signal": <number>}, plus its peak memory "maxrss_kib" and "cpu_s"
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import resource
import signal
import sys
import threading
from typing import Any

# csv, statistics and zipfile are imported where used: the zygote preloads zipfile before it
# says it is ready, csv and statistics with its first CSV (a quicker start for workbooks).

# Row limits of the formats (the last row a sheet can have).
XLS_MAX_ROWS = 65_536
XLSX_MAX_ROWS = 1_048_576

RESULT_FILE = "result.json"
LOG_FILE = "child.log"
MIB = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Bare BIFF2/3/4/5 streams (Excel 2.x–4.0 worksheets, or a BIFF stream outside an OLE2 container).
_BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")
# Other well-known binary formats people upload by mistake.
_OTHER_MAGICS = (b"%PDF-", b"\x1f\x8b\x08", b"Rar!\x1a", b"7z\xbc\xaf", b"\x89PNG", b"\xff\xd8\xff")
_CSV_DELIMITERS = (",", "\t", ";")  # in order of preference on a tie
_SNIFF_RECORDS = 200


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


class Refusal(Exception):
    """The file cannot be read; ``reason`` is a key of read.py's message table."""

    def __init__(self, reason: str, detail: str = "", sheet: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.sheet = sheet


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA" (Excel column letters)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- format sniffing ------------------------------------------------------------


def sniff(data: bytes, file_name: str, max_expanded_mb: float) -> str:
    """The real format of ``data``: "xlsx", "xlsm", "xls" or "csv"; raises Refusal otherwise."""
    head = data[:8]
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(data, file_name, max_expanded_mb)
    if head == _OLE_MAGIC:
        return _sniff_ole(data)
    if head[:2] in _BIFF_BOF and len(data) >= 4 and data[3] == 0:
        raise Refusal("old_xls")
    if head.startswith(_OTHER_MAGICS):
        raise Refusal("not_spreadsheet")
    if not file_name.lower().endswith(".csv"):
        # Not a zip (xlsx/xlsm: "PK") nor an OLE2 file (xls: D0CF11E0): text is read as CSV
        # only when the name says .csv; a text file renamed .xlsx is not an Excel workbook.
        head_text = data[:2048].decode("utf-8", "ignore")
        raise Refusal("html" if _is_markup(head_text) else "not_spreadsheet" if _looks_binary(data)
                      else "not_workbook", f"text content named {os.path.splitext(file_name)[1] or '(no suffix)'}")
    return "csv"


def _sniff_zip(data: bytes, file_name: str, max_expanded_mb: float) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            # Some Windows tools write "xl\\workbook.xml"; calamine accepts both separators.
            names = {i.filename.replace("\\", "/").lower() for i in infos}
            expanded = sum(i.file_size for i in infos)
            if expanded > max_expanded_mb * MIB:
                raise Refusal("bomb", f"declared uncompressed size {expanded} bytes")
            if any(i.flag_bits & 0x1 for i in infos):
                raise Refusal("encrypted", "ZIP entries are encrypted")
            if "mimetype" in names:
                info = next(i for i in infos if i.filename.lower() == "mimetype")
                kind = zf.read(info)[:200] if info.file_size < 1000 else b""
                raise Refusal("ods" if b"opendocument" in kind else "not_spreadsheet", kind.decode("ascii", "replace"))
            if "content.xml" in names and "xl/workbook.xml" not in names:
                raise Refusal("ods")
            if "xl/workbook.bin" in names:
                raise Refusal("xlsb")
            if "word/document.xml" in names or "ppt/presentation.xml" in names:
                raise Refusal("not_spreadsheet", "Word/PowerPoint document")
            if not any(n.endswith(".xml") for n in names):
                raise Refusal("not_spreadsheet", f"ZIP without XML parts: {sorted(names)[:5]}")
            macro = "xl/vbaproject.bin" in names or file_name.lower().endswith(".xlsm")
            if not macro and "[content_types].xml" in names:
                info = next(i for i in infos if i.filename.lower() == "[content_types].xml")
                macro = info.file_size < MIB and b"macroEnabled" in zf.read(info)
            return "xlsm" if macro else "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise Refusal("truncated", f"{type(exc).__name__}: {exc}") from None


def _sniff_ole(data: bytes) -> str:
    # An encrypted OOXML package (.xlsx with an opening password) is an OLE2 file
    # holding the streams "EncryptionInfo" and "EncryptedPackage". Directory entry
    # names are UTF-16LE, so a byte search finds them even in a damaged container.
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise Refusal("encrypted", "encrypted OOXML package")
    has_workbook = _utf16("Workbook") in data or _utf16("Book") in data
    if not has_workbook and (_utf16("WordDocument") in data or _utf16("PowerPoint Document") in data):
        raise Refusal("not_spreadsheet", "Word/PowerPoint OLE2 document")
    return "xls"  # anything else is left to calamine, which refuses what it cannot read


# --- workbooks ------------------------------------------------------------------


def _import_arrow() -> None:
    import pyarrow
    import pyarrow.ipc  # noqa: F401


def read_workbook_file(path: str, kind: str, out_dir: str, max_columns: int = 0) -> list[dict[str, Any]]:
    """Read every sheet of an .xlsx/.xlsm/.xls file into Arrow IPC files in ``out_dir``.

    An .xlsx/.xlsm workbook of two sheets or more is parsed by two threads, each with
    its own reader: calamine parses without holding the GIL, so an office's 作战图 (most
    of the cells) is parsed on one core while its star ledger, problem list and
    rectification sheet are parsed on the other. Both readers are opened at once (opening
    one parses the shared-string table: ~70 ms for a city's ledger), and the largest sheet
    is taken first (``_largest_first``), so the longest parse starts as early as it can.
    (An .xls is read whole when opened: a second reader would read it twice, so it stays
    on one thread.) The refusal, if any, is the one of the first sheet that fails, as when
    read in order: after a failure, only the sheets before it are still read.

    An .xlsx/.xlsm sheet is loaded eagerly (straight into Arrow: ~0.15 s less CPU on a city's
    作战图 than the lazy sheet's to_arrow). The eager batch carries neither the columns' places
    nor the sheet's visibility: the places come from the ``use_columns`` callback (every
    column kept), the visibility from the workbook's sheet list (``_sheet_visibility``), read
    by the first thread to run out of sheets while the other still parses.
    """
    import fastexcel

    # pyarrow (needed from to_arrow on) is imported meanwhile on another thread, unless this
    # process has it already. A sheet parsed before that import is done waits for it.
    importer = None
    if "pyarrow.ipc" not in sys.modules:
        importer = threading.Thread(target=_import_arrow, daemon=True)
        importer.start()
    limit = XLS_MAX_ROWS if kind == "xls" else XLSX_MAX_ROWS
    eager = kind != "xls"
    parts = _worksheet_part_sizes(path) if eager else []
    names: list[str] = []
    queue: list[int] | None = None  # the sheets still to take, once the first reader has named them
    lock = threading.Lock()
    done: dict[int, dict[str, Any]] = {}
    failed: dict[int, Refusal] = {}
    visibility: list[dict[str, bool]] = []  # the sheet list's visibility, once read (eager loads)
    visibility_lock = threading.Lock()

    def take(own: Any) -> int | None:
        nonlocal queue
        with lock:
            if queue is None:
                names.extend(own.sheet_names)
                queue = _largest_first(len(names), parts)
            while queue:
                idx = queue.pop(0)
                if not failed or idx < min(failed):  # a sheet after a refusal is not needed
                    return idx
            return None

    def work(own: Any) -> None:
        while (idx := take(own)) is not None:
            name = names[idx]
            places: list[int] = []
            try:
                if eager:
                    sheet = own.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True,
                                           eager=True, use_columns=_keeping_places(places))
                else:
                    sheet = own.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True)
            except BaseException as exc:
                failed[idx] = _classify(exc, sheet=name)
                continue
            if importer is not None:
                importer.join()
            try:
                done[idx] = _sheet_to_ipc(out_dir, idx, name, sheet, limit, max_columns, places if eager else None)
            except Refusal as refusal:
                failed[idx] = refusal
            except BaseException as exc:  # e.g. MemoryError while converting
                failed[idx] = _classify(exc, sheet=name)
            del sheet
        if eager and not failed:
            with visibility_lock:  # out of sheets: read the sheet list while the other thread parses
                if not visibility:
                    visibility.append(_sheet_visibility(path))

    def second() -> None:
        try:
            own = fastexcel.read_excel(path)
        except BaseException:
            return
        work(own)

    helper = None
    if len(parts) > 1:  # two worksheets or more: the second reader opens beside the first
        helper = threading.Thread(target=second, daemon=True)
        helper.start()
    try:
        reader = fastexcel.read_excel(path)
    except BaseException as exc:  # includes pyo3 PanicException (a BaseException)
        refusal = _classify(exc)
        if helper is not None:
            helper.join()
        raise refusal from None
    work(reader)
    if helper is not None:
        helper.join()
    if failed:
        raise failed[min(failed)]
    if len(done) != len(names):  # cannot happen: every sheet taken ends in ``done`` or ``failed``
        raise Refusal("corrupt", f"read {len(done)} of {len(names)} sheets")
    if eager:
        visible = visibility[0] if visibility else {}
        for info in done.values():
            info["visible"] = visible.get(info["name"], True)
    return [done[idx] for idx in sorted(done)]


def _worksheet_part_sizes(path: str) -> list[int]:
    """The uncompressed sizes of the workbook's xl/worksheets/sheetN.xml parts, by N (from 1;
    0 where a number is missing): Excel, WPS and the usual libraries number them in sheet order."""
    import re
    import zipfile

    sizes: dict[int, int] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                m = re.fullmatch(r"xl[/\\]worksheets[/\\]sheet(\d{1,5})\.xml", info.filename, re.IGNORECASE)
                if m:
                    sizes[int(m.group(1))] = info.file_size
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    return [sizes.get(n, 0) for n in range(1, max(sizes, default=0) + 1)]


def _largest_first(n: int, part_sizes: list[int]) -> list[int]:
    """The order to take ``n`` sheets in: the one whose part is largest first (when the parts
    match the sheets one to one), then the others in order. A guess only: a wrong one costs
    time, never a result (each sheet keeps its index)."""
    order = list(range(n))
    if n > 1 and len(part_sizes) == n:
        biggest = max(order, key=lambda i: part_sizes[i])
        order.remove(biggest)
        order.insert(0, biggest)
    return order


def _keeping_places(places: list[int]) -> Any:
    """A ``use_columns`` callback that keeps every column and notes its place (from 0) in ``places``."""
    def keep(column: Any) -> bool:
        places.append(column.absolute_index)
        return True
    return keep


def _sheet_visibility(path: str) -> dict[str, bool]:
    """{sheet name: visible} from the workbook's sheet list, ``xl/workbook.xml`` (fastexcel's eager
    load does not say): a sheet is visible unless its ``state`` is hidden or veryHidden. Read
    with the standard library: a second full reader (python-calamine) parsed the shared strings
    again, ~35 ms of CPU beside the largest sheet's parse. A list that cannot be read here (the
    workbook was read by fastexcel all the same) leaves every sheet visible, as if it said nothing."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as zf:
            info = next((i for i in zf.infolist()
                         if i.filename.replace("\\", "/").lower() == "xl/workbook.xml"), None)
            if info is None or info.file_size > 16 * MIB:
                return {}
            root = ElementTree.fromstring(zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError):
        return {}
    visible: dict[str, bool] = {}
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and "name" in element.attrib:
            visible[element.attrib["name"]] = element.attrib.get("state", "visible").lower() == "visible"
    return visible


def _sheet_to_ipc(out_dir: str, idx: int, name: str, sheet: Any, limit: int, max_columns: int = 0,
                  places: list[int] | None = None) -> dict[str, Any]:
    """``sheet``: a lazy fastexcel sheet, or (``places``: its columns' places, from 0) an eager
    load's record batch (its visibility is filled in by the caller)."""
    import pyarrow as pa

    try:
        if places is None:
            places = [c.absolute_index for c in sheet.selected_columns]
            batch = sheet.to_arrow()
            visible = sheet.visible == "visible"
        else:
            batch, visible = sheet, True
    except BaseException as exc:
        raise _classify(exc, sheet=name) from None
    if len(places) != batch.num_columns:  # cannot happen: every column is kept, each reported once
        raise Refusal("sheet_corrupt", f"{len(places)} column places for {batch.num_columns} columns", sheet=name)
    if max_columns and len(places) > max_columns:
        # Formatted but empty columns do not count: only up to the last column holding a value.
        used = max((place + 1 for place, col in zip(places, batch.columns, strict=True)
                    if col.null_count < len(col)), default=0)
        if used > max_columns:
            raise Refusal("too_many_columns", str(used), sheet=name)
    letters = [column_letter(place) for place in places]
    arrays = [col if col.type == pa.string() else col.cast(pa.string()) for col in batch.columns]
    table = pa.Table.from_arrays(arrays, names=letters) if arrays else pa.table({})
    rows = batch.num_rows
    del batch, sheet
    return _write_sheet(out_dir, idx, name, table, rows, rows == limit, visible)


def _classify(exc: BaseException, sheet: str | None = None) -> Refusal:
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError):
        return Refusal("memory", text, sheet)
    if "password" in text.lower() or "encrypt" in text.lower():
        return Refusal("encrypted", text, sheet)
    return Refusal("sheet_corrupt" if sheet is not None else "corrupt", text, sheet)


def _write_sheet(out_dir: str, idx: int, name: str, table: Any, rows: int, hit_limit: bool,
                 visible: bool) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.ipc

    file = f"sheet{idx}.arrow"
    with pa.OSFile(os.path.join(out_dir, file), "wb") as sink, pyarrow.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return {"name": name, "file": file, "rows": rows, "first_row": 1, "hit_row_limit": hit_limit,
            "visible": visible}


# --- CSV ------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise Refusal("encoding" if not _looks_binary(data) else "not_spreadsheet")


def _looks_binary(data: bytes) -> bool:
    """Many control bytes (other than tab/newlines/form feed) mean this is not a text file."""
    sample = data[:65536]
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return b"\x00" in sample or controls > len(sample) // 100


def _text_is_binary(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\x0c\x0b")
    return controls > len(sample) // 100


def _is_markup(text: str) -> bool:
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return head.startswith("<") and any(tag in head for tag in ("<html", "<table", "<?xml", "<!doctype", "<workbook"))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most fields (median); comma on a tie."""
    import csv
    import statistics

    sample_lines = []
    for i, line in enumerate(io.StringIO(text, newline="")):
        if i >= _SNIFF_RECORDS:
            break
        sample_lines.append(line)
    best, best_score = ",", 0.0
    for delimiter in _CSV_DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(sample_lines, delimiter=delimiter) if any(f.strip() for f in r)]
        except csv.Error:
            continue
        score = statistics.median(widths) if widths else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_bytes(data: bytes, sheet_name: str, out_dir: str, max_columns: int = 0) -> list[dict[str, Any]]:
    import csv

    import pyarrow as pa

    text, _encoding = decode_text(data)
    if _text_is_binary(text):
        raise Refusal("not_spreadsheet", "control characters in text")
    if _is_markup(text):
        raise Refusal("html")
    text = text.removeprefix("\ufeff")
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(sys.maxsize)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise Refusal("csv_corrupt", str(exc)) from None
    width = max((len(r) for r in records), default=0)
    if max_columns and width > max_columns:
        # Trailing empty fields ("a,b,,,,") do not count: only up to the last field holding a value.
        used = 0
        for record in records:
            if len(record) > used:
                last = len(record)
                while last > used and not record[last - 1].strip():
                    last -= 1
                used = max(used, last)
        if used > max_columns:
            raise Refusal("too_many_columns", str(used), sheet=sheet_name)
        width = used
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for record in records:
        n = len(record)
        for j in range(width):
            value = record[j] if j < n else ""
            columns[j].append(value if value and not value.isspace() else None)
    del records
    arrays = [pa.array(col, type=pa.string()) for col in columns]
    rows = len(columns[0]) if columns else 0
    del columns
    table = pa.Table.from_arrays(arrays, names=[column_letter(j) for j in range(width)]) if arrays else pa.table({})
    # Excel cannot save more rows than its sheet holds: a CSV of exactly that many
    # records was most likely cut when someone opened a bigger file in Excel.
    return [_write_sheet(out_dir, 0, sheet_name, table, rows, rows == XLSX_MAX_ROWS, True)]


# --- one job (in the forked child) -----------------------------------------------


def _apply_limits(memory_mb: float, timeout_s: float) -> None:
    limit = int(memory_mb * MIB)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    seconds = max(1, int(timeout_s + 0.999))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
    # SIGALRM with its default action terminates the process even inside native code.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(seconds)


def sheet_name_for_csv(file_name: str) -> str:
    """Excel names the single sheet of an opened CSV after the file (without extension)."""
    base = os.path.basename(file_name.replace("\\", "/"))
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem.strip() or "Sheet1"


def run_job(request: dict[str, Any]) -> dict[str, Any]:
    """Read the request's input file; returns the result written to result.json."""
    out_dir = request["dir"]
    file_name = request.get("file_name") or ""
    try:
        with open(request["input"], "rb") as fh:
            data = fh.read()
        kind = sniff(data, file_name, float(request["max_expanded_mb"]))
        max_columns = int(request.get("max_columns") or 0)
        if kind == "csv":
            sheets = read_csv_bytes(data, sheet_name_for_csv(file_name), out_dir, max_columns)
        else:
            del data
            path = os.path.join(out_dir, f"book.{'xls' if kind == 'xls' else 'xlsx'}")
            os.symlink(request["input"], path)
            sheets = read_workbook_file(path, kind, out_dir, max_columns)
        return {"ok": True, "kind": kind, "sheets": sheets}
    except Refusal as refusal:
        return {"ok": False, "reason": refusal.reason, "detail": refusal.detail[:500], "sheet": refusal.sheet}
    except MemoryError:
        return {"ok": False, "reason": "memory", "detail": "MemoryError", "sheet": None}
    except BaseException as exc:  # any failure of untrusted parsing is a refusal
        return {"ok": False, "reason": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:500], "sheet": None}


def _child(request: dict[str, Any], control_fds: tuple[int, ...], done_fd: int) -> None:
    """Body of a forked child: never returns. Writes one byte to ``done_fd`` once the result is in place."""
    code = 0
    try:
        for fd in control_fds:
            os.close(fd)
        log = os.open(os.path.join(request["dir"], LOG_FILE), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        _apply_limits(float(request["memory_mb"]), float(request["timeout_s"]))
        result = run_job(request)
        tmp = os.path.join(request["dir"], RESULT_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False)
        os.replace(tmp, os.path.join(request["dir"], RESULT_FILE))
        # Done: the zygote answers now, while this process is still being torn down
        # (freeing a few hundred MB takes the kernel ~10–20 ms).
        os.write(done_fd, b"1")
    except BaseException:
        code = 3
    finally:
        os._exit(code)


def main() -> None:
    """Zygote loop: preload the readers, then fork one child per request."""
    control_in = os.dup(0)
    control_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal reaches the whole group; the parent decides

    # pyarrow's default pool (mimalloc) reserves 1 GiB of address space on first use,
    # which would count against RLIMIT_AS; the system allocator reserves nothing.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    import zipfile  # noqa: F401 — preloaded so each forked child starts warm (CSV: see below)

    import fastexcel  # noqa: F401

    # pyarrow is not preloaded for workbooks: that would hold back the first read by
    # ~0.1–0.2 s. Each child imports it on a second thread while calamine parses (see
    # read_workbook_file), i.e. on the otherwise idle core, off the critical path.

    out = os.fdopen(control_out, "w", encoding="utf-8", buffering=1)
    out.write(json.dumps({"ready": True}) + "\n")
    csv_ready = False
    with os.fdopen(control_in, "r", encoding="utf-8") as requests:
        for line in requests:
            if not line.strip():
                continue
            request = json.loads(line)
            if not csv_ready and request["input"].endswith(".csv"):
                # pyarrow imports pandas the first time it converts a Python list;
                # do that once here so later CSV children do not pay ~0.4 s each.
                import csv  # noqa: F401
                import statistics  # noqa: F401

                import pyarrow

                pyarrow.array([""], type=pyarrow.string())
                csv_ready = True
            done_r, done_w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(done_r)
                _child(request, (control_in, control_out), done_w)
            os.close(done_w)
            # One byte: the child has put its complete result in place (it exits 0 next).
            # End of file without it: the child ended some other way; its exit status tells.
            done = os.read(done_r, 1) == b"1"
            os.close(done_r)
            if done:
                out.write(json.dumps({"exit": 0}) + "\n")
            _, status, usage = os.wait4(pid, 0)
            if done:
                continue
            reply: dict[str, Any] = {"maxrss_kib": usage.ru_maxrss, "cpu_s": round(usage.ru_utime + usage.ru_stime, 3)}
            if os.WIFSIGNALED(status):
                reply["signal"] = os.WTERMSIG(status)
            else:
                reply["exit"] = os.waitstatus_to_exitcode(status)
            out.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
