"""analytics.versions.data_token: the UI caches' key changes with the data, not with sign-ins."""

from __future__ import annotations

from pathlib import Path

from analytics import audit, store, versions
from analytics.settings import Settings
from tests.factories import build_store

SETTINGS = Settings()


def test_data_token_ignores_sign_ins_and_follows_uploads(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb", [
        {"period": "2024-08", "township": "甲镇", "branch": "一村", "stars": 2},
        {"period": "2024-08", "township": "乙镇", "branch": "二村", "stars": 4},
    ])
    with store.open_store(db, settings=SETTINGS) as con:
        before = versions.data_token(con)
        file_before = store.store_version(db)
        audit.record_alone(con, audit.web_actor("admin"), "sign_in")  # what a sign-in writes
        con.execute("CHECKPOINT")
        assert store.store_version(db) != file_before  # the file changed ...
        assert versions.data_token(con) == before  # ... the data did not
        store.rollback(con, "U00002")  # another version in force for 乙镇
        after_rollback = versions.data_token(con)
        assert after_rollback != before
    with store.open_store(db, settings=SETTINGS) as con:
        assert versions.data_token(con) == after_rollback  # stable across connections
