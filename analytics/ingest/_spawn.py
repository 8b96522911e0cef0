"""Start the reader process (the "zygote" of ``analytics.ingest._worker``).

    proc = start_zygote()   # subprocess.Popen; raises OSError
    proc = fork_zygote()    # the command line: a copy of this process, no new interpreter
    request = write_request(data, file_name, work_dir, memory_mb=…, timeout_s=…, max_expanded_mb=…)
    send_request(proc, request)

Standard library only, and tiny: besides ``analytics.ingest.read`` (which starts
and restarts the reader process), the command line loads this file by path, the
very first thing it does, so that the reader process imports its libraries while
the command line imports its own (see ``analytics/__main__.py``).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess
    from typing import TypeAlias

# Only os and sys at the top: the command line loads this file first thing and forks the
# reader right away; subprocess, tempfile & co. (~15 ms of imports) come where used.

_BOOT = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


def start_zygote() -> subprocess.Popen[bytes]:
    """The worker file run by path in a fresh interpreter, talking through its stdin/stdout.

    Run by path, not imported as analytics.ingest._worker: importing the package
    would pull in DuckDB (threads — unsafe to fork) and pyarrow before the worker
    has chosen its memory pool.
    """
    import subprocess
    import tempfile

    env = dict(os.environ)
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    env["RUST_BACKTRACE"] = "0"  # a panic's one-line message is enough for the log
    worker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")
    return subprocess.Popen(
        [sys.executable, "-c", _BOOT, worker],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        start_new_session=True,  # own process group: terminal signals do not reach it; killpg on hang
        cwd=tempfile.gettempdir(),
        env=env,
    )


class ForkedZygote:
    """The zygote as a forked copy of this process, with the part of ``Popen``'s interface
    that ``analytics.ingest.read`` uses (pid, stdin, stdout, poll, wait, kill)."""

    def __init__(self, pid: int, stdin_fd: int, stdout_fd: int) -> None:
        self.pid = pid
        self.stdin = os.fdopen(stdin_fd, "wb")
        self.stdout = os.fdopen(stdout_fd, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"zygote {self.pid}", timeout or 0.0)
            time.sleep(0.005)
        return code

    def kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


ZygoteProcess: TypeAlias = "subprocess.Popen[bytes] | ForkedZygote"


def fork_zygote() -> ForkedZygote:
    """The zygote as a fork of the calling process: no interpreter start-up (~25 ms less).

    For the command line only, called first thing (no threads yet, nothing heavy
    imported: forking is safe and cheap). The child does what ``start_zygote``'s
    interpreter does: its own session, the worker's pipes on stdin/stdout, stderr to
    /dev/null, every other descriptor closed, then the worker file run as __main__.
    Raises OSError when the process cannot be forked.
    """
    worker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the zygote: never returns
        code = 0
        try:
            import runpy
            import tempfile

            os.setsid()
            os.dup2(req_r, 0)
            os.dup2(rep_w, 1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)
            os.chdir(tempfile.gettempdir())
            os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
            os.environ["RUST_BACKTRACE"] = "0"
            sys.argv = [worker]
            runpy.run_path(worker, run_name="__main__")
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(req_r)
    os.close(rep_w)
    return ForkedZygote(pid, req_w, rep_r)


WORK_DIR_PREFIX = "fivestar-read-"
_STALE_UNNAMED_S = 24 * 3600  # a work folder of the old naming (no pid) older than this is stale


def new_work_dir() -> str:
    """A fresh work folder ``fivestar-read-<pid>-XXXX`` in the temp directory: the pid of the
    owner lets a later process tell a stale folder (its owner was killed) from a live one."""
    import tempfile

    return tempfile.mkdtemp(prefix=f"{WORK_DIR_PREFIX}{os.getpid()}-")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a stale file's owner was killed when not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def sweep_stale_work_dirs(temp_dir: str | None = None) -> list[str]:
    """Remove the work folders left behind by processes that are gone (a kill during a read
    leaves its ~100 MB folder); returns the folders removed. Folders of live processes stay."""
    import shutil
    import tempfile
    import time

    base = temp_dir or tempfile.gettempdir()
    removed: list[str] = []
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(WORK_DIR_PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            head = entry.name[len(WORK_DIR_PREFIX):].split("-", 1)[0]
            if head.isdigit() and "-" in entry.name[len(WORK_DIR_PREFIX):]:
                stale = int(head) != os.getpid() and not pid_alive(int(head))
            else:  # named before folders carried their owner's pid: by age
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_UNNAMED_S
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def guess_suffix(data: bytes) -> str:
    """The input file's extension for the reader (its real format is sniffed there)."""
    if data.startswith(b"PK"):
        return ".xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ".xls"
    return ".csv"


def expansion_limit_mb(size_bytes: int, max_expanded_mb: float, max_expansion_ratio: float) -> float:
    """How far a workbook of ``size_bytes`` may expand (MiB): max(max_expanded_mb, ratio × size).

    Real ledgers expand 3–12× (a city-size ledger written by xlsxwriter: 5.8 MiB -> 67.6 MiB,
    11.7×); a zip bomb hundreds of times or more. A fixed bound refused real ledgers above
    ~42 MiB (issue 14); scaled with the file, every real ledger up to max_upload_mb passes.
    """
    return max(float(max_expanded_mb), float(max_expansion_ratio) * size_bytes / (1024 * 1024))


def write_request(
    data: bytes, file_name: str, work_dir: str, *, memory_mb: float, timeout_s: float, max_expanded_mb: float,
    max_expansion_ratio: float = 0.0, max_columns: int = 0,
) -> dict[str, Any]:
    """Put ``data`` in ``work_dir`` as the reader's input; the request that reads it there.

    ``max_columns``: a sheet with data in more columns is refused before its table is built (0: no bound).
    """
    input_path = os.path.join(work_dir, "input" + guess_suffix(data))
    with open(input_path, "wb") as fh:
        fh.write(data)
    return {
        "dir": work_dir,
        "input": input_path,
        "file_name": file_name,
        "memory_mb": memory_mb,
        "timeout_s": timeout_s,
        "max_expanded_mb": expansion_limit_mb(len(data), max_expanded_mb, max_expansion_ratio),
        "max_columns": int(max_columns),
    }


def send_request(proc: ZygoteProcess, request: dict[str, Any]) -> None:
    """Write one request line to the zygote's pipe (it reads it once its libraries are imported)."""
    import json

    assert proc.stdin is not None
    proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
    proc.stdin.flush()
