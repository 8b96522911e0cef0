"""The SQL files: includes expand, a fragment's $period_ parameters take the period named at the include,
``-- @if`` blocks follow the parameters that are set."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

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
        # Every shape of the query: each combination of its @if parameters set or not.
        conditions = sorted(sql.conditions(path.name))
        for flags in itertools.product((False, True), repeat=len(conditions)):
            set_params = frozenset(c for c, on in zip(conditions, flags, strict=True) if on)
            shaped = sql.query(path.name, set_params)
            assert not any(sql._BLOCK.match(line) for line in shaped.splitlines()), path.name
            names = sql.param_names(path.name, set_params)
            assert fragment or not any(name.startswith("period_") for name in names), path.name


def test_if_blocks_keep_the_part_for_the_parameters_set() -> None:
    text = "a\n-- @if x\nb\n  -- @if y\nc\n  -- @else\nd\n  -- @end\n-- @else\ne\n-- @end\nf\n"
    assert sql.resolve_blocks(text, frozenset()) == "a\ne\nf\n"
    assert sql.resolve_blocks(text, frozenset({"x"})) == "a\nb\nd\nf\n"
    assert sql.resolve_blocks(text, frozenset({"x", "y"})) == "a\nb\nc\nf\n"
    assert sql.resolve_blocks(text, frozenset({"y"})) == "a\ne\nf\n"
    for bad in ("-- @if x\na\n", "a\n-- @end\n", "-- @else\n", "-- @if\na\n-- @end\n"):
        with pytest.raises(ValueError):
            sql.resolve_blocks(bad, frozenset())


def test_without_a_branch_type_filter_the_rankings_skip_the_type_change_join() -> None:
    # The join against prev_other_type is only in the query's shape when branch_type is set.
    params = {"cur_grain": "month", "cur_start": None, "cur_end": None, "prev_grain": "month", "prev_start": None,
              "prev_end": None, "county": None, "township": None, "w_stars": 60.0, "w_tasks": 40.0}
    plain, _ = sql.prepare("branch_ranking.sql", {**params, "branch_type": None})
    typed, bound = sql.prepare("branch_ranking.sql", {**params, "branch_type": "村"})
    assert "JOIN prev_other_type" not in plain and "LEFT JOIN prev_other_type" in typed
    assert bound["branch_type"] == "村"
