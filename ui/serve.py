"""Start the dashboard: ``python -m ui.serve [streamlit options…]`` (``make run`` and the browser tests).

Streamlit's own upload limit (``server.maxUploadSize``, 200 MB by default) is set from the
setting ``max_upload_mb``, so the server refuses exactly what the importer would refuse
(issue 14: it accepted 199 MB while the page said 50 MB). Any other option is passed on;
an explicit ``--server.maxUploadSize`` is not allowed to differ from the setting.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from analytics.settings import load_settings

APP = Path(__file__).resolve().parents[1] / "app.py"


def upload_limit_mb() -> int:
    """The server's upload limit in MB (whole MB, rounded up: Streamlit takes an integer)."""
    return max(1, math.ceil(float(load_settings().max_upload_mb)))


def streamlit_command(extra: list[str]) -> list[str]:
    """The ``streamlit run`` command line for ``app.py`` with the upload limit from the settings and,
    unless the options name one, the listening address (``server_address``: this machine only by
    default, access.md §2; a LAN address only with accounts for everyone)."""
    extra = [a for i, a in enumerate(extra) if not _is_upload_option(extra, i)]
    address = [] if any(a.startswith("--server.address") for a in extra) else [
        "--server.address", str(load_settings().server_address)]
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.maxUploadSize", str(upload_limit_mb()), *address, *extra]


def _is_upload_option(args: list[str], index: int) -> bool:
    arg = args[index]
    if arg.startswith("--server.maxUploadSize"):
        return True
    return index > 0 and args[index - 1] == "--server.maxUploadSize"


def main(argv: list[str] | None = None) -> None:
    command = streamlit_command(list(sys.argv[1:] if argv is None else argv))
    os.execv(command[0], command)  # the server replaces this process (signals reach it directly)


if __name__ == "__main__":
    main()
