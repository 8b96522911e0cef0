"""Bytes -> RawWorkbook, safely: every untrusted byte is parsed in a child process.

    read_workbook(data, file_name, settings=None) -> RawWorkbook   (raises FileRefused)

Formats: .xlsx / .xlsm / .xls through fastexcel (calamine), CSV in UTF-8 (with or
without BOM), UTF-16 with BOM or GB18030/GBK, delimiter comma, tab or semicolon.
The real format is sniffed from the bytes; the file name's extension is only a
hint (for .xlsm).

Sandbox: a "zygote" process (``analytics.ingest._worker``, started by
``analytics.ingest._spawn``) is started once per parent process and keeps
fastexcel imported. Each file is read by a child forked from it, with a memory
limit (``RLIMIT_AS`` = parse_memory_mb), a wall-clock limit (parse_timeout_s,
enforced by the kernel via SIGALRM) and its stdout/stderr sent to a log file,
never to ours. Results come back as Arrow IPC files in a temporary directory,
memory-mapped here (no copy). A child that panics, aborts, runs out of memory
or time ends in ``FileRefused`` with code E_FILE. Reads from several threads are
serialised (one parse at a time per process).

Speed (the command line, ``python -m analytics ingest``): the reader process is
forked from the command line before anything else is imported, the first file's
request is written to its pipe before it has finished starting (``adopt_reader``
hands both over; that request is answered, not sent again), and it answers as
soon as the result is in place (while the child is still being torn down).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.ingest import _spawn
from analytics.ingest._spawn import ZygoteProcess
from analytics.settings import Settings, load_settings

if TYPE_CHECKING:
    from analytics.ingest.model import FileRefused, RawWorkbook

# pyarrow and analytics.ingest.model (which imports pyarrow) are imported where
# used, and so is the worker module (csv, zipfile, statistics): the command line
# sends its first file through this module before it imports anything heavy.

log = logging.getLogger(__name__)

_RESAVE = "请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx）再上传。"

# One message per refusal reason: what happened, then what to do.
MESSAGES: dict[str, str] = {
    "empty": "文件是空的（0 字节），没有任何内容。请确认选择的是填好的台账文件后重新上传。",
    "too_large": "文件大小 {size_mb:.1f} MB，超过上限 {max_mb} MB。请删除无关的工作表、图片和空白行列，"
    + "或按乡镇拆分成几个文件分别上传。",
    "bomb": "文件解压后的内容超过 {max_mb} MB（可能是异常或被篡改的压缩文件），为安全起见不予读取。" + _RESAVE,
    "truncated": "文件不完整或已损坏（可能下载、复制或传输时中断），无法打开。请从原始来源重新获取或重新导出文件后上传。",
    "encrypted": "文件设置了打开密码（已加密），无法读取。请在 Excel 中打开文件，"
    + "依次点“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码并保存后重新上传。",
    "ods": "这是 .ods（OpenDocument）格式的表格，暂不支持。" + _RESAVE,
    "xlsb": "这是 Excel 二进制工作簿（.xlsb），暂不支持。" + _RESAVE,
    "old_xls": "这是 Excel 95 及更早版本的旧格式文件，无法读取。" + _RESAVE,
    "html": "这是网页（HTML）或 XML 格式的文件，只是扩展名看起来像 Excel（常见于从业务系统导出的表格）。" + _RESAVE,
    "wrong_type": "“{name}”不是可导入的台账文件（{suffix}）：只接受 Excel 工作簿（.xlsx、.xlsm、.xls）"
    + "和 CSV 文件（.csv）。" + _RESAVE,
    "not_workbook": "这不是 Excel 工作簿：文件内容是纯文本（可能是改了扩展名的 CSV 或文本文件），不是 .xlsx/.xls 工作簿。"
    + "请用 Excel 或 WPS 打开原始表格后“另存为” Excel 工作簿（.xlsx）再上传；若本来就是 CSV 文件，请把扩展名改回 .csv。",
    "not_spreadsheet": "这不是 Excel 工作簿或 CSV 文件，无法读取。请上传 .xlsx、.xlsm、.xls 或 .csv 格式的台账。",
    "encoding": "无法识别 CSV 文件的文字编码（支持 UTF-8 和 GBK/GB18030）。请用 Excel 打开后另存为 .xlsx，"
    + "或另存为“CSV UTF-8（逗号分隔）”再上传。",
    "csv_corrupt": "CSV 文件格式异常（例如引号不成对），无法逐行读取。请用 Excel 打开检查后另存为 .xlsx 再上传。",
    "corrupt": "文件已损坏或格式异常，无法读取。请用 Excel 打开确认内容完好，再“另存为”新的 .xlsx 文件后重新上传。",
    "sheet_corrupt": "文件已损坏或格式异常，无法读取：工作表“{sheet}”无法解析。"
    + "请用 Excel 打开确认该工作表内容完好（不需要的工作表可删除），再“另存为”新的 .xlsx 文件后重新上传。",
    "memory": "文件已损坏或格式异常，无法读取：读取它需要的内存超过上限（{memory_mb} MB）。"
    + "请删除无关的工作表和大片空白行列，再“另存为”新的 .xlsx 文件后重新上传。",
    "too_many_columns": "工作表“{sheet}”有 {columns} 列含数据，超过上限 {max_columns} 列（设置 max_columns_per_sheet），"
    + "为安全起见不予读取。台账只有几十列：请删除多余的列（或把数据放到新的工作表）后另存再上传。",
    "no_space": "服务器临时目录空间不足，暂时无法读取文件，本次未写入任何数据。请清理磁盘空间（或联系管理员）后重新上传。",
    "timeout": "文件已损坏或格式异常，无法读取：读取超过 {timeout_s} 秒仍未完成。"
    + "请用 Excel 打开确认内容完好，删除无关的工作表后“另存为”新的 .xlsx 文件再上传。",
}

_MIB = 1024 * 1024
_READY_TIMEOUT_S = 60.0  # start-up of the zygote (imports fastexcel)
_GRACE_S = 15.0  # extra wait beyond parse_timeout_s before the parent gives up on the zygote


def refuse(reason: str, file_name: str, **fmt: Any) -> FileRefused:
    """A FileRefused carrying one E_FILE problem with the message for ``reason``."""
    from analytics.ingest.model import FileRefused, Problem

    message = MESSAGES[reason].format(**fmt) if fmt else MESSAGES[reason]
    return FileRefused(Problem(code="E_FILE", message=message, value=file_name))


def read_workbook(data: bytes, file_name: str, settings: Settings | None = None) -> RawWorkbook:
    """Read an uploaded file into text cells, one RawSheet per worksheet (hidden ones included).

    Raises FileRefused (code E_FILE, value = file_name) for anything unreadable.
    """
    return _read(data, file_name, settings)


def _read(
    data: bytes,
    file_name: str,
    settings: Settings | None,
    on_sent: Callable[[], None] | None = None,
    sent: dict[str, Any] | None = None,
) -> RawWorkbook:
    """read_workbook; ``on_sent`` is called once the request is with the reader process.

    ``sent``: the request for ``data``, already written to the adopted reader process
    (the command line's first file, see ``adopt_reader``); its work folder is ours.
    """
    settings = settings if settings is not None else load_settings()
    try:
        if len(data) == 0:
            raise refuse("empty", file_name)
        max_mb = settings.max_upload_mb
        if len(data) > max_mb * _MIB:
            raise refuse("too_large", file_name, size_mb=len(data) / _MIB, max_mb=max_mb)
    except BaseException:
        if sent is not None:
            _remove_work_dir(str(sent["dir"]))
        raise

    if sent is not None:
        work_dir, request = str(sent["dir"]), sent
    else:
        work_dir = _new_work_dir()
    try:
        if sent is None:
            try:
                request = _spawn.write_request(
                    data, file_name, work_dir, memory_mb=settings.parse_memory_mb,
                    timeout_s=settings.parse_timeout_s, max_expanded_mb=settings.max_expanded_mb,
                    max_expansion_ratio=settings.max_expansion_ratio, max_columns=settings.max_columns_per_sheet,
                )
            except OSError as exc:  # the temp directory is full: not the file's fault, but no traceback
                log.warning("cannot write the reader's input for %s: %s", file_name, exc)
                raise refuse("no_space", file_name) from None
        status = _sandbox().run(request, float(settings.parse_timeout_s) + _GRACE_S, on_sent,
                                already_sent=sent is not None)
        return _collect(work_dir, status, file_name, settings, float(request["max_expanded_mb"]))
    finally:
        _remove_work_dir(work_dir)


# Work folders of reads in progress (and of early requests not read yet): a process
# that ends without waiting for its reads (the command line) removes them at exit.
_WORK_DIRS: set[str] = set()
_WORK_DIRS_LOCK = threading.Lock()


_SWEPT = threading.Event()


def sweep_once() -> None:
    """Once per process: remove work folders of earlier processes that were killed (issue 14)."""
    if not _SWEPT.is_set():
        _SWEPT.set()
        removed = _spawn.sweep_stale_work_dirs()
        if removed:
            log.info("removed %d stale reader work folder(s): %s", len(removed), removed[:5])


def _new_work_dir() -> str:
    sweep_once()
    work_dir = _spawn.new_work_dir()
    with _WORK_DIRS_LOCK:
        _WORK_DIRS.add(work_dir)
    return work_dir


def _remove_work_dir(work_dir: str) -> None:
    shutil.rmtree(work_dir, ignore_errors=True)
    with _WORK_DIRS_LOCK:
        _WORK_DIRS.discard(work_dir)


def remove_work_dirs() -> None:
    """Remove the work folders of every read not finished (the command line, just before it exits)."""
    with _READ_AHEAD_LOCK:
        _EARLY_REQUESTS.clear()
    with _WORK_DIRS_LOCK:
        pending = list(_WORK_DIRS)
    for work_dir in pending:
        _remove_work_dir(work_dir)


# --- read-ahead ------------------------------------------------------------
# The sandboxed reader works in its own process, i.e. on the other CPU core. The
# command line starts reading a file before it imports DuckDB and the validator,
# and reads the next file while the current one is validated and loaded.

_READ_AHEAD: dict[str, Any] = {}
_READ_AHEAD_BYTES: dict[str, bytes] = {}  # the bytes of a pending read-ahead, once read from disk
_READ_AHEAD_LOCK = threading.Lock()
_READ_AHEAD_POOL: Any = None
# path -> (bytes, request) of a file whose request the command line wrote to the
# reader process before this module was imported (``adopt_reader``).
_EARLY_REQUESTS: dict[str, tuple[bytes, dict[str, Any]]] = {}


def _read_path(
    path: str, settings: Settings | None, sent: threading.Event
) -> tuple[bytes, RawWorkbook | FileRefused | OSError]:
    # The model (pyarrow) is imported only after the request is on its way: the
    # main thread is importing the same modules meanwhile, and waiting for them
    # here would hold back the read by the length of those imports.
    with _READ_AHEAD_LOCK:
        early = _EARLY_REQUESTS.pop(path, None)
    try:
        data = early[0] if early is not None else Path(path).read_bytes()
    except OSError as exc:
        return b"", exc
    else:
        with _READ_AHEAD_LOCK:
            if path in _READ_AHEAD:
                _READ_AHEAD_BYTES[path] = data
        try:
            return data, _read(data, Path(path).name, settings, sent.set, early[1] if early is not None else None)
        except Exception as exc:
            from analytics.ingest.model import FileRefused

            if isinstance(exc, FileRefused):
                return data, exc
            raise
    finally:
        sent.set()  # also when nothing was sent (unreadable, empty or too large)


def read_ahead(
    path: str | os.PathLike[str], settings: Settings | None = None, *, wait_sent_s: float = 0.0
) -> None:
    """Start reading ``path`` in the background; ``take_read_ahead(path)`` collects it.

    ``wait_sent_s``: wait up to this long until the file is with the reader process.
    The command line does, before its heavy imports: while they run, the
    background thread would hardly get a turn to send the file.
    """
    from concurrent.futures import ThreadPoolExecutor

    global _READ_AHEAD_POOL
    key = os.path.abspath(path)
    sent = threading.Event()
    with _READ_AHEAD_LOCK:
        if key in _READ_AHEAD:
            return
        if _READ_AHEAD_POOL is None:
            _READ_AHEAD_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        _READ_AHEAD[key] = _READ_AHEAD_POOL.submit(_read_path, key, settings, sent)
    if wait_sent_s > 0:
        sent.wait(wait_sent_s)


def read_ahead_pending(path: str | os.PathLike[str]) -> bool:
    """Whether an earlier ``read_ahead(path)`` is still being read."""
    with _READ_AHEAD_LOCK:
        future = _READ_AHEAD.get(os.path.abspath(path))
    return future is not None and not future.done()


def read_ahead_bytes(path: str | os.PathLike[str]) -> bytes | None:
    """The file's bytes of a pending ``read_ahead(path)`` once they are read from disk (while
    the reader process parses them), else None: the command line hashes them meanwhile."""
    with _READ_AHEAD_LOCK:
        return _READ_AHEAD_BYTES.get(os.path.abspath(path))


def take_read_ahead(path: str | os.PathLike[str]) -> tuple[bytes, RawWorkbook | FileRefused | OSError] | None:
    """The (bytes, workbook or refusal or OSError) of an earlier ``read_ahead(path)``, else None."""
    key = os.path.abspath(path)
    with _READ_AHEAD_LOCK:
        future = _READ_AHEAD.pop(key, None)
    try:
        return None if future is None else future.result()
    finally:
        with _READ_AHEAD_LOCK:
            _READ_AHEAD_BYTES.pop(key, None)


def warm_up() -> None:
    """Start the reader process now (in the background) so the first read_workbook call does not wait for it."""
    _sandbox().start()
    sweep_once()


def adopt_reader(proc: ZygoteProcess, early: tuple[str, bytes, dict[str, Any]] | None = None) -> None:
    """Use a reader process the caller started with ``_spawn`` (the command line does, first thing).

    ``early``: (path, bytes, request) — the request for that file was written to ``proc``
    already; ``read_ahead(path)`` waits for its answer instead of sending the file again.
    Its work folder is removed once read (or here, if ``proc`` is not adopted).
    """
    adopted = _sandbox().adopt(proc)
    if early is None:
        return
    work_dir = str(early[2]["dir"])
    with _WORK_DIRS_LOCK:
        _WORK_DIRS.add(work_dir)
    if not adopted:
        _remove_work_dir(work_dir)
        return
    with _READ_AHEAD_LOCK:
        _EARLY_REQUESTS[os.path.abspath(early[0])] = (early[1], early[2])


def _collect(
    work_dir: str, status: dict[str, Any], file_name: str, settings: Settings, max_expanded_mb: float
) -> RawWorkbook:
    import pyarrow as pa
    import pyarrow.ipc

    from analytics.ingest._worker import RESULT_FILE
    from analytics.ingest.model import RawSheet, RawWorkbook

    result_path = os.path.join(work_dir, RESULT_FILE)
    log.debug("read %s: child %s", file_name, status)
    if status.get("timeout"):
        log.info("reading %s: no answer from the reader process in time", file_name)
        raise refuse("timeout", file_name, timeout_s=settings.parse_timeout_s)
    if status.get("exit") != 0 or not os.path.exists(result_path):
        raise _died(work_dir, status, file_name, settings)
    with open(result_path, encoding="utf-8") as fh:
        result = json.load(fh)
    if not result["ok"]:
        log.info("refused %s: %s %s", file_name, result["reason"], result.get("detail"))
        raise refuse(result["reason"], file_name, sheet=result.get("sheet") or "",
                     memory_mb=settings.parse_memory_mb, max_mb=f"{max_expanded_mb:.0f}",
                     columns=result.get("detail") or "", max_columns=settings.max_columns_per_sheet)
    sheets = []
    for info in result["sheets"]:
        # Memory-mapped: the table's buffers are the file's pages, no copy. They stay
        # valid after the file is closed and its directory removed (until the table is freed).
        with pa.memory_map(os.path.join(work_dir, info["file"]), "r") as source:
            table = pyarrow.ipc.open_file(source).read_all()
        if table.num_columns == 0:
            table = pa.table({})
        sheets.append(RawSheet(
            name=info["name"],
            table=table,
            first_row=int(info["first_row"]),
            hit_row_limit=bool(info["hit_row_limit"]),
            visible=bool(info["visible"]),
        ))
    return RawWorkbook(file_name=file_name, kind=result["kind"], sheets=sheets)


def _died(work_dir: str, status: dict[str, Any], file_name: str, settings: Settings) -> FileRefused:
    """The child ended without a result: killed by a limit, aborted, or crashed."""
    from analytics.ingest._worker import LOG_FILE

    text = ""
    with contextlib.suppress(OSError), open(os.path.join(work_dir, LOG_FILE), "rb") as fh:
        head = fh.read(16384)
        fh.seek(max(fh.tell(), os.fstat(fh.fileno()).st_size - 4096))
        text = (head + fh.read()).decode("utf-8", "replace")
    log.info("reader child for %s ended without a result: %s; log: %s", file_name, status, text[:1000])
    sig = status.get("signal")
    if sig in (signal.SIGALRM, signal.SIGXCPU):
        return refuse("timeout", file_name, timeout_s=settings.parse_timeout_s)
    if any(marker in text for marker in ("memory allocation of", "MemoryError", "bad_alloc", "out of memory")):
        return refuse("memory", file_name, memory_mb=settings.parse_memory_mb)
    return refuse("corrupt", file_name)


# --- the sandbox (one zygote process per parent process) ---------------------------


class _Sandbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: ZygoteProcess | None = None
        self._adopted: ZygoteProcess | None = None  # the process handed over by the command line
        self._ready = False
        self._buffer = b""

    def start(self) -> None:
        with self._lock, contextlib.suppress(_ZygoteGone):
            self._ensure_started()

    def _ensure_started(self) -> ZygoteProcess:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        self._stop()
        try:
            self._proc = _spawn.start_zygote()
        except OSError as exc:
            raise _ZygoteGone(f"cannot start {sys.executable}: {exc}") from exc
        self._ready = False
        self._buffer = b""
        return self._proc

    def adopt(self, proc: ZygoteProcess) -> bool:
        """Use ``proc`` (from ``_spawn``) unless a reader process runs already; whether it is used."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(Exception):
                    proc.wait(timeout=5)
                return False
            self._stop()
            self._proc = proc
            self._adopted = proc
            self._ready = False
            self._buffer = b""
            return True

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        self._ready = False
        self._buffer = b""
        if proc is None:
            return
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            proc.kill()
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()

    def _read_line(self, proc: ZygoteProcess, deadline: float) -> dict[str, Any] | None:
        """The next JSON line from the zygote; None on timeout; raises _ZygoteGone on end of file."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise _ZygoteGone("reader process exited")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        parsed: dict[str, Any] = json.loads(line)
        return parsed

    def _exchange(
        self,
        request: dict[str, Any],
        timeout_s: float,
        on_sent: Callable[[], None] | None = None,
        already_sent: bool = False,
    ) -> dict[str, Any]:
        if already_sent:
            # Written to the adopted process before it was handed over: only that one answers it.
            proc = self._proc
            if proc is None or proc is not self._adopted or proc.poll() is not None:
                raise _ZygoteGone("the reader process the request was written to is gone")
        else:
            proc = self._ensure_started()
            # The request goes out before the zygote has said it is ready: the pipe holds
            # it, and the zygote reads it as soon as its libraries are imported.
            try:
                _spawn.send_request(proc, request)
            except (OSError, ValueError) as exc:
                raise _ZygoteGone(str(exc)) from exc
        if on_sent is not None:
            on_sent()
        if not self._ready:
            if self._read_line(proc, time.monotonic() + _READY_TIMEOUT_S) is None:
                raise _ZygoteGone("reader process did not start in time")
            self._ready = True
        reply = self._read_line(proc, time.monotonic() + timeout_s)
        if reply is None:
            # The child's own alarm should have fired long ago: kill the whole group and start afresh next time.
            self._stop()
            return {"timeout": True}
        return reply

    def run(
        self,
        request: dict[str, Any],
        timeout_s: float,
        on_sent: Callable[[], None] | None = None,
        already_sent: bool = False,
    ) -> dict[str, Any]:
        """Send one request; returns the zygote's reply ({"exit": n} / {"signal": n}) or {"timeout": True}.

        ``already_sent``: the request was written to the adopted process (``adopt_reader``);
        only its answer is awaited. The zygote never parses anything itself, so its death
        is not the file's fault: it is restarted and the request (re)sent once before
        giving up with RuntimeError.
        """
        with self._lock:
            try:
                return self._exchange(request, timeout_s, on_sent, already_sent)
            except _ZygoteGone as first:
                log.info("reader process lost (%s); restarting it", first)
                self._stop()
            try:
                return self._exchange(request, timeout_s, on_sent)
            except _ZygoteGone as second:
                self._stop()
                raise RuntimeError(f"无法启动读取文件的子进程（{second}），请稍后重试或联系管理员。") from second


class _ZygoteGone(Exception):
    """The zygote process is not there (did not start, or exited)."""


_SANDBOX: _Sandbox | None = None
_SANDBOX_LOCK = threading.Lock()


def _sandbox() -> _Sandbox:
    global _SANDBOX
    with _SANDBOX_LOCK:
        if _SANDBOX is None:
            _SANDBOX = _Sandbox()
        return _SANDBOX


def _forget_sandbox_after_fork() -> None:
    # A forked copy of this process must not talk through the parent's pipes.
    global _SANDBOX, _SANDBOX_LOCK
    _SANDBOX = None
    _SANDBOX_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_sandbox_after_fork)
