"""End-to-end fixtures: one Streamlit server and one Chromium for the whole session.

- ``demo_store``: a DuckDB store in a temporary directory, seeded once with
  ``python -m analytics init-demo --db PATH`` (the accepted sample ledgers).
- ``app_url``: ``streamlit run app.py`` on a free local port, pointed at that
  store through ``FIVESTAR_DB_PATH``; waits for ``/_stcore/health`` and stops
  the server at the end of the session. Its log goes to
  ``test-artifacts/streamlit-server.log``.
- ``browser``: Debian's ``/usr/bin/chromium`` driven by Playwright (sync API).
  When Chromium is missing the browser tests fail in CI (``CI=true``) with a
  message saying what to install, and are skipped on a developer machine.
- ``page``: a fresh context/page per test at desktop size (1440×900).

The helpers the tests use to wait on Streamlit (never by sleeping) are in
``tests/e2e/helpers.py``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.helpers import APP_TIMEOUT_MS, ARTIFACTS, DESKTOP, EXPECT_TIMEOUT_MS, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# A cold start (imports, first DuckDB open) on two shared cores can be slow.
SERVER_START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isolated_env(db_path: Path, work: Path) -> dict[str, str]:
    """The environment of the CLI and the server: our store, no stray settings file."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("FIVESTAR_"):
            del env[key]
    env["FIVESTAR_DB_PATH"] = str(db_path)
    # A settings file that does not exist: defaults plus the variables above only.
    env["FIVESTAR_SETTINGS"] = str(work / "no-settings.toml")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@pytest.fixture(scope="session")
def e2e_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@dataclass(frozen=True)
class DemoStore:
    """The seeded store and the facts the tests compare the pages with."""

    path: Path
    latest_month: date
    counties: tuple[str, ...]
    townships: tuple[str, ...]  # every township name in the store, any month
    branches_latest: int  # branches in the latest month, whole store
    uploads: int


def _read_facts(db_path: Path) -> DemoStore:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        row = con.execute("SELECT max(period) FROM v_branch_month").fetchone()
        latest = row[0] if row else None
        assert latest is not None, (
            "init-demo left the store empty: is sample_uploads/manifest.json there? (`make samples`)"
        )
        counties = tuple(r[0] for r in con.execute("SELECT DISTINCT county FROM v_branch_month ORDER BY 1").fetchall())
        towns = tuple(r[0] for r in con.execute("SELECT DISTINCT township FROM v_branch_month ORDER BY 1").fetchall())
        count = con.execute("SELECT count(*) FROM v_branch_month WHERE period = ?", [latest]).fetchone()
        uploads = con.execute("SELECT count(*) FROM uploads").fetchone()
    finally:
        con.close()
    return DemoStore(db_path, latest, counties, towns, int(count[0]) if count else 0, int(uploads[0]) if uploads else 0)


@pytest.fixture(scope="session")
def demo_store(e2e_workdir: Path) -> DemoStore:
    """A store in a temporary directory holding the demo data (read before the server starts)."""
    db_path = e2e_workdir / "fivestar.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "init-demo", "--db", str(db_path)],
        cwd=ROOT,
        env=_isolated_env(db_path, e2e_workdir),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, (
        f"`python -m analytics init-demo` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    assert db_path.is_file(), "init-demo did not create the store file"
    return _read_facts(db_path)


@contextlib.contextmanager
def serve_app(db_path: Path, workdir: Path, log_name: str = "streamlit-server.log") -> Iterator[str]:
    """``streamlit run app.py`` on a free local port over the store ``db_path``; yields its base
    URL once ``/_stcore/health`` answers and stops the server afterwards. The log goes to
    ``test-artifacts/<log_name>``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / log_name
    port = _free_port()
    cmd = [
        sys.executable, "-m", "ui.serve",  # as `make run`: the upload limit comes from max_upload_mb
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=_isolated_env(db_path, workdir),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"Streamlit exited with {proc.returncode} before it was ready:\n{_tail(log_path)}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200 and resp.read().strip() == b"ok":
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"Streamlit not healthy after {SERVER_START_TIMEOUT_S}s:\n{_tail(log_path)}")
                time.sleep(0.25)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="session")
def app_url(demo_store: DemoStore, e2e_workdir: Path) -> Iterator[str]:
    """Start ``streamlit run app.py`` once for the session; yield its base URL."""
    with serve_app(demo_store.path, e2e_workdir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium 和 fonts-noto-cjk "
            "（apt-get install chromium fonts-noto-cjk；.ci/run 会自动安装）。"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " 在 CI 中浏览器测试不能跳过。", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # Assertions run once the app is idle, so content is already there: fail in
    # seconds, not minutes, when it is not. (Waits on a script run use APP_TIMEOUT_MS.)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:
    """A fresh browser context (own Streamlit session) at desktop size."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(APP_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
