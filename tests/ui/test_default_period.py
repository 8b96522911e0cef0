"""Issue 14: a month in the future (allowed only by a setting, or written by older versions) does not
become the pages' default period: the sidebar starts on the latest month that is not in the future."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import build_store
from tests.ui.test_pages import open_page


def test_sidebar_defaults_to_the_latest_month_not_in_the_future(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "ui.duckdb", [
        {"period": "2024-07", "township": "东镇", "branch": "一村", "stars": 3},
        {"period": "2024-08", "township": "东镇", "branch": "一村", "stars": 4},
        {"period": "2100-12", "township": "西镇", "branch": "二村", "stars": 5},
    ])
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(tmp_path / "none.toml"))
    at = open_page()
    assert at.session_state["f_period"] == "2024-08"
    assert at.selectbox(key="f_period").options[0] == "2100年12月"  # still listed, not the default
    at.radio(key="f_kind").set_value("quarter")
    at.run()
    assert not at.exception
    assert at.session_state["f_period"] == "2024Q3"
