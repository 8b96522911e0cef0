"""Start the reader process (the "zygote" of ``analytics.ingest._worker``).

    proc = start_zygote()   # subprocess.Popen; raises OSError

Standard library only, and tiny: besides ``analytics.ingest.read`` (which starts
and restarts the reader process), the command line loads this file by path, the
very first thing it does, so that the reader process imports its libraries while
the command line imports its own (see ``analytics/__main__.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

_BOOT = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


def start_zygote() -> subprocess.Popen[bytes]:
    """The worker file run by path in a fresh interpreter, talking through its stdin/stdout.

    Run by path, not imported as analytics.ingest._worker: importing the package
    would pull in DuckDB (threads — unsafe to fork) and pyarrow before the worker
    has chosen its memory pool.
    """
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
