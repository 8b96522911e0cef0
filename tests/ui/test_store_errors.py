"""Issue 14: a damaged store shows the Chinese store message on pages, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, store
from tests.factories import build_store
from tests.ui.conftest import BRANCHES, TASKS
from tests.ui.test_pages import open_page


@pytest.mark.parametrize("page", [None, "pages/battle_map.py", "pages/ranking.py", "pages/upload.py"])
def test_truncated_store_shows_the_store_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 page: str | None) -> None:
    db = build_store(tmp_path / "ui.duckdb", BRANCHES, TASKS)
    os.truncate(db, db.stat().st_size // 3)
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    at = open_page(page)
    assert any("已损坏或不完整" in e.value for e in at.error), [e.value for e in at.error]


def _page_calling() -> None:
    import streamlit as st

    from ui import state

    state.call("metrics.kpis")
    st.write("after the call")


def test_store_error_of_a_cached_call_stops_the_page_with_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import state

    def damaged(*args: object, **kwargs: object) -> None:
        raise store.StoreError("数据库文件 x.duckdb 已损坏或不完整，无法读取。")

    monkeypatch.setattr(state, "_cached_call", damaged)
    at = AppTest.from_function(_page_calling, default_timeout=30)
    at.session_state[state.ACTOR_KEY] = audit.cli_actor()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["数据库文件 x.duckdb 已损坏或不完整，无法读取。"]
    assert not any("after the call" in m.value for m in at.markdown)
