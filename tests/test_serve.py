"""Issue 14: the server started by ``python -m ui.serve`` (``make run``, the browser tests) runs with
Streamlit's upload limit set to max_upload_mb (its default was 200 MB while the importer's limit is 50 MB)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_upload_limit_follows_max_upload_mb(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVESTAR_")}
    env.update(FIVESTAR_MAX_UPLOAD_MB="2", FIVESTAR_DB_PATH=str(tmp_path / "s.duckdb"),
               FIVESTAR_SETTINGS=str(tmp_path / "none.toml"), FIVESTAR_LOAD_SAMPLE_WHEN_EMPTY="false")
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--server.maxUploadSize", "500"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("server not healthy:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.25)
        # The launcher became the server (exec: same pid), started with the setting's limit only.
        argv = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"streamlit" in argv and b"run" in argv
        at = argv.index(b"--server.maxUploadSize")
        assert argv[at + 1] == b"2" and argv.count(b"--server.maxUploadSize") == 1 and b"500" not in argv
    finally:
        proc.kill()  # nothing to shut down cleanly: the server has no store open
        proc.wait(timeout=30)
        log.close()


def test_the_app_listens_on_this_machine_only_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import serve

    for key in [k for k in os.environ if k.startswith("FIVESTAR_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("FIVESTAR_SETTINGS", "/nonexistent/none.toml")
    command = serve.streamlit_command(["--server.port", "8501"])
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    monkeypatch.setenv("FIVESTAR_SERVER_ADDRESS", "0.0.0.0")
    command = serve.streamlit_command([])
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    # An address given on the command line wins (and is not given twice).
    command = serve.streamlit_command(["--server.address", "192.0.2.1"])
    assert command.count("--server.address") == 1 and "192.0.2.1" in command
