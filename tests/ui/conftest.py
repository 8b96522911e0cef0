"""A tiny literal store for the page tests (built in a tmp dir; FIVESTAR_DB_PATH points at it).

2024-07 and 2024-08, two counties:
    甲县 / 东镇: 一村 (3★ → 4★, target 4), 二村 (2★ → 2★, target 3)
    甲县 / 西镇: 三社区 (1★ → 1★), 五社区 (new in 2024-08, 0★)
    乙县 / 南镇: 四村 (4★ → 5★, target 4)
So 2024-08 has 5 branches (甲县 4), three stars or more: 一村 and 四村.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tests.factories import build_store

BRANCHES = [
    {"period": "2024-07", "township": "东镇", "branch": "一村", "stars": 3, "target_stars": 4,
     "tasks_done": 10, "tasks_total": 29, "secretary": "王甲"},
    {"period": "2024-07", "township": "东镇", "branch": "二村", "stars": 2, "target_stars": 3,
     "tasks_done": 5, "tasks_total": 29},
    {"period": "2024-07", "township": "西镇", "branch": "三社区", "stars": 1},
    {"period": "2024-07", "county": "乙县", "township": "南镇", "branch": "四村", "stars": 4, "target_stars": 4,
     "tasks_done": 20, "tasks_total": 29},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "stars": 4, "target_stars": 4,
     "tasks_done": 15, "tasks_total": 29, "secretary": "王甲"},
    {"period": "2024-08", "township": "东镇", "branch": "二村", "stars": 2, "target_stars": 3,
     "tasks_done": 6, "tasks_total": 29},
    {"period": "2024-08", "township": "西镇", "branch": "三社区", "stars": 1},
    {"period": "2024-08", "township": "西镇", "branch": "五社区", "stars": 0},
    {"period": "2024-08", "county": "乙县", "township": "南镇", "branch": "四村", "stars": 5, "target_stars": 4,
     "tasks_done": 29, "tasks_total": 29},
]
TASKS = [
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 2, "task": "发展特色种植",
     "owner": "李乙", "deadline": "2024-08-10", "done": False},
    {"period": "2024-08", "township": "东镇", "branch": "一村", "star_slot": 3, "task": "整治村容村貌",
     "owner": "赵丙", "deadline": "2024-09-30", "done": True, "done_date": "2024-08-20"},
]


# The account the page tests sign in as (tests/ui/test_pages.open_page puts it in the session).
TEST_LOGIN = "admin"


def with_account(db: Path, login: str = TEST_LOGIN, role: str = "admin", county: str | None = None,
                 township: str | None = None) -> Path:
    """Add an account (its own password already chosen) to a test store."""
    from analytics import accounts, store
    from analytics.audit import cli_actor
    from analytics.settings import Settings

    with store.open_store(db, settings=Settings({"lock_timeout_s": 5})) as con:
        accounts.add_account(con, login, role=role, county=county, township=township, by=cli_actor(),
                             password="test-password-1", must_change=False)
    return db


@pytest.fixture
def seeded_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = with_account(build_store(tmp_path / "ui.duckdb", BRANCHES, TASKS))
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = with_account(build_store(tmp_path / "demo.duckdb", BRANCHES[:4], is_demo=True))
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = with_account(tmp_path / "empty.duckdb")
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    return db


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTest like the server does once st.navigation has been called.

    AppTest resets ``PagesManager.uses_pages_directory`` before every run and
    re-derives it from the existence of ``pages/`` next to app.py; with it set,
    a rerun executes only the page file (the old pages-directory mode), so the
    sidebar of app.py disappears. The server sets the flag to False on the
    first st.navigation call; this does the same for the test runs.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Every .xlsx a page offers, by file name: the bytes a click would serve."""
    got: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def capture(self: DeltaGenerator, label: str, data: Any = None, file_name: str | None = None,
                *args: Any, **kwargs: Any) -> Any:
        if file_name and file_name.endswith(".xlsx"):
            got[file_name] = data() if callable(data) else data
        return original(self, label, data, file_name, *args, **kwargs)

    # st.download_button is bound to the main container at import; columns call the class's method
    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: capture(st._main, *a, **k))
    return got
