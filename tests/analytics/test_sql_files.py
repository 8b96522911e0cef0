"""The SQL files: includes expand, a fragment's $period_ parameters take the period named at the include."""

from __future__ import annotations

from pathlib import Path

from analytics import sql

SQL_DIR = Path(sql.__file__).parent


def test_an_include_with_a_period_renames_the_fragments_parameters() -> None:
    text = sql.load("snapshot_current.sql")
    assert not sql._INCLUDE.search(text) and "$period_" not in text
    # The scope condition appears once for each period it was included for.
    assert text.count("s.grain = $cur_grain::VARCHAR") == 1
    assert text.count("s.grain = $prev_grain::VARCHAR") == 1
    assert {"cur_grain", "cur_start", "prev_grain", "prev_start", "county", "township",
            "branch_type"} <= sql.param_names("branch_ranking.sql")


def test_every_query_expands_and_names_only_bound_parameters() -> None:
    for path in sorted(SQL_DIR.glob("*.sql")):
        text = sql.load(path.name)
        assert not sql._INCLUDE.search(text), path.name
        # Only a fragment included "for a period" may leave $period_ parameters unnamed.
        fragment = path.read_text(encoding="utf-8").startswith("-- Shared fragment")
        assert fragment or not any(name.startswith("period_") for name in sql.param_names(path.name)), path.name
