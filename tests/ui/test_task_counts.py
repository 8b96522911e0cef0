"""battle_map.branch_task_counts on the tiny store of conftest.py (tasks only for 甲县/东镇/一村 in 2024-08)."""

from __future__ import annotations

from pathlib import Path

from analytics import battle_map, store
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import load_settings


def _counts(db: Path, period: str, scope: Scope) -> list[tuple[str, str, str, int]]:
    s = load_settings()
    with store.open_store(str(db), read_only=True, settings=s) as con:
        df = battle_map.branch_task_counts(con, Period.parse(period), scope, s)
    return [(c, t, b, int(n)) for c, t, b, n in df[["county", "township", "branch", "tasks"]].itertuples(index=False)]


def test_branch_task_counts_month_quarter_and_scope(seeded_db: Path) -> None:
    assert _counts(seeded_db, "2024-08", Scope()) == [("甲县", "东镇", "一村", 2)]
    assert _counts(seeded_db, "2024-07", Scope()) == []  # the tasks belong to August only
    # a quarter reads each branch's latest month in it (August for 一村)
    assert _counts(seeded_db, "2024Q3", Scope()) == [("甲县", "东镇", "一村", 2)]
    assert _counts(seeded_db, "2024-08", Scope(county="乙县")) == []
